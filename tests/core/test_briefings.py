"""What the seed article says must reach the briefings, exactly as printed."""

from __future__ import annotations

from datetime import datetime

from bot.core import briefings
from bot.core.checks import Disagreement, GrowthMismatch, SumMismatch, findings
from bot.core.library import Library

NB = "\u00a0"


def _scope(library: Library, now: datetime, locale: str) -> briefings.Scope:
    return briefings.Scope.make(library, locale, now, "Asia/Almaty")


def test_seed_trade_figures_in_both_languages(seed_library: Library, may7: datetime) -> None:
    en = briefings.trade(_scope(seed_library, may7, "en")).text
    fr = briefings.trade(_scope(seed_library, may7, "fr")).text
    assert f"Trade between Kazakhstan and France: $5.5{NB}billion (+31% on the previous year)" \
        in en
    assert f"Exports from Kazakhstan to France: $3.3{NB}billion" in en
    assert f"Imports into Kazakhstan from France: $1.8{NB}billion" in en
    assert f"Exportations du Kazakhstan vers la France{NB}: 3,3{NB}milliards{NB}$US" in fr
    assert f"Importations du Kazakhstan en provenance de la France{NB}: 1,8{NB}milliard" in fr
    assert f"nearly $20{NB}billion" in en and f"près de 20{NB}milliards{NB}$US" in fr
    assert "more than 200 companies with French capital in Kazakhstan" in en
    assert "plus de 200 entreprises à capitaux français au Kazakhstan" in fr
    assert "6 billion" not in en and "6 milliards" not in fr


def test_seed_inconsistencies_are_reported(seed_library: Library, may7: datetime) -> None:
    found = findings(seed_library, ("KZ", "FR"))
    sums = [f for f in found if isinstance(f, SumMismatch)]
    growth = [f for f in found if isinstance(f, GrowthMismatch)]
    assert [(s.turnover.period.key, str(s.total)) for s in sums] == [("2024", "5.1")]
    assert [(g.figure.period.key, str(g.computed)) for g in growth] == [("2023", "5.0")]
    en = briefings.trade(_scope(seed_library, may7, "en")).text
    assert f"add up to $5.1{NB}billion, not the stated $5.5{NB}billion" in en
    assert "stated growth +7.7%" in en and "gives +5.0%" in en


def test_sources_that_disagree_are_named(library: Library, may7: datetime) -> None:
    found = [f for f in findings(library, ("KZ", "FR")) if isinstance(f, Disagreement)]
    assert found, "the bundled articles disagree on 2022 turnover in euros"
    text = briefings.trade(_scope(library, may7, "en")).text
    assert "sources differ" in text


def test_seed_counts_and_quote_reach_the_summary(seed_library: Library,
                                                 may7: datetime) -> None:
    en = briefings.summary(_scope(seed_library, may7, "en")).text
    assert "more than 17,000 visas issued by the French Embassy" in en
    assert "+40% on the previous year" in en
    assert "about 20 double-degree programmes" in en
    assert "33 years of diplomatic relations" in en
    assert "au cours des 33 années de relations diplomatiques" in en
    assert "(in French)" in en
    assert "Roman Vassilenko, Deputy Minister of Foreign Affairs of Kazakhstan, met " \
           "Sylvain Guiaugué, Ambassador of France to Kazakhstan." in en
    assert "Next: Ceremony at the Charles de Gaulle monument" in en
    assert "(tomorrow)" in en


def test_events_honour_precision_and_ambiguity(seed_library: Library, may7: datetime) -> None:
    en = briefings.events(_scope(seed_library, may7, "en")).text
    fr = briefings.events(_scope(seed_library, may7, "fr")).text
    order = [en.index(t) for t in ("Ceremony at", "Journée Française\"\n", "Astana International")]
    assert order == sorted(order)
    assert "before May 28, 2025 (within 3 weeks)" in en
    assert "May 28, 2025 (in 3 weeks) · Astana" in en
    assert "may refer to either event" in en
    assert f"avant le 28 mai 2025 (d’ici 3{NB}semaines)" in fr
    assert "8 mai 2025 (demain) · Astana" in fr


def test_events_after_the_seed_dates_list_past_ones(seed_library: Library,
                                                    june15: datetime) -> None:
    en = briefings.events(_scope(seed_library, june15, "en")).text
    assert "No upcoming event is known." in en
    assert "Latest past events" in en
    assert "November 2024 (7 months ago) · France" in en
