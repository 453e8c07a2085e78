"""Properties: amounts keep their printed precision; the splitter respects limits and markup."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import i18n
from bot.core.facts import Amount
from bot.core.render import ALLOWED_TAGS, measure, split, to_text

UNITS = ("one", "thousand", "million", "billion")


@st.composite
def printed_amounts(draw: st.DrawFn) -> Amount:
    """An amount as a source could print it: up to 4 integer digits, up to 3 decimals."""
    integer = draw(st.integers(min_value=0, max_value=9999))
    decimals = draw(st.integers(min_value=0, max_value=3))
    fraction = draw(st.integers(min_value=0, max_value=10**decimals - 1)) if decimals else 0
    text = f"{integer}.{fraction:0{decimals}d}" if decimals else str(integer)
    return Amount(value=Decimal(text), unit=draw(st.sampled_from(UNITS)),
                  currency=draw(st.sampled_from(["USD", "EUR", "KZT"])))


def _digits_shown(formatted: str, locale: str) -> str:
    """The digits of the number in a formatted amount, decimal separator as a dot."""
    sep = "," if locale == "fr" else "."
    number = re.search(r"\d[\d\s\u202f\u00a0,.]*", formatted)
    assert number is not None
    raw = number.group(0).strip()
    raw = re.sub(r"[\s\u202f\u00a0]", "", raw) if locale == "fr" else raw.replace(",", "")
    return raw.replace(sep, ".") if locale == "fr" else raw


@settings(max_examples=300, deadline=None)
@given(amount=printed_amounts(), locale=st.sampled_from(["fr", "en"]))
def test_amounts_keep_their_printed_precision(amount: Amount, locale: str) -> None:
    shown = _digits_shown(i18n.money(amount, locale), locale)
    assert shown.rstrip(".") == str(amount.value)


def test_five_point_five_billion_is_never_six() -> None:
    amount = Amount(value=Decimal("5.5"), unit="billion", currency="USD")
    assert i18n.money(amount, "en") == "$5.5\u00a0billion"
    assert i18n.money(amount, "fr") == "5,5\u00a0milliards de dollars"
    assert i18n.money(Amount(value=Decimal("1.8"), unit="billion", currency="USD"),
                      "fr") == "1,8\u00a0milliard de dollars"
    assert i18n.money(Amount(value=Decimal("4"), unit="billion", currency="EUR"),
                      "fr") == "4\u00a0milliards d’euros"
    assert i18n.number(Decimal("4.20"), "fr") == "4,20"


class _Checker(HTMLParser):
    """Fails on tags outside Telegram's subset or on bad nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()


def _valid(markup: str) -> bool:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    return not checker.stack


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                min_size=1, max_size=30).map(lambda w: w.replace("<", "&lt;").replace(
                    "&", "&amp;").replace("&amp;lt;", "&lt;"))


@st.composite
def markups(draw: st.DrawFn, depth: int = 0) -> str:
    """Random nested Telegram HTML."""
    parts = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(["b", "i", "u", "s", "code", "blockquote"]))
            parts.append(f"<{tag}>{draw(markups(depth + 1))}</{tag}>")
        else:
            parts.append(draw(words) + draw(st.sampled_from([" ", "\n", " ", ""])))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(markup=markups(), limit=st.integers(min_value=40, max_value=400),
       visible=st.booleans())
def test_splitter_never_exceeds_the_limit_nor_breaks_markup(
        markup: str, limit: int, visible: bool) -> None:
    if not visible:
        limit += 100  # room for three levels of nested tags, opened and closed
    chunks = split(markup, limit, visible=visible)
    for chunk in chunks:
        assert measure(chunk, visible) <= limit
        assert _valid(chunk)
    joined = re.sub(r"\s+", "", "".join(to_text(c, addresses=False) for c in chunks))
    assert joined == re.sub(r"\s+", "", to_text(markup, addresses=False))


def test_splitter_cuts_between_words() -> None:
    text = "<b>" + " ".join(["word"] * 50) + "</b>"
    chunks = split(text, 30)
    assert len(chunks) > 1
    for chunk in chunks:
        body = to_text(chunk)
        assert all(w == "word" for w in body.split())
        assert chunk.startswith("<b>") and chunk.endswith("</b>")
