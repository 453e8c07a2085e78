"""Injected time: a fixed clock for tests, a clock that starts at BILAT_NOW and runs on."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
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
