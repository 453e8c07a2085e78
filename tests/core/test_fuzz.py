"""Fuzzing that stays in the suite: hostile YAML at the loader, hostile text at every command
and at the inline search, in both languages, through the real render path.

Every answer must be valid Telegram HTML (checked by the fake Bot API's own parser), each part
within Telegram's 4096 characters, raise nothing, and quote a user's argument no longer than
the echo cut. ``make test`` runs a short deterministic profile; ``make fuzz`` runs each
target again and again with fresh random examples for ``BILAT_FUZZ_SECONDS`` and prints how
many examples each target tried.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import briefings, checks, search
from bot.core.briefings import describe
from bot.core.clock import FixedClock, parse_instant
from bot.core.command_table import ARG_ECHO_LIMIT, Reply
from bot.core.commands import COMMAND_TABLE
from bot.core.library import Library
from bot.core.load import DataInvalid, load_dataset
from bot.core.network import ChatRef
from bot.core.phrases import Phrases
from bot.core.render import TELEGRAM_LIMIT, Rendered, split
from bot.store.chat_settings import StoredChat, open_chat
from bot.store.db import Database
from tests.conftest import DATA, ZONE
from tests.core.test_load import VALID
from tests.fakes.botapi import parse_html
from tests.support.asking import ask

LOCALES = ("en", "fr")
NOW = "2025-05-07T12:00:00+05:00"

settings.register_profile(
    "bilat-suite", max_examples=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "bilat-fuzz", max_examples=200, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile(
    "bilat-fuzz" if float(os.environ.get("BILAT_FUZZ_SECONDS", "0")) > 0 else "bilat-suite")

TRIED: Counter[str] = Counter()


def fuzz(name: str, target: Callable[[], None]) -> None:
    """Run a Hypothesis test once, or again and again until the fuzz budget is spent."""
    budget = float(os.environ.get("BILAT_FUZZ_SECONDS", "0"))
    started = time.monotonic()
    target()
    while time.monotonic() - started < budget:
        target()
    if budget > 0:
        print(f"\nfuzz {name}: {TRIED[name]} examples in {time.monotonic() - started:.0f} s",
              flush=True)


# What a valid answer is -------------------------------------------------------------------

def assert_sendable(message: Rendered) -> None:
    """Valid Telegram HTML in parts of at most 4096 characters, none of them empty."""
    parts = split(message.html, TELEGRAM_LIMIT)
    assert parts
    for part in parts:
        plain, _ = parse_html(part, strict=True)
        assert 0 < len(plain.strip()) <= TELEGRAM_LIMIT


def assert_no_long_echo(reply_text: str, args: list[str]) -> None:
    """No argument is quoted back beyond the echo cut."""
    for arg in args:
        if len(arg) > ARG_ECHO_LIMIT:
            assert arg[:ARG_ECHO_LIMIT + 1] not in reply_text, arg[:80]


# Hostile text -----------------------------------------------------------------------------

HOSTILE = [
    "²", "²²²²", "٣", "𝟙𝟡𝟡𝟡", "9" * 5000, "1" * 29, "1e30", "-1", "0", "00", "2024", "1899",
    "<b>", "</i>", "<a href='x'>", "&", "&amp;", "&lt;", '"', "'", "<", ">", "\u202e",
    "\u200b", "\ufeff", "🇫🇷", "e\u0301", "%s", "%(num)d", "{}", "{0}", "{chat}", "\\",
    "@bilat_news", "@", "#", "/trade", "!trade", "Europe/Paris", "localtime", "Factory",
    "UTC", "fr", "en", "past", "all", "tous", "daily", "weekly", "monday", "lundi", "08:00",
    "25:99", "8h", "on", "off", "alerts", "7d", "1d", "KZ-FR", "x" * 4090,
]
CHARACTERS = st.characters(exclude_categories=["Cs"])
words = st.one_of(st.sampled_from(HOSTILE), st.text(CHARACTERS, min_size=1, max_size=60),
                  st.from_regex(r"[0-9]{1,60}", fullmatch=True))
names = st.one_of(st.sampled_from([n for c in COMMAND_TABLE for n in (c.name, *c.french)]),
                  st.sampled_from(["TRADE", "Trade", "résumé", "aide", "événements", ""]),
                  st.text(CHARACTERS, max_size=40))


class _Chat:
    """A stored group chat on an in-memory database, on a loop of the test's own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.db = self.loop.run_until_complete(Database.open(":memory:"))
        self.clock = FixedClock(parse_instant(NOW))
        self.stored: StoredChat = self.loop.run_until_complete(open_chat(
            self.db, ChatRef("fuzz", "-1"), self.clock, type="group", locale="en",
            timezone=ZONE, title="Fuzz"))

    def say(self, library: Library, line: str, locale: str, prefix: str) -> Reply | None:
        """The answer to ``line`` in ``locale``, as this chat."""
        if self.stored.locale != locale:
            self.loop.run_until_complete(self.stored.set_locale(locale))
        return self.loop.run_until_complete(ask(library, self.clock.now(), line, locale,
                                                prefix=prefix, chat=self.stored,
                                                sender="fuzz:1"))

    def close(self) -> None:
        self.loop.run_until_complete(self.db.close())
        self.loop.close()


