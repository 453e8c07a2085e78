"""The turnover chart (bot/core/trade_chart.py): bars as printed, localised, a valid PNG."""

from __future__ import annotations

import struct
from datetime import datetime

from bot.core import trade_chart as chart
from bot.core.briefings import Scope
from bot.core.library import Library
from tests.conftest import ZONE


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG header."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_bars_merge_agreeing_sources_oldest_first(library: Library, may7: datetime) -> None:
    bars = chart.bars(Scope.make(library, "en", may7, ZONE))
    periods = [b.figure.period.key for b in bars]
    assert periods[0] == "2019-01/2019-09" and periods[-1] == "2024"
    usd_2022 = [b for b in bars if b.figure.period.key == "2022" and b.figure.currency == "USD"]
    assert len(usd_2022) == 1 and len(usd_2022[0].sources) == 3  # three sources, one bar
    assert len([b for b in bars if b.figure.period.key == "2022"]) == 3  # USD, EUR, EUR


def test_labels_are_amounts_as_printed(library: Library, may7: datetime) -> None:
    fr = Scope.make(library, "fr", may7, ZONE)
    last = chart.bars(fr)[-1]
    assert chart.label(last, fr) == "5,5\u00a0milliards de dollars · La Gazette"
    en = Scope.make(library, "en", may7, ZONE)
    assert chart.label(chart.bars(en)[-1], en) == "$5.5\u00a0billion · La Gazette"
    assert chart.caption("fr") == "Échanges par période, tels que les sources les ont publiés."


def test_full_years_one_currency_per_panel_partial_periods_apart(library: Library,
                                                                  may7: datetime) -> None:
    drawn = chart.panels(Scope.make(library, "en", may7, ZONE))
    assert [(d.currency, d.partial) for d in drawn] == [
        ("USD", False), ("EUR", False), ("USD", True)]
    for panel in drawn:
        assert len({b.figure.currency for b in panel.bars}) == 1
        assert all(b.figure.period.is_year != panel.partial for b in panel.bars)
    assert [b.figure.period.key for b in drawn[0].bars] == ["2021", "2022", "2023", "2024"]


def test_png_in_both_languages(library: Library, may7: datetime) -> None:
    for locale in ("fr", "en"):
        data = chart.turnover_png(Scope.make(library, locale, may7, ZONE))
        assert data is not None
        width, height = png_size(data)
        assert width == 800 and 400 < height < 1000  # Telegram: w + h <= 10000, ratio <= 20


def test_no_figures_no_chart(may7: datetime) -> None:
    assert chart.turnover_png(Scope.make(Library(()), "en", may7, ZONE)) is None
