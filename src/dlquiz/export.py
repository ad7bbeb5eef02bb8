"""Ways out: the review log and card states as CSV or JSON, and the bank as an Anki deck.

Exports stream row by row, so a log of a million reviews never sits in memory. Times are
ISO-8601 in UTC; ratings and states are written as words (`good`, `review`) beside the numbers
py-fsrs uses, so the files read well in a spreadsheet and load cleanly in a script. Each review
carries what the grader made of its typed answer (`covered`, `suggested`; empty when nothing
was typed) beside the rating the learner chose.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from dlquiz.bank import Bank
from dlquiz.clock import from_ms
from dlquiz.model import (
    RATING_NAMES,
    STATE_NAMES,
    CardRow,
    ExportError,
    Grading,
    ReviewRow,
    is_leech,
)
from dlquiz.store import Store
from dlquiz.text import literal

if TYPE_CHECKING:
    from dlquiz.workspace import Workspace

EXPORT_SCHEMA = "dlquiz-export/1"


REVIEW_FIELDS = (
    "id", "bank_id", "question_id", "rating", "rating_name", "reviewed_at", "duration_ms",
    "state_before", "state_after", "due_after", "covered", "suggested",
)  # fmt: skip
CARD_FIELDS = (
    "bank_id", "question_id", "in_bank", "state", "step", "stability", "difficulty", "due",
    "last_review", "reps", "lapses", "introduced", "leech", "suspended",
)  # fmt: skip


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return from_ms(ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def review_record(review: ReviewRow) -> dict[str, Any]:
    return {
        "id": review.id,
        "bank_id": review.bank_id,
        "question_id": review.question_id,
        "rating": review.rating,
        "rating_name": RATING_NAMES[review.rating].lower(),
        "reviewed_at": _iso(review.reviewed_at),
        "duration_ms": review.duration_ms,
        "state_before": STATE_NAMES[review.state_before],
        "state_after": STATE_NAMES[review.state_after],
        "due_after": _iso(review.due_after),
        **grading_fields(review.grading),
    }


def grading_fields(grading: Grading | None) -> dict[str, Any]:
    """What the grader made of the typed answer: `covered`, a flag per key point in the bank's
    order (None: nothing was typed), and `suggested`, the rating it suggested as a word (None:
    it abstained, or nothing was typed). CSV writes the flags as `1,0,1`."""
    if grading is None:
        return {"covered": None, "suggested": None}
    suggested = None if grading.suggested is None else RATING_NAMES[grading.suggested].lower()
    return {"covered": list(grading.covered), "suggested": suggested}


def card_record(card: CardRow, in_bank: bool, suspended: bool = False) -> dict[str, Any]:
    """A card's state; `leech` is true from `LEECH_LAPSES` (8) lapses, as in Anki."""
    return {
        "bank_id": card.bank_id,
        "question_id": card.question_id,
        "in_bank": in_bank,
        "state": STATE_NAMES[card.state],
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": _iso(card.due),
        "last_review": _iso(card.last_review),
        "reps": card.reps,
        "lapses": card.lapses,
        "introduced": _iso(card.introduced),
        "leech": is_leech(card.lapses),
        "suspended": suspended,
    }


def reviews(store: Store, bank: Bank) -> Iterator[dict[str, Any]]:
    return (review_record(r) for r in store.reviews(bank.id))


def cards(store: Store, bank: Bank) -> Iterator[dict[str, Any]]:
    ids = {q.id for q in bank.questions}
    suspended = store.suspended(bank.id)
    rows = sorted(store.cards(bank.id).values(), key=lambda c: c.question_id)
    return (card_record(c, c.question_id in ids, c.question_id in suspended) for c in rows)


def writer(store: Store, bank: Bank, kind: str, fmt: str) -> Callable[[IO[str]], int]:
    """A function that writes the `kind` export (`reviews` or `cards`) as `fmt` (`csv` or
    `json`) to a stream and returns how many records it wrote."""
    fields = REVIEW_FIELDS if kind == "reviews" else CARD_FIELDS

    def write(out: IO[str]) -> int:
        records = reviews(store, bank) if kind == "reviews" else cards(store, bank)
        if fmt == "json":
            return write_json(records, kind, bank, out)
        return write_csv(records, fields, out)

    return write


