"""`dlquiz stats` over a big store: 1,000,000 reviews of 10,000 questions, as real processes.

    python benchmarks/stats_bench.py             # build the store once, then time
    python benchmarks/stats_bench.py --rebuild   # build it again (its "today" is the build's)

Target (issue #5): `dlquiz stats` and `dlquiz stats --json` each complete in under 1 s (the
median of several runs, after a first run that fills the bank cache: parsing 10,000 questions
of YAML is a one-off cost). Also shown, for comparison: the import floor of any Typer + Rich +
PyYAML + SQLite program, and `--topic` (a twelfth of the questions), which has no target.
Exits 1 if the target is missed.

The store and bank are made by make_store.py in benchmarks/out/stats (git-ignored).
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import dlquiz as dlquiz_package
from common import OUT, env_for, report, time_process
from make_store import build

LIMIT = 1.0
QUESTIONS, REVIEWS = 10_000, 1_000_000


def dlquiz() -> list[str]:
    """The console script, as people run it (`python -m dlquiz` if it is not installed)."""
    script = Path(sys.executable).with_name("dlquiz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dlquiz"]


def prepare(out: Path, rebuild: bool) -> None:
    marker = out / "built.json"
    wanted = {"questions": QUESTIONS, "reviews": REVIEWS}
    if not rebuild and marker.exists():
        built = json.loads(marker.read_text())
        if {k: built.get(k) for k in wanted} == wanted:
            print(f"store: {REVIEWS:,} reviews of {QUESTIONS:,} questions, built {built['at']}")
            return
    made = build(out, questions=QUESTIONS, reviews=REVIEWS, years=3.0, seed=5, now=now())
    size = made.store.stat().st_size / 1e6
    print(
        f"store: {made.reviews:,} reviews of {made.questions:,} questions ({size:,.0f} MB), "
        f"built in {made.seconds:.1f} s"
    )
    marker.write_text(json.dumps({**wanted, "at": now().isoformat(timespec="seconds")}))


def now() -> datetime:
    return datetime.now(UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time dlquiz stats over a big store.")
    parser.add_argument("--rebuild", action="store_true", help="build the store again")
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each command")
    args = parser.parse_args(argv)
    out = OUT / "stats"
    prepare(out, args.rebuild)
    # as pip leaves an installed package: compiled, so that no run pays for compiling a module
    # (PYTHONDONTWRITEBYTECODE, common in containers, would otherwise make every run pay)
    compileall.compile_dir(Path(dlquiz_package.__file__).parent, quiet=1)
    env = env_for(out)
    bank = ["--bank", str(out / "bank.yaml")]
    commands = {
        "floor: import typer, rich.console, yaml, sqlite3": [
            sys.executable,
            "-c",
            "import typer, rich.console, yaml, sqlite3",
        ],
        "dlquiz stats": [*dlquiz(), *bank, "stats"],
        "dlquiz stats --json": [*dlquiz(), *bank, "stats", "--json"],
        "dlquiz stats --topic cnn (no target)": [*dlquiz(), *bank, "stats", "--topic", "cnn"],
    }
    started = time.perf_counter()
    time_process(commands["dlquiz stats"], env)  # parses the bank once and caches it
    print(
        f"first run (parses the YAML bank, fills the cache): {time.perf_counter() - started:.2f} s"
    )
    for argv in commands.values():
        time_process(argv, env)  # warm the OS's file cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):  # alternate, so that a busy machine slows all alike
        for name, argv in commands.items():
            times[name].append(time_process(argv, env))
    ok = True
    for name, seconds in times.items():
        limit = LIMIT if name in ("dlquiz stats", "dlquiz stats --json") else None
        ok &= report(name, seconds, limit)
    floor = statistics.median(times["floor: import typer, rich.console, yaml, sqlite3"])
    for name in ("dlquiz stats", "dlquiz stats --json"):
        print(f"{name + ' / floor':<44} {statistics.median(times[name]) / floor:8.2f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
