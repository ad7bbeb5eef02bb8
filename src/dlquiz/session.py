"""A study session: which card comes next, and what a rating, a skip or an undo does.

Nothing here knows about the terminal; the UI asks `next()`, shows the card, and calls `rate()`.

Order of a practice session (`dlquiz practice`), as in Anki:
1. cards in (re)learning that are due, earliest first;
2. review cards that are due, the most overdue relative to their interval first; a card in the
   review state is due from the start of its due study day (the rollover hour, local time);
3. while an interview date is set (`dlquiz interview`), the cards its plan brings forward
   today (`interview_cards`);
4. new cards in bank order, up to the daily limit (counting new cards rated today: skipping a
   new card does not use up its place);
5. when nothing else is left, learning cards due within the next 20 minutes, shown early.

The order is chosen again at every card, so cards that fall due while a session runs join it,
and a session is over only when nothing is due (or `--limit` is reached). Suspended cards are
never shown.

A drill (`dlquiz review`) ignores due dates: due cards first, then the weakest (lowest recall
probability now), then questions never seen (only when topics are given).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from dlquiz.bank import Bank
from dlquiz.clock import Clock, StudyDays, from_ms, to_ms
from dlquiz.interview import plan_from_store
from dlquiz.model import LEARNING, RELEARNING, CardRow, Grading, Question, leech_news, state_name
from dlquiz.scheduler import Rating, Scheduling, is_due
from dlquiz.store import Store, StoreError, UndoRefused

LEARN_AHEAD = timedelta(minutes=20)


class Mode(Enum):
    PRACTICE = "practice"
    DRILL = "review"


@dataclass(frozen=True)
class Options:
    mode: Mode = Mode.PRACTICE
    topics: tuple[str, ...] = ()
    new_per_day: int = 10
    limit: int | None = None
    learn_ahead: timedelta = LEARN_AHEAD


@dataclass(frozen=True)
class Item:
    """A card to show: the question and its stored state (None: never seen)."""

    question: Question
    row: CardRow | None

    @property
    def state(self) -> str:
        return state_name(self.row)


@dataclass(frozen=True)
class Rated:
    """A rating that has been committed to the store."""

    item: Item
    rating: Rating
    review_id: int
    row: CardRow
    interval: timedelta

    @property
    def leech(self) -> bool:
        """This rating made the card a leech (or, past the threshold, lapsed it again as many
        times as Anki waits before saying so again)."""
        before = self.item.row.lapses if self.item.row is not None else 0
        return leech_news(before, self.row.lapses)


@dataclass(frozen=True)
class Summary:
    """What a session did, for the closing screen."""

    ratings: dict[Rating, int]
    cards: int
    skipped: int
    seconds: float
    next_due: datetime | None

    @property
    def reviews(self) -> int:
        return sum(self.ratings.values())


class Idle(NamedTuple):
    """Why a session has nothing to ask, with what the person can do instead."""

    mode: Mode
    topics: tuple[str, ...]
    next_due: datetime | None  # when the next card falls due (practice)
    new_waiting: int  # questions never seen that today's new-card limit holds back
    new_per_day: int  # that limit (0: new cards are off, not "done for today")
    suggest_topic: str | None  # a topic with questions, to suggest drilling (review)


@dataclass
class Session:
    """One sitting of practice or drill over a bank, backed by a store.

    `days` decides what is due now; `scheduling.days` when a rating makes a card due. Give both
    the same study days (time zone and rollover hour), as the CLI does from the settings.
    """

    bank: Bank
    store: Store
    scheduling: Scheduling
    days: StudyDays
    clock: Clock
    options: Options = field(default_factory=Options)

    def __post_init__(self) -> None:
        self.started = self.clock()
        suspended = self.store.suspended(self.bank.id)
        self._eligible = {
            q.id: q for q in self.bank.with_topics(self.options.topics) if q.id not in suspended
        }
        self._rows = {
            qid: row for qid, row in self.store.cards(self.bank.id).items() if qid in self._eligible
        }
        self._skipped = self.store.buried(self.bank.id, to_ms(self.started))
        self._forward: tuple[str, ...] = ()
        if self.options.mode is Mode.PRACTICE:
            self._forward = interview_cards(
                self.store, self.bank, self.scheduling, self.days, self.started, self.options
            )
        # A drill's order after the due cards (weakest first, then unseen), as an ordered set.
        # Due cards and practice's new cards are chosen afresh at each card, from the clock.
        self._planned: dict[str, None] = dict.fromkeys(self._drill_plan(self.started))
        self._front: list[str] = []  # cards put back by undo, shown before anything else
        self._history: list[Rated] = []
        self._seen: set[str] = set()
        self._skipped_now = 0

    # --- building the queue -------------------------------------------------------------------

    def _drill_plan(self, now: datetime) -> list[str]:
        """A drill's cards beyond those due: the weakest first, then (for topics) unseen ones."""
        if self.options.mode is not Mode.DRILL:
            return []
        now_ms, day_end = to_ms(now), self._day_end(now)
        weakest = sorted(
            (
                r
                for qid, r in self._rows.items()
                if qid not in self._skipped and not is_due(r, now_ms, day_end)
            ),
            key=lambda r: self.scheduling.retrievability(r, now),
        )
        planned = [r.question_id for r in weakest]
        if self.options.topics:
            planned += self._new_cards()
        return planned

    def _day_end(self, now: datetime) -> int:
        """The start of the next study day (ms): a review card due before it is due now."""
        return to_ms(self.days.tomorrow_start(now))

    def _new_cards(self) -> list[str]:
        """Questions never seen and not skipped today, in bank order."""
        return [qid for qid in self._eligible if qid not in self._rows and qid not in self._skipped]

    def new_waiting(self) -> int:
        """Questions never seen that the daily limit holds back until tomorrow."""
        return len(self._new_cards()) if self.new_today_left(self.clock()) == 0 else 0

    def new_today_left(self, now: datetime) -> int:
        """New cards that may still be introduced today under the daily limit. Only a rating
        uses a slot: a new card skipped leaves its slot to the next one."""
        since = to_ms(self.days.today_start(now))
        introduced = len(self.store.new_introduced_since(self.bank.id, since))
        return max(0, self.options.new_per_day - introduced)

    def _in_session(self, qid: str) -> bool:
        """Whether `--limit` (at most so many different cards) lets this card be shown."""
        limit = self.options.limit
        return limit is None or qid in self._seen or len(self._seen) < limit

    def _due(self, now_ms: int, day_end: int) -> tuple[list[CardRow], list[CardRow]]:
        """The cards due now that may be shown: (learning and relearning, reviews)."""
        learning: list[CardRow] = []
        reviews: list[CardRow] = []
        for qid, row in self._rows.items():
            if qid in self._skipped or not is_due(row, now_ms, day_end):
                continue
            if self._in_session(qid):
                (learning if row.state in (LEARNING, RELEARNING) else reviews).append(row)
        return learning, reviews

    def _learning_due(self, until_ms: int) -> list[CardRow]:
        return sorted(
            (
                r
                for qid, r in self._rows.items()
                if r.state in (LEARNING, RELEARNING)
                and r.due <= until_ms
                and qid not in self._skipped
                and self._in_session(qid)
            ),
            key=lambda r: r.due,
        )

    def _ahead_ms(self, now_ms: int) -> int:
        return now_ms + int(self.options.learn_ahead.total_seconds() * 1000)

    # --- what the UI calls --------------------------------------------------------------------

    def next(self) -> Item | None:
        """The card to show now, or None when the session is over: nothing is due (and, in
        practice, no new card is left for today), or `--limit` cards have been shown.

        The queue is chosen afresh from the clock at every card, so cards that fall due while
        the session runs (a learning step, or every review card of a study day that has just
        begun) join it, and a due card always comes before a new one."""
        now = self.clock()
        now_ms = to_ms(now)
        if self._front:
            return self._item(self._front[-1])
        learning, reviews = self._due(now_ms, self._day_end(now))
        if learning:
            return self._item(min(learning, key=lambda r: r.due).question_id)
        if reviews:
            return self._item(max(reviews, key=lambda r: _overdue(r, now_ms)).question_id)
        upcoming = self._upcoming(now, 1)
        if upcoming:
            return self._item(upcoming[0])
        ahead = self._learning_due(self._ahead_ms(now_ms))
        if ahead:
            return self._item(ahead[0].question_id)
        return None

    def _upcoming(self, now: datetime, at_most: int | None = None) -> list[str]:
        """The cards after the due ones: practice's new cards still allowed today, or the rest
        of a drill's plan."""
        if self.options.mode is Mode.PRACTICE:
            left = self.new_today_left(now)
            candidates = [
                q
                for q in self._forward
                if q in self._rows and q not in self._skipped and q not in self._seen
            ]
            candidates += self._new_cards()[:left] if left else []
        else:
            candidates = [qid for qid in self._planned if qid not in self._skipped]
        chosen: list[str] = []
        for qid in candidates:
            if self._in_session(qid) and (not self._seen_limit_reached(chosen)):
                chosen.append(qid)
                if at_most is not None and len(chosen) >= at_most:
                    break
        return chosen

    def _seen_limit_reached(self, chosen: list[str]) -> bool:
        limit = self.options.limit
        return limit is not None and len(self._seen) + len(chosen) >= limit

    def due_left(self) -> int:
        """Cards of this session's topics due now and not skipped, shown or not (for the
        closing screen: a session stopped by `--limit` is not complete)."""
        now = self.clock()
        now_ms, day_end = to_ms(now), self._day_end(now)
        return sum(
            1
            for qid, r in self._rows.items()
            if qid not in self._skipped and is_due(r, now_ms, day_end)
        )

    def _item(self, qid: str) -> Item:
        return Item(self._eligible[qid], self._rows.get(qid))

    def progress(self) -> tuple[int, int]:
        """(position of the current card, cards in the session so far) for a `3/12` header."""
        now = self.clock()
        now_ms = to_ms(now)
        learning, reviews = self._due(now_ms, self._day_end(now))
        pending = set(self._front) | {r.question_id for r in learning + reviews}
        pending |= {r.question_id for r in self._learning_due(self._ahead_ms(now_ms))}
        pending |= set(self._upcoming(now))
        count = len(pending)
        if self.options.limit is not None:  # no more different cards than the limit
            unseen = len(pending - self._seen)
            count += min(unseen, max(0, self.options.limit - len(self._seen))) - unseen
        done = len(self._history)
        return done + 1, done + max(1, count)

    def preview(self, item: Item) -> dict[Rating, timedelta]:
        """The interval each rating would give this card now."""
        return self.scheduling.preview(item.question.id, item.row, self.clock())

    def rate(
        self,
        item: Item,
        rating: Rating,
        duration_ms: int | None = None,
        grading: Grading | None = None,
    ) -> Rated:
        """Schedule the card and commit the rating and the review log in one transaction,
        with what the grader made of the typed answer (None: nothing was typed).

        The card is read again inside the transaction, so that a rating made meanwhile by
        another dlquiz process is built upon, not overwritten.
        """
        qid = item.question.id
        now = self.clock()
        with self.store.transaction():
            before = self.store.card(self.bank.id, qid)
            outcome = self.scheduling.review(self.bank.id, qid, before, rating, now)
            review_id = self.store.log_review(
                before, outcome.row, int(rating), to_ms(now), duration_ms, grading
            )
            self.store.put_card(outcome.row)
        self._rows[qid] = outcome.row
        self._drop(qid)
        self._seen.add(qid)
        rated = Rated(Item(item.question, before), rating, review_id, outcome.row, outcome.interval)
        self._history.append(rated)
        return rated

    def _drop(self, qid: str) -> None:
        if qid in self._front:
            self._front.remove(qid)
        self._planned.pop(qid, None)

    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self) -> Item:
        """Take back the last rating: the card and the log return exactly to their state before,
        and the card is shown again next."""
        if not self._history:
            raise StoreError("nothing to undo in this session")
        rated = self._history[-1]
        try:
            review = self.store.undo(rated.review_id)
        except UndoRefused:
            self._history.pop()  # it can never be undone now: offer the one before it
            raise
        self._history.pop()
        qid = rated.item.question.id
        if review.card_before is None:
            self._rows.pop(qid, None)
        else:
            self._rows[qid] = review.card_before
        if not any(r.item.question.id == qid for r in self._history):
            self._seen.discard(qid)
        self._front.append(qid)
        return self._item(qid)

    def skip(self, item: Item) -> None:
        """Bury the card until the next study day starts."""
        qid = item.question.id
        now = self.clock()
        self.store.bury(self.bank.id, qid, to_ms(self.days.tomorrow_start(now)))
        self._skipped.add(qid)
        self._drop(qid)
        self._skipped_now += 1

    def next_due(self) -> datetime | None:
        """When the next card of this session's topics falls due (new cards: tomorrow)."""
        now = self.clock()
        dues = [
            self.scheduling.due_ms(r) for qid, r in self._rows.items() if qid not in self._skipped
        ]
        candidates = [from_ms(min(dues))] if dues else []
        if self.options.mode is Mode.PRACTICE and self._new_cards():
            new_at = now if self.new_today_left(now) > 0 else self.days.tomorrow_start(now)
            candidates.append(new_at)
        if self._skipped and not candidates:
            candidates.append(self.days.tomorrow_start(now))
        return min(candidates) if candidates else None

    def idle(self) -> Idle | None:
        """None when there is a card to ask now; else why not, and what to suggest."""
        if self.next() is not None:
            return None
        practice = self.options.mode is Mode.PRACTICE
        counts = self.bank.topic_counts()
        return Idle(
            mode=self.options.mode,
            topics=self.options.topics,
            next_due=self.next_due() if practice else None,
            new_waiting=self.new_waiting() if practice else 0,
            new_per_day=self.options.new_per_day,
            suggest_topic=next((t for t, n in counts.items() if n), None),
        )

    def summary(self) -> Summary:
        counts = Counter(r.rating for r in self._history)
        return Summary(
            ratings={r: counts.get(r, 0) for r in Rating},
            cards=len(self._seen),
            skipped=self._skipped_now,
            seconds=(self.clock() - self.started).total_seconds(),
            next_due=self.next_due(),
        )