def write_csv(records: Iterable[dict[str, Any]], fields: tuple[str, ...], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({k: _csv_value(v) for k, v in record.items()})
        count += 1
    return count


def _csv_value(value: Any) -> Any:
    """None as an empty cell; a list of flags as `1,0,1`."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join("1" if flag else "0" for flag in value)
    return value


def write_json(records: Iterable[dict[str, Any]], kind: str, bank: Bank, out: IO[str]) -> int:
    """One JSON object, `{"schema", "bank", kind: [...]}`, written as the rows stream."""
    header = {"schema": EXPORT_SCHEMA, "bank": {"id": bank.id, "title": bank.title}}
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + f', "{kind}": [')
    count = 0
    for record in records:
        out.write(("\n  " if count == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def stable_id(text: str) -> int:
    """A stable 31-bit id for Anki (deck and model ids must not change between exports)."""
    return (zlib.crc32(text.encode()) & 0x7FFFFFFF) | (1 << 30)


def write_apkg(bank: Bank, path: Path) -> int:
    """The bank as an Anki deck: one note per question, tagged with its topics.

    Notes carry a stable GUID from the bank and question ids, so importing a newer export
    updates the notes in Anki instead of duplicating them.
    """
    import html

    import genanki
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    model = genanki.Model(
        stable_id(f"dlquiz-model:{bank.id}"),
        "dlquiz question",
        fields=[{"name": n} for n in ("Question", "Answer", "KeyPoints", "Hint", "Source")],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "<div class=q>{{Question}}</div>"
                "{{#Hint}}<details><summary>Hint</summary>{{Hint}}</details>{{/Hint}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}"
                "<div class=kp><b>Key points</b>{{KeyPoints}}</div>"
                "<div class=src>{{Source}}</div>",
            }
        ],
        css=".card{font-family:sans-serif;font-size:18px;text-align:left}"
        ".q{font-weight:bold}.kp{margin-top:1em}.src{color:#888;font-size:12px}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}",
    )
    deck = genanki.Deck(stable_id(f"dlquiz-deck:{bank.id}"), bank.title)
    for q in bank.questions:
        points = "".join(f"<li>{html.escape(kp.point)}</li>" for kp in q.key_points)
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[
                    html.escape(q.question),
                    md.render(q.answer),
                    f"<ul>{points}</ul>",
                    html.escape(q.hint),
                    html.escape(f"#{q.number} · {q.id}"),
                ],
                guid=genanki.guid_for(bank.id, q.id),
                tags=[t.replace(" ", "_") for t in q.topics],
            )
        )
    genanki.Package(deck).write_to_file(str(path))
    return len(bank.questions)


# --- writing files safely ------------------------------------------------------------------------


def check_target(target: Path, protected: Iterable[Path], force: bool) -> None:
    """Refuse an output file that is one of dlquiz's own (the store and its log, the settings,
    the bank, a backup), a folder, or an existing file without `force`."""
    resolved = target.resolve()
    for path in protected:
        own = path.resolve()
        if resolved == own or own in resolved.parents or _same_file(target, path):
            raise ExportError(f"{target} is dlquiz's own file ({path}); choose another name")
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name (-o {target}/NAME)")
    if not target.parent.is_dir():
        raise ExportError(f"cannot write {target}: no folder {target.parent}")
    if target.exists() and not force:
        raise ExportError(f"{target} already exists; add --force to replace it")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def replacing(target: Path, binary: bool = False) -> Iterator[Path]:
    """A temporary file beside `target` that replaces it only once written whole: a failed
    export (a full disk, Ctrl-C) leaves the old file as it was."""
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise ExportError(f"cannot write {target}: {e.strerror}") from None
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with temp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(temp, target)
    except OSError as e:
        raise ExportError(f"cannot write {target}: {e.strerror}") from None
    finally:
        temp.unlink(missing_ok=True)


def write_log(
    target: Path | None, write: Callable[[IO[str]], int], protected: Iterable[Path], force: bool
) -> int:
    """Write an export to `target` (None: stdout) with `write(stream)`; the count it returns."""
    if target is None:
        return write(sys.stdout)
    check_target(target, protected, force)
    with replacing(target) as temp, temp.open("w", encoding="utf-8", newline="") as f:
        return write(f)


def write_deck(bank: Bank, target: Path, protected: Iterable[Path], force: bool) -> int:
    """The bank as an Anki package at `target`, written whole or not at all."""
    check_target(target, protected, force)
    with replacing(target) as temp:
        return write_apkg(bank, temp)


def export(workspace: Workspace, what: str, fmt: str, output: Path | None, force: bool) -> str:
    """`dlquiz export`: the review log or the card states (`what`, as `fmt`) to `output` (None:
    stdout), or the bank as an Anki deck; what was written, in one line ("" for stdout)."""
    bank = workspace.bank()
    protected = (*workspace.paths.own_files(), workspace.bank_path())
    if what == "deck":
        target = output or Path(f"{bank.id}.apkg")
        count = write_deck(bank, target, protected, force)
        return f"Wrote {count} notes to {literal(str(target))} (in Anki: File > Import)."
    with workspace.open_store() as store:
        count = write_log(output, writer(store, bank, what, fmt), protected, force)
    return "" if output is None else f"Wrote {count} {what} to {literal(str(output))}."
