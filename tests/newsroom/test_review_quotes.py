"""A drafted quotation in the editor's review: listed with its speaker and words, published
reviewed, and dropped with its speaker (a quotation needs a person of the article)."""

from __future__ import annotations

from datetime import date

import yaml

from bot.core.facts import Article
from bot.core.library import Library
from bot.draft.article import draft, known
from bot.draft.source import Page
from bot.newsroom.review import Edits, facts, finished
from tests.conftest import DATA

TEXT = ("Uzbek President Shavkat Mirziyoyev met Kazakh President Kassym-Jomart Tokayev in "
        "Astana on 12 September. \"Our countries will double their trade within five years,\" "
        "Mirziyoyev said.\n")


def _draft() -> str:
    return draft(Page(TEXT, language="en"), known(Library.load(DATA)),
                 published=date(2024, 9, 13), publisher="Wire").text


def test_a_quotation_is_listed_and_published_reviewed() -> None:
    text = _draft()
    listed = facts(text)
    (quote,) = [f for f in listed if f.section == "quotes"]
    assert quote.id == "mirziyoyev" and quote.evidence.startswith("Our countries will double")
    done = yaml.safe_load(finished(text, Edits(title=("Titre", "Title"),
                                               key_points=(("Point", "Point"),) * 3)))
    assert done["quotes"] == [{"speaker": "mirziyoyev", "language": "en",
                               "text": "Our countries will double their trade within five "
                                       "years,"}]
    Article.model_validate(done)


def test_a_quotation_goes_with_its_dropped_speaker() -> None:
    text = _draft()
    listed = facts(text)
    speaker = next(f.number for f in listed if f.section == "people" and f.id == "mirziyoyev")
    done = yaml.safe_load(finished(text, Edits(dropped=frozenset({speaker}),
                                               title=("Titre", "Title"),
                                               key_points=(("Point", "Point"),) * 3)))
    assert "quotes" not in done
    Article.model_validate(done)
