"""`dlquiz stats`: every figure against a store built by hand, under a fixed clock.

Cards and reviews are written straight into the store (`put_card`, `log_review`), so that each
test knows exactly what is there; recall probabilities come from FSRS, or from a table when a
test needs one exactly at a boundary (the mastered definition, the weakest topic).
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from benchmarks.simulation import simulate
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from dlquiz import clock as clock_module
from dlquiz.bank import Bank
from dlquiz.cli import app
from dlquiz.clock import StudyDays, from_ms, to_ms
from dlquiz.dashboard import SECTIONS, dashboard
from dlquiz.interview import plan_from_store as interview_plan
from dlquiz.model import (
    LEARNING,
    LEECH_LAPSES,
    NEW,
    RELEARNING,
    REVIEW,
    STATS_SECTIONS,
    CardRow,
    InterviewRow,
)
from dlquiz.scheduler import Rating, Scheduling
from dlquiz.session import Session
from dlquiz.stats import DayCount, Overview, Stats, compute
from dlquiz.store import MIGRATIONS, SCHEMA_VERSION, Store

from .conftest import START, FakeClock

DOCS = Path(__file__).resolve().parent.parent / "docs" / "stats-json.md"
UTC4 = StudyDays(UTC, 4)
RecallTable = dict[str, float]


# --- building a store by hand -----------------------------------------------------------------


def card(
    bank: Bank,
    qid: str,
    *,
    state: int = REVIEW,
    due: datetime = START,
    stability: float = 10.0,
    last_review: datetime | None = None,
    lapses: int = 0,
) -> CardRow:
    assert bank.find(qid) is not None, qid
    last = last_review if last_review is not None else due - timedelta(days=stability)
    return CardRow(
        bank_id=bank.id,
        question_id=qid,
        card_id=1,
        state=state,
        step=None if state == REVIEW else 0,
        stability=stability,
        difficulty=5.0,
        due=to_ms(due),
        last_review=to_ms(last),
        reps=1,
        lapses=lapses,
        introduced=to_ms(last),
    )


def put(store: Store, *rows: CardRow) -> None:
    with store.transaction():
        for row in rows:
            store.put_card(row)


def log(
    store: Store,
    bank: Bank,
    qid: str,
    when: datetime,
    rating: int = 3,
    *,
    before: int = REVIEW,
    seconds: float = 10.0,
) -> None:
    """Log one review of `qid` at `when`, of a card that was in state `before` (NEW: unseen)."""
    prior = None if before == NEW else card(bank, qid, state=before, due=when)
    after = card(bank, qid, due=when + timedelta(days=1))
    with store.transaction():
        store.log_review(prior, after, rating, to_ms(when), int(seconds * 1000))


def log_as_before(store: Store, bank: Bank, qid: str, when: datetime, rating: int) -> None:
    """Log a review of a card in review as dlquiz did before reviews kept their grading (the
    columns of schema versions 1 to 3), into a store of such a version."""
    prior = card(bank, qid, due=when)
    after = card(bank, qid, due=when + timedelta(days=1))
    with store.transaction():
        store.db.execute(
            "INSERT INTO reviews (bank_id, question_id, rating, reviewed_at, duration_ms, "
            "state_before, card_before, state_after, due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (bank.id, qid, rating, to_ms(when), 10_000, REVIEW, json.dumps(prior._asdict()),
             after.state, after.due),
        )  # fmt: skip


def stats_of(
    store: Store,
    bank: Bank,
    *,
    now: datetime = START,
    days: StudyDays = UTC4,
    recall: RecallTable | None = None,
    topics: tuple[str, ...] = (),
    activity_days: int = 182,
    new_per_day: int = 10,
    suspended: frozenset[str] | set[str] = frozenset(),
    due_at: Callable[[CardRow], int] | None = None,
) -> Stats:
    """The figures with the scheduler's recall (or a table of it), and when each card falls due
    as stored (or as `due_at` says: the scheduler's study-day rule)."""
    scheduling = Scheduling(0.9, fuzz=False)
    fsrs = scheduling.retrievability

    def by_table(row: CardRow, moment: datetime) -> float:
        assert recall is not None
        return recall.get(row.question_id, 0.5)

    return compute(
        store,
        bank,
        now=now,
        days=days,
        recall=fsrs if recall is None else by_table,
        curve=scheduling.recall_after,
        due_at=stored_due if due_at is None else due_at,
        desired_retention=0.9,
        new_per_day=new_per_day,
        suspended=suspended,
        topics=topics,
        activity_days=activity_days,
    )


def stored_due(row: CardRow) -> int:
    """When a card falls due, as stored: these tests write the due times they mean."""
    return row.due


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """`day` at `hour`:`minute` UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


TODAY = START.date()  # Monday 2 March 2026; the study day runs 04:00 to 04:00 UTC


# --- overview ---------------------------------------------------------------------------------


def test_overview_puts_each_question_in_exactly_one_state(store: Store, bank: Bank) -> None:
    put(
        store,
        card(bank, "perceptron", state=LEARNING),
        card(bank, "relu", state=RELEARNING, lapses=1),
        card(bank, "pooling", stability=30.0),  # mastered (recall 0.95 below)
        card(bank, "dropout", stability=30.0),  # recall 0.7: in review, not mastered
        card(bank, "lstm", stability=5.0),  # recall 0.99 but stability under 21 days
    )
    recall = {"perceptron": 1.0, "relu": 1.0, "pooling": 0.95, "dropout": 0.7, "lstm": 0.99}
    overview = stats_of(store, bank, recall=recall).overview
    assert overview == Overview(questions=50, new=45, learning=2, review=2, mastered=1)


@pytest.mark.parametrize(
    ("state", "recall", "stability", "mastered"),
    [
        (REVIEW, 0.9, 21.0, True),  # both thresholds are inclusive
        (REVIEW, 0.8999, 21.0, False),
        (REVIEW, 0.9, 20.99, False),
        (RELEARNING, 0.99, 60.0, False),  # a lapsed card is not mastered, whatever its figures
    ],
)
def test_mastered_means_recall_at_least_90_and_stability_at_least_21_days(
    store: Store, bank: Bank, state: int, recall: float, stability: float, mastered: bool
) -> None:
    put(store, card(bank, "pooling", state=state, stability=stability))
    overview = stats_of(store, bank, recall={"pooling": recall}).overview
    assert overview.mastered == (1 if mastered else 0)
    assert overview.new + overview.learning + overview.review + overview.mastered == 50


def test_mastery_uses_fsrs_recall_now(store: Store, bank: Bank) -> None:
    # stability 30 days: recall is 90% after 30 days, so mastered at 29 days and not at 31
    put(
        store,
        card(bank, "pooling", stability=30.0, last_review=START - timedelta(days=29)),
        card(bank, "dropout", stability=30.0, last_review=START - timedelta(days=31)),
    )
    stats = stats_of(store, bank)
    assert (stats.overview.mastered, stats.overview.review) == (1, 1)


# --- today --------------------------------------------------------------------------------------


def test_today_counts_reviews_new_cards_time_spent_and_cards_due(store: Store, bank: Bank) -> None:
    log(store, bank, "perceptron", at(TODAY, 3, 30), before=NEW, seconds=99)  # yesterday's day
    log(store, bank, "pooling", at(TODAY, 4, 0), before=NEW, seconds=20)  # the day's first instant
    log(store, bank, "relu", at(TODAY, 9), before=NEW, seconds=30.5)
    log(store, bank, "relu", at(TODAY, 9, 10), before=LEARNING, seconds=5)
    log(store, bank, "dropout", at(TODAY, 11), rating=1, seconds=4.5)
    put(
        store,
        card(bank, "dropout", due=START - timedelta(days=3)),  # overdue
        card(bank, "lstm", due=START),  # due this very moment
        card(bank, "swish", due=START + timedelta(minutes=1)),  # later today: not yet
        card(bank, "gans", due=START - timedelta(hours=1)),
    )
    store.bury(bank.id, "gans", to_ms(UTC4.tomorrow_start(START)))  # skipped until tomorrow

    today = stats_of(store, bank).today
    assert today.date == TODAY
    assert (today.reviews, today.new, today.due) == (4, 2, 2)
    assert today.seconds == pytest.approx(60.0)


def test_today_new_cards_agree_with_the_daily_limit_of_a_session(
    store: Store, bank: Bank, make_session: Callable[..., Session], clock: FakeClock
) -> None:
    clock.now = at(TODAY, 3)  # before the rollover: these count for yesterday
    session = make_session(new_per_day=3)
    for _ in range(3):
        item = session.next()
        assert item is not None
        session.rate(item, Rating.Easy)
    clock.now = at(TODAY, 5)
    session = make_session(new_per_day=3)
    item = session.next()
    assert item is not None and item.state == "new"
    session.rate(item, Rating.Good)

    stats = stats_of(store, bank, now=clock.now)
    assert (stats.today.reviews, stats.today.new) == (1, 1)
    assert session.new_today_left(clock.now) == 3 - stats.today.new
    assert stats.total_reviews == 4
    assert stats.overview.learning == 1  # rated Good once: still in its learning steps


# --- true retention ---------------------------------------------------------------------------


def test_true_retention_counts_only_reviews_of_cards_in_review(store: Store, bank: Bank) -> None:
    now = at(TODAY, 12)
    # today: of cards in review, Again fails and Hard, Good, Easy pass
    for rating in (1, 2, 3, 4):
        log(store, bank, "pooling", now - timedelta(hours=1), rating)
    # reviews of new, learning and relearning cards never count, whatever the rating
    for before in (NEW, LEARNING, RELEARNING):
        log(store, bank, "relu", now - timedelta(hours=2), 1, before=before)
        log(store, bank, "relu", now - timedelta(hours=2), 3, before=before)
    log(store, bank, "dropout", at(TODAY - timedelta(days=6), 4, 0), 1)  # 7-day window's start
    log(store, bank, "dropout", at(TODAY - timedelta(days=6), 3, 59), 3)  # a day before it
    log(store, bank, "dropout", at(TODAY - timedelta(days=29), 5), 3)  # 30-day window
    log(store, bank, "dropout", at(TODAY - timedelta(days=40), 5), 1)  # all time only

    windows = {r.window: r for r in stats_of(store, bank, now=now).retention}
    assert [(w, r.reviews, r.passed) for w, r in windows.items()] == [
        ("7d", 5, 3),
        ("30d", 7, 5),
        ("all", 8, 5),
    ]
    assert windows["7d"].rate == pytest.approx(3 / 5)
    assert windows["all"].rate == pytest.approx(5 / 8)
    assert windows["7d"].since == TODAY - timedelta(days=6)
    assert windows["30d"].since == TODAY - timedelta(days=29)
    assert windows["all"].since is None


def test_retention_without_reviews_in_review_is_unknown_not_zero(store: Store, bank: Bank) -> None:
    log(store, bank, "pooling", START - timedelta(hours=1), 1, before=NEW)
    retention = stats_of(store, bank).retention
    assert [(r.reviews, r.rate) for r in retention] == [(0, None), (0, None), (0, None)]


# --- forecast ---------------------------------------------------------------------------------


def test_forecast_buckets_cards_by_study_day_with_overdue_cards_today(
    store: Store, bank: Bank
) -> None:
    tomorrow = TODAY + timedelta(days=1)
    put(
        store,
        card(bank, "pooling", due=START - timedelta(days=30)),  # overdue: today
        card(bank, "relu", due=at(tomorrow, 3, 59)),  # before the rollover: still today
        card(bank, "dropout", due=at(tomorrow, 4)),  # the rollover itself: tomorrow
        card(bank, "lstm", due=at(tomorrow, 23)),
        card(bank, "gans", due=at(TODAY + timedelta(days=13), 12)),  # the last day shown
        card(bank, "swish", due=at(TODAY + timedelta(days=14), 4)),  # beyond the 14 days
    )
    forecast = stats_of(store, bank).forecast
    assert [d.date for d in forecast] == [TODAY + timedelta(days=i) for i in range(14)]
    assert [d.total for d in forecast] == [2, 2] + [0] * 11 + [1]


def test_forecast_follows_the_local_rollover_hour(store: Store, bank: Bank) -> None:
    new_york = StudyDays(ZoneInfo("America/New_York"), 4)
    now = datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("America/New_York"))
    put(
        store,
        card(bank, "relu", due=datetime(2026, 3, 3, 3, 59, tzinfo=new_york.zone)),
        card(bank, "dropout", due=datetime(2026, 3, 3, 4, 0, tzinfo=new_york.zone)),
    )
    forecast = stats_of(store, bank, now=now, days=new_york).forecast
    assert [d.total for d in forecast[:3]] == [1, 1, 0]


# --- activity and streaks ---------------------------------------------------------------------


def activity_of(stats: Stats) -> dict[date, int]:
    return {d.date: d.total for d in stats.activity if d.total}


def test_a_review_after_midnight_counts_for_the_study_day_before(store: Store, bank: Bank) -> None:
    sunday = TODAY - timedelta(days=1)
    log(store, bank, "pooling", at(sunday, 22))
    log(store, bank, "pooling", at(TODAY, 3))  # 3 am Monday, rollover 4: still Sunday
    log(store, bank, "pooling", at(TODAY, 4, 1))
    stats = stats_of(store, bank)
    assert activity_of(stats) == {sunday: 2, TODAY: 1}
    assert (stats.study_days, stats.current_streak, stats.longest_streak) == (2, 2, 2)


def test_the_current_streak_lives_until_a_whole_study_day_passes_without_review(
    store: Store, bank: Bank
) -> None:
    for days_ago in (1, 2, 3, 5, 6, 7, 8):  # a gap 4 days ago
        log(store, bank, "pooling", at(TODAY - timedelta(days=days_ago), 20))
    not_yet_today = stats_of(store, bank)
    assert (not_yet_today.current_streak, not_yet_today.longest_streak) == (3, 4)
    assert not_yet_today.activity[-1] == DayCount(TODAY, 0)

    log(store, bank, "pooling", at(TODAY, 5))
    assert stats_of(store, bank).current_streak == 4

    day_after = stats_of(store, bank, now=at(TODAY + timedelta(days=2), 3, 59))  # still Tuesday
    assert day_after.current_streak == 4
    broken = stats_of(store, bank, now=at(TODAY + timedelta(days=2), 4))  # Wednesday began
    assert (broken.current_streak, broken.longest_streak, broken.study_days) == (0, 4, 8)


def test_activity_covers_the_chosen_number_of_days_ending_today(store: Store, bank: Bank) -> None:
    log(store, bank, "pooling", at(TODAY - timedelta(days=6), 12))
    log(store, bank, "pooling", at(TODAY - timedelta(days=7), 12))  # outside a 7-day window
    stats = stats_of(store, bank, activity_days=7)
    assert [d.date for d in stats.activity] == [TODAY - timedelta(days=i) for i in range(6, -1, -1)]
    assert activity_of(stats) == {TODAY - timedelta(days=6): 1}
    assert (stats.study_days, stats.total_reviews, stats.longest_streak) == (2, 2, 2)


def test_streaks_in_new_york_across_the_change_to_summer_time(store: Store, bank: Bank) -> None:
    """Clocks in New York go from 2:00 to 3:00 on Sunday 8 March 2026: that study day is 23
    hours long, and a review at 3:30 on Monday morning still counts for Sunday."""
    zone = ZoneInfo("America/New_York")
    new_york = StudyDays(zone, 4)
    for day in range(4, 9):  # every evening, 4 to 8 March, at 23:30 local time
        log(store, bank, "pooling", datetime(2026, 3, day, 23, 30, tzinfo=zone))
    log(store, bank, "pooling", datetime(2026, 3, 8, 3, 30, tzinfo=zone))  # Saturday's day
    log(store, bank, "pooling", datetime(2026, 3, 8, 4, 0, tzinfo=zone))  # EDT: Sunday's
    log(store, bank, "pooling", datetime(2026, 3, 10, 3, 30, tzinfo=zone))  # Monday's day
    now = datetime(2026, 3, 10, 12, tzinfo=zone)
    stats = stats_of(store, bank, now=now, days=new_york)
    assert activity_of(stats) == {
        date(2026, 3, 4): 1,
        date(2026, 3, 5): 1,
        date(2026, 3, 6): 1,
        date(2026, 3, 7): 2,
        date(2026, 3, 8): 2,
        date(2026, 3, 9): 1,
    }
    assert stats.today.date == date(2026, 3, 10)
    assert (stats.current_streak, stats.longest_streak, stats.study_days) == (6, 6, 6)
    # in UTC, 3:30 on Tuesday in New York is 7:30, past the rollover: it would count for today
    in_utc = stats_of(store, bank, now=now, days=UTC4)
    assert in_utc.activity[-1] == DayCount(date(2026, 3, 10), 1)


def test_the_day_clocks_go_back_is_25_hours_long(store: Store, bank: Bank) -> None:
    zone = ZoneInfo("America/New_York")
    new_york = StudyDays(zone, 4)
    log(store, bank, "pooling", datetime(2026, 11, 1, 4, 0, tzinfo=zone))  # EST, after 2:00
    log(store, bank, "pooling", datetime(2026, 11, 2, 3, 59, tzinfo=zone))
    log(store, bank, "pooling", datetime(2026, 11, 2, 4, 0, tzinfo=zone))
    stats = stats_of(store, bank, now=datetime(2026, 11, 2, 12, tzinfo=zone), days=new_york)
    assert activity_of(stats) == {date(2026, 11, 1): 2, date(2026, 11, 2): 1}


def test_the_system_local_time_zone_names_itself(
    store: Store, bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    local = StudyDays(None, 4)  # as the command uses it: the C library's local time
    log(store, bank, "pooling", datetime(2026, 3, 2, 3, 30, tzinfo=ZoneInfo("America/New_York")))
    stats = stats_of(store, bank, now=START, days=local)
    assert stats.time_zone == "America/New_York"
    assert activity_of(stats) == {date(2026, 3, 1): 1}  # 3:30 am there: the day before
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


ZONES = ("UTC", "America/New_York", "Europe/Dublin", "Australia/Lord_Howe", "Asia/Kathmandu")
EASTER = datetime(2026, 4, 6, 12, tzinfo=UTC)  # New York, Dublin, Lord Howe changed clocks before


def longest_run(days: set[date]) -> int:
    longest = 0
    for day in days:
        if day - timedelta(days=1) not in days:
            length = 1
            while day + timedelta(days=length) in days:
                length += 1
            longest = max(longest, length)
    return longest


@settings(max_examples=25, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    rollover=st.integers(0, 23),
    reviews=st.lists(
        st.tuples(st.integers(-60 * 24 * 60, 60), st.integers(0, 3), st.integers(1, 4)),
        max_size=40,
    ),
)
def test_log_figures_agree_with_counting_review_by_review(
    bank: Bank, zone: str, rollover: int, reviews: list[tuple[int, int, int]]
) -> None:
    """Against a plain count in Python of each review's study day (`StudyDays.day_of`), in
    zones whose clocks changed in those days (Lord Howe's by 30 minutes) or with an odd offset
    (Kathmandu, +05:45), at any rollover hour."""
    study = StudyDays(ZoneInfo(zone), rollover)
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "p.db") as store:
        for minutes, before, rating in reviews:
            log(store, bank, "pooling", EASTER + timedelta(minutes=minutes), rating, before=before)
        stats = stats_of(store, bank, now=EASTER, days=study, activity_days=60)
    today = study.day_of(EASTER)
    per_day: dict[date, list[tuple[int, int]]] = {}
    for minutes, before, rating in reviews:
        day = study.day_of(EASTER + timedelta(minutes=minutes))
        per_day.setdefault(day, []).append((before, rating))
    assert stats.today.date == today
    in_window = {day: len(rs) for day, rs in per_day.items() if 0 <= (today - day).days < 60}
    assert activity_of(stats) == in_window
    assert (stats.total_reviews, stats.study_days) == (len(reviews), len(per_day))
    assert stats.today.reviews == len(per_day.get(today, []))
    for r in stats.retention:
        counted = [
            rating
            for day, rs in per_day.items()
            for before, rating in rs
            if before == REVIEW and (r.since is None or r.since <= day <= today)
        ]
        assert (r.reviews, r.passed) == (len(counted), sum(1 for x in counted if x > 1))
    assert stats.longest_streak == longest_run(set(per_day))
    current, day = 0, today if today in per_day else today - timedelta(days=1)
    while day in per_day:
        current, day = current + 1, day - timedelta(days=1)
    assert stats.current_streak == current


# --- per topic and the hardest questions --------------------------------------------------------


def test_topics_are_listed_weakest_first_with_their_figures(store: Store, bank: Bank) -> None:
    put(
        store,
        card(bank, "pooling", lapses=2, due=START - timedelta(days=1)),
        card(bank, "cnn", lapses=1),  # due now (START)
        card(bank, "lstm", due=START + timedelta(days=2)),
        card(bank, "relu", lapses=5, due=START + timedelta(days=1)),
        card(bank, "swish", due=START + timedelta(days=1)),
    )
    recall = {"pooling": 0.5, "cnn": 0.7, "lstm": 0.95, "relu": 0.8, "swish": 0.8}
    rows = stats_of(store, bank, recall=recall).per_topic
    assert [r.topic for r in rows[:3]] == ["cnn", "activations", "rnn"]
    assert {r.topic for r in rows[3:]} == set(bank.topics) - {"cnn", "activations", "rnn"}
    cnn, activations, rnn = rows[:3]
    assert (cnn.title, cnn.questions, cnn.seen, cnn.lapses, cnn.due) == (
        "Convolutional networks",
        4,
        2,
        3,
        2,
    )
    assert cnn.mean_recall == pytest.approx(0.6)
    assert (activations.questions, activations.seen, activations.lapses) == (5, 2, 5)
    assert activations.mean_recall == pytest.approx(0.8)
    assert (rnn.seen, rnn.due) == (1, 0) and rnn.mean_recall == pytest.approx(0.95)
    assert all(r.seen == 0 and r.mean_recall is None for r in rows[3:])


def test_a_question_in_two_topics_counts_in_both(store: Store, bank: Bank) -> None:
    put(store, card(bank, "backpropagation", lapses=1))  # training and fundamentals
    rows = {r.topic: r for r in stats_of(store, bank, recall={}).per_topic}
    assert (rows["training"].seen, rows["fundamentals"].seen) == (1, 1)
    assert (rows["training"].lapses, rows["fundamentals"].lapses) == (1, 1)


def test_hardest_questions_have_the_most_lapses_then_the_lowest_recall(
    store: Store, bank: Bank
) -> None:
    lapses = {"relu": 4, "pooling": 4, "dropout": 3, "lstm": 1, "gans": 0, "swish": 0, "cnn": 2}
    put(store, *(card(bank, qid, lapses=n) for qid, n in lapses.items()))
    recall = {"relu": 0.6, "pooling": 0.4, "dropout": 0.99, "lstm": 0.9, "cnn": 0.95}
    recall |= {"gans": 0.3, "swish": 0.95}  # swish: no lapse, recall fine: not hard at all
    for _ in range(3):
        log(store, bank, "pooling", START - timedelta(days=2))
    hardest = stats_of(store, bank, recall=recall).hardest
    assert [h.id for h in hardest] == ["pooling", "relu", "dropout", "cnn", "lstm"]
    first = hardest[0]
    assert (first.number, first.lapses, first.recall, first.reviews) == ("43", 4, 0.4, 3)
    assert first.question == bank.find("pooling").question  # type: ignore[union-attr]


def test_a_question_with_no_lapse_but_low_recall_is_hard(store: Store, bank: Bank) -> None:
    put(store, card(bank, "gans"), card(bank, "swish"))
    hardest = stats_of(store, bank, recall={"gans": 0.3, "swish": 0.95}).hardest
    assert [h.id for h in hardest] == ["gans"]


# --- --topic ----------------------------------------------------------------------------------


def test_topic_narrows_every_figure(store: Store, bank: Bank) -> None:
    yesterday = TODAY - timedelta(days=1)
    for qid in ("pooling", "cnn"):
        log(store, bank, qid, at(yesterday, 20), 1)
        log(store, bank, qid, at(TODAY, 10), 3, seconds=15)
    for days_ago in (2, 3, 4, 5):  # relu alone: a longer streak, outside cnn
        log(store, bank, "relu", at(TODAY - timedelta(days=days_ago), 20), 3, seconds=100)
    log(store, bank, "relu", at(TODAY, 11), before=NEW, seconds=100)
    put(
        store,
        card(bank, "pooling", lapses=1, due=START - timedelta(hours=1)),
        card(bank, "cnn", lapses=1, due=START + timedelta(days=1)),
        card(bank, "relu", lapses=3, due=START - timedelta(hours=1)),
    )
    recall = {"pooling": 0.5, "cnn": 0.6, "relu": 0.1}
    everything = stats_of(store, bank, recall=recall)
    cnn = stats_of(store, bank, recall=recall, topics=("cnn",))

    assert cnn.topics == ("cnn",) and everything.topics == ()
    assert (cnn.overview.questions, cnn.overview.new, cnn.overview.review) == (4, 2, 2)
    assert (everything.overview.questions, everything.overview.new) == (50, 47)
    assert (cnn.today.reviews, cnn.today.new, cnn.today.seconds, cnn.today.due) == (2, 0, 30, 1)
    assert (everything.today.reviews, everything.today.new, everything.today.due) == (3, 1, 2)
    assert [(r.reviews, r.passed) for r in cnn.retention] == [(4, 2)] * 3
    assert [(r.reviews, r.passed) for r in everything.retention] == [(8, 6)] * 3
    assert [d.total for d in cnn.forecast[:2]] == [1, 1]
    assert [d.total for d in everything.forecast[:2]] == [2, 1]
    assert activity_of(cnn) == {yesterday: 2, TODAY: 2}
    assert (cnn.current_streak, cnn.longest_streak, cnn.study_days, cnn.total_reviews) == (
        2,
        2,
        2,
        4,
    )
    assert (everything.longest_streak, everything.total_reviews) == (6, 9)
    assert [t.topic for t in cnn.per_topic] == ["cnn"]
    assert [h.id for h in cnn.hardest] == ["pooling", "cnn"]
    assert [h.id for h in everything.hardest] == ["relu", "pooling", "cnn"]


def test_several_topics_together(store: Store, bank: Bank) -> None:
    stats = stats_of(store, bank, topics=("cnn", "rnn"))
    assert stats.overview.questions == 5
    assert [t.topic for t in stats.per_topic] == ["cnn", "rnn"]  # nothing seen yet: by name


# --- an empty store, an old store ---------------------------------------------------------------


def test_an_empty_store_gives_zeros_and_unknowns_without_error(store: Store, bank: Bank) -> None:
    stats = stats_of(store, bank)
    assert stats.empty
    assert stats.overview == Overview(questions=50, new=50, learning=0, review=0, mastered=0)
    assert (stats.today.reviews, stats.today.new, stats.today.seconds, stats.today.due) == (
        0,
        0,
        0,
        0,
    )
    assert all(r.rate is None for r in stats.retention)
    assert [d.total for d in stats.forecast] == [0] * 14
    assert len(stats.activity) == 182 and not activity_of(stats)
    assert (stats.current_streak, stats.longest_streak, stats.study_days) == (0, 0, 0)
    assert all(t.mean_recall is None for t in stats.per_topic) and stats.hardest == ()
    json.dumps(stats.to_json())
    text = render(stats, 60)
    assert "50 questions waiting" in text and "dlquiz practice" in text


def test_an_empty_topic_says_how_to_start_on_it(store: Store, bank: Bank) -> None:
    log(store, bank, "relu", START - timedelta(hours=1), before=NEW)
    put(store, card(bank, "relu"))
    stats = stats_of(store, bank, topics=("cnn",))
    assert stats.empty and not stats_of(store, bank).empty
    assert "dlquiz practice --topic cnn" in render(stats, 60)


def test_a_store_of_schema_version_1_is_migrated_with_its_data(tmp_path: Path, bank: Bank) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("COMMIT")
    old = Store(db, path)  # the version-1 schema, written to as dlquiz 1 did
    put(old, card(bank, "pooling", due=START - timedelta(hours=1), lapses=1))
    log_as_before(old, bank, "pooling", START - timedelta(hours=2), 1)
    log_as_before(old, bank, "pooling", START - timedelta(days=1), 3)
    db.close()

    with Store.open(path) as store:
        version = store.query("PRAGMA user_version")[0][0]
        indexes = {r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type='index'")}
        stats = stats_of(store, bank)
    assert version == SCHEMA_VERSION and "reviews_time" in indexes
    assert (stats.total_reviews, stats.today.reviews, stats.today.due) == (2, 1, 1)
    assert [(r.reviews, r.passed) for r in stats.retention] == [(2, 1)] * 3
    assert [h.id for h in stats.hardest] == ["pooling"]


# --- JSON -------------------------------------------------------------------------------------


@pytest.fixture
def studied(store: Store, bank: Bank) -> Store:
    """A store with some of everything: cards in each state, lapses, a few days of reviews."""
    for days_ago, qid, rating in [(9, "relu", 3), (2, "pooling", 1), (1, "pooling", 3)]:
        log(store, bank, qid, START - timedelta(days=days_ago), rating)
    log(store, bank, "lstm", START - timedelta(hours=1), before=NEW, seconds=42)
    put(
        store,
        card(bank, "pooling", lapses=2, stability=1.0, due=START - timedelta(days=9)),
        card(bank, "relu", stability=40.0, due=START + timedelta(days=31)),
        card(bank, "lstm", state=LEARNING, stability=0.5, due=START + timedelta(minutes=10)),
    )
    return store


def documented_fields() -> dict[str, str]:
    """`path: type` from the table of fields in docs/stats-json.md."""
    fields = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `([^`]+)` \| ([^|]+?) \|", line)
        if match:
            path, kind = match.groups()
            for window in ("7d", "30d", "all") if "<window>" in path else ("",):
                fields[path.replace("<window>", window)] = kind
    return fields


def flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) for every key; list items are `path[]`."""
    if path:
        yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from flatten(item, f"{path}[]")


def check_schema(output: dict[str, Any]) -> None:
    """Every field of `output` documented and of its documented type; every documented field
    present (but the items of arrays that are empty here, and the fields of objects that are
    null here)."""
    fields = documented_fields()
    assert len(fields) > 40, "the table of fields in docs/stats-json.md was not found"
    seen = dict(flatten(output))
    for path, value in seen.items():
        assert path in fields, f"{path} is not documented in docs/stats-json.md"
        assert has_type(value, fields[path]), f"{path} = {value!r} is not {fields[path]}"
    empty = [f"{path}[]" for path, value in seen.items() if value == []]
    empty += [f"{path}." for path, value in seen.items() if value is None]
    missing = [p for p in fields if p not in seen and not any(p.startswith(e) for e in empty)]
    assert not missing, f"documented but not in the output: {missing}"


def has_type(value: Any, kind: str) -> bool:
    if kind.endswith(" or null"):
        return value is None or has_type(value, kind.removesuffix(" or null"))
    checks: dict[str, Callable[[Any], bool]] = {
        "string": lambda v: isinstance(v, str),
        "date": lambda v: isinstance(v, str) and date.fromisoformat(v).isoformat() == v,
        "time": lambda v: (
            isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v) is not None
        ),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
    }
    return checks[kind](value)


@pytest.mark.parametrize("topics", [(), ("cnn",)])
def test_json_has_every_documented_field_with_its_type_and_nothing_else(
    studied: Store, bank: Bank, topics: tuple[str, ...]
) -> None:
    output = json.loads(json.dumps(stats_of(studied, bank, topics=topics).to_json()))
    check_schema(output)
    assert output["schema"] == "dlquiz-stats/1"
    assert output["topics_filter"] == list(topics)
    assert len(output["forecast"]) == 14 and len(output["activity"]["days"]) == 182
    assert output["hardest"] and output["topics"]


def test_json_of_an_empty_store_keeps_the_schema(store: Store, bank: Bank) -> None:
    output = stats_of(store, bank).to_json()
    check_schema(output)
    assert output["retention"]["all"] == {"since": None, "reviews": 0, "passed": 0, "rate": None}
    assert output["hardest"] == []


def test_the_example_in_the_docs_matches_the_schema() -> None:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)\n```", text, re.DOTALL)
    assert block is not None
    check_schema(json.loads(block.group(1)))


def test_the_json_figures_match_the_store(studied: Store, bank: Bank) -> None:
    output = stats_of(studied, bank).to_json()
    assert output["generated_at"] == "2026-03-02T12:00:00Z"
    assert output["today"] == {
        "date": "2026-03-02",
        "reviews": 1,
        "new": 1,
        "seconds": 42.0,
        "due": 1,
        "due_later": 1,  # lstm, a learning step due in 10 minutes
        "new_left": 9,
    }
    assert output["overview"] == {
        "questions": 50,
        "new": 47,
        "learning": 1,
        "review": 1,
        "mastered": 1,
    }
    assert output["retention"]["7d"] == {
        "since": "2026-02-24",
        "reviews": 2,
        "passed": 1,
        "rate": 0.5,
    }
    assert output["activity"]["days"][-3:] == [
        {"date": "2026-02-28", "reviews": 1},
        {"date": "2026-03-01", "reviews": 1},
        {"date": "2026-03-02", "reviews": 1},
    ]
    assert output["hardest"][0]["id"] == "pooling" and output["hardest"][0]["reviews"] == 2
    assert output["settings"]["time_zone"] == "UTC"


# --- the command --------------------------------------------------------------------------------


def fill_home(home: Path, bank: Bank) -> None:
    """A store in the dlquiz home, with reviews around the real now (the command's clock)."""
    now = datetime.now(UTC)
    with Store.open(home / "progress.db") as store:
        log(store, bank, "pooling", now - timedelta(minutes=5), before=NEW)
        log(store, bank, "pooling", now - timedelta(minutes=1), 1, before=LEARNING)
        log(store, bank, "relu", now - timedelta(days=3), 1)
        put(
            store,
            card(bank, "pooling", state=LEARNING, due=now + timedelta(minutes=9)),
            card(bank, "relu", state=RELEARNING, lapses=1, due=now - timedelta(days=2)),
        )


def test_stats_json_command_prints_plain_json(dlquiz_home: Path, bank: Bank) -> None:
    fill_home(dlquiz_home, bank)
    result = CliRunner().invoke(app, ["stats", "--json", "--days", "30"], env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "[bold" not in result.output
    output = json.loads(result.output)
    assert output["activity"]["total_reviews"] == 3
    assert len(output["activity"]["days"]) == 30
    assert output["overview"]["learning"] == 2
    assert [h["id"] for h in output["hardest"]] == ["relu"]  # pooling: no lapse, recalled


def test_stats_command_in_60_columns_without_colour(dlquiz_home: Path, bank: Bank) -> None:
    fill_home(dlquiz_home, bank)
    result = CliRunner().invoke(app, ["stats", "--all"], env={"COLUMNS": "60", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 60
    for heading in ("Overview", "Today", "Measured retention", "Due in the next", "Activity"):
        assert heading in result.output
    assert "dlquiz review --topic" in result.output and "dlquiz show relu" in result.output


def test_stats_command_with_a_topic_and_an_unknown_topic(dlquiz_home: Path, bank: Bank) -> None:
    fill_home(dlquiz_home, bank)
    result = CliRunner().invoke(app, ["stats", "--json", "--topic", "cnn"])
    assert json.loads(result.output)["activity"]["total_reviews"] == 2
    wrong = CliRunner().invoke(app, ["stats", "--topic", "cnnn"])
    assert wrong.exit_code == 2


# --- rendering --------------------------------------------------------------------------------


def render(stats: Stats, width: int, sections: tuple[str, ...] | None = SECTIONS) -> str:
    """The screen at `width` columns: every section unless told (None: the default view)."""
    console = Console(width=width, record=True, no_color=True, file=io.StringIO())
    console.print(dashboard(stats, sections))
    return console.export_text()


@pytest.mark.parametrize("width", [60, 120])
def test_the_dashboard_fits_the_terminal_and_shows_every_section(
    studied: Store, bank: Bank, width: int
) -> None:
    text = render(stats_of(studied, bank), width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    for section in (
        "Overview · 50 questions",
        "Today · Mon 02 Mar",
        "Measured retention",
        "Due in the next 14 days",
        "Activity · last 182 days",  # all 26 weeks, even at 60 columns
        "By topic · weakest first",
        "Hardest questions",
    ):
        assert section in text, section
    assert "47 new · 1 learning · 1 in review · 1 mastered" in text
    assert "1/50 mastered (2%)" in text
    assert "mastered: predicted recall ≥ 90%, stability ≥ 21 days" in text
    assert "studied        today 1 review · 1 new · 0m 42s spent ·" in text
    assert "streak 3 days (longest 3)" in text
    assert re.search(r"due +1 due now · 1 more later today[\s│]+→ dlquiz practice", text)
    assert re.search(r"last 7 days +2 +50% +90%", text)
    assert re.search(r"all time +3 +67% +90%", text)
    assert re.search(r"today +█+ +2\b", text)  # pooling, overdue, and lstm, due in 10 minutes
    assert "today: 1 due now (overdue included) + 1 later today" in text
    assert "streak 3 days · longest 3 days" in text and "4 study days · 4 reviews" in text
    assert "dlquiz review --topic cnn" in text  # pooling, long overdue, makes cnn the weakest
    assert "dlquiz show pooling" in text
    assert re.search(r"pooling +2 +\d+%", text)
    if width == 120:
        assert "What is pooling in a convolutional neural network?" in text  # room for it here


def test_a_first_day_is_counted_in_the_singular(store: Store, bank: Bank) -> None:
    qid = "deep-vs-machine-learning"  # too long an id for columns at 60: one line per figure
    log(store, bank, qid, at(TODAY, 9), rating=1, before=NEW)
    put(store, card(bank, qid, lapses=1))
    text = " ".join(render(stats_of(store, bank), 60).split())
    assert "1 review · 1 new" in text
    assert "streak 1 day · longest 1 day" in text
    assert "1 study day · 1 review in all" in text
    assert "1 lapse · predicted recall" in text


def test_a_topic_of_one_question_says_question(store: Store, bank: Bank) -> None:
    log(store, bank, "lstm", at(TODAY, 9), before=NEW)
    text = render(stats_of(store, bank, topics=("rnn",)), 100)
    assert "Overview · 1 question " in text


def test_the_heatmap_shades_days_by_their_reviews(store: Store, bank: Bank) -> None:
    for _ in range(4):
        log(store, bank, "pooling", at(TODAY, 10))
    log(store, bank, "pooling", at(TODAY - timedelta(days=7), 10))  # last Monday: a quarter
    text = render(stats_of(store, bank), 60)
    monday = next(line for line in text.splitlines() if "│ Mon " in line and "·" in line)
    assert monday.rstrip("│ ").endswith("░ █")
    assert "busiest day: 4" in text


def test_narrow_long_ids_go_on_their_own_line(store: Store, bank: Bank) -> None:
    put(store, card(bank, "single-vs-multilayer-perceptron", lapses=3))
    text = render(stats_of(store, bank, recall={}), 60)
    assert "single-vs-multilayer-perceptron" in text
    assert "3 lapses · predicted recall 50% · Differentiate" in text
    assert max(len(line) for line in text.splitlines()) <= 60


def test_bank_text_is_shown_as_written_not_as_markup(store: Store, bank: Bank) -> None:
    put(store, card(bank, "pooling", lapses=1))
    stats = stats_of(store, bank)._replace(bank_title="[bold]My[/bold] bank")
    assert "[bold]My[/bold] bank" in render(stats, 120)


# --- a month of real use: the default screen fits, --all and --section show the rest ----------

MONTH_START = date(2026, 11, 3)  # 30 study days, to Wednesday 2 December 2026


@pytest.fixture
def month_old(dlquiz_home: Path, bank: Bank, monkeypatch: pytest.MonkeyPatch) -> datetime:
    """A store after a month of simulated use (the real Session, a seeded learner, a fake
    clock; see benchmarks/simulation.py) in the dlquiz home; the command's clock is set to
    a few minutes after the last review, right after a session. Returns that time."""
    path = dlquiz_home / "progress.db"
    figures = simulate(bank, path, UTC, MONTH_START, length=30, seed=3)
    assert figures.reviews > 500 and figures.problems == []
    with Store.open(path) as store:
        last = max(r.reviewed_at for r in store.reviews(bank.id))
    now = from_ms(last) + timedelta(minutes=5)
    monkeypatch.setattr(clock_module, "system_clock", lambda: now)
    return now


def stats_command(*args: str, columns: int = 100) -> str:
    result = CliRunner().invoke(app, ["stats", *args], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.output


PANEL_TITLES = {
    "overview": "Overview · 50 questions",
    "retention": "Measured retention",
    "topics": "By topic · weakest first",
    "forecast": "Due in the next 14 days",
    "activity": "Activity · last 182 days",
    "hardest": "Hardest questions",
    "leeches": "Leeches · 8+ lapses",
    "suspended": "Suspended · never shown",
    "interview": "No interview date set. To plan for one: dlquiz interview YYYY-MM-DD",
    "calibration": "Calibration · latest",
}


def test_after_a_month_the_default_screen_fits_40_lines_and_leads_with_what_to_do_now(
    month_old: datetime,
) -> None:
    text = stats_command()
    lines = text.splitlines()
    assert len(lines) <= 40 and max(len(line) for line in lines) <= 100
    # the first panel: what to do now, each figure labelled, the weakest topic's command
    today = "\n".join(lines[: next(i for i, line in enumerate(lines) if line.startswith("╰"))])
    assert "Today · Wed 02 Dec" in today
    for label in ("due ", "new cards", "studied", "retention", "weakest topic"):
        assert f"│ {label}" in today, label
    assert re.search(r"studied +today \d+ reviews · \d+ new · .* · streak \d+ days", today)
    assert re.search(r"measured over the last 30 days · target 90%", today)
    assert re.search(r"weakest topic +[a-z-]+ · predicted recall \d+%", today)
    assert re.search(r"→ dlquiz review --topic [a-z-]+", today)
    assert "suspended" in today  # the learner suspended the leeches it was told about
    # the default sections, then how to see the others
    for name in ("overview", "retention", "topics"):
        assert PANEL_TITLES[name] in text
    for name in (
        "forecast",
        "activity",
        "hardest",
        "leeches",
        "suspended",
        "interview",
        "calibration",
    ):
        assert PANEL_TITLES[name] not in text
    assert "… 4 more topics: dlquiz stats --section topics" in text
    start = next(i for i, line in enumerate(lines) if line.startswith("more:"))
    more = " ".join(" ".join(lines[start:]).split())  # the hint may wrap at narrow widths
    assert more.startswith("more: --all · -s forecast|activity|hardest|")
    assert more.endswith("grading|calibration")


def test_after_a_month_all_shows_every_section(month_old: datetime) -> None:
    for columns in (100, 120):
        text = stats_command("--all", columns=columns)
        assert max(len(line) for line in text.splitlines()) <= columns
        for title in PANEL_TITLES.values():
            assert title in text, title
        assert "more topics" not in text and "more: " not in text
        assert len(text.splitlines()) > 40  # what the default view leaves out


def test_named_sections_show_only_those_after_the_today_panel(month_old: datetime) -> None:
    text = stats_command("--section", "forecast", "-s", "activity")
    assert "Today · Wed 02 Dec" in text
    assert PANEL_TITLES["forecast"] in text and PANEL_TITLES["activity"] in text
    for name in (
        "overview",
        "retention",
        "topics",
        "hardest",
        "leeches",
        "suspended",
        "calibration",
    ):
        assert PANEL_TITLES[name] not in text, name
    assert PANEL_TITLES["interview"] not in text
    assert text.index("Today · ") < text.index("Due in the next") < text.index("Activity · ")
    wrong = CliRunner().invoke(app, ["stats", "--section", "calendar"])
    assert wrong.exit_code == 2 and "calendar" in wrong.output


def test_the_command_offers_exactly_the_dashboards_sections() -> None:
    assert STATS_SECTIONS == SECTIONS
    help_text = " ".join(CliRunner().invoke(app, ["stats", "--help"]).output.split())
    assert "--section" in help_text and "--all" in help_text
    for name in SECTIONS:
        assert name in help_text, name


def test_after_a_month_the_json_keeps_every_figure_and_agrees_with_the_screen(
    month_old: datetime, bank: Bank, dlquiz_home: Path
) -> None:
    output = json.loads(stats_command("--json"))
    check_schema(output)
    today, forecast = output["today"], output["forecast"]
    assert forecast[0]["due"] == today["due"] + today["due_later"]
    with Store.open(dlquiz_home / "progress.db") as store:
        suspended = store.suspended(bank.id)
        cards = store.cards(bank.id)
    assert {c["id"] for c in output["suspended"]} == suspended and suspended
    leeches = {qid for qid, c in cards.items() if c.lapses >= LEECH_LAPSES}
    assert {c["id"] for c in output["leeches"]} == leeches and leeches
    lapses = [c["lapses"] for c in output["leeches"]]
    assert lapses == sorted(lapses, reverse=True)
    assert all(c["suspended"] == (c["id"] in suspended) for c in output["leeches"])
    # every figure the screen hides is in the JSON: all topics, the forecast, the activity
    assert len(output["topics"]) == len(bank.topics)
    assert len(forecast) == 14 and len(output["activity"]["days"]) == 182
    assert output["activity"]["total_reviews"] > 500
    screen = stats_command()
    assert f"streak {output['activity']['current_streak']} days" in screen
    month = output["retention"]["30d"]
    assert f"{round(month['rate'] * 100)}% measured over the last 30 days" in screen


# --- due now, later today, the forecast; leeches and suspended cards ----------------------------


def test_due_now_and_later_today_add_up_to_todays_forecast(store: Store, bank: Bank) -> None:
    put(
        store,
        card(bank, "pooling", due=START - timedelta(days=2)),  # overdue: due now
        card(bank, "relu", due=START + timedelta(hours=3)),  # later today
        card(bank, "lstm", state=LEARNING, due=START + timedelta(minutes=10)),  # later today
        card(bank, "gans", due=START - timedelta(hours=1)),  # due, but skipped until tomorrow
        card(bank, "swish", due=START - timedelta(hours=1)),  # due, but suspended
        card(bank, "cnn", due=START + timedelta(hours=3), lapses=9),  # later today, suspended
    )
    store.bury(bank.id, "gans", to_ms(UTC4.tomorrow_start(START)))
    stats = stats_of(store, bank, suspended=frozenset({"swish", "cnn"}))
    assert (stats.today.due, stats.today.due_later) == (1, 2)
    assert [d.total for d in stats.forecast[:3]] == [3, 1, 0]  # gans counts from tomorrow
    assert stats.forecast[0].total == stats.today.due + stats.today.due_later
    assert sum(t.due for t in stats.per_topic if t.topic == "cnn") == 1  # pooling, not cnn
    text = render(stats, 100)
    assert "1 due now · 2 more later today  → dlquiz practice" in text
    assert "today: 1 due now (overdue included) + 2 later today" in text


def test_the_due_time_is_the_schedulers(store: Store, bank: Bank) -> None:
    """Stats ask the scheduler when a card falls due (`due_at`), as a session does: a review
    card due at 18:00 is due from the start of its study day, so it is due now at noon."""
    put(store, card(bank, "pooling", due=at(TODAY, 18)))
    assert (stats_of(store, bank).today.due, stats_of(store, bank).today.due_later) == (0, 1)
    scheduling = Scheduling(0.9, fuzz=False, days=UTC4)
    stats = stats_of(store, bank, due_at=scheduling.due_ms)
    assert (stats.today.due, stats.today.due_later) == (1, 0)


def test_leeches_and_suspended_cards_are_listed_with_what_to_do(store: Store, bank: Bank) -> None:
    put(
        store,
        card(bank, "pooling", lapses=LEECH_LAPSES),  # a leech, the threshold itself
        card(bank, "relu", lapses=13),  # the worst leech, suspended
        card(bank, "dropout", lapses=LEECH_LAPSES - 1),  # hard, not yet a leech
    )
    recall = {"pooling": 0.6, "relu": 0.3, "dropout": 0.5}
    stats = stats_of(store, bank, recall=recall, suspended=frozenset({"relu", "gans"}))
    assert [(c.id, c.lapses, c.suspended) for c in stats.leeches] == [
        ("relu", 13, True),
        ("pooling", 8, False),
    ]
    # in bank order; gans was suspended before it was ever reviewed: no recall to give
    assert [(c.id, c.lapses, c.recall) for c in stats.suspended] == [
        ("relu", 13, 0.3),
        ("gans", 0, None),
    ]
    assert [h.id for h in stats.hardest] == ["pooling", "dropout"]  # suspended: not to drill
    output = stats.to_json()
    check_schema(output)
    assert output["leeches"][0] == {
        "id": "relu",
        "number": bank.find("relu").number,  # type: ignore[union-attr]
        "question": bank.find("relu").question,  # type: ignore[union-attr]
        "lapses": 13,
        "recall": 0.3,
        "suspended": True,
    }
    assert output["suspended"][1]["recall"] is None
    assert output["settings"]["leech_lapses"] == 8
    screen = render(stats, 100, sections=None)
    assert re.search(r"leeches +1 card with 8\+ lapses: pooling +→ dlquiz show pooling", screen)
    assert re.search(r"suspended +2 never shown: relu, gans", screen)
    everything = render(stats, 100)
    assert re.search(r"relu +13 +30% +suspended · ", everything)
    assert re.search(r"gans +0 +What are generative", everything)


def test_no_leech_and_nothing_suspended_say_so_when_asked(store: Store, bank: Bank) -> None:
    put(store, card(bank, "pooling", lapses=1))
    stats = stats_of(store, bank)
    text = render(stats, 100, sections=("leeches", "suspended"))
    assert "None: no card has 8 lapses or more." in text and "None." in text
    today = render(stats, 100, sections=())
    assert "│ leeches" not in today and "│ suspended" not in today


# --- the Today panel: new cards ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "introduced", "expected"),
    [
        (10, 3, "7 of 10 left today · 47 never seen  → dlquiz practice"),
        (3, 3, "none left today (daily limit of 3 reached) · 47 never seen"),
        (0, 3, "off (daily limit 0) · 47 never seen"),
    ],
)
def test_new_cards_left_today_follow_the_daily_limit(
    store: Store, bank: Bank, limit: int, introduced: int, expected: str
) -> None:
    for qid in ("pooling", "relu", "dropout")[:introduced]:
        log(store, bank, qid, at(TODAY, 9), before=NEW)
        put(store, card(bank, qid, due=START + timedelta(days=1)))
    stats = stats_of(store, bank, new_per_day=limit)
    assert stats.today.new_left == max(0, limit - introduced)
    assert stats.to_json()["settings"]["new_per_day"] == limit
    assert f"new cards      {expected}" in render(stats, 100, sections=())


def test_practice_with_no_new_cards_allowed_says_they_are_off_not_done() -> None:
    result = CliRunner().invoke(app, ["practice", "--new", "0"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "New cards are off (a daily limit of 0; 50 still new)." in text
    assert "Today's new cards are done" not in text
    assert "dlquiz practice --new 10" in text


# --- the activity calendar's months -------------------------------------------------------------


def test_month_names_sit_at_the_week_where_the_month_starts(store: Store, bank: Bank) -> None:
    """Today is Wednesday 16 December 2026: 1 December is the Tuesday of the week beginning
    Monday 30 November, so "Dec" names that week's column, not the next one."""
    now = datetime(2026, 12, 16, 12, tzinfo=UTC)
    for day in range(1, 7):  # study on 1 to 6 December, in the week that began in November
        log(store, bank, "pooling", datetime(2026, 12, day, 12, tzinfo=UTC))
    text = render(stats_of(store, bank, now=now), 60, sections=("activity",))
    lines = text.splitlines()
    months = next(i for i, line in enumerate(lines) if "Dec" in line and "Nov" in line)
    monday, sunday = lines[months + 1], lines[months + 7]
    assert monday.startswith("│ Mon ") and sunday.startswith("│ Sun ")

    def column(day: date) -> int:
        """Where `day`'s cell is on screen: weeks are columns, two characters apart."""
        weeks = (date(2026, 12, 14) - (day - timedelta(days=day.weekday()))).days // 7
        return len(monday.rstrip(" │")) - 1 - 2 * weeks

    assert lines[months].index("Dec") == column(date(2026, 12, 1))
    assert lines[months].index("Nov") == column(date(2026, 11, 1))  # a Sunday: week of 26 Oct
    assert lines[months].index("Oct") == column(date(2026, 10, 1))
    # the cells under "Dec": the week of 30 November, with its six days of December studied
    assert monday[column(date(2026, 11, 30))] == "·" and sunday[column(date(2026, 12, 6))] != "·"


# --- the house: stats.py is arithmetic, the store answers ---------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    reviews=st.lists(
        st.tuples(st.integers(0, 20 * 24 * 60), st.sampled_from(["pooling", "relu", "lstm"])),
        max_size=40,
    ),
    cut=st.integers(1, 15 * 60 * 1000 - 1),
)
def test_review_tallies_agree_whichever_way_the_store_counts(
    bank: Bank, reviews: list[tuple[int, str]], cut: int
) -> None:
    """Per-slot counts (a whole bank, periods on 15-minute slots), the log itself (some
    questions, or periods off the slots) and a plain count in Python agree."""
    start = EASTER - timedelta(days=20)
    days = [to_ms(start + timedelta(days=i)) for i in range(22)]
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "p.db") as store:
        for minutes, qid in reviews:
            log(store, bank, qid, start + timedelta(minutes=minutes), seconds=minutes % 7)
        with store.reading():
            by_slots = store.review_tallies(bank.id, days)
            by_log = store.review_tallies(bank.id, days, {"pooling", "relu", "lstm"})
            off_slots = store.review_tallies(bank.id, [b + cut for b in days])
            some = store.review_tallies(bank.id, days, {"pooling"})
            span = store.review_span(bank.id)

    def plain_count(bounds: list[int], ids: set[str]) -> dict[int, tuple[int, int]]:
        counted: dict[int, tuple[int, int]] = {}
        for minutes, qid in reviews:
            when = to_ms(start + timedelta(minutes=minutes))
            for i in range(len(bounds) - 1):
                if qid in ids and bounds[i] <= when < bounds[i + 1]:
                    n, ms = counted.get(i, (0, 0))
                    counted[i] = (n + 1, ms + (minutes % 7) * 1000)
        return counted

    every = {"pooling", "relu", "lstm"}
    assert by_slots == by_log
    assert {i: (t.reviews, t.duration_ms) for i, t in by_slots.items()} == plain_count(days, every)
    shifted = [b + cut for b in days]
    assert {i: (t.reviews, t.duration_ms) for i, t in off_slots.items()} == plain_count(
        shifted, every
    )
    assert {i: (t.reviews, t.duration_ms) for i, t in some.items()} == plain_count(
        days, {"pooling"}
    )
    if reviews:
        times = [to_ms(start + timedelta(minutes=m)) for m, _ in reviews]
        assert span == (min(times), max(times))
    else:
        assert span is None and by_slots == {}


def test_the_default_screen_stays_within_40_lines_with_everything_to_say(
    store: Store, bank: Bank
) -> None:
    """Every line of the Today panel in use, long ids, many leeches and suspended cards: still
    40 lines at 100 columns, with as many ids as fit one line and the rest counted."""
    leeches = [q.id for q in bank.questions if len(q.id) > 20][:8]
    put(store, *(card(bank, qid, lapses=9, due=START - timedelta(hours=1)) for qid in leeches))
    put(store, card(bank, "relu", due=START + timedelta(hours=2)))
    for qid in leeches[:2]:
        log(store, bank, qid, at(TODAY, 8), rating=1)
    interview = START + timedelta(days=19)
    store.set_interview(InterviewRow(bank.id, to_ms(interview), "2026-03-21", "12:00", 0.95, 0))
    scheduling = Scheduling(0.9, fuzz=False, days=UTC4)
    plan = interview_plan(store, bank, scheduling, UTC4, START, 10)
    stats = stats_of(store, bank, recall={}, suspended=frozenset(leeches[4:]))
    stats = stats._replace(interview=plan)
    assert len(stats.leeches) == 8 and len(stats.suspended) == 4
    lines = render(stats, 100, sections=None).splitlines()
    assert re.search(r"│ interview +Sat 21 Mar \(in 19 days\) · expect ", "\n".join(lines))
    assert lines[-1].startswith("more: ") and lines[-1].endswith(SECTIONS[-1])  # one line
    assert len(lines) <= 40 and max(len(line) for line in lines) <= 100
    text = "\n".join(lines)
    # one line each: as many ids as fit (none, if the command would not fit beside them)
    assert re.search(r"leeches +4 cards with 8\+ lapses  → dlquiz show [a-z-]+ +│", text)
    assert re.search(r"suspended +4 never shown: [a-z-]+(, [a-z-]+)* and \d more +│", text)


def test_new_cards_left_count_only_cards_a_session_could_show(store: Store, bank: Bank) -> None:
    """Three questions never seen; one skipped until tomorrow, one suspended: one left."""
    scope = ("rnn", "cnn")  # five questions
    seen = [q.id for q in bank.with_topics(scope)][:2]
    put(store, *(card(bank, qid, due=START + timedelta(days=3)) for qid in seen))
    unseen = [q.id for q in bank.with_topics(scope) if q.id not in seen]
    assert len(unseen) == 3
    store.bury(bank.id, unseen[0], to_ms(UTC4.tomorrow_start(START)))
    stats = stats_of(store, bank, topics=scope, suspended=frozenset({unseen[1]}))
    assert (stats.overview.new, stats.today.new_left) == (3, 1)


def test_new_cards_left_follow_the_daily_limit_of_the_whole_bank(
    store: Store, bank: Bank, make_session: Callable[..., Session], clock: FakeClock
) -> None:
    """The limit counts every new card of the bank today, as `practice --topic` does."""
    clock.now = at(TODAY, 9)
    session = make_session(new_per_day=4, topics=("fundamentals",))
    for _ in range(3):
        item = session.next()
        assert item is not None and item.state == "new"
        session.rate(item, Rating.Good)
    stats = stats_of(store, bank, now=clock.now, topics=("cnn",), new_per_day=4)
    assert (stats.today.new, stats.today.new_left) == (0, 1)
    cnn = make_session(new_per_day=4, topics=("cnn",))
    assert cnn.new_today_left(clock.now) == stats.today.new_left


def test_due_now_is_what_a_session_would_ask(
    month_old: datetime, bank: Bank, dlquiz_home: Path
) -> None:
    """At several moments after a month of use, `today.due` equals the cards a practice
    session started then counts as due (`Session.due_left`)."""
    scheduling = Scheduling(0.9, fuzz=False, days=UTC4)
    seen = set()
    with Store.open(dlquiz_home / "progress.db") as store:
        for hours in (0, 6, 18, 20, 30, 50):
            moment = month_old + timedelta(hours=hours)
            suspended = store.suspended(bank.id)
            stats = stats_of(store, bank, now=moment, due_at=scheduling.due_ms, suspended=suspended)
            clock = FakeClock(moment)
            session = Session(bank=bank, store=store, scheduling=scheduling, days=UTC4, clock=clock)
            assert stats.today.due == session.due_left(), moment
            assert stats.forecast[0].total == stats.today.due + stats.today.due_later
            seen.add(stats.today.due)
    assert len(seen) > 2  # moments with different numbers of cards due


@pytest.mark.parametrize(
    ("passed", "verdict"),
    [
        (8996, "90% measured over the last 30 days · target 90% · on target"),
        (8949, "89% measured over the last 30 days · target 90% · below target"),
    ],
)
def test_retention_against_the_target_reads_as_the_percents_shown(
    store: Store, bank: Bank, passed: int, verdict: str
) -> None:
    """89.96% shows as 90%, and is not called below a target of 90%."""
    stats = stats_of(store, bank)
    month = stats.retention[1]._replace(reviews=10_000, passed=passed)
    stats = stats._replace(retention=(stats.retention[0], month, stats.retention[2]))
    stats = stats._replace(total_reviews=10_000)  # not an empty store: the Today panel shows
    assert re.search(rf"retention +{verdict}", render(stats, 100, sections=()))
