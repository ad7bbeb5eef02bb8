"""Time: the injectable clock, UTC milliseconds, and study days.

The core never reads the clock itself: callers pass `now`, an aware UTC datetime (py-fsrs accepts
only `tzinfo is timezone.utc`). The store keeps times as integer milliseconds since the epoch.

A *study day* runs from the rollover hour (4 am by default, as in Anki) in the person's local
time zone to the same hour the next day, so that a session after midnight counts for the
evening before.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """`moment` with tzinfo exactly `timezone.utc`; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware datetime (UTC)")
    return moment.astimezone(UTC)


def to_ms(moment: datetime) -> int:
    return int(as_utc(moment).timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def local_zone() -> tzinfo:
    """The user's time zone: `TZ`, else /etc/localtime, else the current fixed offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    key = os.environ.get("TZ", "").lstrip(":")
    if not key:
        try:
            target = str(Path("/etc/localtime").resolve())
            if "zoneinfo/" in target:
                key = target.split("zoneinfo/", 1)[1]
        except OSError:
            key = ""
    if key:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    offset = datetime.now().astimezone().tzinfo
    return offset if offset is not None else UTC


class StudyDays:
    """Maps instants to study days in a time zone with a rollover hour."""

    def __init__(self, zone: tzinfo, rollover_hour: int = 4) -> None:
        self.zone = zone
        self.rollover_hour = rollover_hour

    def day_of(self, moment: datetime) -> date:
        local = as_utc(moment).astimezone(self.zone)
        if local.hour < self.rollover_hour:
            return local.date() - timedelta(days=1)
        return local.date()

    def start(self, day: date) -> datetime:
        """The UTC instant at which `day` begins."""
        local = datetime(day.year, day.month, day.day, self.rollover_hour, tzinfo=self.zone)
        return local.astimezone(UTC)

    def today_start(self, now: datetime) -> datetime:
        return self.start(self.day_of(now))

    def tomorrow_start(self, now: datetime) -> datetime:
        return self.start(self.day_of(now) + timedelta(days=1))
