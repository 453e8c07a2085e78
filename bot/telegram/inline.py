"""Inline mode: ``@Bot trade``, ``@Bot events``, ``@Bot summary`` and free-text search.

Answers are in the asking user's language (their private chat's setting, else their client's
language), so they are marked personal. Each result posts a briefing or an article summary into
whatever chat the user is typing in.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace

from telegram import (
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.ext import ContextTypes, InlineQueryHandler

from bot.core import briefings, pairs, search
from bot.core.briefings import Scope
from bot.core.facts import Article
from bot.core.library import Library, Pair
from bot.core.network import ChatRef
from bot.core.phrases import N_
from bot.core.pushes import pair_code
from bot.core.render import Rendered, split
from bot.core.session import Session
from bot.store import chat_pairs
from bot.telegram.chats import TelegramChats
from bot.telegram.transport import MESSAGE_LIMIT, NETWORK

log = logging.getLogger(__name__)

MAX_RESULTS = InlineQueryLimit.RESULTS  # 50
CACHE_SECONDS = 60
DESCRIPTION_CHARS = 120
TRADE_WORDS = frozenset({"trade", "commerce", "échanges", "echanges"})
EVENTS_WORDS = frozenset({"events", "event", "événements", "evenements", "agenda"})
SUMMARY_WORDS = frozenset({"summary", "résumé", "resume", "articles"})
TRADE_TITLE = N_("Trade figures")
TRADE_HINT = N_("Latest figures, the series across sources, investment")
EVENTS_TITLE = N_("Upcoming events")
EVENTS_HINT = N_("Visits, forums and ceremonies ahead, with their dates")
NO_MATCH = N_("No article matches “{query}”")
NO_MATCH_HINT = N_("Try a name, a place or a sector, in French or English")


@dataclass(frozen=True)
class Query:
    """An inline query split into its keyword (if any) and the rest."""

    keyword: str | None
    rest: str

    @classmethod
    def parse(cls, text: str) -> Query:
        """``trade 2024`` -> ("trade", "2024"); ``macron astana`` -> (None, "macron astana")."""
        words = text.strip().split(maxsplit=1)
        first = words[0].lower().lstrip("/") if words else ""
        rest = words[1] if len(words) > 1 else ""
        for keyword, vocabulary in (("trade", TRADE_WORDS), ("events", EVENTS_WORDS),
                                    ("summary", SUMMARY_WORDS)):
            if first in vocabulary:
                return cls(keyword, rest)
        return cls(None, text.strip())


def _is_year(word: str) -> bool:
    """Four ASCII digits (``str.isdigit`` also accepts "²²²²", which ``int`` refuses)."""
    return word.isascii() and word.isdigit() and len(word) == 4


def _id(kind: str, key: str = "") -> str:
    """A result id within Telegram's 64 bytes, stable for the same content."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).hexdigest() if key else ""
    return f"{kind}:{digest}" if digest else kind


def _content(message: Rendered) -> InputTextMessageContent:
    """A briefing as the message a result posts (its first 4096 characters' worth)."""
    first = split(message.html, MESSAGE_LIMIT, visible=True)[0]
    return InputTextMessageContent(first, parse_mode=ParseMode.HTML,
                                   link_preview_options=LinkPreviewOptions(is_disabled=True))


