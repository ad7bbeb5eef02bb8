"""Spaced repetition on py-fsrs (FSRS-6): what a rating does to a card, and what it would do.

dlquiz does not implement any scheduling itself. This module converts between the store's
`CardRow` (plain numbers, milliseconds) and `fsrs.Card`, and wraps `fsrs.Scheduler` with what
the package leaves to its caller:

- *Study days.* py-fsrs gives a card in the review state an interval of whole days counted from
  the minute of the review. dlquiz counts those days in study days, as Anki does: the card is
  due from the start (the rollover hour, local time) of the study day that many days after the
  one it was reviewed on. Learning and relearning steps stay by the minute.
- *Fuzz inside its range.* py-fsrs 6.3.2 draws its fuzz from `[min_ivl, max_ivl + 1)` and
  rounds, so one draw in `2 * (max_ivl - min_ivl + 1)` lands a day past its own maximum. dlquiz
  asks py-fsrs for the interval unfuzzed and draws the fuzz itself, uniformly over py-fsrs's
  documented range `[min_ivl, max_ivl]` (Anki's rule), seeded by the card and its number of
  reviews so that the interval previewed beside a rating is the one that rating gives.
- *Recall in fractional days.* `fsrs.Scheduler.get_card_retrievability` counts whole days, so
  any card reviewed in the last 24 hours reads 100%. `retrievability` uses the same FSRS-6
  forgetting curve and parameters with the time elapsed in fractional days.

Stability, difficulty and state are py-fsrs's own: replaying the review log through
`fsrs.Scheduler.review_card` gives exactly the stored values.
"""

from __future__ import annotations

import math
import random
import zlib
from datetime import datetime, timedelta
from typing import NamedTuple

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import FUZZ_RANGES

from dlquiz.clock import StudyDays, as_utc, from_ms, to_ms
from dlquiz.model import LEARNING, RELEARNING, REVIEW, CardRow

__all__ = ["Outcome", "Rating", "Scheduling", "State", "is_due"]

DAY_MS = 86_400_000


class Outcome(NamedTuple):
    """A card after a rating: its new row, and its interval (whole study days for a card in
    the review state, minutes for a learning step)."""

    row: CardRow
    interval: timedelta


