"""Article search (bot/core/search.py): FTS5 over both languages, ranked, hostile-safe.

Kept beside the adapter tests rather than under tests/core, which the core's owner keeps.
"""

from __future__ import annotations

import pytest

from bot.core import search
from bot.core.library import Library

SEED = "lagazette-2025-05-07-kazakhstan-france"


def test_finds_words_in_either_language_without_accents(library: Library) -> None:
    assert search.search(library, "nucléaire")[0] == SEED
    assert search.search(library, "nucleaire") == search.search(library, "nucléaire")
    assert search.search(library, "nuclear")[0] == SEED
    assert search.search(library, "ETAT visite novembre") == [SEED]
    assert set(search.search(library, "ETAT visite")) == {
        SEED, "astanatimes-2023-06-20-steinmeier-state-visit"}  # a state visit to Astana too


def test_people_places_and_prefixes(library: Library) -> None:
    assert SEED in search.search(library, "Vassil")  # a prefix, as typed inline
    assert SEED in search.search(library, "Guiaugué")
    assert SEED in search.search(library, "ambassadeur")  # a role
    macron = search.search(library, "macron astana")
    assert macron and all("macron" in i or "tokayev" in i or "economic" in i for i in macron)


def test_a_title_hit_ranks_first(library: Library) -> None:
    found = search.search(library, "Tokayev Paris")
    assert found[0] == "kazinform-2022-11-30-tokayev-paris-official-visit"


def test_any_word_when_no_article_has_them_all(library: Library) -> None:
    assert search.search(library, "nucléaire zzzzq") == [SEED]
    assert search.search(library, "zzzzq") == []


@pytest.mark.parametrize("query", ['"', "*", "NEAR(", "a OR", "'; DROP TABLE docs; --",
                                   "^x", "-", "  ", "\u202e\u200b", "x" * 5000, "(((", "NOT"])
def test_hostile_queries_never_raise(library: Library, query: str) -> None:
    assert len(search.search(library, query)) <= len(library.articles)


def test_limit_and_one_index_per_library(library: Library, seed_library: Library) -> None:
    assert len(search.search(library, "Kazakhstan", limit=3)) == 3
    first = search.index_for(library)
    assert search.index_for(library) is first
    assert search.search(seed_library, "Kazakhstan") == [SEED]
    assert search.index_for(library) is not first  # rebuilt for the newer library
