"""Study-session speed: one rating (schedule + commit) and building the queue.

    python benchmarks/session_bench.py

Targets (issue #4): one rating under 5 ms median; the queue for a 10,000-question bank with
100,000 logged reviews built in under 200 ms. Exits 1 if either is missed. Each rating carries
the grading of a typed answer, as most do in use, so that the commit writes it too.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import OUT, report
from dlquiz import bankcache
from dlquiz.bank import default_bank_path, load_bank
from dlquiz.clock import StudyDays
from dlquiz.model import Grading
from dlquiz.scheduler import Rating, Scheduling
from dlquiz.session import Mode, Options, Session
from dlquiz.store import Store
from make_store import build


class SteppingClock:
    """Real dates, but each call moves on a minute, so learning cards fall due in turn."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def bench_rating(runs: int = 300) -> bool:
    bank = load_bank(default_bank_path())
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "p.db") as store:
        clock = SteppingClock()

        def new_session() -> Session:
            options = Options(new_per_day=50)
            return Session(bank, store, Scheduling(0.9), StudyDays(None, 4), clock, options)

        session = new_session()
        times = []
        ratings = [Rating.Good, Rating.Again, Rating.Easy, Rating.Hard, Rating.Good]
        for i in range(runs):
            item = session.next()
            if item is None:
                clock.now += timedelta(days=3)
                session = new_session()
                item = session.next()
                assert item is not None
            typed = Grading(tuple(j % 2 == 0 for j in range(len(item.question.key_points))), 2)
            started = time.perf_counter()
            session.rate(item, ratings[i % len(ratings)], 1000, typed)
            times.append(time.perf_counter() - started)
        assert len(list(store.reviews())) == runs
    return report("one rating (FSRS + commit), shipped bank", times, limit=0.005)


def bench_queue(questions: int = 10_000, reviews: int = 100_000, runs: int = 7) -> bool:
    out = OUT / f"q{questions}-r{reviews}"
    built = build(
        out, questions=questions, reviews=reviews, years=1.0, seed=4, now=datetime.now(UTC)
    )
    print(
        f"built {built.questions:,} questions and {built.reviews:,} reviews "
        f"in {built.seconds:.1f} s"
    )
    cache = out / "cache"
    bank = bankcache.load(built.bank, cache)
    ok = True
    with Store.open(built.store) as store:
        for mode, topics in ((Mode.PRACTICE, ()), (Mode.DRILL, ()), (Mode.DRILL, ("cnn",))):
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                session = Session(
                    bank,
                    store,
                    Scheduling(0.9),
                    StudyDays(None, 4),
                    lambda: datetime.now(UTC),
                    Options(mode=mode, topics=topics, new_per_day=20),
                )
                first = session.next()
                times.append(time.perf_counter() - started)
            assert first is not None
            name = f"queue: {mode.value}{' --topic cnn' if topics else ''}, {questions:,} qs"
            ok &= report(name, times, limit=0.200)
        per_rating = []
        for _ in range(50):
            item = session.next()
            assert item is not None
            typed = Grading((True,) * len(item.question.key_points), 3)
            started = time.perf_counter()
            session.rate(item, Rating.Good, None, typed)
            per_rating.append(time.perf_counter() - started)
        ok &= report(f"one rating, {reviews:,}-review store", per_rating, limit=0.005)
    return ok


def main() -> int:
    ok = bench_rating()
    ok &= bench_queue()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
