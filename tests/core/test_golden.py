"""Golden briefings: exactly what a user reads, per language and date.

Regenerate after a deliberate change with ``BILAT_REGEN_GOLDEN=1 make test`` and review the diff
(regenerating writes the files and skips their comparison). Each briefing is kept at the dates
that show it differently: a golden file that another date repeats byte for byte tests nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.clock import parse_instant
from bot.core.library import Library
from bot.core.render import measure
from tests.support.asking import ask

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SEED_DAY, AFTER = "2025-05-07", "2025-06-15"  # the seed's publication; after all its events
BEFORE = "2023-11-15"  # before the seed: figures for Jan-Aug 2023, Macron's visit the news
NO_2023 = "2022-12-15"  # no figure for 2023 is published yet
COMMANDS = {
    "summary": "/summary", "trade": "/trade", "trade-2023": "/trade 2023",
    "events": "/events", "events-past": "/events past", "events-all": "/events all",
    "articles": "/articles", "help": "/help", "summary-2": "/summary 2",
    "brief": "/brief", "trade-all": "/trade all", "trade-notes": "/trade notes",
    "summary-full": "/summary full", "trade-sources": "/trade sources",
    # Each pair named the ways readers name it; /pairs lists them all.
    "pairs": "/pairs",
    "trade-kz-de": "/trade Allemagne", "events-all-kz-de": "/events all Kazakhstan-Germany",
    "summary-kz-de": "/summary germano-kazakh", "articles-kz-de": "/articles DE",
    "trade-uz-fr": "/trade UZ-FR", "events-all-uz-fr": "/events all Ouzbékistan",
    "summary-uz-fr": "/summary Uzbek-French", "articles-uz-fr": "/articles Uzbekistan",
}
# The dates each briefing is kept at (SEED_DAY and AFTER unless said here).
DATES = {"trade": (BEFORE, SEED_DAY), "trade-2023": (NO_2023, SEED_DAY),
         "articles": (BEFORE, SEED_DAY), "help": (SEED_DAY,),
         "trade-all": (BEFORE, SEED_DAY), "trade-notes": (BEFORE, SEED_DAY),
         "trade-sources": (BEFORE, SEED_DAY), "summary": (BEFORE, SEED_DAY),
         # The other pairs: before and after their newest articles.
         "pairs": (BEFORE, SEED_DAY), "articles-kz-de": (SEED_DAY,),
         "articles-uz-fr": (SEED_DAY,), "trade-kz-de": (BEFORE, SEED_DAY),
         "events-all-kz-de": ("2024-09-20", SEED_DAY), "summary-kz-de": ("2024-09-16", SEED_DAY),
         "trade-uz-fr": ("2024-08-01", SEED_DAY), "events-all-uz-fr": ("2024-08-01", SEED_DAY),
         "summary-uz-fr": ("2024-08-01", SEED_DAY)}


def dates(name: str) -> tuple[str, ...]:
    """The dates the briefing ``name`` is kept at."""
    return DATES.get(name, (SEED_DAY, AFTER))


CASES = [(name, day) for name in sorted(COMMANDS) for day in dates(name)]


async def _render(library: Library, command: str, locale: str, day: str) -> str:
    reply = await ask(library, parse_instant(day, "Asia/Almaty"), command, locale)
    assert reply is not None
    return reply.message.html


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize(("name", "day"), CASES)
async def test_golden(library: Library, name: str, locale: str, day: str) -> None:
    html = await _render(library, COMMANDS[name], locale, day)
    path = GOLDEN / f"{name}.{locale}.{day}.html"
    if os.environ.get("BILAT_REGEN_GOLDEN"):
        path.write_text(html + "\n", encoding="utf-8")
        pytest.skip(f"regenerated {path.name}: review the diff")
    assert html + "\n" == path.read_text(encoding="utf-8")


def test_no_golden_file_is_left_over_or_repeated() -> None:
    expected = {f"{name}.{locale}.{day}.html" for name, day in CASES for locale in ("fr", "en")}
    files = sorted(GOLDEN.glob("*.html"))
    assert {p.name for p in files} == expected
    texts = [p.read_bytes() for p in files]
    assert len(set(texts)) == len(texts)  # a copy of another golden file would test nothing


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("name", [n for n in sorted(COMMANDS) if len(dates(n)) > 1])
async def test_each_date_shows_the_briefing_differently(library: Library, name: str,
                                                        locale: str) -> None:
    first, second = [await _render(library, COMMANDS[name], locale, d) for d in dates(name)]
    assert first != second


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize(("name", "day"), CASES)
async def test_every_briefing_fits_one_telegram_message(
        library: Library, name: str, locale: str, day: str) -> None:
    html = await _render(library, COMMANDS[name], locale, day)
    assert measure(html) <= 4096
