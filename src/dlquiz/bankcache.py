"""A cache of validated banks, so that a big bank is parsed once, not at every start.

YAML parsing of a bank of 10,000 questions takes seconds; reading the same bank back as JSON
takes a fraction of that. The cache entry is keyed on the bank file's resolved path, size,
modification time and a CRC-32 checksum of its content (and on the dlquiz version, whose
validation rules may change), so any change to the file, even one that keeps size and time,
re-reads it. (A checksum, not a cryptographic hash: it detects edits, and zlib is a fraction of
a millisecond to import where hashlib takes several, at every start.)
JSON cannot run code when read, whatever the cache file contains, and an entry is never
trusted: one that fails to load, or whose content is not exactly the shape and types a bank has
(an empty question list, a number where text belongs...), is ignored and rewritten.

Next to each entry, a small `.id` file records which bank id that path had, so that `doctor` can
tell when two different files use the same id (and so share progress).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dlquiz import __version__
from dlquiz.bank import MAX_BANK_BYTES, Bank, Source, parse_bank, read_bytes
from dlquiz.model import KeyPoint, Question
from dlquiz.paths import read_limited

# 3: stricter validation (format_version digits, real dates, bidi, id/number); 4: key points
# keep their `contradicts`, and the grader checks them against the answer
CACHE_FORMAT = 4
SLOW_PARSE_SECONDS = 0.5  # a parse longer than this says so on stderr


def _stderr_notice(message: str) -> None:
    """Write a progress line to stderr when it is a terminal (never into a pipe or a log)."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            sys.stderr.write(message)
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def load(
    path: Path,
    cache_dir: Path | None,
    *,
    write: bool = True,
    notice: Callable[[str], None] = _stderr_notice,
) -> Bank:
    """The validated bank at `path`, from the cache when the file has not changed.

    `write=False` reads the cache but never writes it (for `doctor`, which changes nothing).
    A parse that takes longer than SLOW_PARSE_SECONDS (a first start on a big bank) says what
    it is doing through `notice`, so that the screen is not blank for seconds.
    """
    raw = read_bytes(path)
    info = path.stat()
    resolved = str(path.resolve())
    key = {
        "cache_format": CACHE_FORMAT,
        "dlquiz": __version__,
        "path": resolved,
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "crc32": zlib.crc32(raw),
    }
    entry = _entry_path(cache_dir, resolved) if cache_dir is not None else None
    if entry is not None:
        cached = _read(entry, key, path)
        if cached is not None:
            return cached
    bank = _parse_telling(raw, path, notice)
    if entry is not None and write:
        _write(entry, key, bank)
    return bank


def _parse_telling(raw: bytes, path: Path, notice: Callable[[str], None]) -> Bank:
    """parse_bank, saying so through `notice` if it has not finished after half a second."""
    from dlquiz.text import literal

    size = f"{len(raw) / 1_000_000:.1f} MB" if len(raw) >= 100_000 else f"{len(raw):,} bytes"
    said = threading.Event()

    def tell() -> None:
        said.set()
        notice(f"Reading {literal(str(path))} ({size}) for the first time...")

    timer = threading.Timer(SLOW_PARSE_SECONDS, tell)
    timer.daemon = True
    timer.start()
    try:
        return parse_bank(raw, path)
    finally:
        timer.cancel()
        if said.is_set():
            notice(" done.\n")


def same_id_elsewhere(cache_dir: Path, bank: Bank) -> list[Path]:
    """Other bank files, seen before and still there, whose bank has the same id as `bank`
    but other content: they share its progress (the store keys progress by bank id). An
    identical copy (the same bank installed twice) is not counted."""
    here = str(bank.path.resolve())
    found: list[Path] = []
    try:
        mine = read_limited(bank.path, MAX_BANK_BYTES, "bank")
    except OSError:
        mine = None
    try:
        marks = sorted((cache_dir / "banks").glob("*.id"))
    except OSError:
        return []
    for mark in marks:
        try:
            seen = json.loads(read_limited(mark, 64 * 1024, "cache mark"))
            other = Path(seen["path"])
            if seen["id"] != bank.id or str(other) == here or not other.is_file():
                continue
            same_size = mine is not None and other.stat().st_size == len(mine)
            if not (same_size and read_limited(other, MAX_BANK_BYTES, "bank") == mine):
                found.append(other)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return found


def _entry_path(cache_dir: Path, resolved: str) -> Path:
    encoded = resolved.encode("utf-8", "surrogateescape")
    name = f"{zlib.crc32(encoded):08x}{zlib.adler32(encoded):08x}"
    return cache_dir / "banks" / f"{name}.json"


