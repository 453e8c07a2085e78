"""Answers to read-only commands, kept for the rest of the minute they were made in.

A busy chat network asks the same few briefings over and over; rendering one costs a few
milliseconds (and a chart far more), answering from memory almost nothing. One cache serves
every network: the network is part of the key, since its prefix and files change the answer.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.core.command_table import Context, Reply
from bot.core.library import Library, Pair

CACHE_SIZE = 256
Key = tuple[object, ...]


class ReplyCache:
    """A small LRU of replies, files (chart, calendar) included.

    A briefing depends on the library, the language, the zone, the pairs and the instant; at
    the minute's grain the instant changes nothing but which articles are already published,
    so that count is part of the key.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Key, tuple[Library, Reply]] = OrderedDict()

    @staticmethod
    def key(ctx: Context, name: str, args: list[str], pairs: tuple[Pair, ...]) -> Key:
        """The key of a read-only command's answer in this context (on the chat's ``pairs``)."""
        published = sum(1 for a in ctx.library.articles if a.source.published <= ctx.now)
        request = ctx.request
        # Operators' help also lists their commands.
        return (name, tuple(args), ctx.locale, ctx.zone, ctx.pair, pairs, id(ctx.library),
                ctx.now.replace(second=0, microsecond=0), published, request.network,
                request.bot_username, ctx.is_admin)

    def get(self, key: Key, library: Library) -> Reply | None:
        """A kept answer made from this very library (an id can be reused after a reload)."""
        found = self._items.get(key)
        if found is None or found[0] is not library:
            return None
        self._items.move_to_end(key)
        return found[1]

    def put(self, key: Key, library: Library, reply: Reply) -> None:
        """Keep an answer, forgetting the least recently used beyond the size."""
        self._items[key] = (library, reply)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
