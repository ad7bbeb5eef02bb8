"""A few days of simulated use (benchmarks/simulation.py): the month benchmark's invariants,
in seconds, in UTC and in New York across the end of daylight saving time."""

from __future__ import annotations

from datetime import UTC, date, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from benchmarks.simulation import Figures, simulate

from dlquiz.bank import Bank


@pytest.mark.parametrize(
    ("zone", "first_day", "seed"),
    [(UTC, date(2026, 3, 2), 3), (ZoneInfo("America/New_York"), date(2026, 10, 29), 4)],
    ids=["utc", "new-york-dst-end"],
)
def test_days_of_simulated_use_keep_every_promise(
    bank: Bank, tmp_path: Path, zone: tzinfo, first_day: date, seed: int
) -> None:
    figures: Figures = simulate(bank, tmp_path / "sim.db", zone, first_day, length=7, seed=seed)
    assert figures.problems == []
    assert figures.complete_while_due == 0
    assert figures.slipped == 0
    assert figures.new_while_due == 0
    assert figures.fuzz_outside == 0
    assert figures.replay_mismatches == 0
    # and the simulation did what it claims: enough of everything to have caught a failure
    assert figures.sessions >= 7 and figures.completed >= 4
    assert figures.reviews >= 100 and figures.new_cards >= 40
    assert figures.fuzzed > 0 and figures.cards_replayed == figures.new_cards
    assert figures.after_midnight > 0
