"""Rendering: Jinja2 templates to Telegram-style HTML, the plain-text twin, and the splitter."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.core import i18n
from bot.core.spacing import french_spacing
from bot.metrics import rendering

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "briefs"
TELEGRAM_LIMIT = 4096
ARG_ECHO_LIMIT = 40  # characters of a user's argument quoted back in an answer


def echo(arg: str) -> str:
    """A user's argument, shortened for quoting back in an error."""
    return arg if len(arg) <= ARG_ECHO_LIMIT else arg[:ARG_ECHO_LIMIT] + "…"
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "a", "code", "pre", "blockquote"})


@dataclass(frozen=True)
class Rendered:
    """A message ready for any network: Telegram-subset HTML and its plain-text twin."""

    html: str
    text: str

    @classmethod
    def from_html(cls, markup: str) -> Rendered:
        """Build both forms from HTML."""
        markup = _tidy(markup)
        return cls(markup, to_text(markup))


def _tidy(markup: str) -> str:
    """Trim trailing spaces and collapse runs of blank lines left by template logic."""
    lines = [line.rstrip() for line in markup.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _address(match: re.Match[str]) -> str:
    """A link's text, then its address in brackets when the text is not the address."""
    text, href = match[2], match[1]
    shown = html.unescape(_TAG.sub("", text)).strip()
    if not href or shown == html.unescape(href):
        return text
    return f"{text} &lt;{href}&gt;"


def to_text(markup: str, addresses: bool = True) -> str:
    """The plain-text form of Telegram-subset HTML (links followed by their addresses).

    Plain text (console, Matrix ``body``, notifications) keeps each source's address; the
    markup is the templates' own, so tags are never nested inside a link's address.
    """
    if addresses and "<a" in markup:
        markup = _LINK.sub(_address, markup)
    return html.unescape(_TAG.sub("", markup))


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


_TOKEN = re.compile(r"<(/?)([a-z-]+)([^>]*)>|[^<]+")


def _cost(piece: str, is_tag: bool, visible: bool) -> int:
    """What a piece adds to a message's length: Telegram counts only the visible text."""
    if visible:
        return 0 if is_tag else utf16_len(html.unescape(piece))
    return utf16_len(piece)


def measure(markup: str, visible: bool = True) -> int:
    """A message's length as the network counts it (visible text, or raw markup)."""
    return utf16_len(to_text(markup, addresses=False)) if visible else utf16_len(markup)


class _Splitter:
    """State of one split: the chunk being filled and the tags open at this point."""

    def __init__(self, limit: int, visible: bool) -> None:
        self.limit, self.visible = limit, visible
        self.chunks: list[str] = []
        self.stack: list[list[str | bool]] = []  # [name, opening tag, written in chunk?]
        self.current, self.used, self.has_text = "", 0, False

    def _tags(self, text: str) -> int:
        return 0 if self.visible else utf16_len(text)

    def _pending(self) -> str:
        return "".join(str(t) for _, t, written in self.stack if not written)

    def _closing(self) -> str:
        return "".join(f"</{name}>" for name, _, _ in reversed(self.stack))

    def flush(self) -> None:
        """Close the chunk's open tags and start a new chunk."""
        written = [e for e in self.stack if e[2]]
        self.chunks.append(self.current + "".join(f"</{e[0]}>" for e in reversed(written)))
        self.current, self.used, self.has_text = "", 0, False
        for entry in self.stack:
            entry[2] = False  # reopened lazily, before the next word

    def _write(self, word: str) -> None:
        opening = self._pending()
        self.current += opening + word
        self.used += self._tags(opening) + _cost(word, False, self.visible)
        self.has_text = self.has_text or bool(word.strip())
        for entry in self.stack:
            entry[2] = True

    def word(self, word: str) -> None:
        """Add a word, starting a new chunk (or cutting the word) when it does not fit."""
        def need(w: str) -> int:
            return (self.used + _cost(w, False, self.visible) + self._tags(self._pending())
                    + self._tags(self._closing()))

        if need(word) > self.limit and self.has_text:
            self.flush()
        while need(word) > self.limit:  # a single word longer than a whole chunk
            room = self.limit - need("")
            head, word = _cut(word, room, self.visible)
            if not head:
                raise ValueError("limit too small for the open tags")
            self._write(head)
            self.flush()
        self._write(word)

    def tag(self, name: str, text: str, closing: bool) -> None:
        """Open or close a tag; opening tags are written with the next word."""
        if not closing:
            self.stack.append([name, text, False])
            return
        if self.stack:
            _, _, written = self.stack.pop()
            if written:
                self.current += text
                self.used += self._tags(text)


def split(markup: str, limit: int = TELEGRAM_LIMIT, visible: bool = True) -> list[str]:
    """Cut HTML into chunks of at most ``limit`` units, never inside a tag or a word.

    ``visible`` counts the text after markup is parsed (Telegram's rule); otherwise the raw
    markup is counted. Tags open at a cut are closed at the end of the chunk and reopened at
    the start of the next, so each chunk is valid markup on its own.
    """
    if measure(markup, visible) <= limit:
        return [markup]
    state = _Splitter(limit, visible)
    for match in _TOKEN.finditer(markup):
        if match.group(2):
            state.tag(match.group(2), match.group(0), bool(match.group(1)))
            continue
        for word in re.findall(r"\S+\s*|\s+", match.group(0)):
            state.word(word)
    if state.has_text:
        state.flush()
    return [c.strip() for c in state.chunks if to_text(c).strip()]


def _cut(word: str, room: int, visible: bool) -> tuple[str, str]:
    """Cut an over-long word at ``room`` units, never inside an entity."""
    head, used = "", 0
    for match in re.finditer(r"&[#a-zA-Z0-9]+;|.", word, re.DOTALL):
        cost = _cost(match.group(0), False, visible)
        if used + cost > room:
            break
        head, used = head + match.group(0), used + cost
    return head, word[len(head):]


def _escape(value: object) -> str:
    return html.escape(str(value), quote=True)


@cache
def environment(locale: str) -> Environment:
    """The Jinja environment for one locale: its catalog and formatting filters bound."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["j2", "html"], default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["locale"] = locale
    # French puts a narrow no-break space before a colon.
    env.globals["colon"] = "\u202f:" if locale == "fr" else ":"
    return env


def render(template: str, locale: str, **context: Any) -> Rendered:
    """Render ``briefs/<template>.html.j2`` for ``locale`` (timed for /metrics).

    Every template gets ``prefix``, the command prefix of the network it is read on, so that
    a briefing never tells a Matrix user to type a Telegram command.
    """
    if "prefix" not in context:
        raise TypeError(f"rendering {template} without the command prefix")
    with rendering(template):
        markup = environment(locale).get_template(f"{template}.html.j2").render(**context)
        return Rendered.from_html(typography(markup, locale))


def template_module(template: str, locale: str, **context: Any) -> Any:
    """The macros of ``briefs/<template>.html.j2`` bound to ``context``, for parts of a
    message rendered apart and cached (the message's own render applies the typography)."""
    return environment(locale).get_template(f"{template}.html.j2").make_module(context)


# "In text, not inside a tag": the next angle bracket ahead is an opening one (or none).
_IN_TEXT = r"(?=[^<>]*(?:<|$))"
_APOSTROPHE = re.compile(r"(?:&#39;|')" + _IN_TEXT)
_ENGLISH_QUOTES = re.compile(r"&#34;([^&<>]+?)&#34;" + _IN_TEXT)


def typography(markup: str, locale: str) -> str:
    """One apostrophe style everywhere; French spacing around ; : ! ? « » (text only)."""
    if "'" in markup or "&#39;" in markup:
        markup = _APOSTROPHE.sub("\u2019", markup)
    if locale == "fr":
        markup = french_spacing(markup)
    elif "&#34;" in markup:
        markup = _ENGLISH_QUOTES.sub("\u201c\\1\u201d", markup)
    return markup
