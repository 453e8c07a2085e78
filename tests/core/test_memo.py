"""The per-library memo stays bounded while the data is unchanged for months (item 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core import briefings
from bot.core import library as library_module
from bot.core.clock import parse_instant
from bot.core.library import Library
from tests.conftest import DATA

ZONES = ("Asia/Almaty", "Europe/Paris", "UTC", "America/New_York", "Asia/Tokyo")


def test_a_month_of_quarter_hours_in_five_zones_keeps_the_memo_bounded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library_module, "MEMO_SIZE", 100)
    library = Library.load(DATA)  # its own: the session's is shared with other tests
    start = parse_instant("2025-05-01", "UTC")
    for quarter in range(0, 30 * 96, 7):  # every 7th quarter-hour of a month
        for zone in ZONES:
            scope = briefings.Scope.make(library, "en", start + timedelta(minutes=15 * quarter),
                                         zone)
            briefings.split_events(scope)
    assert len(library.memo) <= 100
    # What is kept still answers: the latest quarter is served from the memo.
    assert briefings.split_events(scope) is briefings.split_events(scope)
