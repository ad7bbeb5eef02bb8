"""Due means due today: review cards fall due at the start of their study day, sessions take in
what falls due while they run, fuzzed intervals stay in their range, recall counts hours."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fsrs import Card, Scheduler

from dlquiz.bank import Bank
from dlquiz.clock import StudyDays, from_ms, to_ms
from dlquiz.model import LEARNING, REVIEW, CardRow
from dlquiz.scheduler import Rating, Scheduling
from dlquiz.session import Session
from dlquiz.store import Store

from .conftest import FakeClock

MakeSession = Callable[..., Session]


def learn(session: Session, rating: Rating = Rating.Easy) -> CardRow:
    """Rate the next card; its row after the rating."""
    item = session.next()
    assert item is not None
    return session.rate(item, rating).row


def test_a_review_card_is_due_from_the_start_of_its_study_day(
    make_session: MakeSession, clock: FakeClock, days: StudyDays, store: Store, bank: Bank
) -> None:
    clock.now = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # an evening review
    row = learn(make_session(new_per_day=1))
    assert row.state == REVIEW
    interval = row.due - to_ms(days.today_start(clock()))
    assert interval % 86_400_000 == 0  # a whole number of study days, not 21:30 + n days
    due_day = days.day_of(clock()) + timedelta(days=interval // 86_400_000)
    assert from_ms(row.due) == days.start(due_day)  # 04:00 on its day
    clock.now = days.start(due_day) - timedelta(minutes=1)
    assert make_session(new_per_day=0).next() is None
    clock.now = days.start(due_day) + timedelta(minutes=1)  # early morning, before 21:30
    item = make_session(new_per_day=0).next()
    assert item is not None and item.question.id == row.question_id


def test_intervals_count_study_days_after_midnight_too(
    make_session: MakeSession, clock: FakeClock, days: StudyDays
) -> None:
    clock.now = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # 2 am: still the study day of March 2
    session = make_session(new_per_day=1)
    item = session.next()
    assert item is not None
    shown = session.preview(item)  # what the rating bar shows
    rated = session.rate(item, Rating.Easy)
    assert rated.interval.days >= 1 and rated.interval == timedelta(days=rated.interval.days)
    assert shown[Rating.Easy] == rated.interval
    start = datetime(2026, 3, 2, 4, 0, tzinfo=UTC) + rated.interval
    assert from_ms(rated.row.due) == start  # counted from March 2, the study day of the review


def test_learning_steps_stay_by_the_minute(make_session: MakeSession, clock: FakeClock) -> None:
    clock.now = datetime(2026, 3, 2, 21, 30, 15, tzinfo=UTC)
    row = learn(make_session(new_per_day=1), Rating.Good)
    assert row.state == LEARNING
    assert from_ms(row.due) == clock() + timedelta(minutes=10)


def test_study_days_hold_across_the_end_of_daylight_saving_time(bank: Bank, store: Store) -> None:
    zone = ZoneInfo("America/New_York")
    days = StudyDays(zone, 4)
    clock = FakeClock(datetime(2026, 10, 31, 20, 0, tzinfo=zone).astimezone(UTC))
    scheduling = Scheduling(0.9, fuzz=False, days=days)
    session = Session(bank, store, scheduling, days, clock)
    item = session.next()
    assert item is not None
    rated = session.rate(item, Rating.Easy)
    due = from_ms(rated.row.due).astimezone(zone)
    assert (due.hour, due.minute) == (4, 0)  # 4 am local on either side of the change
    assert due.date() == datetime(2026, 10, 31).date() + rated.interval


def test_a_review_card_falling_due_at_rollover_joins_the_running_session_before_new_cards(
    make_session: MakeSession, clock: FakeClock, days: StudyDays, bank: Bank
) -> None:
    clock.now = datetime(2026, 3, 2, 3, 40, tzinfo=UTC)  # study day of March 1
    first = learn(make_session(new_per_day=1))
    due_day = days.day_of(from_ms(first.due))
    clock.now = days.start(due_day) - timedelta(minutes=5)  # a late session on the day before
    session = make_session(new_per_day=5)
    shown: list[str] = []
    while (item := session.next()) is not None and len(shown) < 3:
        shown.append(item.question.id)
        session.rate(item, Rating.Easy)
        clock.advance(minutes=3)
    # two new cards before the rollover; the next study day began during the session: the
    # review card due that day comes next, before the next new card
    assert shown == [bank.questions[1].id, bank.questions[2].id, first.question_id]


def test_a_session_is_complete_only_when_nothing_is_due(
    make_session: MakeSession, clock: FakeClock
) -> None:
    session = make_session(new_per_day=3)
    while (item := session.next()) is not None:
        session.rate(item, Rating.Again if item.row is None else Rating.Good)
        assert session.next() is not None or session.due_left() == 0
        clock.advance(minutes=2)
    assert session.due_left() == 0
    assert make_session(new_per_day=3).next() is None


def test_a_session_stopped_by_its_limit_is_not_complete(
    make_session: MakeSession, clock: FakeClock
) -> None:
    session = make_session(new_per_day=3)
    for _ in range(3):
        learn(session)
    clock.advance(days=90)  # all three are due
    limited = make_session(new_per_day=0, limit=1)
    learn(limited)
    assert limited.next() is None and limited.due_left() == 2


def test_fuzzed_intervals_stay_inside_their_range_over_many_draws() -> None:
    scheduling = Scheduling(0.9, fuzz=True, days=StudyDays(UTC, 4))
    for days in range(1, 400):
        low, high = scheduling.fuzz_range(days)
        drawn = {scheduling.fuzzed(days, f"q{i}:{days}") for i in range(300)}
        assert min(drawn) >= low and max(drawn) <= high, (days, low, high, drawn)
        if high - low <= 10:
            assert drawn == set(range(low, high + 1)), days  # every day of the range is used
    assert scheduling.fuzz_range(3) == (2, 4)  # py-fsrs 6.3.2 itself gave 5 days here


def test_fuzz_range_is_py_fsrs_own_range() -> None:
    """py-fsrs draws from its range plus one day (its rounding): dlquiz keeps the range."""
    fsrs = Scheduler(enable_fuzzing=True)
    scheduling = Scheduling(0.9, fuzz=True)
    for days in (3, 5, 8, 15, 30, 90):
        low, high = scheduling.fuzz_range(days)
        random.seed(days)
        draws = {fsrs._get_fuzzed_interval(interval=timedelta(days=days)).days for _ in range(400)}
        assert min(draws) == low and max(draws) <= high + 1


def test_every_rating_given_with_fuzz_stays_in_range(bank: Bank, store: Store) -> None:
    days = StudyDays(UTC, 4)
    scheduling = Scheduling(0.9, fuzz=True, days=days)
    plain = Scheduler(enable_fuzzing=False)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    checked = 0
    for n in range(400):
        row = CardRow("b", f"q{n}", 1, REVIEW, None, 1.0 + n, 5.0, 0, to_ms(now) - 86_400_000 * n,
                      3, 0, 0)  # fmt: skip
        for rating in (Rating.Hard, Rating.Good, Rating.Easy):
            outcome = scheduling.review("b", row.question_id, row, rating, now)
            unfuzzed = plain.review_card(Scheduling.to_card(row, now), rating, now)[0]
            low, high = scheduling.fuzz_range((unfuzzed.due - now).days)
            given = (days.day_of(from_ms(outcome.row.due)) - days.day_of(now)).days
            assert low <= given <= high and outcome.interval == timedelta(days=given)
            assert outcome.row.stability == unfuzzed.stability  # the fuzz changes only the day
            checked += 1
    assert checked == 1200


def test_recall_counts_the_hours_since_the_last_review() -> None:
    scheduling = Scheduling(0.9, fuzz=False)
    reviewed = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    row = CardRow("b", "q", 1, REVIEW, None, 0.5, 8.0, 0, to_ms(reviewed), 9, 8, 0)
    later = reviewed + timedelta(hours=12)
    recall = scheduling.retrievability(row, later)
    assert 0.85 < recall < 0.95  # half a stability later, not the 100% whole days would say
    card = Card(card_id=1, stability=0.5, last_review=reviewed)
    for day in (1, 2, 10):  # on whole days it is py-fsrs's own curve
        moment = reviewed + timedelta(days=day)
        ours = scheduling.retrievability(row, moment)
        assert abs(ours - scheduling.fsrs.get_card_retrievability(card, moment)) < 1e-12
    assert scheduling.retrievability(row, reviewed) == 1.0
    assert scheduling.retrievability(None, later) == 0.0


def test_drill_orders_by_recall_within_the_day(
    make_session: MakeSession, clock: FakeClock, store: Store
) -> None:
    from dlquiz.session import Mode

    session = make_session(new_per_day=2)
    learn(session, Rating.Easy)
    weak = learn(session, Rating.Hard)
    clock.advance(minutes=10)
    while (item := session.next()) is not None:  # finish the Hard card's learning
        session.rate(item, Rating.Good)
    clock.advance(hours=6)  # the same study day: whole days would call both cards 100%
    drill = make_session(mode=Mode.DRILL)
    item = drill.next()
    assert item is not None and item.question.id == weak.question_id


def test_a_card_stored_with_a_due_minute_is_due_from_the_start_of_that_day(
    make_session: MakeSession, clock: FakeClock, store: Store, bank: Bank, days: StudyDays
) -> None:
    """Stores written before due dates were study days keep their cards' minutes."""
    evening = datetime(2026, 3, 5, 21, 30, tzinfo=UTC)
    qid = bank.questions[0].id
    store.put_card(
        CardRow(bank.id, qid, 1, REVIEW, None, 3.0, 5.0, to_ms(evening),
                to_ms(evening - timedelta(days=3)), 2, 0, 0)
    )  # fmt: skip
    clock.now = datetime(2026, 3, 5, 3, 59, tzinfo=UTC)  # still March 4's study day
    early = make_session(new_per_day=0)
    assert early.next() is None
    assert early.next_due() == datetime(2026, 3, 5, 4, 0, tzinfo=UTC)
    clock.now = datetime(2026, 3, 5, 4, 1, tzinfo=UTC)
    item = make_session(new_per_day=0).next()
    assert item is not None and item.question.id == qid
