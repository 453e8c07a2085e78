"""French spacing, one rule for every French text: a narrow no-break space (U+202F) before
; : ! ? and inside « ». The catalog (``i18n.gettext``) and the renderer both apply it."""

from __future__ import annotations

import re

NNBSP = "\u202f"
# Punctuation followed by a space, a tag or the end never occurs inside our tags (addresses
# have none), and « » never do: these run on the whole markup.
_FRENCH_PUNCTUATION = re.compile(r"([;:!?])(?=[\s<]|$)")
_SPACES = " \u00a0\u202f"
_OPENING = re.compile(r"«[ \u00a0\u202f]*")
_CLOSING = re.compile(r"[ \u00a0\u202f]*»")


def french_spacing(text: str) -> str:
    """A narrow no-break space before ; : ! ? and inside « » (whatever space was there)."""
    pieces = _FRENCH_PUNCTUATION.split(text)  # text, mark, text, mark, ..., text
    for i in range(0, len(pieces) - 1, 2):
        pieces[i] = pieces[i].rstrip(_SPACES) + NNBSP
    text = "".join(pieces)
    if "«" in text or "»" in text:
        text = _CLOSING.sub(NNBSP + "»", _OPENING.sub("«" + NNBSP, text))
    return text
