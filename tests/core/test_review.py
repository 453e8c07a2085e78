"""Unreviewed facts and people are left out of what the bot serves, references pruned."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.core.facts import Article
from bot.core.library import Library
from bot.core.review import pending
from tests.conftest import SEED


def test_an_unreviewed_person_is_left_out_with_their_quotes_and_participations(
        tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED.parent.parent / "sectors.yaml", tmp_path)
    text = SEED.read_text(encoding="utf-8").replace(
        "  - id: vassilenko\n", "  - id: vassilenko\n    unreviewed: true\n", 1).replace(
        "  - id: turnover-2024\n", "  - id: turnover-2024\n    unreviewed: true\n", 1)
    (folder / SEED.name).write_text(text, encoding="utf-8")
    (article,) = Library.load(tmp_path).articles
    assert [p.id for p in article.people] == ["guiaugue", "tokayev"]
    assert all(q.speaker != "vassilenko" for q in article.quotes)
    meeting = next(e for e in article.events if e.id == "vassilenko-guiaugue-meeting")
    assert meeting.participants == ("guiaugue",)
    assert "turnover-2024" not in [t.id for t in article.trade]
    assert "exports-2024" in [t.id for t in article.trade]


def test_an_unreviewed_quotation_is_not_served_and_is_left_to_review(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED.parent.parent / "sectors.yaml", tmp_path)
    text = SEED.read_text(encoding="utf-8")
    (folder / SEED.name).write_text(text.replace(
        "quotes:\n  - speaker:", "quotes:\n  - unreviewed: true\n    speaker:", 1),
        encoding="utf-8")
    drafted = Article.model_validate(yaml.safe_load((folder / SEED.name).read_text()))
    assert drafted.quotes[0].unreviewed
    (article,) = Library.load(tmp_path).articles
    assert [q.text for q in article.quotes] == [q.text for q in drafted.quotes[1:]]
    assert any(p.path == ("quotes", 0) and "word for word" in p.message
               for p in pending(drafted))


def test_the_value_of_what_is_counted_is_shown_with_the_count(tmp_path: Path) -> None:
    from bot.core.phrases import Phrases

    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED.parent.parent / "sectors.yaml", tmp_path)
    text = SEED.read_text(encoding="utf-8").replace(
        "    value: 200\n", "    value: 200\n    worth: {value: 2.5, unit: billion, currency: EUR,"
        " qualifier: nearly}\n", 1)
    (folder / SEED.name).write_text(text, encoding="utf-8")
    library = Library.load(tmp_path)
    count = next(c for c in library.articles[0].counts if c.id == "fr-companies")
    shown = Phrases("en", library.countries).count(count)
    assert shown.startswith("more than 200 companies with French capital in Kazakhstan (")
    assert "nearly" in shown and "2.5" in shown and "billion" in shown
