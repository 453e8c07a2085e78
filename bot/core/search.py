"""Article search: an in-memory SQLite FTS5 index over both languages, network-neutral.

Titles, key points, people (names and roles), places and event titles are indexed in French and
English together, accents folded, so ``etat`` finds « État » and ``tokayev`` finds every article
naming him. The index is built once per Library (a Library is immutable) and searched in well
under a millisecond, which inline queries need.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass

from bot.core.facts import Article
from bot.core.library import Library

MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)
_SCHEMA = """
CREATE VIRTUAL TABLE docs USING fts5(
    article_id UNINDEXED, title, points, people, places,
    tokenize = 'unicode61 remove_diacritics 2'
)
"""
# bm25 weights per column (article_id first): a title hit counts most, a place least.
_RANK = "bm25(docs, 0.0, 10.0, 3.0, 5.0, 2.0)"


def _fields(article: Article) -> tuple[str, str, str, str, str]:
    """The indexed text of one article, both languages side by side."""
    title = f"{article.title.fr}\n{article.title.en}"
    points = "\n".join(f"{k.fr}\n{k.en}" for k in article.key_points)
    people = "\n".join(f"{p.name}\n{p.role.fr}\n{p.role.en}" for p in article.people)
    places = {e.place.name.fr for e in article.events if e.place}
    places |= {e.place.name.en for e in article.events if e.place}
    events = [f"{e.title.fr}\n{e.title.en}" for e in article.events]
    return article.id, title, points, people, "\n".join([*sorted(places), *events])


def _match_expression(query: str, join: str) -> str | None:
    """Quoted prefix terms (``"tokay"*``) from free text; None when no word is left."""
    words = _WORD.findall(query.replace("_", " "))[:MAX_TERMS]
    if not words:
        return None
    return f" {join} ".join(f'"{w}"*' for w in words)


@dataclass
class ArticleIndex:
    """A full-text index of one Library's articles."""

    connection: sqlite3.Connection
    size: int

    @classmethod
    def build(cls, library: Library) -> ArticleIndex:
        """Index every article of ``library``."""
        connection = sqlite3.connect(":memory:", check_same_thread=False)
        connection.execute(_SCHEMA)
        connection.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
                               [_fields(a) for a in library.articles])
        connection.commit()
        return cls(connection, len(library.articles))

    def search(self, query: str, limit: int = 50) -> list[str]:
        """Article ids matching every word (else any word), best first; [] for no words."""
        for join in ("AND", "OR"):
            expression = _match_expression(query, join)
            if expression is None:
                return []
            rows = self.connection.execute(
                f"SELECT article_id FROM docs WHERE docs MATCH ? ORDER BY {_RANK} LIMIT ?",
                (expression, limit)).fetchall()
            if rows:
                return [str(r[0]) for r in rows]
        return []

    def close(self) -> None:
        """Release the in-memory database."""
        self.connection.close()


_lock = threading.Lock()
_cached: tuple[Library, ArticleIndex] | None = None


def _index_for(library: Library) -> ArticleIndex:
    """The index of ``library``, built on first use and kept while the library is current."""
    global _cached
    if _cached is None or _cached[0] is not library:
        # A reloaded library replaces the old index (searches hold the lock, so none is using it).
        if _cached is not None:
            _cached[1].close()
        _cached = (library, ArticleIndex.build(library))
    return _cached[1]


def index_for(library: Library) -> ArticleIndex:
    """The index of ``library`` (the current one; a newer library replaces it)."""
    with _lock:
        return _index_for(library)


def search(library: Library, query: str, limit: int = 50) -> list[str]:
    """Ids of the articles of ``library`` matching ``query``, best first."""
    with _lock:
        return _index_for(library).search(query, limit)
