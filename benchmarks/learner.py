"""A seeded simulated learner who practises every day with the real Session, on a fake clock.

Its memory follows FSRS with parameters of its own (`LEARNER_PARAMETERS`), not FSRS's defaults:
it forgets a first answer much faster, gains less from each success, and its forgetting curve
has another shape. Each answer is drawn from its own recall probability at that moment (seeded:
the same seed gives the same log), so its log is what a real person's looks like to dlquiz,
with a memory that the default parameters misjudge: the case `dlquiz optimize` is for.

    python benchmarks/learner.py --days 120 --out /tmp/sim   # a store to try commands on
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from dlquiz.bank import Bank, default_bank_path, load_bank
from dlquiz.clock import StudyDays
from dlquiz.scheduler import Scheduling
from dlquiz.session import Options, Session
from dlquiz.store import Store

FIRST_DAY = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)  # a Monday evening
ANSWER_SECONDS = 20

# FSRS's defaults with a different learner: first stabilities a third of the defaults' or
# less, a smaller gain from each success (w8), a flatter forgetting curve (decay w20).
LEARNER_PARAMETERS: tuple[float, ...] = (
    0.08,
    0.4,
    0.8,
    2.5,
    *DEFAULT_PARAMETERS[4:8],
    1.2,
    *DEFAULT_PARAMETERS[9:20],
    0.45,
)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class Learner:
    """Remembers each card as FSRS with `parameters` says; answers from that recall."""

    def __init__(self, seed: int, parameters: Sequence[float] = LEARNER_PARAMETERS) -> None:
        self.rng = random.Random(seed)
        self.memory = Scheduler(parameters=tuple(parameters), enable_fuzzing=False)
        self.cards: dict[str, Card] = {}

    def recall(self, question_id: str, now: datetime) -> float:
        """The probability that the learner recalls the answer now (0 for a question unseen)."""
        card = self.cards.get(question_id)
        return 0.0 if card is None else float(self.memory.get_card_retrievability(card, now))

    def answer(self, question_id: str, now: datetime) -> Rating:
        """Try to recall, rate honestly, and remember the review."""
        card = self.cards.get(question_id)
        if card is None:  # a first sight: how well the answer was guessed
            rating = self.rng.choices(list(Rating), weights=(30, 20, 45, 5))[0]
            card = Card()
        elif self.rng.random() < self.recall(question_id, now):
            rating = self.rng.choices((Rating.Hard, Rating.Good, Rating.Easy), (15, 75, 10))[0]
        else:
            rating = Rating.Again
        self.cards[question_id] = self.memory.review_card(card, rating, now)[0]
        return rating


class Log(NamedTuple):
    reviews: int
    days: int


def big_bank(bank: Bank, copies: int) -> Bank:
    """`bank` with each question repeated `copies` times (new ids), for longer logs."""
    if copies == 1:
        return bank
    questions = tuple(
        q._replace(id=f"{q.id}-{k}", number=f"{q.number}.{k}")
        for k in range(copies)
        for q in bank.questions
    )
    return bank.replace_questions(questions)


def practise(
    store: Store,
    bank: Bank,
    days: int,
    *,
    seed: int = 1,
    new_per_day: int = 10,
    scheduling: Scheduling | None = None,
    start: datetime = FIRST_DAY,
    max_reviews: int | None = None,
) -> Log:
    """`days` days of daily practice by a seeded Learner, through the real Session: every
    card due, new ones up to the daily limit, learning steps within the same sitting. With
    `max_reviews`, it stops there (mid-session if need be)."""
    learner = Learner(seed)
    clock = FakeClock(start)
    study_days = StudyDays(UTC, 4)
    scheduling = scheduling if scheduling is not None else Scheduling(0.9, days=study_days)
    reviews = 0
    for day in range(days):
        clock.now = start + timedelta(days=day, minutes=learner.rng.randrange(0, 180))
        session = Session(
            bank=bank,
            store=store,
            scheduling=scheduling,
            days=study_days,
            clock=clock,
            options=Options(new_per_day=new_per_day),
        )
        while (item := session.next()) is not None:
            if max_reviews is not None and reviews >= max_reviews:
                return Log(reviews, day + 1)
            rating = learner.answer(item.question.id, clock.now)
            session.rate(item, rating, ANSWER_SECONDS * 1000)
            reviews += 1
            clock.now += timedelta(seconds=ANSWER_SECONDS)
    return Log(reviews, days)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--copies", type=int, default=1, help="repeat the bank's questions")
    parser.add_argument("--new", type=int, default=10, help="new cards per day")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="a dlquiz home to create")
    args = parser.parse_args()
    bank = big_bank(load_bank(default_bank_path()), args.copies)
    args.out.mkdir(parents=True, exist_ok=True)
    with Store.open(args.out / "progress.db") as store:
        log = practise(store, bank, args.days, seed=args.seed, new_per_day=args.new)
    print(f"{log.reviews:,} reviews over {log.days} days in {args.out / 'progress.db'}")


if __name__ == "__main__":
    main()
