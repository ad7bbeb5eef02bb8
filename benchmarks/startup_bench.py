"""Start-up time of everyday commands, against the import floor, measured in one run.

    python benchmarks/startup_bench.py

The floor is `python -c "import typer, rich.console, yaml, sqlite3"`: what any Typer + Rich +
PyYAML + SQLite program pays before doing anything. Target (issue #5): `dlquiz stats` on a
normal store within 1.3x of the floor. Runs alternate between the commands so that a busy
machine slows them alike; the median of each is compared. Exits 1 if the target is missed.

Also shown, for the record of why typer is pinned below 0.29 (see pyproject.toml): an empty
Typer app, which on typer 0.29 imports pydantic and takes about 2.5x longer.
"""

from __future__ import annotations

import compileall
import statistics
import sys
import tempfile
from pathlib import Path

import dlquiz as dlquiz_package
from common import env_for, report, time_process

RUNS = 21
EMPTY_APP = """
import typer
app = typer.Typer()
@app.command()
def main() -> None:
    pass
app()
"""


def installed_dlquiz() -> list[str]:
    """The console script, as people run it (not `python -m`, which adds runpy)."""
    script = Path(sys.executable).with_name("dlquiz")
    if not script.exists():
        raise SystemExit(f"no dlquiz script beside {sys.executable}: pip install the project")
    return [str(script)]


def normal_home(home: Path) -> None:
    """A store with some days of history: 50 questions, a few hundred reviews."""
    from datetime import UTC, datetime, timedelta

    from dlquiz.bank import default_bank_path, load_bank
    from dlquiz.clock import StudyDays
    from dlquiz.scheduler import Rating, Scheduling
    from dlquiz.session import Options, Session
    from dlquiz.store import Store

    bank = load_bank(default_bank_path())
    now = [datetime.now(UTC) - timedelta(days=60)]
    with Store.open(home / "progress.db") as store:
        for day in range(60):
            now[0] = datetime.now(UTC) - timedelta(days=60 - day)
            session = Session(
                bank,
                store,
                Scheduling(),
                StudyDays(None, 4),
                lambda: now[0],
                Options(new_per_day=5),
            )
            for i in range(15):
                item = session.next()
                if item is None:
                    break
                session.rate(item, (Rating.Good, Rating.Again, Rating.Easy)[i % 3], 4000)
                now[0] += timedelta(minutes=2)


def main() -> int:
    # as `pip install` does: this machine may set PYTHONDONTWRITEBYTECODE, and an edited module
    # would otherwise be compiled again at every start
    compileall.compile_dir(Path(dlquiz_package.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        normal_home(home)
        env = env_for(home)
        dlquiz = installed_dlquiz()
        empty = home / "empty_app.py"
        empty.write_text(EMPTY_APP)
        commands = {
            "floor: import typer, rich.console, yaml, sqlite3": [
                sys.executable,
                "-c",
                "import typer, rich.console, yaml, sqlite3",
            ],
            "empty Typer app": [sys.executable, str(empty)],
            "dlquiz --version": [*dlquiz, "--version"],
            "dlquiz stats": [*dlquiz, "stats"],
            "dlquiz stats --json": [*dlquiz, "stats", "--json"],
            "dlquiz topics": [*dlquiz, "topics"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():
            time_process(argv, env)  # warm the OS caches and dlquiz's bank cache
        for _ in range(RUNS):
            for name, argv in commands.items():
                times[name].append(time_process(argv, env))
    for name, seconds in times.items():
        report(name, seconds)
    floor = statistics.median(times["floor: import typer, rich.console, yaml, sqlite3"])
    ok = True
    for name in ("dlquiz stats", "dlquiz stats --json"):
        ratio = statistics.median(times[name]) / floor
        fine = ratio <= 1.3
        ok &= fine
        print(
            f"{name + ' / floor':<44} {ratio:8.2f}x  (target 1.3x: {'ok' if fine else 'TOO SLOW'})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