def _read(entry: Path, key: dict[str, Any], path: Path) -> Bank | None:
    try:
        data = json.loads(read_limited(entry, 4 * MAX_BANK_BYTES, "bank cache"))
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        return _bank_from(data["bank"], path)
    except Exception:  # missing, stale, damaged or of another shape: parse the bank again
        return None


def _write(entry: Path, key: dict[str, Any], bank: Bank) -> None:
    """Write atomically; a cache that cannot be written only costs speed."""
    import tempfile

    payload = {"key": key, "bank": _bank_to(bank)}
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".bank-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(payload, f, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        mark = json.dumps({"id": bank.id, "path": key["path"]}, ensure_ascii=False)
        mark_path = entry.with_suffix(".id")
        if not mark_path.exists() or mark_path.read_text(encoding="utf-8") != mark:
            tmp_mark = entry.with_suffix(f".id.{os.getpid()}.tmp")
            tmp_mark.write_text(mark, encoding="utf-8")
            os.replace(tmp_mark, mark_path)
    except (OSError, ValueError):
        pass


def _bank_to(bank: Bank) -> dict[str, Any]:
    """A bank as JSON; each question a list in `Question`'s field order (compact, and quick to
    turn back into tuples), each key point as [point, alternatives, contradicts]."""
    return {
        "id": bank.id,
        "title": bank.title,
        "source": bank.source._asdict(),
        "topics": bank.topics,
        "fields": list(Question._fields),
        "questions": [
            [
                q.id, q.number, q.topics, q.question, q.answer,
                [[kp.point, kp.alternatives, kp.contradicts] for kp in q.key_points],
                q.hint, q.corrections, q.line,
            ]
            for q in bank.questions
        ],
    }  # fmt: skip


class _Shape(ValueError):
    """A cache entry is not exactly what `_bank_to` writes."""


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _Shape("expected text")
    return value


def _texts(value: Any, *, empty: bool = True) -> tuple[str, ...]:
    """A list of non-empty strings as a tuple. Checked with `map(type, ...)` and `in`, which
    run in C: a bank has thousands of these strings (key points' alternatives), and a call of
    `_text` for each was a few milliseconds of every start. (JSON makes only exact `str`s.)"""
    if (
        not isinstance(value, list)
        or (not empty and not value)
        or not set(map(type, value)) <= {str}
        or "" in value
    ):
        raise _Shape("expected a list of text")
    return tuple(value)


def _point(value: Any) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A key point as `_bank_to` writes it: [point, alternatives, contradicts]."""
    if not isinstance(value, list) or len(value) != 3:
        raise _Shape("expected a key point")
    return _text(value[0]), _texts(value[1]), _texts(value[2])


def _question(row: Any, make_point: Callable[[Any], KeyPoint]) -> Question:
    if not isinstance(row, list) or len(row) != len(Question._fields):
        raise _Shape("expected a question row")
    qid, number, topics, question, answer, points, hint, corrections, line = row
    if not isinstance(points, list) or not points or type(line) is not int:
        raise _Shape("expected key points and a line number")
    return Question(
        _text(qid), _text(number), _texts(topics, empty=False), _text(question), _text(answer),
        tuple(make_point(_point(p)) for p in points),
        _text(hint), _texts(corrections), line,
    )  # fmt: skip


def _bank_from(data: Any, path: Path) -> Bank:
    """The bank a cache entry holds; _Shape if any part is not of the expected type."""
    if not isinstance(data, dict) or data.get("fields") != list(Question._fields):
        raise _Shape("cached with other question fields")
    source, topics, rows = data.get("source"), data.get("topics"), data.get("questions")
    if not isinstance(source, dict) or set(source) != set(Source._fields):
        raise _Shape("expected a source")
    url = source["url"]
    if url is not None:
        url = _text(url)
    if not isinstance(topics, dict) or not topics or not isinstance(rows, list) or not rows:
        raise _Shape("expected topics and questions")
    make_point = KeyPoint._make
    questions = tuple(_question(row, make_point) for row in rows)
    topic_titles = {_text(slug): _text(title) for slug, title in topics.items()}
    if any(t not in topic_titles for q in questions for t in q.topics):
        raise _Shape("a question's topic is not defined")
    return Bank(
        id=_text(data.get("id")),
        title=_text(data.get("title")),
        source=Source(
            _text(source["title"]), _text(source["publisher"]), _text(source["date"]), url
        ),
        topics=topic_titles,
        questions=questions,
        path=path,
    )
