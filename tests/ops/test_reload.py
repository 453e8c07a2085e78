"""Data reload: changed files picked up, validated first, bad data refused and the old kept."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from bot.core.clock import parse_instant
from bot.metrics import value
from bot.ops.reload import DataReloader, fingerprint
from tests.support.asking import ask
from tests.support.data import broken_article, new_article
from tests.support.wait import eventually

NOW = "2025-05-07T23:59:59+05:00"


async def articles_reply(data: DataReloader) -> str:
    """What /articles answers from the library in service."""
    reply = await ask(data(), parse_instant(NOW), "/articles")
    assert reply is not None
    return reply.message.text


async def test_a_new_file_is_picked_up_by_polling(data_dir: Path) -> None:
    data = DataReloader.load(data_dir, interval=0.05)
    before = data()
    stop = asyncio.Event()
    watcher = asyncio.create_task(data.watch(stop))
    try:
        new_article(data_dir, title="Polled in without a restart")
        await eventually(lambda: data() is not before)
    finally:
        stop.set()
        await watcher
    assert len(data().articles) == len(before.articles) + 1
    assert value("bilat_articles") == len(data().articles)
    assert "Polled in without a restart" in await articles_reply(data)


async def test_a_changed_file_is_picked_up(data_dir: Path) -> None:
    target = new_article(data_dir, title="First title")
    data = DataReloader.load(data_dir, interval=0.05)
    stop = asyncio.Event()
    watcher = asyncio.create_task(data.watch(stop))
    try:
        target.write_text(target.read_text(encoding="utf-8").replace(
            "First title", "Second title"), encoding="utf-8")
        stamp = target.stat().st_mtime_ns + 1_000_000_000  # coarse clocks: move it surely
        os.utime(target, ns=(stamp, stamp))
        await eventually(lambda: any(a.title.en == "Second title" for a in data().articles))
    finally:
        stop.set()
        await watcher


async def test_a_bad_file_is_refused_and_the_previous_data_stays(
        data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = DataReloader.load(data_dir, interval=0.05)
    before = data()
    refused = value("bilat_data_reloads_total", result="refused")
    stop = asyncio.Event()
    watcher = asyncio.create_task(data.watch(stop))
    try:
        with caplog.at_level(logging.ERROR, logger="bot.ops.reload"):
            broken = broken_article(data_dir)
            await eventually(
                lambda: value("bilat_data_reloads_total", result="refused") == refused + 1)
            await asyncio.sleep(0.2)  # several more polls: the same error is not repeated
        assert value("bilat_data_reloads_total", result="refused") == refused + 1
        assert data() is before  # still in service
        messages = [r.getMessage() for r in caplog.records]
        assert any("data reload refused: 1 error(s)" in m for m in messages)
        assert any("wikinews-2023-11-02-broken.yaml:5: source.published: 2023-02-30" in m
                   for m in messages)
        broken.unlink()  # fixed by removing it: the data reloads (same articles, new library)
        await eventually(lambda: data() is not before)
    finally:
        stop.set()
        await watcher
    assert len(data().articles) == len(before.articles)


async def test_reload_on_request_reports_the_count_or_the_errors(data_dir: Path) -> None:
    data = DataReloader.load(data_dir, interval=0)  # SIGHUP and /reload only
    stop = asyncio.Event()
    watcher = asyncio.create_task(data.watch(stop))
    try:
        new_article(data_dir)
        await asyncio.sleep(0.1)
        assert len(data().articles) == 16  # no polling
        data.request()  # what SIGHUP does
        await eventually(lambda: len(data().articles) == 17)
        broken_article(data_dir)
        outcome = await data.reload()
        assert (outcome.loaded, outcome.articles) == (False, 17)
        assert len(outcome.errors) == 1 and "broken.yaml:5" in outcome.errors[0]
    finally:
        stop.set()
        await watcher


def test_fingerprint_sees_data_files_only(data_dir: Path) -> None:
    before = fingerprint(data_dir)
    (data_dir / "notes.txt").write_text("not data", encoding="utf-8")
    assert fingerprint(data_dir) == before
    new_article(data_dir)
    assert fingerprint(data_dir) != before
