"""`dlquiz optimize` on a simulated learner's log, as real processes.

    python benchmarks/optimize_bench.py

Targets (issue 12):
- on the simulated learner's log (1,000 or more reviews), `optimize` keeps fitted parameters
  that beat the defaults on the held-out reviews (log loss and RMSE both lower);
- on 20 reviews it refuses, says how many more it needs, and changes nothing;
- on 10,000 reviews or more it takes under 10 s (the whole process, median of 3 runs, each
  starting from the defaults).

The learner (benchmarks/learner.py) practises daily through the real Session on a fake clock,
with a memory that differs from FSRS's defaults; the month simulation's learner
(benchmarks/simulation.py: several sittings a day, drills, days off, its own memory) is fitted
too. Its stores are built in benchmarks/out/optimize
(git-ignored) and rebuilt every run: they take a few seconds. Exits 1 on any miss.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, date
from pathlib import Path

from common import OUT, env_for, report
from dlquiz.bank import default_bank_path, load_bank
from dlquiz.store import Store
from learner import big_bank, practise
from simulation import Month

LIMIT = 10.0
BANK_ID = "dl-interview-50"
RUNS = 3


def dlquiz() -> list[str]:
    """The console script, as people run it (`python -m dlquiz` if it is not installed)."""
    script = Path(sys.executable).with_name("dlquiz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dlquiz"]


def build(home: Path, days: int, copies: int, new: int, max_reviews: int | None = None) -> int:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    bank = big_bank(load_bank(default_bank_path()), copies)
    started = time.perf_counter()
    with Store.open(home / "progress.db") as store:
        log = practise(store, bank, days, new_per_day=new, max_reviews=max_reviews)
    print(
        f"  simulated learner: {log.reviews:,} reviews over {log.days} days of "
        f"{len(bank.questions):,} questions, built in {time.perf_counter() - started:.1f} s"
    )
    return log.reviews


def optimize(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*dlquiz(), "optimize", *args],
        capture_output=True,
        text=True,
        env=env_for(home),
        check=False,
    )


def figures(output: dict[str, object]) -> str:
    def pair(key: str) -> str:
        value = output[key]
        if not isinstance(value, dict):
            return "—"
        return f"log loss {value['log_loss']:.4f}, RMSE {value['rmse']:.4f}"

    return f"defaults: {pair('before')}  ·  fitted: {pair('after')}  ·  kept: {output['kept']}"


def main() -> None:
    ok = True
    root = OUT / "optimize"

    print("1,000+ reviews: the fit must be kept and beat the defaults")
    home = root / "learner"
    reviews = build(home, days=150, copies=3, new=10)
    result = optimize(home, "--json")
    output = json.loads(result.stdout)
    print(f"  {figures(output)}  (held out: {output['held_out']} of {output['targets']})")
    before, after = output["before"], output["after"]
    beats = (
        result.returncode == 0
        and output["kept"] is True
        and after["log_loss"] < before["log_loss"]
        and after["rmse"] < before["rmse"]
    )
    ok &= reviews >= 1000 and beats
    print(f"  {'ok' if beats else 'MISS: not kept, or not better on both figures'}")

    print("the month simulation's learner (simulation.py), 120 days of the 50 questions")
    home = root / "month"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    with Store.open(home / "progress.db") as store:
        Month(load_bank(default_bank_path()), store, UTC, date(2026, 1, 5), length=120).run()
        reviews = store.counts(BANK_ID)[1]
    print(f"  simulated learner: {reviews:,} reviews over 120 days of 50 questions")
    output = json.loads(optimize(home, "--json").stdout)
    print(f"  {figures(output)}  (held out: {output['held_out']} of {output['targets']})")
    month_ok = reviews >= 1000 and output["kept"] is True
    ok &= month_ok
    print(f"  {'ok' if month_ok else 'MISS: not kept'}")

    print("20 reviews: a clear refusal, nothing changed")
    home = root / "twenty"
    build(home, days=5, copies=1, new=4, max_reviews=20)
    result = optimize(home)
    print(f"  exit status {result.returncode}: {result.stderr.strip()}")
    with Store.open(home / "progress.db") as store:
        unchanged = store.query("SELECT count(*) FROM parameters")[0][0] == 0
    refused = result.returncode == 1 and "more" in result.stderr and unchanged
    ok &= refused
    print(f"  {'ok' if refused else 'MISS'}")

    print(f"10,000+ reviews: under {LIMIT:.0f} s")
    home = root / "big"
    reviews = build(home, days=240, copies=12, new=25)
    ok &= reviews >= 10_000
    seconds = []
    for _ in range(RUNS):
        optimize(home, "--reset")  # each run fits from the defaults
        started = time.perf_counter()
        result = optimize(home, "--json")
        seconds.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"dlquiz optimize failed:\n{result.stderr}")
    print(f"  {figures(json.loads(result.stdout))}")
    ok &= report(f"dlquiz optimize, {reviews:,} reviews", seconds, LIMIT)

    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
