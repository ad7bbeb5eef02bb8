"""Spaced repetition on py-fsrs (FSRS-6): what a rating does to a card, and what it would do.

dlquiz does not implement any scheduling itself. This module converts between the store's
`CardRow` (plain numbers, milliseconds) and `fsrs.Card`, and wraps `fsrs.Scheduler` with the
two things the package has no API for: a preview of the interval each rating would give, and
the bookkeeping (repetitions, lapses) that statistics need.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from fsrs import Card, Rating, Scheduler, State

from dlquiz.clock import as_utc, from_ms, to_ms
from dlquiz.model import CardRow

__all__ = ["Outcome", "Rating", "Scheduling", "State"]


class Outcome(NamedTuple):
    """A card after a rating: its new row, and when it is next due."""

    row: CardRow
    interval: timedelta


class Scheduling:
    """FSRS with dlquiz's settings: desired retention, fuzzing, and Anki's learning steps.

    Fuzzing (a small random spread of long intervals, so that cards learned together do not
    stay together) is on in use and off in tests. As in Anki, the fuzz is seeded by the card
    and its number of reviews, so the interval previewed beside a rating is exactly the one
    that rating then gives.

    `parameters` are FSRS's 21 model weights; None means py-fsrs's defaults. `dlquiz optimize`
    fits them to the learner's own log, and every command then schedules and predicts with
    the kept ones. Parameters outside FSRS's bounds raise ValueError.
    """

    def __init__(
        self,
        desired_retention: float = 0.9,
        fuzz: bool = True,
        parameters: Sequence[float] | None = None,
    ) -> None:
        self.desired_retention = desired_retention
        if parameters is None:
            self.fsrs = Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)
        else:
            self.fsrs = Scheduler(
                parameters=tuple(parameters),
                desired_retention=desired_retention,
                enable_fuzzing=fuzz,
            )
        self._probe = Card(card_id=0, state=State.Review, stability=1.0, due=from_ms(0))

    def _review_card(
        self, question_id: str, reps: int, card: Card, rating: Rating, now: datetime
    ) -> Card:
        """`fsrs.Scheduler.review_card` with the fuzz drawn from a per-card, per-review seed.

        py-fsrs draws its fuzz from the `random` module; its state is saved and restored
        around the call, so nothing else that uses `random` is affected.
        """
        saved = random.getstate()
        random.seed(zlib.crc32(f"{question_id}:{reps}".encode()))
        try:
            return self.fsrs.review_card(card, rating, now)[0]
        finally:
            random.setstate(saved)

    def review(
        self, bank_id: str, question_id: str, row: CardRow | None, rating: Rating, now: datetime
    ) -> Outcome:
        """Apply `rating` at `now` to a card (None: a question never seen)."""
        now = as_utc(now)
        card = self.to_card(row, now)
        reps = row.reps if row else 0
        after = self._review_card(question_id, reps, card, rating, now)
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
            due=to_ms(after.due),
            last_review=to_ms(now),
            reps=reps + 1,
            lapses=lapses,
            introduced=row.introduced if row else to_ms(now),
        )
        return Outcome(new_row, after.due - now)

    def preview(
        self, question_id: str, row: CardRow | None, now: datetime
    ) -> dict[Rating, timedelta]:
        """The interval each rating would give now, without changing anything."""
        now = as_utc(now)
        card = self.to_card(row, now)
        reps = row.reps if row else 0
        return {r: self._review_card(question_id, reps, card, r, now).due - now for r in Rating}

    def retrievability(self, row: CardRow | None, now: datetime) -> float:
        """Probability of recalling the card now (0 for a card never reviewed).

        Asked for every card when a drill or the statistics start, so it reuses one
        `fsrs.Card`: py-fsrs's forgetting curve needs only its stability and last review.
        """
        if row is None or row.last_review is None or row.stability is None:
            return 0.0
        probe = self._probe
        probe.stability = row.stability
        probe.last_review = from_ms(row.last_review)
        return float(self.fsrs.get_card_retrievability(probe, as_utc(now)))

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
