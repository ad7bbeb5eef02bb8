"""A cache of validated banks, so that a big bank is parsed once, not at every start.

YAML parsing of a bank of 10,000 questions takes seconds; reading the same bank back as JSON
takes a fraction of that. The cache entry is keyed on the bank file's resolved path, size,
modification time and a CRC-32 checksum of its content (and on the dlquiz version, whose
validation rules may change), so any change to the file, even one that keeps size and time,
re-reads it. (A checksum, not a cryptographic hash: it detects edits, and zlib is a fraction of
a millisecond to import where hashlib takes several, at every start.)
JSON cannot run code when read, whatever the cache file contains; a cache entry that fails to
load is ignored and rewritten.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any

from dlquiz import __version__
from dlquiz.bank import Bank, Source, parse_bank, read_bytes
from dlquiz.model import KeyPoint, Question

CACHE_FORMAT = 3  # 3: key points keep their `contradicts`


def load(path: Path, cache_dir: Path | None) -> Bank:
    """The validated bank at `path`, from the cache when the file has not changed."""
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
    bank = parse_bank(raw, path)
    if entry is not None:
        _write(entry, key, bank)
    return bank


def _entry_path(cache_dir: Path, resolved: str) -> Path:
    encoded = resolved.encode("utf-8", "surrogateescape")
    name = f"{zlib.crc32(encoded):08x}{zlib.adler32(encoded):08x}"
    return cache_dir / "banks" / f"{name}.json"


def _read(entry: Path, key: dict[str, Any], path: Path) -> Bank | None:
    try:
        data = json.loads(entry.read_bytes())
        if data.get("key") != key:
            return None
        return _bank_from(data["bank"], path)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, stale or damaged: parse the bank again


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
    except OSError:
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


def _bank_from(data: dict[str, Any], path: Path) -> Bank:
    if data["fields"] != list(Question._fields):
        raise ValueError("cached with other question fields")
    make_point = KeyPoint._make
    questions = tuple(
        Question(
            qid, number, tuple(topics), question, answer,
            tuple(make_point((p[0], tuple(p[1]), tuple(p[2]))) for p in points),
            hint, tuple(corrections), line,
        )
        for qid, number, topics, question, answer, points, hint, corrections, line in data[
            "questions"
        ]
    )  # fmt: skip
    return Bank(
        id=data["id"],
        title=data["title"],
        source=Source(**data["source"]),
        topics=dict(data["topics"]),
        questions=questions,
        path=path,
    )
