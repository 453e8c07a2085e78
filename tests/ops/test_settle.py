"""Reload takes only files that stopped changing, and refuses an emptied folder (item 11)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.metrics import value
from bot.ops.reload import DataReloader
from tests.support.data import new_article


async def test_an_article_written_in_two_chunks_is_never_served_half(data_dir: Path) -> None:
    data = DataReloader.load(data_dir, interval=0)
    before = data()
    whole = new_article(data_dir, "chunked", "Written in two chunks")
    text = whole.read_text(encoding="utf-8")
    # The first chunk alone is a valid article: everything up to its events.
    first = text[:text.index("\nevents:")] + "\n"
    whole.write_text(first, encoding="utf-8")
    await data.poll()  # a change seen: remembered, not loaded
    assert data() is before
    with whole.open("a", encoding="utf-8") as stream:
        stream.write(text[len(first):])
    await data.poll()  # changed again since: still waiting
    assert data() is before
    await data.poll()  # unchanged since the last check: loaded, whole
    (chunked,) = [a for a in data().articles if a.id == "wikinews-2023-11-02-chunked"]
    assert chunked.events


async def test_an_emptied_folder_is_refused_with_a_warning(
        data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = DataReloader.load(data_dir, interval=0)
    before = data()
    refused = value("bilat_data_reloads_total", result="refused")
    for path in (data_dir / "articles").iterdir():
        path.unlink()
    with caplog.at_level(logging.WARNING, logger="bot.ops.reload"):
        outcome = await data.reload()
    assert (outcome.loaded, outcome.articles) == (False, len(before.articles))
    assert "has no article files; refusing to serve nothing" in outcome.errors[0]
    assert data() is before
    assert value("bilat_data_reloads_total", result="refused") == refused + 1
    (record,) = [r for r in caplog.records if "refusing to serve nothing" in r.getMessage()]
    assert record.levelno == logging.WARNING


async def test_a_hostile_file_is_reported_once_not_every_interval(
        data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = DataReloader.load(data_dir, interval=0)
    (data_dir / "articles" / "deep.yaml").write_text("x: " + "[" * 50_000, encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="bot.ops.reload"):
        for _ in range(5):
            await data.poll()
    errors = [r.getMessage() for r in caplog.records if r.name == "bot.ops.reload"]
    assert errors == ["data reload refused: 1 error(s) in " + str(data_dir) + "; the "
                      f"previous {len(data().articles)} article(s) stay in service",
                      "data error: " + str(data_dir / "articles" / "deep.yaml") +
                      ":1: not valid YAML: nested more than 20 levels deep"]
    assert not any(r.exc_info for r in caplog.records)