def interview_cards(
    store: Store,
    bank: Bank,
    scheduling: Scheduling,
    days: StudyDays,
    now: datetime,
    options: Options,
) -> tuple[str, ...]:
    """The cards the interview plan brings forward in today's practice; none without a date
    or once the interview has begun. The plan covers the whole bank: a session narrowed to
    topics takes the part of today's share in those topics."""
    plan = plan_from_store(store, bank, scheduling, days, now, options.new_per_day)
    return plan.today_cards if plan is not None else ()


def set_suspended(
    store: Store, bank_id: str, question_id: str, suspend: bool, now: datetime
) -> str:
    """`dlquiz suspend` / `unsuspend`: set a card aside (practice and review never show it, its
    progress is kept) or bring it back; what happened, for the person."""
    qid = question_id
    if not suspend:
        back = store.unsuspend(bank_id, qid)
        return f"{qid} is back in practice and review." if back else f"{qid} is not suspended."
    done = store.suspend(bank_id, qid, to_ms(now))
    said = (
        "Suspended {}: practice and review will not show it."
        if done
        else "{} is already suspended."
    )
    return said.format(qid) + f"\nTo bring it back: dlquiz unsuspend {qid}"


def _overdue(row: CardRow, now_ms: int) -> float:
    """How late a review is, relative to the interval it was given (0.5 = half an interval)."""
    interval = max(row.due - (row.last_review or row.due), 86_400_000)
    return (now_ms - row.due) / interval