def _short(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class InlineAnswers:
    """Answers inline queries from the briefings and the article index."""

    def __init__(self, session: Session, chats: TelegramChats) -> None:
        self.session = session
        self.chats = chats

    def handler(self) -> InlineQueryHandler:  # type: ignore[type-arg]
        """The PTB handler to register."""
        return InlineQueryHandler(self.on_inline)

    async def locale_of(self, update: Update) -> str:
        """The user's language: their private chat's setting, else their client's."""
        user = update.effective_user
        if user is None:
            return self.session.locale(None)
        stored = await self.chats.find(ChatRef(NETWORK, str(user.id)))
        return self.session.locale(stored.locale if stored else None, user.language_code)

    async def pairs_of(self, update: Update, library: Library) -> tuple[Pair, ...]:
        """The pairs the user follows in their private chat, else the default ones."""
        user = update.effective_user
        stored = await self.chats.find(ChatRef(NETWORK, str(user.id))) \
            if user else None
        followed = await chat_pairs.get(self.chats.db, stored.id) if stored else ()
        return tuple(c for p in followed if (c := library.covered(p))) or \
            library.default_pairs()

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer one inline query with at most 50 results."""
        query = update.inline_query
        if query is None:
            return
        locale = await self.locale_of(update)
        library = self.session.library()
        # Results name commands as the reader's menu does (/commerce in French).
        scope = Scope.make(library, locale, self.session.clock.now(), self.session.zone,
                           pairs=await self.pairs_of(update, library),
                           commands=self.session.table.names(locale))
        results = self.results(scope, Query.parse(query.query))[:MAX_RESULTS]
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)

    def results(self, scope: Scope, query: Query) -> list[InlineQueryResultArticle]:
        """The results for a parsed query."""
        if query.keyword == "trade":
            return self.trades(scope, query.rest)
        if query.keyword == "events":
            return [self.events(scope)]
        if query.keyword is None and not query.rest:
            return [*self.trades(scope, ""), self.events(scope), *self.articles(scope, "")]
        found = self.articles(scope, query.rest)
        return found or [self.no_match(scope, query.rest)]

    def trades(self, scope: Scope, rest: str) -> list[InlineQueryResultArticle]:
        """A trade briefing for each pair (or the pair named), for a year when one is given."""
        words = rest.split()
        year = next((int(w) for w in words if _is_year(w)), None)
        named = " ".join(w for w in words if not _is_year(w))
        found = pairs.resolve(scope.library, named, scope.covering).pair if named else None
        chosen = (found,) if found else scope.covering
        return [self.trade(replace(scope, pair=pair, pairs=()), year) for pair in chosen]

    def trade(self, scope: Scope, year: int | None) -> InlineQueryResultArticle:
        """The trade briefing of the scope's pair (for a year when one is given)."""
        _ = scope.phrases._
        title = f"{_(TRADE_TITLE)} · {scope.phrases.pair(scope.pair)}"
        return InlineQueryResultArticle(_id("trade", f"{pair_code(scope.pair)}:{year or ''}"),
                                        title,
                                        _content(briefings.trade(scope, year)),
                                        description=_(TRADE_HINT))

    def events(self, scope: Scope) -> InlineQueryResultArticle:
        """The upcoming events briefing."""
        _ = scope.phrases._
        names = ", ".join(scope.phrases.pair(pair) for pair in scope.covering)
        title = f"{_(EVENTS_TITLE)} · {names}"
        return InlineQueryResultArticle(_id("events"), title,
                                        _content(briefings.events(scope, "upcoming")),
                                        description=_(EVENTS_HINT))

    def articles(self, scope: Scope, text: str) -> list[InlineQueryResultArticle]:
        """Article summaries: those matching ``text``, or the newest when it is empty."""
        visible = scope.library.about_any(scope.covering)
        if text.strip():
            # Search the whole library once indexed, then keep what is visible now.
            by_id = {a.id: a for a in visible}
            ranked = search.search(self.session.library(), text, MAX_RESULTS)
            chosen = [by_id[i] for i in ranked if i in by_id]
        else:
            chosen = visible
        return [self.article(scope, a) for a in chosen[:MAX_RESULTS]]

    def article(self, scope: Scope, article: Article) -> InlineQueryResultArticle:
        """One article's summary as a result."""
        p = scope.phrases
        description = _short(f"{p.source(article)} · {article.key_points[0].get(scope.locale)}")
        return InlineQueryResultArticle(_id("a", article.id), article.title.get(scope.locale),
                                        _content(briefings.summary(scope, article.id)),
                                        description=description, url=article.source.url)

    def no_match(self, scope: Scope, text: str) -> InlineQueryResultArticle:
        """A single result saying nothing matched; choosing it posts the article list."""
        _ = scope.phrases._
        return InlineQueryResultArticle(_id("none"), _(NO_MATCH).format(query=_short(text, 40)),
                                        _content(briefings.article_list(scope)),
                                        description=_(NO_MATCH_HINT))
