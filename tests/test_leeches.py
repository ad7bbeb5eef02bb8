"""Leeches and suspended cards: said when it happens, marked on the card, set aside on request;
and the schema change that brought the suspended table keeps every review."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from dlquiz import ui
from dlquiz.bank import Bank
from dlquiz.cli import app
from dlquiz.clock import to_ms
from dlquiz.model import LEECH_LAPSES, REVIEW, CardRow
from dlquiz.scheduler import Rating, Scheduling
from dlquiz.session import Item, Mode, Session
from dlquiz.store import SCHEMA_VERSION, Store, _m004_suspended

from .conftest import V1_REVIEW_COLUMNS, FakeClock, log_v1, store_before

MakeSession = Callable[..., Session]
runner = CliRunner()


def lapsed(bank_id: str, question_id: str, lapses: int, now: datetime) -> CardRow:
    """A card in review, due now, forgotten `lapses` times."""
    return CardRow(
        bank_id=bank_id,
        question_id=question_id,
        card_id=1,
        state=REVIEW,
        step=None,
        stability=2.0,
        difficulty=9.0,
        due=to_ms(now - timedelta(days=1)),
        last_review=to_ms(now - timedelta(days=3)),
        reps=3 * lapses + 2,
        lapses=lapses,
        introduced=to_ms(now - timedelta(days=60)),
    )


def render(renderable: object, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_the_eighth_lapse_makes_a_leech_and_says_so_once(
    make_session: MakeSession, store: Store, bank: Bank, clock: FakeClock
) -> None:
    qid = bank.questions[0].id
    store.put_card(lapsed(bank.id, qid, LEECH_LAPSES - 1, clock()))
    session = make_session(new_per_day=0)
    item = session.next()
    assert item is not None and item.question.id == qid
    assert "leech" not in render(ui.card_header(item, 1, 1, "practice"))
    rated = session.rate(item, Rating.Again)
    assert rated.row.lapses == LEECH_LAPSES and rated.leech
    clock.advance(minutes=10)
    again = session.next()
    assert again is not None and again.question.id == qid
    assert "leech · 8 lapses" in render(ui.card_header(again, 2, 2, "practice"))
    assert not session.rate(again, Rating.Again).leech  # relearning: not a lapse, no new note


def test_the_leech_note_after_the_rating_suggests_show_and_suspend(
    dlquiz_home: Path, bank: Bank
) -> None:
    now = datetime.now(UTC)
    qid = bank.questions[3].id
    with Store.open(dlquiz_home / "progress.db") as store:
        store.put_card(lapsed(bank.id, qid, LEECH_LAPSES - 1, now))
    result = runner.invoke(app, ["practice", "--new", "0"], input="\n1\nq\n")
    assert result.exit_code == 0, result.output
    assert "✓ saved Again" in result.output
    assert f"⚠ leech: {qid} has been forgotten 8 times" in result.output
    assert f"dlquiz show {qid}" in result.output
    assert f"dlquiz suspend {qid}" in result.output


def test_suspended_cards_are_never_shown_until_unsuspended(
    make_session: MakeSession, store: Store, bank: Bank, clock: FakeClock
) -> None:
    first, second = bank.questions[0].id, bank.questions[1].id
    store.put_card(lapsed(bank.id, second, 9, clock()))
    assert store.suspend(bank.id, first, to_ms(clock()))
    assert store.suspend(bank.id, second, to_ms(clock()))
    assert not store.suspend(bank.id, second, to_ms(clock()))  # already
    assert store.suspended(bank.id) == {first, second}
    practice = make_session(new_per_day=1)
    item = practice.next()
    assert item is not None and item.question.id == bank.questions[2].id
    assert practice.due_left() == 0  # the suspended due card is not waiting
    drill = make_session(mode=Mode.DRILL, topics=bank.questions[1].topics)
    shown = set()
    while (card := drill.next()) is not None:
        shown.add(card.question.id)
        drill.rate(card, Rating.Easy)
    assert second not in shown and shown
    assert store.unsuspend(bank.id, second) and not store.unsuspend(bank.id, second)
    back = make_session(new_per_day=0).next()
    assert back is not None and back.question.id == second


def test_suspend_and_unsuspend_commands(dlquiz_home: Path, bank: Bank) -> None:
    qid = bank.questions[0].id
    done = runner.invoke(app, ["suspend", qid])
    assert done.exit_code == 0, done.output
    assert f"Suspended {qid}" in done.output and f"dlquiz unsuspend {qid}" in done.output
    assert "already suspended" in runner.invoke(app, ["suspend", "1"]).output  # by number
    practice = runner.invoke(app, ["practice", "--new", "1"], input="\n3\n")
    assert qid not in practice.output and bank.questions[1].question in practice.output
    assert "is back" in runner.invoke(app, ["unsuspend", qid]).output
    assert "is not suspended" in runner.invoke(app, ["unsuspend", qid]).output
    unknown = runner.invoke(app, ["suspend", "poolingg"])
    assert unknown.exit_code == 2 and "did you mean 'pooling'" in unknown.output


def test_export_cards_shows_leeches_and_suspended(dlquiz_home: Path, bank: Bank) -> None:
    now = datetime.now(UTC)
    leech, other = bank.questions[0].id, bank.questions[1].id
    with Store.open(dlquiz_home / "progress.db") as store:
        store.put_card(lapsed(bank.id, leech, LEECH_LAPSES, now))
        store.put_card(lapsed(bank.id, other, LEECH_LAPSES - 1, now))
        store.suspend(bank.id, leech, to_ms(now))
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["export", "cards"]).stdout)))
    assert [(r["question_id"], r["leech"], r["suspended"]) for r in rows] == sorted(
        [(leech, "True", "True"), (other, "False", "False")]
    )


def test_migrating_a_store_of_the_previous_schema_keeps_every_review(
    tmp_path: Path, bank: Bank, clock: FakeClock
) -> None:
    path = tmp_path / "old.db"
    db = store_before(path, _m004_suspended)
    scheduling = Scheduling(0.9, fuzz=False)
    for n, question in enumerate(bank.questions[:12]):
        row = None
        for rating in (Rating.Good, Rating.Again, Rating.Good, Rating.Easy)[: 1 + n % 4]:
            outcome = scheduling.review(bank.id, question.id, row, rating, clock())
            log_v1(db, row, outcome.row, int(rating), to_ms(clock()))
            row = outcome.row
            clock.advance(minutes=11)
    reviews = db.execute(f"SELECT {V1_REVIEW_COLUMNS} FROM reviews ORDER BY id").fetchall()
    cards = db.execute("SELECT * FROM cards ORDER BY 1, 2").fetchall()
    buckets = db.execute("SELECT * FROM review_buckets ORDER BY bucket").fetchall()
    db.close()
    assert len(reviews) == 30
    with Store.open(path) as store:
        assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        assert store.query(f"SELECT {V1_REVIEW_COLUMNS} FROM reviews ORDER BY id") == reviews
        assert store.query("SELECT * FROM cards ORDER BY 1, 2") == cards
        assert store.query("SELECT * FROM review_buckets ORDER BY bucket") == buckets
        assert store.suspended(bank.id) == set()
        assert store.suspend(bank.id, bank.questions[0].id, to_ms(clock()))


def test_the_card_header_marks_a_leech(bank: Bank, clock: FakeClock) -> None:
    q = bank.questions[0]
    header = render(ui.card_header(Item(q, lapsed(bank.id, q.id, 13, clock())), 2, 9, "practice"))
    assert "leech · 13 lapses" in header
    fine = render(ui.card_header(Item(q, lapsed(bank.id, q.id, 7, clock())), 2, 9, "practice"))
    assert "leech" not in fine
