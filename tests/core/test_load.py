"""Data validation: each malformed file gets one exact, located message; nothing half-loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.load import DataInvalid, load_dataset
from tests.conftest import DATA

VALID = """\
id: test-article
source:
  publisher: Test Wire
  url: https://example.org/a
  published: 2024-03-01T10:00:00+05:00
  language: en
countries: [KZ, FR]
title: {fr: Titre, en: Title}
key_points:
  - {fr: Un, en: One}
  - {fr: Deux, en: Two}
  - {fr: Trois, en: Three}
sectors: [energy]
people:
  - id: someone
    name: Some One
    country: KZ
    role: {fr: ministre, en: minister}
trade:
  - id: t1
    period: 2023
    flow: turnover
    reporter: KZ
    partner: FR
    value: 4.20
    unit: billion
    currency: USD
    evidence: "Trade reached $4.20 billion."
events:
  - id: e1
    kind: forum
    title: {fr: Forum, en: Forum}
    date: {precision: day, value: 2024-05-01}
    participants: [someone]
    status: planned
    evidence: "A forum on 1 May."
"""


def _setup(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    """A data directory with the real vocabularies and one article file."""
    root = tmp_path / "data"
    (root / "articles").mkdir(parents=True)
    shutil.copy(DATA / "sectors.yaml", root / "sectors.yaml")
    shutil.copy(DATA / "countries.yaml", root / "countries.yaml")
    (root / "articles" / name).write_text(text, encoding="utf-8")
    return root


def _errors(tmp_path: Path, text: str) -> list[str]:
    root = _setup(tmp_path, text)
    with pytest.raises(DataInvalid) as info:
        load_dataset(root)
    label = str(root / "articles" / "x.yaml")
    return [str(e).replace(label, "x.yaml") for e in info.value.errors]


def test_valid_file_loads_and_keeps_printed_digits(tmp_path: Path) -> None:
    data = load_dataset(_setup(tmp_path, VALID))
    (article,) = data.articles
    assert str(article.trade[0].value) == "4.20"


CASES = [
    ("invalid date", ("value: 2024-05-01", "value: 2025-02-30"),
     "x.yaml:33: events[0].date.value: 2025-02-30 is not a valid date (2025-05-07)"),
    ("unknown field", ("  language: en", "  language: en\n  author: Nobody"),
     "x.yaml:7: source.author: unknown field (see data/README.md for the fields of each "
     "list)"),
    ("missing field", ("    flow: turnover\n", ""),
     "x.yaml:20: trade[0].flow: required field is missing: expected turnover, exports or "
     "imports"),
    ("bad flow", ("flow: turnover", "flow: turnaround"),
     "x.yaml:22: trade[0].flow: 'turnaround' is not one of 'turnover', 'exports' or 'imports'"),
    ("bad country", ("reporter: KZ", "reporter: XX"),
     "x.yaml:23: trade[0].reporter: 'XX' is not an ISO 3166-1 alpha-2 country code"),
    ("bad currency", ("currency: USD", "currency: DOLLARS"),
     "x.yaml:27: trade[0].currency: 'DOLLARS' is not an ISO 4217 currency code"),
    ("bad period", ("period: 2023", "period: last year"),
     "x.yaml:21: trade[0].period: 'last year' is not a period (use 2024 or 2023-01/2023-08)"),
    ("bad precision", ("precision: day", "precision: week"),
     "x.yaml:33: events[0].date: precision 'week' is not one of 'day', 'days', 'month', "
     "'year', 'before', 'unknown'"),
    ("too few key points", ("  - {fr: Trois, en: Three}\n", ""),
     "x.yaml:9: key_points: needs at least 3 items, has 2"),
    ("unknown sector", ("sectors: [energy]", "sectors: [energy, piracy]"),
     "x.yaml:13: sectors[1]: unknown sector 'piracy' (see data/sectors.yaml)"),
    ("unknown participant", ("participants: [someone]", "participants: [nobody]"),
     "x.yaml:34: events[0].participants[0]: unknown person 'nobody'"),
    ("duplicate key", ("  language: en", "  language: en\n  language: fr"),
     "x.yaml:7: source.language: duplicate key"),
    ("publication without offset", ("2024-03-01T10:00:00+05:00", "2024-03-01T10:00:00"),
     "x.yaml:5: source.published: publication time needs its UTC offset (e.g. +01:00)"),
    ("negative value", ("value: 4.20", "value: -4.20"),
     "x.yaml:25: trade[0].value: -4.20 is out of range: must be at least 0"),
    ("title not a mapping", ("title: {fr: Titre, en: Title}", "title: Title"),
     "x.yaml:8: title: expected a French and an English text, e.g. {fr: ..., en: ...}, "
     "found 'Title'"),
    ("bad id", ("id: t1", "id: Turnover 2023"),
     "x.yaml:20: trade[0].id: 'Turnover 2023' does not have the expected form: a short name "
     "of lower-case letters, digits and dashes, e.g. turnover-2024"),
    ("not yaml", ("title: {fr: Titre, en: Title}", "title: {fr: Titre, en: Title"),
     None),
    ("bad time zone", ("    participants: [someone]",
                       "    place: {name: {fr: Lune, en: Moon}, timezone: Moon/Base}\n"
                       "    participants: [someone]"),
     "x.yaml:34: events[0].place.timezone: 'Moon/Base' is not an IANA time zone"),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_malformed_file_is_named_with_line_and_field(
        tmp_path: Path, change: tuple[str, str], expected: str | None) -> None:
    old, new = change
    assert old in VALID
    errors = _errors(tmp_path, VALID.replace(old, new, 1))
    if expected is not None:
        assert errors == [expected]
    else:
        assert len(errors) >= 1
        assert all(e.startswith("x.yaml:") for e in errors)


def test_every_error_of_a_file_comes_in_one_round(tmp_path: Path) -> None:
    text = (VALID.replace("flow: turnover", "flow: turnaround")
            .replace("sectors: [energy]", "sectors: [piracy]")
            .replace("participants: [someone]", "participants: [nobody]")
            .replace("  language: en", "  language: en\n  language: fr"))
    errors = _errors(tmp_path, text)
    assert [e.split(": ")[1] for e in errors] == [
        "source.language", "trade[0].flow", "sectors[0]", "events[0].participants[0]"]
    assert not any("Input should" in e for e in errors)


def test_duplicate_fact_id_message(tmp_path: Path) -> None:
    text = VALID.replace("  - id: e1", "  - id: e2\n    kind: forum\n    title: {fr: F, en: F}\n"
                         "    date: {precision: unknown}\n    status: held\n"
                         "    evidence: e\n  - id: e2", 1)
    assert _errors(tmp_path, text) == ["x.yaml:36: events[1].id: duplicate id 'e2'"]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = VALID.replace("title: {fr: Titre, en: Title}", "title: {fr: Titre, en: Title", 1)
    (error,) = _errors(tmp_path, text)
    assert error.startswith("x.yaml:9: not valid YAML:")


def test_duplicate_article_id_across_files(tmp_path: Path) -> None:
    root = _setup(tmp_path, VALID)
    (root / "articles" / "y.yaml").write_text(VALID, encoding="utf-8")
    with pytest.raises(DataInvalid) as info:
        load_dataset(root)
    (error,) = info.value.errors
    assert error.field == "id"
    assert "duplicate article id 'test-article'" in error.message


def test_one_bad_file_loads_nothing(tmp_path: Path) -> None:
    root = _setup(tmp_path, VALID)
    (root / "articles" / "z.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataInvalid):
        load_dataset(root)


def test_bundled_data_is_valid() -> None:
    data = load_dataset(DATA)
    assert len(data.articles) >= 4
    ids = {a.id for a in data.articles}
    assert "lagazette-2025-05-07-kazakhstan-france" in ids
    assert all(a.source.url for a in data.articles if not a.id.startswith("lagazette"))
