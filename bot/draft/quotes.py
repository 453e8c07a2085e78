"""Verbatim quotations attributed to a person the draft names: the words between quotation
marks, exactly as printed, with the speaker named next to them and a verb of saying.

A quotation without a named speaker ("he said", "the Kazakh leader added") is left out:
guessing who "he" is would be inventing; short quoted names ("Central Asia + Germany") are
titles, not quotations.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from bot.draft.lexicon import LEXICONS
from bot.draft.names import mention

# Opening and closing marks: French guillemets, English curly quotes, straight quotes and
# German-style low-high quotes (common in Russian), each pair closed by its own mark.
# Straight quotes open before a word and close after one: text between two quotations
# (" he said. ") is not one.
_QUOTED = re.compile(r"«\s*(?P<a>[^«»]+?)\s*»|“(?P<b>[^“”]+)”|"
                     r"\"(?P<c>[^\s\"][^\"\n]*[^\s\"])\"|„(?P<d>[^„“”]+)[“”]")
_MIN_WORDS = 6  # fewer is a name or a slogan, not something someone said
_WINDOW = 90  # characters around the quotation where its speaker is named


@cache
def _speech(lang: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{LEXICONS[lang].speech})(?!\w)", re.IGNORECASE)


def quotations(text: str, lang: str, people: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """The quotations of ``text`` spoken by one of ``people`` (id, printed names), each
    once, unreviewed."""
    out: list[dict[str, Any]] = []
    for line in re.finditer(r"[^\n]+", text):
        para = line.group()
        for m in _QUOTED.finditer(para):
            said = next(g for g in m.groups() if g is not None).strip()
            if len(said.split()) < _MIN_WORDS or any(q["text"] == said for q in out):
                continue
            speaker = _speaker(para, m.start(), m.end(), lang, people)
            if speaker is not None:
                out.append({"speaker": speaker, "language": lang, "text": said,
                            "unreviewed": True})
    return out


def _speaker(para: str, start: int, end: int, lang: str,
             people: list[tuple[str, list[str]]]) -> str | None:
    """The person named with a verb of saying right after the quotation (up to the end of
    its sentence) or right before it (in the same sentence), nearest first."""
    after = re.split(r"(?<=[.!?])\s", para[end:end + _WINDOW], maxsplit=1)[0]
    before = re.split(r"[.!?]\s", para[max(0, start - _WINDOW):start])[-1]
    speech = _speech(lang)
    candidates: list[tuple[int, str]] = []
    if speech.search(after):
        candidates += [(at, pid) for pid, names in people
                       if (at := mention(after, names)) is not None]
    if speech.search(before):
        candidates += [(len(before) - at, pid) for pid, names in people
                       if (at := mention(before, names)) is not None]
    return min(candidates)[1] if candidates else None
