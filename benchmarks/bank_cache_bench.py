"""A big bank starts fast after the first time, and a session over it stays small.

    python benchmarks/bank_cache_bench.py

Targets (issue #6), for a bank of 10,000 questions (a few MB of YAML) and a store of 1,000,000
reviews: loading the bank from the cache is at least 4x faster than parsing it; a changed file
is parsed again; a first parse says so on stderr within 0.6 s (it is due at 0.5 s) and a cached
load says nothing; a practice session (as a real process) stays under 150 MiB resident, both on
the first start (parsing) and on later ones (cache). Exits 1 if a target is missed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from common import OUT, dlquiz, env_for, report
from dlquiz import bankcache
from dlquiz.bank import load_bank
from make_store import build

MIB = 1024 * 1024


def bench_cache(out_dir: str = "q10000-r1000000") -> tuple[bool, object]:
    out = OUT / out_dir
    built = build(
        out, questions=10_000, reviews=1_000_000, years=3.0, seed=6, now=datetime.now(UTC)
    )
    size = built.bank.stat().st_size / 1e6
    print(
        f"bank: {built.questions:,} questions, {size:.1f} MB of YAML; "
        f"store: {built.reviews:,} reviews (built in {built.seconds:.0f} s)"
    )
    parse = []
    for _ in range(3):
        started = time.perf_counter()
        load_bank(built.bank)
        parse.append(time.perf_counter() - started)
    cache = out / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    bankcache.load(built.bank, cache)  # first start: parse and write the cache
    cached = []
    for _ in range(7):
        started = time.perf_counter()
        bankcache.load(built.bank, cache)
        cached.append(time.perf_counter() - started)
    report("parse the YAML bank (no cache)", parse)
    report("load the same bank from the cache", cached)
    speedup = statistics.median(parse) / statistics.median(cached)
    ok = speedup >= 4
    print(f"{'speed-up':<44} {speedup:8.1f}x  (target 4x: {'ok' if ok else 'TOO SLOW'})")
    # a changed file is read again, even with the same size and modification time
    text = built.bank.read_text(encoding="utf-8")
    stat = built.bank.stat()
    edited = text.replace("in question 1?", "in question I?", 1)
    assert len(edited) == len(text) and edited != text
    built.bank.write_text(edited, encoding="utf-8")
    os.utime(built.bank, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = bankcache.load(built.bank, cache)
    fresh = changed.questions[0].question.endswith("in question I?")
    print(f"{'changed file (same size and mtime) re-read':<44} {'ok' if fresh else 'STALE'}")
    built.bank.write_text(text, encoding="utf-8")
    return ok and fresh, built


def bench_notice(built: object) -> bool:
    """A first parse longer than half a second says what it is doing; a cached load does not."""
    bank = built.bank  # type: ignore[attr-defined]
    cache = OUT / "notice-cache"
    shutil.rmtree(cache, ignore_errors=True)
    said: list[tuple[float, str]] = []
    started = time.perf_counter()
    bankcache.load(bank, cache, notice=lambda m: said.append((time.perf_counter() - started, m)))
    total = time.perf_counter() - started
    first = said[0][0] if said else None
    again: list[tuple[float, str]] = []
    bankcache.load(bank, cache, notice=lambda m: again.append((0.0, m)))
    ok = first is not None and first < 0.6 and said[-1][1].endswith("done.\n") and not again
    shown = f"{first:.2f} s" if first is not None else "never"
    print(
        f"{'first parse (' + f'{total:.1f}' + ' s): notice on stderr after':<44} {shown:>8}  "
        f"(target < 0.6 s, none from the cache: {'ok' if ok else 'MISSED'})"
    )
    shutil.rmtree(cache, ignore_errors=True)
    return ok


def peak_rss(argv: list[str], env: dict[str, str], stdin: str) -> int:
    """Peak resident memory of one process, in bytes: its VmHWM, read until it exits.

    (Not `ru_maxrss`: that counts the copy of this big benchmark process that `fork` makes
    before the child execs.)"""
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdin is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    status = Path(f"/proc/{proc.pid}/status")
    peak = 0
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
        except (OSError, ValueError):
            pass
        time.sleep(0.01)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed")
    return peak


def bench_memory(built: object) -> bool:
    bank = built.bank  # type: ignore[attr-defined]
    home = built.store.parent  # type: ignore[attr-defined]
    env = env_for(home)
    answers = "\n3\n" * 20 + "q\n"
    ok = True
    for label, clear in (("first start (parses the bank)", True), ("later start (cache)", False)):
        if clear:
            shutil.rmtree(home / "cache", ignore_errors=True)
        rss = peak_rss(dlquiz("--bank", str(bank), "practice"), env, answers)
        fits = rss < 150 * MIB
        ok &= fits
        print(
            f"{'practice, 20 ratings: ' + label:<44} peak RSS {rss / MIB:6.1f} MiB "
            f"(limit 150 MiB: {'ok' if fits else 'TOO BIG'})"
        )
    return ok


def main() -> int:
    ok, built = bench_cache()
    ok &= bench_notice(built)
    ok &= bench_memory(built)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
