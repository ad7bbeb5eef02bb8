"""Study days: the local day with a rollover hour, across daylight-saving changes."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dlquiz.clock import StudyDays, as_utc


def test_a_review_before_the_rollover_counts_for_the_evening_before() -> None:
    days = StudyDays(ZoneInfo("Europe/Berlin"), 4)
    late = datetime(2026, 6, 10, 1, 30, tzinfo=UTC)  # 03:30 in Berlin (summer, UTC+2)
    assert days.day_of(late) == date(2026, 6, 9)
    assert days.day_of(late + timedelta(hours=1)) == date(2026, 6, 10)  # 04:30
    assert days.start(date(2026, 6, 10)) == datetime(2026, 6, 10, 2, 0, tzinfo=UTC)


def test_system_local_time_agrees_with_the_zone_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """StudyDays(None) uses the C library's local time; across the 2026 DST changes in New
    York it must give the same days and day starts as zoneinfo."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        system, zoned = StudyDays(None, 4), StudyDays(ZoneInfo("America/New_York"), 4)
        moment = datetime(2026, 3, 6, tzinfo=UTC)
        while moment < datetime(2026, 3, 10, tzinfo=UTC):  # spring forward: 8 March
            assert system.day_of(moment) == zoned.day_of(moment), moment
            moment += timedelta(minutes=15)
        moment = datetime(2026, 10, 30, tzinfo=UTC)
        while moment < datetime(2026, 11, 3, tzinfo=UTC):  # fall back: 1 November
            assert system.day_of(moment) == zoned.day_of(moment), moment
            moment += timedelta(minutes=15)
        for day in (date(2026, 3, 7), date(2026, 3, 8), date(2026, 10, 31), date(2026, 11, 1)):
            assert system.start(day) == zoned.start(day)
        # the study day that contains the change is an hour shorter, or longer
        spring = system.start(date(2026, 3, 8)) - system.start(date(2026, 3, 7))
        autumn = system.start(date(2026, 11, 1)) - system.start(date(2026, 10, 31))
        assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        as_utc(datetime(2026, 1, 1))
