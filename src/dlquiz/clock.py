"""Time: the injectable clock, UTC milliseconds, and study days.

The core never reads the clock itself: callers pass `now`, an aware UTC datetime (py-fsrs accepts
only `tzinfo is timezone.utc`). The store keeps times as integer milliseconds since the epoch.

A *study day* runs from the rollover hour (4 am by default, as in Anki) in the person's local
time zone to the same hour the next day, so that a session after midnight counts for the
evening before.
"""

from __future__ import annotations

import os
import time
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


class StudyDays:
    """Maps instants to study days in a time zone with a rollover hour.

    `zone=None` means the system's local time, as the C library knows it (`TZ`, else
    /etc/localtime), daylight saving included; it needs no time-zone database import.
    """

    def __init__(self, zone: tzinfo | None = None, rollover_hour: int = 4) -> None:
        self.zone = zone
        self.rollover_hour = rollover_hour

    @property
    def zone_name(self) -> str:
        """The zone's name: its key (`Europe/Paris`); for the system's local time the `TZ`
        setting, else the zone /etc/localtime links to, else the abbreviation (`CET`)."""
        if self.zone is not None:
            return str(self.zone)
        key = os.environ.get("TZ", "").lstrip(":")
        if not key:
            try:
                target = str(Path("/etc/localtime").resolve())
            except OSError:
                target = ""
            key = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
        return key or time.localtime().tm_zone or "local"

    def day_of(self, moment: datetime) -> date:
        if self.zone is None:
            local = time.localtime(as_utc(moment).timestamp())
            day, hour = date(local.tm_year, local.tm_mon, local.tm_mday), local.tm_hour
        else:
            zoned = as_utc(moment).astimezone(self.zone)
            day, hour = zoned.date(), zoned.hour
        return day - timedelta(days=1) if hour < self.rollover_hour else day

    def start(self, day: date) -> datetime:
        """The UTC instant at which `day` begins."""
        if self.zone is None:
            fields = (day.year, day.month, day.day, self.rollover_hour, 0, 0, 0, 0, -1)
            return datetime.fromtimestamp(time.mktime(fields), UTC)
        local = datetime(day.year, day.month, day.day, self.rollover_hour, tzinfo=self.zone)
        return local.astimezone(UTC)

    def today_start(self, now: datetime) -> datetime:
        return self.start(self.day_of(now))

    def tomorrow_start(self, now: datetime) -> datetime:
        return self.start(self.day_of(now) + timedelta(days=1))
