"""Injected time: a fixed clock for tests, a clock that starts at BILAT_NOW and runs on."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from datetime import time as day_time
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Anything that tells the current instant (timezone-aware)."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(ZoneInfo("UTC"))


class FixedClock:
    """A clock that stands still until moved (tests)."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        """The set instant."""
        return self._now

    def set(self, instant: datetime) -> None:
        """Move to ``instant``."""
        self._now = instant

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self._now += delta


class ShiftedClock:
    """Starts at a chosen instant and runs on at the real pace (BILAT_NOW)."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        """The start instant plus the real time elapsed since."""
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


def parse_instant(text: str, zone: str = "UTC") -> datetime:
    """Parse ``2025-05-07`` (the end of that day in ``zone``) or an ISO 8601 instant.

    A bare date means "as of that day": everything published that day is seen.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=ZoneInfo(zone))
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a date (2025-05-07) or an ISO 8601 instant") from None
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} needs a UTC offset, e.g. 2025-05-07T09:00:00+05:00")
    return instant


DEMO_HOUR = day_time(12)  # a date alone starts a running clock at noon


def start_instant(text: str, zone: str = "UTC") -> datetime:
    """Where ``--as-of`` and BILAT_NOW start a clock: a date alone is noon of that day in
    ``zone`` (the answers then say that day for the next twelve hours, where the end of the
    day would roll over to the next within a second); an ISO 8601 instant is itself."""
    text = text.strip()
    if len(text) == 10:
        day = parse_instant(text, zone).date()
        return datetime.combine(day, DEMO_HOUR, tzinfo=ZoneInfo(zone))
    return parse_instant(text, zone)


def demo_day(published: datetime, zone: str) -> date:
    """The first date whose noon (``start_instant``) comes after ``published`` in ``zone``."""
    local = published.astimezone(ZoneInfo(zone))
    return local.date() + timedelta(days=1 if local.time() >= DEMO_HOUR else 0)
