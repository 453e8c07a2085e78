"""What the seed article says must reach the briefings, exactly as printed."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core import briefings
from bot.core.checks import Disagreement, GrowthMismatch, Mislabel, SumMismatch, findings
from bot.core.library import Library

NB = "\u00a0"
NN = "\u202f"


def _scope(library: Library, now: datetime, locale: str) -> briefings.Scope:
    return briefings.Scope.make(library, locale, now, "Asia/Almaty")


def test_seed_trade_figures_in_both_languages(seed_library: Library, may7: datetime) -> None:
    en = briefings.trade(_scope(seed_library, may7, "en")).text
    fr = briefings.trade(_scope(seed_library, may7, "fr")).text
    assert f"Bilateral trade: $5.5{NB}billion, up 31% on 2023." in en
    assert f"Exports from Kazakhstan to France: $3.3{NB}billion" in en
    assert f"Imports into Kazakhstan from France: $1.8{NB}billion" in en
    assert (f"Échanges bilatéraux{NN}: 5,5{NB}milliards de dollars, en hausse de 31{NB}% par "
            "rapport à 2023.") in fr
    assert f"Exportations du Kazakhstan vers la France{NN}: 3,3{NB}milliards de dollars" in fr
    assert f"1,8{NB}milliard de dollars" in fr
    assert "6 billion" not in en and "6 milliards" not in fr
    every = briefings.trade(_scope(seed_library, may7, "en"), view="all").text
    assert f"nearly $20{NB}billion" in every
    assert "more than 200 companies with French capital in Kazakhstan" in every


def test_only_unexplainable_inconsistencies_are_reported(seed_library: Library) -> None:
    found = findings(seed_library, ("KZ", "FR"))
    sums = [f for f in found if isinstance(f, SumMismatch)]
    assert [(s.turnover.period.key, str(s.total)) for s in sums] == [("2024", "5.1")]
    # 4 -> 4.2 as printed allows anything from -7.8 % to +21.4 %: +7.7 % is not flagged.
    assert not [f for f in found if isinstance(f, GrowthMismatch)]


def test_a_growth_the_printed_figures_cannot_give_is_flagged(seed_library: Library,
                                                            may7: datetime) -> None:
    article = seed_library.articles[0]
    trade = tuple(t.model_copy(update={"growth": t.growth.model_copy(update={
        "percent": t.growth.percent * 10})}) if t.id == "turnover-2024" and t.growth else t
        for t in article.trade)
    changed = Library((article.model_copy(update={"trade": trade}),), seed_library.sectors,
                      seed_library.countries)
    growth = [f for f in findings(changed, ("KZ", "FR")) if isinstance(f, GrowthMismatch)]
    assert [(g.figure.period.key, str(g.low), str(g.high)) for g in growth] == [
        ("2024", "28.2", "33.7")]
    notes = briefings.trade(_scope(changed, may7, "en"), view="notes").text
    assert "stated growth +310% (La Gazette, 7 May 2025), but $4.2\u00a0billion to " \
           "$5.5\u00a0billion allows only +28.2% to +33.7%." in notes
    assert "Only a more precise 2023 figure could change that." in notes


def test_dollars_and_euros_are_compared_at_the_years_average_rate(library: Library,
                                                                  may7: datetime) -> None:
    found = findings(library, ("KZ", "FR"))
    differ = [f for f in found if isinstance(f, Disagreement)]
    assert [(d.period, sorted({s.fact.currency for s in d.figures})) for d in differ] == [
        ("2022", ["EUR", "USD"])]
    odd = [f for f in found if isinstance(f, Mislabel)]
    assert [(m.figure.article.id, m.twin.fact.currency) for m in odd] == [
        ("economiematin-2023-11-01-macron-kazakhstan-contrats", "USD")]
    en = briefings.trade(_scope(library, may7, "en"), view="notes").text
    assert (f"€5.3{NB}billion (Wikinews (French); about $5.6{NB}billion at the 2022 "
            "average rate)") in en
    assert "most likely a currency mislabel" in en
    assert "ECB euro reference rates, annual averages <https://" in en
    fr = briefings.trade(_scope(library, may7, "fr"), view="notes").text
    assert f"environ 5,6{NB}milliards de dollars au taux moyen de 2022" in fr


def test_seed_counts_and_quote_reach_the_full_summary(seed_library: Library,
                                                      may7: datetime) -> None:
    en = briefings.summary(_scope(seed_library, may7, "en"), view="full").text
    assert "more than 17,000 visas issued by the French Embassy" in en
    assert "+40% on 2023" in en
    assert "about 20 double-degree programmes" in en
    assert "au cours des 33 années de relations diplomatiques" in en
    assert "Our translation: “over 33 years of diplomatic relations" in en
    assert "(in French)" in en
    assert "Roman Vassilenko, Deputy Minister of Foreign Affairs of Kazakhstan, met " \
           "Sylvain Guiaugué, Ambassador of France to Kazakhstan." in en
    assert "Next: Ceremony at the Charles de Gaulle monument" in en
    assert "(tomorrow)" in en


def test_events_honour_precision_and_the_seeds_dates(seed_library: Library,
                                                     may7: datetime) -> None:
    en = briefings.events(_scope(seed_library, may7, "en"), "all").text
    fr = briefings.events(_scope(seed_library, may7, "fr"), "all").text
    order = [en.index(t) for t in ("Ceremony at", "Journée Française”\n", "Astana International")]
    assert order == sorted(order)
    assert "28 May 2025 (in 3 weeks) · Astana" in en
    assert "29–30 May 2025 (in 3 weeks) · Astana" in en
    assert "most likely dates the “Journée Française” itself" in en
    assert "8 mai 2025 (demain) · Astana" in fr
    # The held meeting is in the past, dated by its report, never "within 1 day".
    assert "no later than 7 May 2025\n" in en and "within 1 day" not in en
    assert "au plus tard le 7 mai 2025\n" in fr


def test_events_after_the_seed_dates_list_past_ones(seed_library: Library,
                                                    june15: datetime) -> None:
    en = briefings.events(_scope(seed_library, june15, "en")).text
    assert "No upcoming event is known." in en
    assert "Latest past events" in en
    assert "announced, not reported as held" in en
    past = briefings.events(_scope(seed_library, june15, "en"), "past").text
    assert "November 2024 (7 months ago) · France" in past


def test_event_lists_reuse_lines_only_on_the_same_day(seed_library: Library,
                                                      may7: datetime) -> None:
    # Each event's lines are made once per day and language: the next day, they are new.
    first = briefings.events(_scope(seed_library, may7, "en"), "all").text
    again = briefings.events(_scope(seed_library, may7, "en"), "all").text
    next_day = briefings.events(_scope(seed_library, may7 + timedelta(days=1), "en"),
                                "all").text
    french = briefings.events(_scope(seed_library, may7, "fr"), "all").text
    assert first == again
    assert "8 May 2025 (tomorrow) · Astana" in first
    assert "8 May 2025 (today) · Astana" in next_day and "(tomorrow) · Astana" not in next_day
    assert "8 mai 2025 (demain) · Astana" in french
