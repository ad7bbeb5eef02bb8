"""Helpers shared by the benchmarks: timing real processes, and reporting figures."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"  # git-ignored


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLQUIZ_")}
    env.update({"DLQUIZ_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100"}, **extra)
    return env


def time_process(argv: Sequence[str], env: dict[str, str], stdin: str = "") -> float:
    """Wall-clock seconds for one run of a process; it must succeed."""
    started = time.perf_counter()
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result.stderr}")
    return elapsed


def dlquiz(*args: str) -> list[str]:
    return [sys.executable, "-m", "dlquiz", *args]


def report(name: str, seconds: list[float], limit: float | None = None) -> bool:
    """Print median and spread in ms; True when the median is within `limit` seconds."""
    med = statistics.median(seconds)
    ok = limit is None or med <= limit
    bound = f"  (limit {limit * 1000:.0f} ms: {'ok' if ok else 'TOO SLOW'})" if limit else ""
    print(
        f"{name:<44} median {med * 1000:8.1f} ms   min {min(seconds) * 1000:8.1f}   "
        f"max {max(seconds) * 1000:8.1f}   n={len(seconds)}{bound}"
    )
    return ok
