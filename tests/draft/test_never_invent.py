"""Never invent a number: every drafted number is printed in its evidence sentence, and every
evidence sentence is in the input, verbatim. Over generated texts and the real dev texts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.facts import Article
from bot.core.library import Library
from bot.draft.article import Draft, draft, known
from bot.draft.extract import Known
from bot.draft.lexicon import LEXICONS
from bot.draft.source import Page
from tests.conftest import DATA, ROOT

DEV = ROOT.parent / "shared" / "extract-dev"
KNOWN: Known = known(Library.load(DATA))
# A printed number: digits, groups of three after a separator, a decimal part.
_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d{3}(?!\d))*(?:[.,]\d+)?")

COUNTRIES = {
    "en": ["Kazakhstan", "France", "Germany", "Uzbekistan", "Italy", "Kazakh", "French"],
    "fr": ["le Kazakhstan", "la France", "l'Allemagne", "l'Ouzbékistan", "la Chine"],
    "ru": ["Казахстана", "Франции", "Германии", "Узбекистана", "Казахстан", "Германия"],
}
MONEY = {
    "en": ["${n} billion", "${n} million", "{n} million euros", "€{n} billion", "${n}"],
    "fr": ["{n} milliards de dollars", "{n} millions d'euros", "{n} milliards d’euros"],
    "ru": ["${n} млрд", "{n} млн долларов", "{n} млрд евро", "€{n} млн"],
}
PERIODS = {
    "en": ["In {y}", "Last year", "In January-September {y}", "From January through August {y}",
           "In the first half of {y}", "For the past {m} months", "By the end of {y}"],
    "fr": ["En {y}", "L'année dernière", "En janvier-septembre {y}",
           "Au cours des {m} premiers mois de cette année", "Au premier semestre {y}"],
    "ru": ["В {y} году", "По итогам прошлого года", "В январе-сентябре {y} года",
           "За {m} месяцев текущего года", "За первое полугодие {y} года"],
}
VERBS = {
    "en": ["trade between {a} and {b} reached {x}", "{a}'s exports to {b} amounted to {x}",
           "imports from {b} grew by {p} percent over the previous year to {x}",
           "investment from {a} in {b} was {q}{x}", "about {c} companies from {a} operate in {b}",
           "trade ranged from {x} to {x2}", "on {d} May, {a} and {b} signed {c} agreements",
           "a dozen business leaders from {a} signed five agreements in {b}",
           "{a} and {b} signed {c} agreements worth {q}{x}",
           "\"{a} and {b} will sign {c} agreements on {d} May\", President Emmanuel Macron "
           "said", "Chancellor Olaf Scholz said: “trade between {a} and {b} reached {x}”"],
    "fr": ["les échanges entre {a} et {b} ont atteint {q}{x}",
           "les exportations vers {b} ont augmenté de {p} % par rapport à l'année précédente, "
           "à {x}", "plus de {c} entreprises de {a} travaillent dans {b}",
           "les investissements de {a} au {b} ont atteint {x}",
           "une quinzaine de chefs d'entreprise de {a} accompagnent le ministre à {b}",
           "{a} et {b} ont signé trois accords et une dizaine de contrats",
           "{a} et {b} ont signé {c} accords d'un montant total de {q}{x}",
           "« Les échanges entre {a} et {b} ont atteint {x} », a déclaré le président "
           "Emmanuel Macron"],
    "ru": ["товарооборот {a} и {b} составил {q}{x}",
           "экспорт из {a} вырос на {p}% по сравнению с аналогичным периодом и составил {x}",
           "более {c} компаний из {a} работают в {b}", "инвестиции из {a} в {b} составили {x}",
           "около десятка предпринимателей из {a} прибыли в {b}",
           "{a} и {b} подписали {c} соглашений на сумму {q}{x}",
           "«Товарооборот {a} и {b} составил {x} в прошлом году», — заявил президент "
           "Касым-Жомарт Токаев"],
}
QUALIFIERS = {"en": ["", "more than ", "nearly ", "about "], "fr": ["", "près de ", "plus de "],
              "ru": ["", "около ", "более "]}


def _decimal(draw: st.DrawFn, lang: str) -> str:
    whole = draw(st.integers(min_value=0, max_value=999))
    fraction = draw(st.sampled_from(["", "1", "25", "5", "07"]))
    mark = "." if lang == "en" else ","
    return f"{whole}{mark}{fraction}" if fraction else str(whole)


@st.composite
def texts(draw: st.DrawFn) -> tuple[str, str]:
    """An article-like text in one language: sentences from the patterns, and noise."""
    lang = draw(st.sampled_from(["en", "fr", "ru"]))
    sentences = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        a, b = draw(st.lists(st.sampled_from(COUNTRIES[lang]), min_size=2, max_size=2,
                             unique=True))
        x = draw(st.sampled_from(MONEY[lang])).format(n=_decimal(draw, lang))
        x2 = draw(st.sampled_from(MONEY[lang])).format(n=_decimal(draw, lang))
        verb = draw(st.sampled_from(VERBS[lang])).format(
            a=a, b=b, x=x, x2=x2, q=draw(st.sampled_from(QUALIFIERS[lang])),
            p=_decimal(draw, lang), c=draw(st.integers(min_value=1, max_value=5000)),
            d=draw(st.integers(min_value=1, max_value=31)))
        when = draw(st.sampled_from(PERIODS[lang])).format(
            y=draw(st.integers(min_value=1992, max_value=2030)),
            m=draw(st.integers(min_value=1, max_value=12)))
        sentences.append(f"{when}, {verb}.")
        if draw(st.booleans()):
            sentences.append(draw(st.text(
                alphabet=st.sampled_from("abcdefgh ABC 0123456789.,%$€-"), max_size=60)))
    return lang, " ".join(sentences) + "\n"


def _numbers_in(sentence: str) -> set[str]:
    """The digit strings printed in a sentence (separators dropped), and the numbers it
    writes in words ("trois", "une quinzaine")."""
    words = {w: v for lex in LEXICONS.values()
             for w, v in {**lex.number_words, **lex.about_numbers}.items()}
    written = {str(v) for w, v in words.items()
               if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", sentence, re.IGNORECASE)}
    return {re.sub(r"\D", "", n) for n in _NUMBER.findall(sentence)} | written


def _digits(value: Any) -> str:
    text = format(Decimal(str(value)), "f")
    return re.sub(r"\D", "", text)


def _assert_never_invents(made: Draft, text: str) -> None:
    body = yaml.safe_load(made.text)
    Article.model_validate(body)  # the draft is a valid article
    facts = made.facts  # values as drafted (YAML's float reading would drop printed zeros)
    drafted = [*facts.trade, *facts.investments, *facts.counts, *facts.events]
    written = [f for name in ("trade", "investments", "counts", "events")
               for f in body.get(name, [])]
    assert [f["evidence"] for f in written] == [f["evidence"] for f in drafted]
    people = {p["id"] for p in facts.people}
    for quote in facts.quotes:  # verbatim, said by a person the draft names
        assert quote["text"] in text and quote["speaker"] in people, quote
        assert quote["unreviewed"] is True
    assert [q["text"] for q in body.get("quotes", [])] == [q["text"] for q in facts.quotes]
    for fact in drafted:
        evidence = fact["evidence"]
        assert evidence in text, evidence
        printed = _numbers_in(evidence)
        numbers = [fact["value"]] if "value" in fact else []
        if "worth" in fact:  # the total value of agreements counted
            numbers.append(fact["worth"]["value"])
        if "growth" in fact:
            numbers.append(abs(Decimal(str(fact["growth"]["percent"]))))
        for number in numbers:
            assert _digits(number) in printed, (number, evidence)


def _check(lang: str, text: str, day: date) -> None:
    made = _draft(lang, text, day)
    if made is not None:
        _assert_never_invents(made, text)


def _draft(lang: str, text: str, day: date) -> Draft | None:
    try:
        return draft(Page(text, language=lang), KNOWN, published=day, publisher="Test")
    except ValueError as exc:  # fewer than two countries: nothing drafted, nothing invented
        assert "fewer than two countries" in str(exc)
        return None


@settings(max_examples=300, deadline=None)
@given(texts(), st.dates(min_value=date(1995, 1, 1), max_value=date(2031, 12, 31)))
def test_generated_texts_never_get_an_invented_number(sample: tuple[str, str],
                                                      day: date) -> None:
    lang, text = sample
    _check(lang, text, day)


def _dev() -> list[dict[str, Any]]:
    gold: dict[str, Any] = yaml.safe_load((DEV / "gold.yaml").read_text(encoding="utf-8"))
    articles: list[dict[str, Any]] = gold["articles"]
    return articles


@pytest.mark.parametrize("article", _dev(), ids=lambda a: str(a["id"]))
def test_real_texts_never_get_an_invented_number(article: dict[str, Any]) -> None:
    text = (DEV / article["text_file"]).read_text(encoding="utf-8")
    made = _draft(article["language"], text, date(2023, 11, 1))
    assert made is not None and made.facts.trade + made.facts.events
    _assert_never_invents(made, text)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(p.name for p in (DEV / "texts").glob("*.txt"))),
       st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=1500))
def test_cut_real_texts_never_get_an_invented_number(name: str, start: int,
                                                     length: int) -> None:
    full = (DEV / "texts" / name).read_text(encoding="utf-8")
    text = full[start:start + length]
    lang = "ru" if name.endswith("-ru.txt") else "fr" if "-fr" in name else "en"
    _check(lang, text, date(2023, 11, 1))


def test_the_dev_set_is_not_in_the_repository() -> None:
    """Article texts stay outside: no sentence of the dev texts is in a tracked file."""
    passages = [s for p in (DEV / "texts").glob("*.txt")
                for s in re.split(r"(?<=[.!?])\s+", p.read_text(encoding="utf-8"))
                if len(s) > 80]
    assert passages
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "tests").rglob("*.py"),
                 *(ROOT / "bench").rglob("*.py"), *Path(ROOT).glob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert not any(p in text for p in passages), path