@pytest.fixture(scope="module")
def chat() -> Iterator[_Chat]:
    """One stored chat for every example."""
    made = _Chat()
    yield made
    made.close()


def test_hostile_text_at_every_command(library: Library, chat: _Chat) -> None:
    @PROFILE
    @given(name=names, args=st.lists(words, max_size=5), locale=st.sampled_from(LOCALES),
           prefix=st.sampled_from(["/", "!"]), gap=st.sampled_from([" ", "  ", "\t", " \n"]))
    def target(name: str, args: list[str], locale: str, prefix: str, gap: str) -> None:
        TRIED["commands"] += 1
        line = prefix + name + (gap + " ".join(args) if args else "")
        reply = chat.say(library, line, locale, prefix)
        assert reply is not None, line[:80]
        assert_sendable(reply.message)
        assert_no_long_echo(reply.message.text, line[1:].split())

    fuzz("commands", target)


def test_hostile_text_at_the_inline_search(library: Library) -> None:
    now = parse_instant(NOW)

    @PROFILE
    @given(query=st.lists(words, min_size=1, max_size=4).map(" ".join),
           locale=st.sampled_from(LOCALES))
    def target(query: str, locale: str) -> None:
        TRIED["inline"] += 1
        found = search.search(library, query, 50)
        assert len(found) <= 50
        assert set(found) <= {a.id for a in library.articles}
        scope = briefings.Scope.make(library, locale, now, ZONE)
        shown = [briefings.summary(scope, article_id) for article_id in found[:3]]
        year = int(query) if query.isascii() and query.isdigit() and len(query) == 4 else None
        for message in (*shown, briefings.trade(scope, year), briefings.summary(scope, query)):
            assert_sendable(message)
        assert_no_long_echo(briefings.summary(scope, query).text, [query])

    fuzz("inline", target)


# Hostile YAML -----------------------------------------------------------------------------

SCALARS = st.one_of(
    st.sampled_from(["1.0e999999", "1e30", "12345678901234567890123456789", "0001-01-01",
                     "9999-12-31", "2025-02-30", "-0", ".nan", ".inf", "~", "yes", "0x1F",
                     "2024-13", "1899", "25:61", "Moon/Base", "localtime", "XX", "DOLLARS"]),
    st.text(CHARACTERS, max_size=40), st.text(CHARACTERS, min_size=400, max_size=1200),
    st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none())
values: st.SearchStrategy[Any] = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                     st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12)
FRAGMENTS = ["&a ", "*a", "&b [*a, *a, *a]\n", "!!python/object:os.system ", "{", "}", "[", "]",
             "? ", "- ", ": ", "|\n", ">-\n", "%YAML 1.1\n", "---\n", "...\n", "\t", "\x07",
             "\ufeff", "\x85", "'", '"', "\\x1b", "<<: *a\n", "  ", "\n", "#", "!!binary ",
             "key_points:\n", "  - {fr: a, en: b}\n", "[" * 30, "]" * 30, "é", "\u2028"]
raw_yaml = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(CHARACTERS, max_size=20)),
                    max_size=40).map("".join)
BASE: dict[str, Any] = yaml.safe_load(VALID)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value in a parsed article."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


PATHS = [p for p in _paths(BASE) if p]


def _replaced(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """The valid article with the value at ``path`` replaced."""
    article: dict[str, Any] = yaml.safe_load(VALID)
    node: Any = article
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return article


mutated_yaml = st.builds(lambda path, value: yaml.safe_dump(_replaced(path, value),
                                                            allow_unicode=True),
                         st.sampled_from(PATHS), values)
aliased_yaml = st.builds(lambda text, cut: text[:cut] + "\n" + "x: &a [1]\ny: [*a, *a]\n",
                         mutated_yaml, st.integers(0, 2000))


def _briefings(library: Library, now: datetime) -> None:
    """Every briefing of an accepted library, in both languages, sendable."""
    phrases = Phrases("en", library.countries)
    for finding in checks.all_findings(library):
        describe(finding, phrases)
    for locale in LOCALES:
        scope = briefings.Scope.make(library, locale, now, ZONE)
        for message in (briefings.summary(scope), briefings.trade(scope, None),
                        briefings.events(scope, "all"), briefings.article_list(scope)):
            assert_sendable(message)


def test_hostile_yaml_at_the_loader() -> None:
    now = parse_instant(NOW)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        (root / "articles").mkdir(parents=True)
        for name in ("sectors.yaml", "countries.yaml"):
            shutil.copy(DATA / name, root / name)
        target_file = root / "articles" / "fuzz.yaml"

        @PROFILE
        @given(text=st.one_of(mutated_yaml, raw_yaml, aliased_yaml))
        def target(text: str) -> None:
            TRIED["yaml"] += 1
            target_file.write_text(text, encoding="utf-8", errors="surrogatepass")
            try:
                dataset = load_dataset(root)
            except DataInvalid as exc:
                assert exc.errors
                for error in exc.errors:
                    assert error.line >= 1 and error.message
                    assert len(str(error)) < 2000  # a located sentence, not a dump
                return
            _briefings(Library.from_dataset(dataset), now)

        fuzz("yaml", target)
