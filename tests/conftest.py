"""Shared fixtures: every test gets its own dlquiz home and a clock it controls."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dlquiz.bank import Bank, default_bank_path, load_bank
from dlquiz.clock import StudyDays
from dlquiz.model import CardRow
from dlquiz.scheduler import Scheduling
from dlquiz.session import Options, Session
from dlquiz.store import MIGRATIONS, Store

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, noon UTC


def process_env(home: Path, colour: bool = False, **extra: str) -> dict[str, str]:
    """The environment for a real `dlquiz` process in a test: its own home, UTC, no colour."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DLQUIZ_HOME": str(home),
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        **extra,
    }
    if not colour:
        env["NO_COLOR"] = "1"
    return env


@pytest.fixture(autouse=True)
def dlquiz_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real user directories."""
    home = tmp_path / "home"
    monkeypatch.setenv("DLQUIZ_HOME", str(home))
    monkeypatch.delenv("DLQUIZ_BANK", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()  # the system local time that StudyDays(None) reads
    monkeypatch.setenv("COLUMNS", "120")  # CliRunner output is not a terminal: fix its width
    return home


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank(default_bank_path())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "progress.db") as s:
        yield s


@pytest.fixture
def days() -> StudyDays:
    return StudyDays(UTC, 4)


@pytest.fixture
def make_session(bank: Bank, store: Store, clock: FakeClock, days: StudyDays):  # type: ignore[no-untyped-def]
    def make(bank_: Bank | None = None, **options: object) -> Session:
        return Session(
            bank=bank_ or bank,
            store=store,
            scheduling=Scheduling(0.9, fuzz=False, days=days),
            days=days,
            clock=clock,
            options=Options(**options),  # type: ignore[arg-type]
        )

    return make


def store_before(path: Path, migration: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    """A store file at the schema just before `migration` (one of store.MIGRATIONS), as an
    older dlquiz left it: for tests that a migration keeps every review."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for number, step in enumerate(MIGRATIONS[: MIGRATIONS.index(migration)], start=1):
        step(db)
        db.execute(f"PRAGMA user_version = {number}")
    return db


V1_REVIEW_COLUMNS = (
    "id, bank_id, question_id, rating, reviewed_at, duration_ms, state_before, card_before, "
    "state_after, due_after"
)  # the review log's columns since schema 1: what every migration must keep


def log_v1(
    db: sqlite3.Connection, before: CardRow | None, after: CardRow, rating: int, at: int
) -> None:
    """Log a review with the columns every schema has, as an older dlquiz wrote it."""
    db.execute(
        f"INSERT INTO reviews ({V1_REVIEW_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (after.bank_id, after.question_id, rating, at, 1000, before.state if before else 0,
         json.dumps(before._asdict()) if before else None, after.state, after.due),
    )  # fmt: skip
    db.execute(f"INSERT OR REPLACE INTO cards VALUES ({', '.join('?' * len(after))})", tuple(after))


# --- real dlquiz processes ----------------------------------------------------------------------


def dlquiz(
    home: Path, *args: str, input: str = "", prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = process_env(home, COLUMNS="100")
    return subprocess.run(
        [*prefix, sys.executable, "-m", "dlquiz", *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def reviews_in(home: Path) -> int:
    with sqlite3.connect(f"file:{home / 'progress.db'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM reviews").fetchone()[0])


@pytest.fixture
def studied(dlquiz_home: Path) -> Path:
    """A home with two reviews recorded."""
    result = dlquiz(dlquiz_home, "practice", input="\n4\n\n4\nq\n")
    assert result.returncode == 0, result.stderr
    assert reviews_in(dlquiz_home) == 2
    return dlquiz_home


def without_root_powers() -> tuple[str, ...]:
    """A prefix that makes file permissions bind even for root (who otherwise ignores them)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a directory read-only")
    caps = "-dac_override,-dac_read_search,-fowner"
    return ("setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--")
