"""The queue and the scheduling, under a fake clock: what a person sees in which order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlquiz.bank import Bank
from dlquiz.clock import StudyDays, to_ms
from dlquiz.model import LEARNING, RELEARNING, REVIEW
from dlquiz.scheduler import Rating, Scheduling
from dlquiz.session import Item, Mode, Options, Session
from dlquiz.store import Store, StoreError

from .conftest import START, FakeClock

MakeSession = Callable[..., Session]


def answer(session: Session, rating: Rating) -> str:
    item = session.next()
    assert item is not None
    session.rate(item, rating)
    return item.question.id


def ids_in_order(session: Session, rating: Rating = Rating.Good, limit: int = 100) -> list[str]:
    shown: list[str] = []
    while (item := session.next()) is not None and len(shown) < limit:
        shown.append(item.question.id)
        session.rate(item, rating)
    return shown


def test_new_cards_come_in_bank_order_up_to_the_daily_limit(
    make_session: MakeSession, bank: Bank
) -> None:
    session = make_session(new_per_day=3)
    first = [session.next()]
    assert first[0] is not None and first[0].state == "new"
    assert ids_in_order(session, Rating.Easy) == [q.id for q in bank.questions[:3]]


def test_a_new_card_rated_good_comes_back_after_its_learning_step(
    make_session: MakeSession, clock: FakeClock, bank: Bank
) -> None:
    session = make_session(new_per_day=2)
    first, second = bank.questions[0].id, bank.questions[1].id
    item = session.next()
    assert item is not None
    rated = session.rate(item, Rating.Good)
    assert rated.interval == timedelta(minutes=10)
    assert rated.row.state == LEARNING
    assert answer(session, Rating.Easy) == second  # the other new card, while the first waits
    clock.advance(minutes=10)
    again = session.next()
    assert again is not None and again.question.id == first and again.state == "learning"
    session.rate(again, Rating.Good)
    row = session.store.card(bank.id, first)
    assert row is not None and row.state == REVIEW


def test_learning_cards_due_soon_are_shown_early_when_nothing_else_is_left(
    make_session: MakeSession, clock: FakeClock
) -> None:
    session = make_session(new_per_day=1)
    first = answer(session, Rating.Again)  # due again in 1 minute
    item = session.next()
    assert item is not None and item.question.id == first
    session.rate(item, Rating.Good)  # next step: 10 minutes
    item = session.next()
    assert item is not None and item.question.id == first  # within the 20-minute look-ahead
    session.rate(item, Rating.Good)  # graduates: due in days
    assert session.next() is None


def test_again_sends_a_review_card_to_relearning(
    make_session: MakeSession, clock: FakeClock, bank: Bank
) -> None:
    session = make_session(new_per_day=1)
    qid = answer(session, Rating.Easy)
    row = session.store.card(bank.id, qid)
    assert row is not None and row.state == REVIEW and row.lapses == 0
    clock.now = START + timedelta(milliseconds=row.due - to_ms(START)) + timedelta(hours=1)
    later = make_session(new_per_day=0)
    item = later.next()
    assert item is not None and item.question.id == qid and item.state == "review"
    rated = later.rate(item, Rating.Again)
    assert rated.row.state == RELEARNING
    assert rated.row.lapses == 1
    assert rated.interval == timedelta(minutes=10)


def test_daily_new_limit_holds_across_two_sessions_on_one_day(
    make_session: MakeSession, clock: FakeClock, bank: Bank
) -> None:
    morning = make_session(new_per_day=3)
    answer(morning, Rating.Easy)
    answer(morning, Rating.Easy)
    clock.advance(hours=6)  # 18:00, same study day
    evening = make_session(new_per_day=3)
    assert ids_in_order(evening, Rating.Easy) == [bank.questions[2].id]
    clock.advance(hours=9)  # 03:00 next morning: still the same study day (rollover 4 am)
    assert make_session(new_per_day=3).next() is None
    clock.advance(hours=1)  # 04:00: a new day
    assert ids_in_order(make_session(new_per_day=3), Rating.Easy) == [
        q.id for q in bank.questions[3:6]
    ]


def test_due_order_learning_then_most_overdue_reviews_then_new(
    make_session: MakeSession, clock: FakeClock, store: Store, bank: Bank
) -> None:
    session = make_session(new_per_day=4)
    a, b, c = (answer(session, Rating.Easy) for _ in range(3))
    d = answer(session, Rating.Again)
    rows = store.cards(bank.id)
    # make a overdue by 1 interval, b by 3 intervals, c just due
    for qid, late in ((a, 1.0), (b, 3.0), (c, 0.0)):
        r = rows[qid]
        interval = r.due - (r.last_review or 0)
        with store.transaction():
            store.put_card(
                r._replace(
                    last_review=to_ms(START) - int(interval * late) - interval,
                    due=to_ms(START) - int(interval * late),
                )
            )
    assert rows[d].state == LEARNING
    clock.advance(minutes=2)
    order = ids_in_order(make_session(new_per_day=5), limit=5)
    assert order[:4] == [d, b, a, c]
    assert order[4] == bank.questions[4].id  # then the next new card


def test_topic_filter_only_asks_those_topics(make_session: MakeSession, bank: Bank) -> None:
    session = make_session(new_per_day=50, topics=("cnn",))
    shown = ids_in_order(session, Rating.Easy)
    expected = [q.id for q in bank.questions if "cnn" in q.topics]
    assert shown == expected


def test_limit_caps_the_session(make_session: MakeSession) -> None:
    session = make_session(new_per_day=20, limit=4)
    assert len(ids_in_order(session, Rating.Easy)) == 4


def test_undo_restores_card_and_log_exactly(
    make_session: MakeSession, clock: FakeClock, store: Store, bank: Bank
) -> None:
    session = make_session(new_per_day=1)
    qid = answer(session, Rating.Good)
    before = store.card(bank.id, qid)
    reviews_before = list(store.reviews())
    clock.advance(minutes=10)
    item = session.next()
    assert item is not None and item.question.id == qid
    session.rate(item, Rating.Again)
    assert store.card(bank.id, qid) != before
    back = session.undo()
    assert back.question.id == qid
    assert store.card(bank.id, qid) == before
    assert list(store.reviews()) == reviews_before
    again = session.next()
    assert again is not None and again.question.id == qid and again.row == before
    # undoing the very first rating forgets the card entirely: it is new again
    session.undo()
    assert store.card(bank.id, qid) is None
    assert list(store.reviews()) == []
    assert session.summary().reviews == 0


def test_skip_buries_a_card_until_the_next_study_day(
    make_session: MakeSession, clock: FakeClock, bank: Bank
) -> None:
    session = make_session(new_per_day=2)
    item = session.next()
    assert item is not None
    session.skip(item)
    # the skipped card leaves its place among today's two new cards to the next one
    assert ids_in_order(session, Rating.Easy) == [q.id for q in bank.questions[1:3]]
    assert make_session(new_per_day=2).next() is None  # two rated: today's new cards are done
    third = make_session(new_per_day=3).next()  # a third one today: not the buried card
    assert third is not None and third.question.id == bank.questions[3].id
    clock.advance(hours=16)  # 04:00 next day
    nxt = make_session(new_per_day=2).next()
    assert nxt is not None and nxt.question.id == bank.questions[0].id


def test_nothing_due_says_when_the_next_card_is(
    make_session: MakeSession, clock: FakeClock, days: StudyDays
) -> None:
    session = make_session(new_per_day=1)
    answer(session, Rating.Easy)
    finished = make_session(new_per_day=1)
    assert finished.next() is None
    assert finished.next_due() == days.tomorrow_start(clock())


def test_edited_bank_keeps_progress_by_id(
    make_session: MakeSession, bank: Bank, store: Store, clock: FakeClock
) -> None:
    session = make_session(new_per_day=2)
    first = answer(session, Rating.Easy)
    second = answer(session, Rating.Easy)
    removed = bank.replace_questions(bank.questions[1:])
    clock.advance(days=60)
    later = make_session(removed, new_per_day=0)
    shown = ids_in_order(later)
    assert first not in shown and second in shown
    assert store.card(bank.id, first) is not None  # history kept


def test_drill_goes_due_then_weakest_then_unseen(
    make_session: MakeSession, clock: FakeClock, bank: Bank
) -> None:
    cnn = [q.id for q in bank.questions if "cnn" in q.topics]
    setup = make_session(new_per_day=50, topics=("cnn",), limit=2)
    assert answer(setup, Rating.Easy) == cnn[0]
    assert answer(setup, Rating.Hard) == cnn[1]
    clock.advance(minutes=6)  # the Hard card's learning step is over: it is due
    drill = make_session(mode=Mode.DRILL, topics=("cnn",))
    order = [item.question.id for item in _drain(drill)]
    assert order[:2] == [cnn[1], cnn[0]]
    assert order[2:] == cnn[2:]
    # without a topic, only questions already seen, the least well known first
    clock.advance(days=3)
    seen_only = [item.question.id for item in _drain(make_session(mode=Mode.DRILL))]
    assert sorted(seen_only) == sorted(cnn)


def _drain(session: Session) -> list[Item]:
    shown: list[Item] = []
    while (item := session.next()) is not None:
        shown.append(item)
        session.rate(item, Rating.Easy)
    return shown


def test_two_processes_rating_the_same_card_both_count(
    tmp_path: Path, bank: Bank, clock: FakeClock, days: StudyDays
) -> None:
    path = tmp_path / "shared.db"
    one, two = Store.open(path), Store.open(path)

    def make(s: Store) -> Session:
        return Session(bank, s, Scheduling(fuzz=False), days, clock, Options(new_per_day=1))

    a, b = make(one), make(two)
    item_a, item_b = a.next(), b.next()
    assert item_a is not None and item_b is not None
    a.rate(item_a, Rating.Good)
    b.rate(item_b, Rating.Good)  # builds on a's rating, read inside the transaction
    row = one.card(bank.id, item_a.question.id)
    assert row is not None and row.reps == 2 and row.state == REVIEW  # two Goods: graduated
    assert len(list(one.reviews())) == 2
    with pytest.raises(StoreError, match="reviewed again since"):
        a.undo()  # b's review came after: undoing a's would throw b's away
    one.close()
    two.close()


def test_preview_shows_the_interval_each_rating_gives(make_session: MakeSession) -> None:
    session = make_session()
    item = session.next()
    assert item is not None
    preview = session.preview(item)
    assert preview[Rating.Again] == timedelta(minutes=1)
    assert preview[Rating.Good] == timedelta(minutes=10)
    assert preview[Rating.Easy] >= timedelta(days=1)
    assert session.store.card(session.bank.id, item.question.id) is None  # nothing changed


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(list(Rating)), st.integers(0, 3 * 24 * 60)), max_size=25))
def test_any_sequence_of_ratings_keeps_the_queue_sound(
    tmp_path_factory: pytest.TempPathFactory,
    bank: Bank,
    steps: list[tuple[Rating, int]],
) -> None:
    """Whatever is rated when, the queue never repeats a rated card out of learning, never
    exceeds the new-card limit, and the log has one entry per rating."""
    path = tmp_path_factory.mktemp("prop") / "p.db"
    clock = FakeClock()
    days = StudyDays(__import__("datetime").UTC, 4)
    with Store.open(path) as store:
        ratings = 0
        for rating, minutes in steps:
            session = Session(
                bank, store, Scheduling(fuzz=False), days, clock, Options(new_per_day=3)
            )
            item = session.next()
            if item is not None:
                if item.row is not None and item.row.state == REVIEW:
                    assert item.row.due <= to_ms(clock())
                session.rate(item, rating)
                ratings += 1
            clock.advance(minutes=minutes)
        assert len(list(store.reviews())) == ratings
        for day_start in {days.today_start(clock())}:
            assert len(store.new_introduced_since(bank.id, to_ms(day_start))) <= 3
        for row in store.cards(bank.id).values():
            assert row.state in (LEARNING, REVIEW, RELEARNING)


def test_with_fuzz_on_the_previewed_interval_is_the_one_given(
    bank: Bank, store: Store, clock: FakeClock, days: StudyDays
) -> None:
    session = Session(bank, store, Scheduling(fuzz=True), days, clock, Options(new_per_day=5))
    for _ in range(5):
        item = session.next()
        assert item is not None
        preview = session.preview(item)
        rated = session.rate(item, Rating.Easy)
        assert rated.interval == preview[Rating.Easy]
    clock.advance(days=40)
    later = Session(bank, store, Scheduling(fuzz=True), days, clock, Options(new_per_day=0))
    intervals = set()
    while (item := later.next()) is not None:
        preview = later.preview(item)
        rated = later.rate(item, Rating.Good)
        assert rated.interval == preview[Rating.Good]
        intervals.add(rated.interval)
    assert len(intervals) > 1  # fuzz spreads cards learned together


def test_the_stored_review_counts_follow_ratings_undos_and_resets(
    make_session: MakeSession, clock: FakeClock, store: Store, bank: Bank
) -> None:
    """The per-slot counts statistics read (kept by triggers) always equal the log's."""

    def counts_agree() -> None:
        kept = store.query(
            "SELECT bucket, reviews, in_review, passed, duration_ms FROM review_buckets "
            "ORDER BY bucket"
        )
        recount = store.query(
            "SELECT reviewed_at / 900000, count(*), sum(state_before = 2), "
            "sum(state_before = 2 AND rating > 1), coalesce(sum(duration_ms), 0) "
            "FROM reviews GROUP BY 1 ORDER BY 1"
        )
        assert kept == recount

    session = make_session(new_per_day=6)
    for rating in (Rating.Easy, Rating.Easy, Rating.Again, Rating.Easy):
        item = session.next()
        assert item is not None
        session.rate(item, rating, 2500)
        clock.advance(minutes=7)
    counts_agree()
    session.undo()
    counts_agree()
    clock.advance(days=30)
    later = make_session(new_per_day=0)
    lapsed = False
    while (item := later.next()) is not None:  # one lapse, then everything Good
        again = not lapsed and item.question.id == bank.questions[0].id
        later.rate(item, Rating.Again if again else Rating.Good)
        lapsed |= again
    counts_agree()
    # the two review cards were reviewed again: one lapsed, one passed
    assert store.query("SELECT sum(in_review), sum(passed) FROM review_buckets") == [(2, 1)]
    store.forget(bank.id, {bank.questions[0].id})
    counts_agree()
    store.forget(bank.id)
    assert store.query("SELECT count(*) FROM review_buckets") == [(0,)]
