"""Country pairs: how readers name them, the default a chat sees, checks that never mix pairs,
and one happening reported for two pairs being one event."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.core import pairs
from bot.core.briefings import Scope, events_on, merged_events
from bot.core.checks import disagreements, findings
from bot.core.facts import Article, DayDate, TradeFigure
from bot.core.library import Library, Pair
from bot.core.phrases import Phrases
from tests.support.asking import ask

KZ_FR, KZ_DE, UZ_FR = ("KZ", "FR"), ("KZ", "DE"), ("UZ", "FR")
DE_ARTICLE = "astanatimes-2024-09-17-business-forum-36-documents"
UZ_ARTICLE = "trend-2025-03-12-mirziyoyev-macron-elysee"


@pytest.mark.parametrize(("text", "expected"), [
    ("DE", KZ_DE), ("de", KZ_DE), ("Allemagne", KZ_DE), ("Germany", KZ_DE),
    ("d’Allemagne", KZ_DE), ("Deutschland", KZ_DE), ("KZ-DE", KZ_DE), ("DE-KZ", KZ_DE),
    ("Kazakhstan-Germany", KZ_DE), ("Kazakhstan–Allemagne", KZ_DE), ("kazakhstan germany", KZ_DE),
    ("germano-kazakh", KZ_DE), ("Kazakh-German", KZ_DE), ("allemand", KZ_DE),
    ("Ouzbékistan", UZ_FR), ("ouzbekistan", UZ_FR), ("de l'Ouzbékistan", UZ_FR), ("UZ", UZ_FR),
    ("franco-ouzbek", UZ_FR), ("Uzbek-French", UZ_FR), ("ouzbéko-français", UZ_FR),
    ("franco-kazakh", KZ_FR), ("Kazakhstan France", KZ_FR), ("kz/fr", KZ_FR),
])
def test_readers_name_a_pair_many_ways(library: Library, text: str, expected: Pair) -> None:
    found = pairs.resolve(library, text)
    assert (found.pair, found.problem) == (expected, None)


def test_what_names_no_single_covered_pair_says_why(library: Library) -> None:
    assert pairs.resolve(library, "France").problem == "ambiguous"
    assert pairs.resolve(library, "France").pairs == (KZ_FR, UZ_FR)
    assert pairs.resolve(library, "Kazakhstan", [KZ_DE]).pair == KZ_DE  # the chat's settles it
    japan = pairs.resolve(library, "Japon")
    assert (japan.problem, japan.countries) == ("not_covered", ("JP",))
    assert pairs.resolve(library, "Germany-France").problem == "not_covered"
    for word in ("2024", "past", "zzz", "", "kazakh-kazakh"):
        assert pairs.resolve(library, word).problem == "unknown", word


def test_country_forms_come_from_the_data(library: Library) -> None:
    fr, en = Phrases("fr", library.countries), Phrases("en", library.countries)
    assert fr.of("UZ") == "de l'Ouzbékistan" and fr.of("DE") == "de l'Allemagne"
    assert fr.of("KZ") == "du Kazakhstan" and en.of("DE") == "Germany"
    assert fr.pair(KZ_DE) == "Kazakhstan–Allemagne" and en.pair(UZ_FR) == "Uzbekistan–France"
    forms = library.countries["DE"]
    assert forms.adjective and forms.adjective.en == "German" and forms.prefix
    assert forms.prefix.fr == "germano"


def test_the_default_pair_is_a_setting(library: Library) -> None:
    assert library.default_pairs() == (KZ_FR,)  # unset: the most covered pair
    chosen = Library(library.articles, library.sectors, library.countries,
                     (KZ_DE, ("US", "FR"), UZ_FR))
    assert chosen.default_pairs() == (KZ_DE, UZ_FR)  # a pair without articles is left out


async def test_a_chat_that_never_chose_sees_the_default(library: Library,
                                                        june15: datetime) -> None:
    chosen = Library(library.articles, library.sectors, library.countries, (UZ_FR,))
    reply = await ask(chosen, june15, "/trade")
    assert reply is not None and reply.message.text.startswith("Uzbekistan–France trade, 2024\n")


def _with_trade(article: Article, value: str) -> Article:
    """``article`` giving only a 2024 turnover of ``value`` billion dollars."""
    first = article.countries
    fig = TradeFigure(id="turnover-2024", period="2024", flow="turnover",
                      reporter=first[0], partner=first[1], value=value, unit="billion",
                      currency="USD", evidence="test")
    return article.model_copy(update={"trade": (fig,), "id": f"{article.id}-t"})


def test_checks_never_mix_pairs(library: Library) -> None:
    kz_fr = next(a for a in library.articles if a.countries[:2] == KZ_FR)
    kz_de = library.find(DE_ARTICLE)
    assert kz_de is not None
    # Two pairs, the same period and flow, values that cannot both be true of one pair.
    mixed = Library((_with_trade(kz_fr, "5.5"), _with_trade(kz_de, "1.0")))
    assert disagreements(mixed, KZ_FR) == [] and disagreements(mixed, KZ_DE) == []
    conflicting = Library((_with_trade(kz_fr, "5.5"), _with_trade(kz_fr.model_copy(
        update={"id": "other"}), "1.0")))
    assert len(disagreements(conflicting, KZ_FR)) == 1
    # The bundled warnings: each pair's own figures only.
    for pair in library.pairs:
        for finding in findings(library, pair):
            found = [getattr(finding, "turnover", None), getattr(finding, "figure", None),
                     getattr(finding, "twin", None),
                     *(s.fact for s in getattr(finding, "figures", ()))]
            figures = [getattr(f, "fact", f) for f in found]  # a mislabel holds Sourced
            assert all({f.reporter, f.partner} == set(pair) for f in figures if f)


def summit_library(library: Library) -> Library:
    """A planned regional summit reported by a Kazakhstan-Germany and an Uzbekistan-France
    article (a test fixture: the dates are made up, not bundled data)."""
    de, uz = library.find(DE_ARTICLE), library.find(UZ_ARTICLE)
    assert de is not None and uz is not None
    summit = de.events[0].model_copy(update={
        "id": "summit", "kind": "meeting", "status": "planned",
        "date": DayDate(precision="day", value=date(2025, 7, 1))})
    return Library((
        de.model_copy(update={"events": (summit,)}),
        uz.model_copy(update={"events": (summit.model_copy(update={
            "same_as": f"{DE_ARTICLE}/summit", "participants": ()}),)})),
        library.sectors, library.countries)


def test_an_event_reported_for_two_pairs_is_one_event(library: Library,
                                                      june15: datetime) -> None:
    both = summit_library(library)
    [on_de], [on_uz] = merged_events(both, KZ_DE), merged_events(both, UZ_FR)
    assert on_de.key == on_uz.key == f"{DE_ARTICLE}/summit"
    assert len(on_de.sources) == 2
    assert len(events_on(both, (KZ_DE, UZ_FR))) == 1
    scope = Scope.make(both, "en", june15, "Asia/Almaty", pairs=(KZ_DE, UZ_FR))
    assert scope.covering == (KZ_DE, UZ_FR)
