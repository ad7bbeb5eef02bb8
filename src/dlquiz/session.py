"""A study session: which card comes next, and what a rating, a skip or an undo does.

Nothing here knows about the terminal; the UI asks `next()`, shows the card, and calls `rate()`.

Order of a practice session (`dlquiz practice`), as in Anki:
1. cards in (re)learning that are due, earliest first (including those that fall due while the
   session runs);
2. review cards that are due, the most overdue relative to their interval first;
3. new cards in bank order, up to the daily limit (counting new cards already seen today);
4. when nothing else is left, learning cards due within the next 20 minutes, shown early.

A drill (`dlquiz review`) ignores due dates: due cards first, then the weakest (lowest recall
probability now), then questions never seen (only when topics are given).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from dlquiz.bank import Bank
from dlquiz.clock import Clock, StudyDays, from_ms, to_ms
from dlquiz.model import LEARNING, RELEARNING, CardRow, Grading, Question, state_name
from dlquiz.scheduler import Rating, Scheduling
from dlquiz.store import Store, StoreError

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


@dataclass
class Session:
    """One sitting of practice or drill over a bank, backed by a store."""

    bank: Bank
    store: Store
    scheduling: Scheduling
    days: StudyDays
    clock: Clock
    options: Options = field(default_factory=Options)

    def __post_init__(self) -> None:
        self.started = self.clock()
        self._eligible = {q.id: q for q in self.bank.with_topics(self.options.topics)}
        self._rows = {
            qid: row for qid, row in self.store.cards(self.bank.id).items() if qid in self._eligible
        }
        self._skipped = self.store.buried(self.bank.id, to_ms(self.started))
        # an ordered set: the cards still to show, in order
        self._planned: dict[str, None] = dict.fromkeys(self._plan(self.started))
        self._front: list[str] = []  # cards put back by undo, shown before anything else
        self._history: list[Rated] = []
        self._seen: set[str] = set()
        self._skipped_now = 0

    # --- building the queue -------------------------------------------------------------------

    def _plan(self, now: datetime) -> list[str]:
        now_ms = to_ms(now)
        rows = [r for qid, r in self._rows.items() if qid not in self._skipped]
        learning = sorted(
            (r for r in rows if r.state in (LEARNING, RELEARNING) and r.due <= now_ms),
            key=lambda r: r.due,
        )
        reviews = sorted(
            (r for r in rows if r.state not in (LEARNING, RELEARNING) and r.due <= now_ms),
            key=lambda r: -_overdue(r, now_ms),
        )
        planned = [r.question_id for r in learning] + [r.question_id for r in reviews]
        if self.options.mode is Mode.PRACTICE:
            planned += self._new_cards(now)[: self.new_today_left(now)]
        else:
            due = set(planned)
            weakest = sorted(
                (r for r in rows if r.question_id not in due),
                key=lambda r: self.scheduling.retrievability(r, now),
            )
            planned += [r.question_id for r in weakest]
            if self.options.topics:
                planned += self._new_cards(now)
        if self.options.limit is not None:
            planned = planned[: self.options.limit]
        return planned

    def _new_cards(self, now: datetime) -> list[str]:
        return [qid for qid in self._eligible if qid not in self._rows and qid not in self._skipped]

    def new_waiting(self) -> int:
        """Questions never seen that the daily limit holds back until tomorrow."""
        now = self.clock()
        return len(self._new_cards(now)) if self.new_today_left(now) == 0 else 0

    def new_today_left(self, now: datetime) -> int:
        """New cards that may still be introduced today under the daily limit."""
        since = to_ms(self.days.today_start(now))
        introduced = len(self.store.new_introduced_since(self.bank.id, since))
        return max(0, self.options.new_per_day - introduced)

    def _in_session(self, qid: str) -> bool:
        limit = self.options.limit
        if limit is None or qid in self._seen or qid in self._planned:
            return True
        return len(self._seen) + len(self._planned) < limit  # rated cards leave _planned

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

    # --- what the UI calls --------------------------------------------------------------------

    def next(self) -> Item | None:
        """The card to show now, or None when the session is over."""
        now_ms = to_ms(self.clock())
        if self._front:
            return self._item(self._front[-1])
        due = self._learning_due(now_ms)
        if due:
            return self._item(due[0].question_id)
        if self._planned:
            return self._item(next(iter(self._planned)))
        ahead = self._learning_due(now_ms + int(self.options.learn_ahead.total_seconds() * 1000))
        if ahead:
            return self._item(ahead[0].question_id)
        return None

    def _item(self, qid: str) -> Item:
        return Item(self._eligible[qid], self._rows.get(qid))

    def progress(self) -> tuple[int, int]:
        """(position of the current card, cards in the session so far) for a `3/12` header."""
        now_ms = to_ms(self.clock())
        ahead = now_ms + int(self.options.learn_ahead.total_seconds() * 1000)
        pending = set(self._planned) | set(self._front)
        pending |= {r.question_id for r in self._learning_due(ahead)}
        done = len(self._history)
        return done + 1, done + len(pending)

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
        review = self.store.undo(rated.review_id)
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
        dues = [r.due for qid, r in self._rows.items() if qid not in self._skipped]
        candidates = [from_ms(min(dues))] if dues else []
        if self.options.mode is Mode.PRACTICE and self._new_cards(now):
            new_at = now if self.new_today_left(now) > 0 else self.days.tomorrow_start(now)
            candidates.append(new_at)
        if self._skipped and not candidates:
            candidates.append(self.days.tomorrow_start(now))
        return min(candidates) if candidates else None

    def summary(self) -> Summary:
        counts = Counter(r.rating for r in self._history)
        return Summary(
            ratings={r: counts.get(r, 0) for r in Rating},
            cards=len(self._seen),
            skipped=self._skipped_now,
            seconds=(self.clock() - self.started).total_seconds(),
            next_due=self.next_due(),
        )


def _overdue(row: CardRow, now_ms: int) -> float:
    """How late a review is, relative to the interval it was given (0.5 = half an interval)."""
    interval = max(row.due - (row.last_review or row.due), 86_400_000)
    return (now_ms - row.due) / interval