class Scheduling:
    """FSRS with dlquiz's settings: desired retention, fuzzing, Anki's learning steps, and the
    study days (time zone and rollover hour) that review intervals count.

    Fuzzing (a small random spread of long intervals, so that cards learned together do not
    stay together) is on in use and off in tests. `days` defaults to the system's local time
    with the day starting at 4 am.
    """

    def __init__(
        self, desired_retention: float = 0.9, fuzz: bool = True, days: StudyDays | None = None
    ) -> None:
        self.desired_retention = desired_retention
        self.fuzz = fuzz
        self.days = days if days is not None else StudyDays()
        self.fsrs = Scheduler(desired_retention=desired_retention, enable_fuzzing=False)
        # The FSRS-6 forgetting curve, R(t) = (1 + FACTOR * t / S) ** DECAY, with py-fsrs's
        # own definitions of DECAY and FACTOR from the scheduler's parameters.
        self.decay = -float(self.fsrs.parameters[20])
        self.factor = 0.9 ** (1 / self.decay) - 1

    # --- what a rating does -------------------------------------------------------------------

    def review(
        self, bank_id: str, question_id: str, row: CardRow | None, rating: Rating, now: datetime
    ) -> Outcome:
        """Apply `rating` at `now` to a card (None: a question never seen)."""
        now = as_utc(now)
        card = self.to_card(row, now)
        reps = row.reps if row else 0
        after, due, interval = self._schedule(question_id, reps, card, rating, now)
        lapses = (row.lapses if row else 0) + (
            1 if card.state == State.Review and rating == Rating.Again else 0
        )
        new_row = CardRow(
            bank_id=bank_id,
            question_id=question_id,
            card_id=card.card_id,
            state=int(after.state),
            step=after.step,
            stability=after.stability,
            difficulty=after.difficulty,
            due=to_ms(due),
            last_review=to_ms(now),
            reps=reps + 1,
            lapses=lapses,
            introduced=row.introduced if row else to_ms(now),
        )
        return Outcome(new_row, interval)

    def preview(
        self, question_id: str, row: CardRow | None, now: datetime
    ) -> dict[Rating, timedelta]:
        """The interval each rating would give now, without changing anything."""
        now = as_utc(now)
        card = self.to_card(row, now)
        reps = row.reps if row else 0
        return {r: self._schedule(question_id, reps, card, r, now)[2] for r in Rating}

    def _schedule(
        self, question_id: str, reps: int, card: Card, rating: Rating, now: datetime
    ) -> tuple[Card, datetime, timedelta]:
        """py-fsrs's card after the rating, when it falls due, and the interval to show."""
        after = self.fsrs.review_card(card, rating, now)[0]
        if after.state != State.Review:
            return after, after.due, after.due - now  # a learning step: by the minute
        interval_days = (after.due - now).days  # py-fsrs's interval, whole days, unfuzzed
        if self.fuzz:
            interval_days = self.fuzzed(interval_days, f"{question_id}:{reps}")
        due_day = self.days.day_of(now) + timedelta(days=interval_days)
        return after, self.days.start(due_day), timedelta(days=interval_days)

    # --- fuzz ---------------------------------------------------------------------------------

    def fuzz_range(self, interval_days: int) -> tuple[int, int]:
        """The range py-fsrs documents for a fuzzed interval (its `_get_fuzz_range`, with its
        `FUZZ_RANGES`): intervals under 2.5 days are not fuzzed."""
        if interval_days < 2.5:
            return interval_days, interval_days
        delta = 1.0
        for part in FUZZ_RANGES:
            delta += part["factor"] * max(min(float(interval_days), part["end"]) - part["start"], 0)
        low = max(2, round(interval_days - delta))
        high = min(round(interval_days + delta), self.fsrs.maximum_interval)
        return min(low, high), high

    def fuzzed(self, interval_days: int, seed: str) -> int:
        """An interval drawn uniformly from `fuzz_range(interval_days)`, the same every time
        for the same `seed` (the card and its number of reviews)."""
        low, high = self.fuzz_range(interval_days)
        draw = random.Random(zlib.crc32(seed.encode())).random()  # in [0, 1)
        return min(low + math.floor(draw * (high - low + 1)), high)

    # --- when a card is due, and how well it is remembered ------------------------------------

    def due_ms(self, row: CardRow) -> int:
        """When a stored card falls due (ms): a card in the review state from the start of its
        due study day, a learning step at its minute. Cards stored before due dates were study
        days, and cards after a change of time zone or rollover hour, are due from the start of
        the study day their stored due instant falls in."""
        if row.state != REVIEW:
            return row.due
        return to_ms(self.days.start(self.days.day_of(from_ms(row.due))))

    def retrievability(self, row: CardRow | None, now: datetime) -> float:
        """Probability of recalling the card now (0 for a card never reviewed): the FSRS-6
        forgetting curve with the time since the last review in fractional days."""
        if row is None or row.last_review is None or row.stability is None:
            return 0.0
        elapsed = max(0.0, (to_ms(now) - row.last_review) / DAY_MS)
        return float((1 + self.factor * elapsed / row.stability) ** self.decay)

    @staticmethod
    def to_card(row: CardRow | None, now: datetime) -> Card:
        if row is None:
            return Card(card_id=to_ms(now), state=State.Learning, step=0, due=as_utc(now))
        return Card(
            card_id=row.card_id,
            state=State(row.state),
            step=row.step,
            stability=row.stability,
            difficulty=row.difficulty,
            due=from_ms(row.due),
            last_review=from_ms(row.last_review) if row.last_review is not None else None,
        )


def is_due(row: CardRow, now_ms: int, day_end_ms: int) -> bool:
    """Whether a stored card is due now. A learning or relearning step is due at its minute; a
    card in the review state from the start of the study day its due instant falls in, that is
    at any time before the next study day begins (`day_end_ms`: `StudyDays.tomorrow_start`).
    The same rule as `Scheduling.due_ms`, without converting each card's time."""
    if row.state in (LEARNING, RELEARNING):
        return row.due <= now_ms
    return row.due < day_end_ms
