"""Operator commands: /stats and /reload for BILAT_ADMINS, a polite no for everyone else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from bot.core.clock import FixedClock, parse_instant
from bot.core.library import Library
from bot.core.render import Rendered
from bot.core.session import Session
from bot.matrix.handlers import Handlers
from bot.matrix.rooms import RoomStore
from bot.matrix.settings import MatrixSettings
from bot.ops.admin import Operator, collect
from bot.ops.reload import DataReloader
from bot.store import outbox, subscriptions
from bot.store.db import Database
from bot.store.outbox import Message
from bot.telegram.app import TelegramBot
from bot.telegram.chats import TelegramChats
from tests.conftest import ZONE
from tests.fakes.botapi import FakeBotAPI
from tests.support.asking import ask as ask_core
from tests.support.data import broken_article, new_article
from tests.support.delivery import subscribe
from tests.support.telegram import (
    ADA,
    BOB,
    CHANNEL,
    INTRODUCTION,
    INTRODUCTION_FR,
    ask,
    post,
    settings_for,
)

NBSP = "\u00a0"
NNBSP = "\u202f"  # French: a narrow no-break space before : ; ! ?


@dataclass
class Running:
    """The Telegram bot with operator services, and what it runs on."""

    bot: TelegramBot
    data: DataReloader
    db: Database


@pytest.fixture
async def running(api: FakeBotAPI, tmp_path: Path, data_dir: Path) -> AsyncIterator[Running]:
    """Bilat's Telegram bot with Ada as its one operator."""
    clock = FixedClock(parse_instant("2025-05-07", ZONE))
    async with await Database.open(tmp_path / "bilat.sqlite3") as db:
        data = DataReloader.load(data_dir, interval=0)
        ops = Operator(db, data, {f"telegram:{ADA}"})
        session = Session(data, clock, "en", ZONE, ops)
        bot = TelegramBot(settings_for(api), session, TelegramChats(db, clock))
        await bot.start()
        try:
            yield Running(bot, data, db)
        finally:
            await bot.stop()


async def test_stats_for_an_operator_in_her_language(api: FakeBotAPI, running: Running) -> None:
    await ask(api, BOB, BOB, "/subscribe daily 08:00")
    [stats] = await ask(api, ADA, ADA, "/stats")
    lines = (stats.plain_text or "").splitlines()
    assert lines[0] == "Statistiques de Bilat"
    assert f"Conversations{NNBSP}: 1 (telegram 1)" in lines
    assert f"Abonnements actifs{NNBSP}: 1" in lines
    assert f"File d’envoi{NNBSP}: en attente 0, en cours d’envoi 0, envoyés 0, en échec 0, " \
           "abandonnés 0" in lines
    assert f"Articles en service{NNBSP}: 16" in lines
    # Errors counted since the process started: other tests in this process may have some.
    assert any(line.startswith(f"Erreurs depuis le démarrage{NNBSP}: ") for line in lines)


async def test_others_are_refused_politely(api: FakeBotAPI, running: Running) -> None:
    refusal = "Sorry, this command is for Bilat’s operators only."
    for command in ("/stats", "/reload"):
        [answer] = await ask(api, BOB, BOB, command)
        assert answer.plain_text == refusal + (INTRODUCTION if command == "/stats" else "")
    [in_channel] = await post(api, CHANNEL, "/stats")  # a channel post has no sender
    assert in_channel.plain_text is not None and "operators" in in_channel.plain_text
    assert len(running.data().articles) == 16


async def test_reload_answers_with_the_count_or_the_errors(
        api: FakeBotAPI, running: Running, data_dir: Path) -> None:
    new_article(data_dir)
    [loaded] = await ask(api, ADA, ADA, "/reload")
    assert loaded.plain_text == f"Données rechargées{NNBSP}: 17 articles en service." + \
        INTRODUCTION_FR  # Ada's first answer
    assert len(running.data().articles) == 17
    broken_article(data_dir)
    [refused] = await ask(api, ADA, ADA, "/reload")
    lines = (refused.plain_text or "").splitlines()
    assert lines[0] == (f"Rechargement refusé{NNBSP}: 1 erreur. Les données précédentes "
                        "restent en service.")
    assert "wikinews-2023-11-02-broken.yaml:5: source.published" in lines[1]
    assert len(running.data().articles) == 17


async def test_operator_commands_stay_out_of_menus_and_others_help(
        api: FakeBotAPI, running: Running) -> None:
    [for_ada] = await ask(api, ADA, ADA, "/help")
    [for_bob] = await ask(api, BOB, BOB, "/help")
    assert "/stats" in (for_ada.plain_text or "") and "/reload" in (for_ada.plain_text or "")
    assert "/stats" not in (for_bob.plain_text or "")
    for language in ("", "fr", "en"):
        names = {c["command"] for c in api.commands_for(language)}
        assert names and not names & {"stats", "reload"}


async def test_stats_count_the_database(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2025, 5, 7, 20, 0, tzinfo=UTC))
    async with await Database.open(tmp_path / "bilat.sqlite3") as db:
        ok = await subscribe(db, clock, "1", network="telegram")
        failing = await subscribe(db, clock, "2", network="telegram")
        stopped = await subscribe(db, clock, "!r:x", network="matrix")
        await subscriptions.record_failure(db, failing.id, "blocked", 3, clock.now())
        for _ in range(3):
            await subscriptions.record_failure(db, stopped.id, "kicked", 3, clock.now())
        await outbox.add(db, Message("k1", ok.id, "digest", Rendered("a", "a")), clock.now())
        await outbox.add(db, Message("k2", ok.id, "alert", Rendered("b", "b")), clock.now())
        await outbox.mark_failed(db, 2, "gone")
        stats = await collect(db)
    assert stats.chats == {"matrix": 1, "telegram": 2}
    assert (stats.subscriptions_active, stats.subscriptions_stopped) == (2, 1)
    assert (stats.failing, stats.stopped_by_failures) == (1, 1)
    assert stats.outbox == {"pending": 1, "failed": 1}


async def test_matrix_requests_carry_the_sender(tmp_path: Path, library: Library,
                                                data_dir: Path) -> None:
    clock = FixedClock(parse_instant("2025-05-07", ZONE))
    async with await Database.open(tmp_path / "bilat.sqlite3") as db:
        data = DataReloader(data_dir, library)
        ops = Operator(db, data, {"matrix:@ops:example.org"})
        settings = MatrixSettings("http://127.0.0.1:1", "@bilat:example.org", tmp_path)
        client: Any = SimpleNamespace(rooms={}, user_id="@bilat:example.org")
        handlers = Handlers(client, cast(Any, None), RoomStore(db, clock, settings.user_id,
                                                              "en", ZONE),
                            settings, Session(data, clock, "en", ZONE, ops), cast(Any, None))
        request = await handlers.request("!room:example.org", "@ops:example.org")
        assert (request.sender, request.network.prefix) == ("matrix:@ops:example.org", "!")
        answer = await handlers.session.answer(request, "!stats")
        assert answer is not None and answer.reply.message.text.startswith("Bilat statistics")
        other = await handlers.request("!room:example.org", "@eve:example.org")
        refused = await handlers.session.answer(other, "!stats")
        assert refused is not None and "operators only" in refused.reply.message.text


async def test_no_operator_services_means_a_refusal(library: Library) -> None:
    reply = await ask_core(library, parse_instant("2025-05-07", ZONE), "/reload",
                           sender="telegram:1")
    assert reply is not None and reply.message.text == \
        "Sorry, this command is for Bilat’s operators only."
