"""Telegram's HTML parse mode: the tags it accepts, its entities, its exact error messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from tests.fakes.botapi.records import JSON


class HtmlParseError(ValueError):
    """HTML markup Telegram would refuse; the message uses Telegram's wording."""


_HTML_TAGS: Final = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "span",
        "tg-spoiler", "tg-emoji", "blockquote",
    }
)
_SIMPLE_ENTITIES: Final = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "code": "code", "pre": "pre",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE: Final = re.compile(r"&(?:#x([0-9a-fA-F]*)|#([0-9]*)|([A-Za-z]*))(;?)")
_SPACES: Final = frozenset(" \t\n\r\v\f")


def utf16_length(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units (Telegram's entity unit)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity at ``text[pos]`` like Telegram: ``(char, end)`` or None."""
    match = _ENTITY_RE.match(text, pos)
    if match is None:
        return None
    hex_digits, dec_digits, name, semicolon = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return None if char is None else (char, match.end())
    digits = hex_digits if hex_digits is not None else dec_digits
    if not digits or match.end() - len(semicolon) - pos >= 10:
        return None
    code = int(digits, 16 if hex_digits is not None else 10)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int
    begin: int


class _HtmlParser:
    """Telegram's (tdlib's) HTML parser, re-implemented with its error messages."""

    def __init__(self, text: str, *, strict: bool) -> None:
        self.text = text
        self.strict = strict
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JSON] = []

    def parse(self) -> tuple[str, list[JSON]]:
        """Return the plain text and its entities, or raise HtmlParseError."""
        while self.pos < len(self.text):
            self._step()
        if self.stack:
            name = self.stack[-1].name
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.out), self.entities

    def _byte_offset(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8"))

    def _peek(self, index: int) -> str:
        return self.text[index] if index < len(self.text) else ""

    def _emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.utf16 += utf16_length(chunk)

    def _step(self) -> None:
        char = self.text[self.pos]
        if char == "&":
            self._emit(self._entity())
        elif char != "<":
            self._emit(char)
            self.pos += 1
        elif self._peek(self.pos + 1) == "/":
            self._end_tag()
        else:
            self._start_tag()

    def _entity(self) -> str:
        decoded = decode_html_entity(self.text, self.pos)
        if decoded is None:
            if self.strict:
                offset = self._byte_offset(self.pos)
                raise HtmlParseError(f'Unescaped "&" at byte offset {offset}')
            self.pos += 1
            return "&"
        char, self.pos = decoded
        return char

    def _skip_spaces(self) -> None:
        while self._peek(self.pos) in _SPACES and self.pos < len(self.text):
            self.pos += 1

    def _scan_name(self, stop: str) -> str:
        start = self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in _SPACES or char in stop:
                break
            self.pos += 1
        return self.text[start : self.pos]

    def _start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        name = self._scan_name(">").lower()
        offset = self._byte_offset(begin)
        if self.pos >= len(self.text):
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
        if name not in _HTML_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        argument = self._attributes(name, offset)
        if name == "span" and argument != "spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        if name == "tg-emoji" and not (argument.isdigit() and int(argument) > 0):
            raise HtmlParseError("Invalid custom emoji identifier specified")
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.out)))

    def _attributes(self, tag: str, offset: int) -> str:
        argument = ""
        while True:
            self._skip_spaces()
            if self.pos >= len(self.text):
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
            if self.text[self.pos] == ">":
                self.pos += 1
                return argument
            argument = self._attribute(tag, offset) or argument

    def _attribute(self, tag: str, offset: int) -> str | None:
        name = self._scan_name("=>")
        if not name:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {offset}'
            )
        self._skip_spaces()
        if self._peek(self.pos) != "=":
            if tag == "blockquote" and name == "expandable":
                return "expandable"
            raise HtmlParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {offset}'
            )
        self.pos += 1
        self._skip_spaces()
        if self.pos >= len(self.text):
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {offset}')
        quote = self.text[self.pos]
        value = self._quoted_value(quote) if quote in "'\"" else self._token_value()
        if self.pos >= len(self.text):
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
        return _tag_argument(tag, name, value)

    def _quoted_value(self, quote: str) -> str:
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text) and self.text[self.pos] != quote:
            if self.text[self.pos] == "&":
                chars.append(self._entity())
            else:
                chars.append(self.text[self.pos])
                self.pos += 1
        if self.pos < len(self.text):
            self.pos += 1
        return "".join(chars)

    def _token_value(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] in ".-"
        ):
            self.pos += 1
        following = self._peek(self.pos)
        if following and following not in _SPACES and following != ">":
            offset = self._byte_offset(start)
            raise HtmlParseError(f"Unexpected end of name token at byte offset {offset}")
        return self.text[start : self.pos].lower()

    def _end_tag(self) -> None:
        begin = self.pos
        offset = self._byte_offset(begin)
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
        self.pos += 2
        name = self._scan_name(">").lower()
        self._skip_spaces()
        if self._peek(self.pos) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {offset}")
        self.pos += 1
        tag = self.stack.pop()
        if name and name != tag.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{tag.name}>", '
                f'found "</{name}>"'
            )
        self._close(tag)

    def _close(self, tag: _OpenTag) -> None:
        length = self.utf16 - tag.offset
        if length <= 0:
            return
        entity: JSON = {"offset": tag.offset, "length": length}
        last = self.entities[-1] if self.entities else None
        if tag.name == "pre" and last and last.get("_language") and _same_span(last, entity):
            last.update(type="pre", language=last.pop("_language"))
            return
        self.entities.append({"type": "", **entity})
        self._fill_entity(self.entities[-1], tag)

    def _fill_entity(self, entity: JSON, tag: _OpenTag) -> None:
        if tag.name == "a":
            entity.update(type="text_link", url=tag.argument or "".join(self.out[tag.begin :]))
        elif tag.name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
        else:
            entity["type"] = _SIMPLE_ENTITIES[tag.name]
            if tag.name == "code" and tag.argument:
                entity["_language"] = tag.argument


def _same_span(first: JSON, second: JSON) -> bool:
    return bool(first["offset"] == second["offset"] and first["length"] == second["length"])


def _tag_argument(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "expandable"
    return None


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML into ``(plain_text, entities)``; raise HtmlParseError if invalid."""
    plain, entities = _HtmlParser(text, strict=strict).parse()
    for entity in entities:
        entity.pop("_language", None)
    return plain, entities
