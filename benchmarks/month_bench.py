"""A month of simulated use, twice: what a learner relies on must hold every time.

    python benchmarks/month_bench.py [--days 30] [--seed 1]

Two runs of benchmarks/simulation.py on fresh stores: one in UTC, one in America/New_York
across the end of daylight saving time (1 November 2026). Prints what each month did and the
count of each failure; exits 1 if any is not 0 (issue #11): a session "complete" while a card
is due, a review slipped to a later study day although the learner finished a practice session
on its day, a new card shown while a due card waited, a fuzzed interval outside its range, a
card whose state, stability or difficulty differs from a py-fsrs replay of its log.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date
from pathlib import Path
from zoneinfo import ZoneInfo

from dlquiz.bank import default_bank_path, load_bank
from simulation import simulate

FIRST_DAY = date(2026, 10, 20)  # 30 days from here cross the end of DST in New York (Nov 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--problems", type=int, default=10, help="failures to list per run")
    args = parser.parse_args()
    bank = load_bank(default_bank_path())
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, zone in enumerate((UTC, ZoneInfo("America/New_York"))):
            started = time.perf_counter()
            figures = simulate(
                bank, Path(tmp) / f"month-{n}.db", zone, FIRST_DAY, args.days, args.seed + n
            )
            for line in figures.lines():
                print(line)
            for problem in figures.problems[: args.problems]:
                print(f"    {problem}")
            print(f"  ({time.perf_counter() - started:.1f} s)")
            failures += figures.violations
    print("ok" if failures == 0 else f"FAILED: {failures} violations")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
