"""Start-up time of everyday commands, against the import floor, measured in one run.

    python benchmarks/startup_bench.py

The floor is `python -c "import typer, rich.console, yaml, sqlite3"`: what any Typer + Rich +
PyYAML + SQLite program pays before doing anything. Target (issue #5): `dlquiz stats` on a
normal store within 1.3x of the floor. Runs alternate between the commands so that a busy
machine slows them alike; the median of each is compared. Exits 1 if the target is missed.

The store is where a person's is by default (platformdirs' user data directory, here under a
temporary XDG_DATA_HOME), not under DLQUIZ_HOME, so that locating it is paid as users pay it.
Where valgrind is installed, each command's instruction count is reported too: unlike the
wall clock it does not move with the machine's load, so it shows a regression reliably.

Also shown, for the record of why typer is pinned below 0.29 (see pyproject.toml): an empty
Typer app, which on typer 0.29 imports pydantic and takes about 2.5x longer.
"""

from __future__ import annotations

import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import dlquiz as dlquiz_package
from common import report, time_process

RUNS = 21
FLOOR = "floor: import typer, rich.console, yaml, sqlite3"
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
    """A store with some days of history: 50 questions, a few hundred reviews, three in four
    with a typed answer's grading."""
    from datetime import UTC, datetime, timedelta

    from dlquiz.bank import default_bank_path, load_bank
    from dlquiz.clock import StudyDays
    from dlquiz.model import Grading
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
                covered = tuple(k % 3 != i % 3 for k in range(len(item.question.key_points)))
                typed = None if i % 4 == 0 else Grading(covered, (None, 2, 3)[i % 3])
                session.rate(item, (Rating.Good, Rating.Again, Rating.Easy)[i % 3], 4000, typed)
                now[0] += timedelta(minutes=2)


def main() -> int:
    # as `pip install` does: this machine may set PYTHONDONTWRITEBYTECODE, and an edited module
    # would otherwise be compiled again at every start
    compileall.compile_dir(Path(dlquiz_package.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        env = platform_env(Path(tmp))
        dlquiz = installed_dlquiz()
        home = Path(tmp)
        normal_home(store_dir(dlquiz, env))
        shown = subprocess.run(
            [*dlquiz, "stats", "--json"], env=env, capture_output=True, text=True, check=True
        )
        reviews = json.loads(shown.stdout)["activity"]["total_reviews"]
        if reviews < 100:
            raise SystemExit(f"dlquiz stats does not see its store ({reviews} reviews)")
        empty = home / "empty_app.py"
        empty.write_text(EMPTY_APP)
        commands = {
            FLOOR: [
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
        counts = {name: instructions(argv, env) for name, argv in commands.items()}
    for name, seconds in times.items():
        report(name, seconds)
    floor = statistics.median(times[FLOOR])
    ok = True
    for name in ("dlquiz stats", "dlquiz stats --json"):
        ratio = statistics.median(times[name]) / floor
        fine = ratio <= 1.3
        ok &= fine
        print(
            f"{name + ' / floor':<44} {ratio:8.2f}x  (target 1.3x: {'ok' if fine else 'TOO SLOW'})"
        )
    if all(n is not None for n in counts.values()):
        print("instructions (callgrind; the same on every run, whatever the load):")
        for name, n in counts.items():
            assert n is not None and counts[FLOOR] is not None
            print(f"  {name:<42} {n / 1e6:8.1f} M   {n / counts[FLOOR]:5.2f}x the floor")
    else:
        print("instructions: valgrind not found, not counted")
    return 0 if ok else 1


def platform_env(root: Path) -> dict[str, str]:
    """An environment whose platform directories (XDG) all lie under `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLQUIZ_", "XDG_"))}
    env.update(
        HOME=str(root),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CACHE_HOME=str(root / "cache"),
        XDG_CONFIG_HOME=str(root / "config"),
        NO_COLOR="1",
        COLUMNS="100",
    )
    return env


def store_dir(dlquiz: list[str], env: dict[str, str]) -> Path:
    """The home `dlquiz path` reports in `env`: where the store is by default."""
    printed = subprocess.run([*dlquiz, "path"], env=env, capture_output=True, text=True, check=True)
    home = Path(printed.stdout.split("home:", 1)[1].splitlines()[0].strip())
    home.mkdir(parents=True, exist_ok=True)
    return home


def instructions(argv: list[str], env: dict[str, str]) -> int | None:
    """Instructions one run of `argv` executes, counted by callgrind; None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    run = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    return int(found.group(1)) if found else None


if __name__ == "__main__":
    sys.exit(main())
