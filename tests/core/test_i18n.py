"""Catalogs: every French entry translated, none fuzzy, no markup; locale negotiation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.core import i18n

CATALOG = Path(__file__).resolve().parents[2] / "briefs" / "locale" / "fr" / "LC_MESSAGES"


def _entries() -> list[tuple[str, str, bool]]:
    with (CATALOG / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    return [(str(m.id), str(m.string), m.fuzzy) for m in catalog if m.id]


def test_every_french_entry_is_translated_and_not_fuzzy() -> None:
    entries = _entries()
    assert len(entries) > 50
    assert [i for i, s, _ in entries if not s.strip()] == []
    assert [i for i, _, fuzzy in entries if fuzzy] == []


def test_translations_keep_placeholders_and_no_markup() -> None:
    for msgid, msgstr, _ in _entries():
        placeholders = re.compile(r"\{\w+\}|%\(\w+\)s")
        assert sorted(placeholders.findall(msgid)) == sorted(placeholders.findall(msgstr)), msgid
        # newstyle gettext marks translations safe: markup or a bare & would reach Telegram raw.
        for text in (msgid, msgstr):
            assert "<" not in text and "&" not in text, text


@pytest.mark.parametrize(("code", "expected"), [
    ("fr-CA", "fr"), ("fr", "fr"), ("fr_BE", "fr"), ("en-GB", "en"), ("de", "en"),
    (None, "en"), ("", "en"),
])
def test_negotiation(code: str | None, expected: str) -> None:
    assert i18n.negotiate(code) == expected


def test_negotiation_honours_the_configured_default() -> None:
    assert i18n.negotiate("ru", default="fr") == "fr"


def test_french_catalog_is_used() -> None:
    assert i18n.gettext("fr", "Key points") == "Points clés"
    assert i18n.gettext("en", "Key points") == "Key points"
