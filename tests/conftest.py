"""Shared fixtures: every test gets its own dlquiz home and a clock it controls."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dlquiz.bank import Bank, default_bank_path, load_bank
from dlquiz.clock import StudyDays
from dlquiz.scheduler import Scheduling
from dlquiz.session import Options, Session
from dlquiz.store import Store

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
