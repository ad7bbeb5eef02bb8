"""The learner's word is final, and it is kept: each review stores what the grader made of the
typed answer (a flag per key point, the suggestion or none), undo and reset take it away with
the review, and `stats` and `export` report it."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from dlquiz.bank import Bank
from dlquiz.cli import app
from dlquiz.clock import to_ms
from dlquiz.dashboard import grading as grading_panel
from dlquiz.export import CARD_FIELDS, REVIEW_FIELDS
from dlquiz.grading_stats import MIN_SUGGESTIONS, GradingFigures, compute
from dlquiz.matching import coverage
from dlquiz.model import AGAIN, EASY, GOOD, HARD, CardRow, Grading, Question
from dlquiz.scheduler import Rating
from dlquiz.session import Session
from dlquiz.store import MAX_FLAGS, MIGRATIONS, SCHEMA_VERSION, Store, StoreError
from dlquiz.study import grading_of

from .conftest import START, FakeClock
from .test_stats import card, check_schema, log_as_before, put, stats_of

runner = CliRunner()
FIRST, SECOND = "what-is-deep-learning", "deep-vs-machine-learning"
THIRD = "supervised-vs-unsupervised"


def log(store: Store, bank: Bank, qid: str, rating: int, grading: Grading | None) -> int:
    """Log a review of a card in review, now, with its grading."""
    prior = card(bank, qid, due=START)
    after = card(bank, qid, due=START + timedelta(days=3))
    with store.transaction():
        return store.log_review(prior, after, rating, to_ms(START), 5_000, grading)


def counts_table(store: Store) -> list[tuple[object, ...]]:
    """What the triggers keep: the questions' counts, then the points'."""
    return store.query("SELECT * FROM grading_questions ORDER BY 1, 2") + store.query(
        "SELECT * FROM grading_points ORDER BY 1, 2, 3, 4"
    )


def recounted(store: Store) -> list[tuple[object, ...]]:
    """What the triggers must keep, counted from the log itself."""
    questions: dict[tuple[str, str], list[int]] = {}
    points: dict[tuple[str, str, int, int], list[int]] = {}
    for r in store.reviews():
        if r.grading is None:
            continue
        s = r.grading.suggested
        q = questions.setdefault((r.bank_id, r.question_id), [0] * 6)
        q[0] += 1
        if s is not None:
            q[1] += 1
            q[2] += r.rating == s
            q[3] += s == GOOD and r.rating == EASY
            q[4] += r.rating > s
            q[5] += r.rating < s
        flags = len(r.grading.covered)
        for i, covered in enumerate(r.grading.covered):
            p = points.setdefault((r.bank_id, r.question_id, flags, i), [0, 0])
            p[0] += 1
            p[1] += not covered
    return [(*k, *v) for k, v in sorted(questions.items())] + [
        (*k, *v) for k, v in sorted(points.items())
    ]


# --- the store ----------------------------------------------------------------------------------


def test_a_review_keeps_its_grading_exactly(store: Store, bank: Bank) -> None:
    gradings = [Grading((True, False, True, True), GOOD), Grading((False,) * 4, None), None]
    ids = [log(store, bank, FIRST, HARD, g) for g in gradings]
    assert [store.review(i).grading for i in ids] == gradings  # type: ignore[union-attr]
    assert [r.grading for r in store.reviews(bank.id)] == gradings


def test_a_suggestion_without_flags_or_out_of_range_is_refused(store: Store, bank: Bank) -> None:
    with pytest.raises(StoreError, match="CHECK constraint"):
        log(store, bank, FIRST, GOOD, Grading((True,), EASY))  # the grader never suggests Easy
    with pytest.raises(StoreError, match="CHECK constraint"):
        log(store, bank, FIRST, GOOD, Grading((True,) * (MAX_FLAGS + 1), GOOD))
    with pytest.raises(StoreError, match="CHECK constraint"), store.transaction():
        store.db.execute(
            "INSERT INTO reviews (bank_id, question_id, rating, reviewed_at, state_before, "
            "state_after, due_after, suggested) VALUES ('b', 'q', 3, 0, 0, 1, 0, 3)"
        )
    assert store.counts(bank.id) == (0, 0)


def test_undo_removes_the_grading_with_its_review(
    store: Store, bank: Bank, make_session: Callable[[], Session], clock: FakeClock
) -> None:
    session = make_session()
    first = session.next()
    assert first is not None
    kept = session.rate(first, Rating.Hard, 4_000, Grading((True, True, False, False), HARD))
    clock.advance(seconds=30)
    second = session.next()
    assert second is not None
    session.rate(second, Rating.Good, 4_000, Grading((False, True), AGAIN))
    assert len(store.agreement_counts(bank.id)) == 2
    session.undo()
    assert [r.id for r in store.reviews(bank.id)] == [kept.review_id]
    assert counts_table(store) == recounted(store)
    assert store.agreement_counts(bank.id) == [(first.question.id, 1, 1, 1, 0, 0, 0)]
    assert store.missed_counts(bank.id) == [
        (first.question.id, 4, 2, 1, 1),
        (first.question.id, 4, 3, 1, 1),
    ]
    session.undo()
    assert counts_table(store) == [] and store.counts(bank.id) == (0, 0)


def test_the_counts_follow_every_insert_undo_and_reset(store: Store, bank: Bank) -> None:
    rng = random.Random(10)
    qids = [q.id for q in bank.questions[:4]]
    for _ in range(300):
        qid = rng.choice(qids)
        if rng.random() < 0.25 and (last := store.last_review_of(bank.id, qid)) is not None:
            store.undo(last)
            continue
        covered = tuple(rng.random() < 0.5 for _ in range(rng.randint(1, 5)))
        grading = None if rng.random() < 0.2 else Grading(covered, rng.choice([None, 1, 2, 3]))
        log(store, bank, qid, rng.randint(1, 4), grading)
    assert counts_table(store) == recounted(store) and counts_table(store)
    before = store.query("SELECT sum(reviews) FROM review_buckets")[0][0]
    assert before == store.counts(bank.id)[1]  # the older triggers still count every review
    store.forget(bank.id, {qids[0]})
    assert counts_table(store) == recounted(store)
    assert qids[0] not in {row[1] for row in counts_table(store)}
    store.forget(bank.id)
    assert counts_table(store) == [] and store.query("SELECT * FROM review_buckets") == []


def test_a_store_of_the_previous_schema_is_migrated_without_losing_a_review(
    tmp_path: Path, bank: Bank
) -> None:
    path = tmp_path / "v3.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for migration in MIGRATIONS[:3]:
        migration(db)
    db.execute("PRAGMA user_version = 3")
    db.execute("COMMIT")
    old = Store(db, path)  # schema 3, written to as the dlquiz before this one did
    put(old, card(bank, "pooling", due=START - timedelta(hours=1), lapses=1))
    for hours, rating in [(50, 3), (26, 1), (2, 3)]:
        log_as_before(old, bank, "pooling", START - timedelta(hours=hours), rating)
    logged = old.query("SELECT * FROM reviews ORDER BY id")
    buckets = old.query("SELECT * FROM review_buckets ORDER BY 1, 2")
    db.close()

    with Store.open(path) as store:
        assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        assert store.query("SELECT * FROM reviews ORDER BY id") == [
            (*row, None, None) for row in logged
        ]
        assert [r.grading for r in store.reviews(bank.id)] == [None] * 3
        assert store.query("SELECT * FROM review_buckets ORDER BY 1, 2") == buckets
        graded = stats_of(store, bank).grading
        assert graded is not None and graded.agreement.graded == 0
        new_id = log(store, bank, "pooling", GOOD, Grading((True, True, False, True), HARD))
        assert store.review(new_id).grading == Grading((True, True, False, True), HARD)  # type: ignore[union-attr]
        assert stats_of(store, bank).total_reviews == 4
        store.undo(new_id)
        assert counts_table(store) == [] and len(list(store.reviews(bank.id))) == 3


# --- the study loop -----------------------------------------------------------------------------


def test_the_grading_kept_is_the_graders(bank: Bank) -> None:
    question = bank.find(FIRST)
    assert question is not None
    result = coverage(question.key_points[0].point, question.key_points)
    kept = grading_of(result)
    assert kept.covered == tuple(p.covered for p in result.points)
    assert kept.covered[0] and len(kept.covered) == len(question.key_points)
    assert result.suggested is not None
    assert kept.suggested == int(result.suggested) and type(kept.suggested) is int


def run(*args: str, input: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


def full_answer(bank: Bank, qid: str) -> str:
    question = bank.find(qid)
    assert question is not None
    return ". ".join(kp.point for kp in question.key_points)


def practised(bank: Bank) -> None:
    """Three cards: a full answer taking the suggestion (Enter), a partial one rated Good over
    the grader, and one with nothing typed."""
    partial = bank.find(SECOND)
    assert partial is not None
    typed = [full_answer(bank, FIRST), partial.key_points[0].point, ""]
    run("practice", input=f"{typed[0]}\n\n{typed[1]}\n3\n{typed[2]}\n1\nq\n")


def test_practice_stores_the_grading_and_export_writes_it(bank: Bank) -> None:
    practised(bank)
    rows = list(csv.DictReader(io.StringIO(run("export", "reviews"))))
    assert tuple(rows[0]) == REVIEW_FIELDS
    first, second, third = rows
    assert (first["covered"], first["suggested"], first["rating_name"]) == (
        ",".join("1" * len(bank.find(FIRST).key_points)),  # type: ignore[union-attr]
        "good",
        "good",
    )
    assert second["covered"].startswith("1,") and second["suggested"] in ("again", "hard")
    assert second["rating_name"] == "good"
    assert (third["covered"], third["suggested"], third["rating_name"]) == ("", "", "again")

    exported = json.loads(run("export", "reviews", "--format", "json"))["reviews"]
    assert exported[0]["covered"] == [True] * len(bank.find(FIRST).key_points)  # type: ignore[union-attr]
    assert exported[0]["suggested"] == "good"
    assert exported[1]["covered"][0] is True and exported[1]["suggested"] == second["suggested"]
    assert (exported[2]["covered"], exported[2]["suggested"]) == (None, None)


def test_export_cards_is_unchanged(bank: Bank) -> None:
    practised(bank)
    rows = list(csv.DictReader(io.StringIO(run("export", "cards"))))
    assert tuple(rows[0]) == CARD_FIELDS and "covered" not in CARD_FIELDS
    cards = json.loads(run("export", "cards", "--format", "json"))["cards"]
    assert set(cards[0]) == set(CARD_FIELDS)


def test_stats_json_reports_the_agreement_and_the_missed_points(bank: Bank) -> None:
    practised(bank)
    output = json.loads(run("stats", "--json"))
    check_schema(output)
    agreement = output["grading"]["agreement"]
    assert agreement == {
        "graded": 2,
        "suggested": 2,
        "abstained": 0,
        "agreed": 1,
        "raised": 1,
        "lowered": 0,
        "rate": 0.5,
    }
    missed = output["grading"]["weakest_concepts"]
    second = bank.find(SECOND)
    assert second is not None
    assert {(p["question_id"], p["point"]) for p in missed} <= {
        (SECOND, kp.point) for kp in second.key_points[1:]
    }
    assert missed and all((p["missed"], p["graded"], p["rate"]) == (1, 1, 1.0) for p in missed)
    narrowed = json.loads(run("stats", "--json", "--topic", "cnn"))["grading"]
    assert narrowed["agreement"]["graded"] == 0 and narrowed["weakest_concepts"] == []


# --- the figures --------------------------------------------------------------------------------


def graded(
    store: Store, bank: Bank, qid: str, covered: str, suggested: int | None, rating: int, n: int = 1
) -> None:
    """Log `n` reviews of `qid` (which may not be in the bank) with this grading."""
    row = CardRow(bank.id, qid, 1, 2, None, 10.0, 5.0, to_ms(START), to_ms(START), 1, 0, 0)
    flags = tuple(c == "1" for c in covered)
    with store.transaction():
        for _ in range(n):
            store.log_review(row, row, rating, to_ms(START), None, Grading(flags, suggested))


def figures(store: Store, bank: Bank, questions: list[Question] | None = None) -> GradingFigures:
    return compute(
        store.agreement_counts(bank.id),
        store.missed_counts(bank.id),
        bank.questions if questions is None else questions,
    )


def test_easy_over_good_agrees_and_other_overrides_are_raised_or_lowered(
    store: Store, bank: Bank
) -> None:
    graded(store, bank, FIRST, "1111", GOOD, EASY, 4)  # Easy over Good: agreement
    graded(store, bank, FIRST, "1111", GOOD, GOOD, 2)
    graded(store, bank, FIRST, "1011", HARD, EASY)  # raised
    graded(store, bank, FIRST, "0000", AGAIN, HARD, 3)  # raised
    graded(store, bank, THIRD, "1100", HARD, AGAIN, 5)  # lowered
    graded(store, bank, THIRD, "0000", None, GOOD, 7)  # abstained: no agreement either way
    log(store, bank, THIRD, GOOD, None)  # nothing typed: not graded at all
    a = figures(store, bank).agreement
    assert (a.graded, a.suggested, a.abstained) == (22, 15, 7)
    assert (a.agreed, a.raised, a.lowered, a.rate) == (6, 4, 5, 6 / 15)


def test_worst_questions_need_enough_suggestions_and_an_override(store: Store, bank: Bank) -> None:
    ids = [q.id for q in bank.questions[:5]]
    graded(store, bank, ids[0], "1", GOOD, GOOD, MIN_SUGGESTIONS)  # all agreed: not listed
    graded(store, bank, ids[1], "1", GOOD, AGAIN, 1)
    graded(store, bank, ids[1], "1", GOOD, GOOD, MIN_SUGGESTIONS - 2)  # too few suggestions
    graded(store, bank, ids[2], "1", AGAIN, GOOD, 2)
    graded(store, bank, ids[2], "1", AGAIN, AGAIN, 2)  # 50%, 4 suggestions
    graded(store, bank, ids[3], "1", HARD, GOOD, 3)
    graded(store, bank, ids[3], "1", HARD, HARD, 3)  # 50%, 6 suggestions: before ids[2]
    graded(store, bank, ids[4], "1", GOOD, HARD, 3)  # 0%
    graded(store, bank, ids[4], "1", None, HARD, 9)  # abstentions are not suggestions
    worst = figures(store, bank).worst
    output = json.loads(json.dumps(stats_of(store, bank).to_json()))
    check_schema(output)  # every field of worst_questions[] and weakest_concepts[] documented
    assert [q["id"] for q in output["grading"]["worst_questions"]] == [ids[4], ids[3], ids[2]]
    assert [(q.id, a.rate, a.suggested) for q, a in worst] == [
        (ids[4], 0.0, 3),
        (ids[3], 0.5, 6),
        (ids[2], 0.5, 4),
    ]


def test_weakest_concepts_are_the_points_missed_most(store: Store, bank: Bank) -> None:
    first, third = bank.find(FIRST), bank.find(THIRD)
    assert first is not None and third is not None and len(first.key_points) == 4
    graded(store, bank, FIRST, "0101", GOOD, GOOD, 3)
    graded(store, bank, FIRST, "0111", None, GOOD, 1)  # abstained, yet its flags count
    graded(store, bank, FIRST, "01", GOOD, GOOD, 50)  # graded when the question had 2 points
    graded(store, bank, THIRD, "1110", HARD, HARD, 4)
    graded(store, bank, "no-longer-in-the-bank", "0000", AGAIN, AGAIN, 99)
    result = figures(store, bank)
    assert [(p.question_id, p.point_index, p.missed, p.graded) for p in result.weakest] == [
        (FIRST, 0, 4, 4),
        (THIRD, 3, 4, 4),  # as many misses: the bank's order
        (FIRST, 2, 3, 4),
    ]
    assert result.weakest[0].point == first.key_points[0].point
    assert result.agreement.graded == 58  # the older reviews still count for agreement


def test_the_figures_are_narrowed_to_the_questions_given(store: Store, bank: Bank) -> None:
    assert figures(store, bank).to_json()["agreement"]["rate"] is None
    graded(store, bank, FIRST, "0000", AGAIN, GOOD)
    graded(store, bank, THIRD, "0000", AGAIN, AGAIN)
    only_third = [q for q in bank.questions if q.id == THIRD]
    result = figures(store, bank, only_third)
    assert result.agreement.graded == 1 and result.agreement.agreed == 1
    assert {p.question_id for p in result.weakest} == {THIRD}


# --- the dashboard ------------------------------------------------------------------------------


def render_panel(store: Store, bank: Bank, width: int) -> str:
    panel = grading_panel(stats_of(store, bank))
    if panel is None:
        return ""
    console = Console(width=width, record=True, no_color=True, file=io.StringIO())
    console.print(panel)
    return console.export_text()


@pytest.mark.parametrize("width", [60, 120])
def test_the_dashboard_shows_agreement_and_missed_points_compactly(
    store: Store, bank: Bank, width: int
) -> None:
    assert render_panel(store, bank, width) == ""  # nothing typed yet: no panel
    log(store, bank, FIRST, AGAIN, None)
    assert render_panel(store, bank, width) == ""
    for rating in (GOOD, GOOD, EASY, HARD):
        log(store, bank, FIRST, rating, Grading((True, True, False, True), GOOD))
    log(store, bank, THIRD, GOOD, Grading((False, True, True, True), None))
    text = render_panel(store, bank, width)
    lines = text.splitlines()
    assert len(lines) <= 7 and all(len(line) <= width for line in lines)
    assert "agreed 75%" in text and "3 of 4 suggestions" in text and "1 abstained" in text
    assert "0 rated higher, 1 lower" in text
    assert f"least agreed  {FIRST} 75%" in text
    first = bank.find(FIRST)
    assert first is not None
    missed = next(line for line in lines if "4/4" in line)
    assert first.key_points[2].point[:10] in missed
