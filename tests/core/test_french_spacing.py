"""One rule for French spacing everywhere: a narrow no-break space (U+202F) before ; : ! ?
and inside « », in every catalog entry and every answer, briefing or short notice."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from babel.messages.pofile import read_po

from bot.core import i18n
from bot.core.chat_settings import MemoryChat
from bot.core.library import Library
from tests.support.asking import ask

PO = i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po"
# A mark of French punctuation that follows a word, and what stands before it.
_BEFORE_MARK = re.compile(r"(\S?)([ \u00a0\u202f]?)([;:!?])(?=\s|$)")
_AFTER_OPENING = re.compile(r"«(.)")
_BEFORE_CLOSING = re.compile(r"(.)»")
# Short notices (settings, subscriptions, time zones, languages, errors) and briefings.
LINES = ("/reglages", "/abonner", "/abonner hebdo", "/abonner lundi", "/abonner 25h",
         "/abonner silencieux", "/abonnement", "/desabonner", "/fuseau", "/fuseau Nulle-Part",
         "/fuseau Paris", "/fuseau UTC+5", "/langue", "/langue klingon", "/commerce 1999",
         "/commerce Atlantide", "/evenements juin", "/resume zzz", "/suivre Atlantide",
         "/suivre", "/ne_plus_suivre DE", "/couples", "/aide", "/tradee", "/bref",
         "/commerce", "/evenements", "/resume", "/commerce notes", "/statistiques",
         "/recharger", "/brouillon")


def misspaced(text: str) -> list[str]:
    """Every place ``text`` breaks the rule, with its surroundings."""
    bad = [m[0] for m in _BEFORE_MARK.finditer(text)
           if m[1] and m[2] != "\u202f" and not (m[3] == ":" and m[1] in "/")]
    bad += [m[0] for m in _AFTER_OPENING.finditer(text) if m[1] != "\u202f"]
    bad += [m[0] for m in _BEFORE_CLOSING.finditer(text) if m[1] != "\u202f"]
    return bad


def test_every_french_catalog_entry_spaces_its_punctuation_the_french_way() -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    checked = 0
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) \
            else (message.string,)
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        for text in strings:
            assert misspaced(str(text)) == [], (message.id, text)
        assert misspaced(i18n.gettext("fr", str(ids[0]))) == [], message.id
        checked += 1
    assert checked > 300  # the whole catalog, not an empty one


@pytest.mark.parametrize("prefix", ["/", "!"])
async def test_every_french_answer_spaces_its_punctuation_the_french_way(
        library: Library, may7: datetime, prefix: str) -> None:
    chat = MemoryChat("fr")
    marks = 0
    for line in LINES:
        reply = await ask(library, may7, prefix + line[1:], "fr", prefix=prefix, chat=chat)
        assert reply is not None, line
        text = reply.message.text
        assert misspaced(text) == [], (line, text)
        marks += len(re.findall("\u202f[;:!?»]", text))
    assert marks > len(LINES)  # the answers do use the marks the rule is about
