"""``bilat run`` as a process: /healthz, /metrics, JSON logs, SIGHUP reloads, secrets unlogged."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from tests.fakes.botapi import FakeBotAPI
from tests.ops.test_metrics import well_formed
from tests.support.data import broken_article, new_article
from tests.support.net import free_port
from tests.support.process import bilat_run, environment, samples
from tests.support.telegram import ADA, BOB, CAROL, TOKEN, ask
from tests.support.wait import eventually


async def test_health_and_metrics_over_http(api: FakeBotAPI, tmp_path: Path) -> None:
    env = environment(api, tmp_path / "bilat.sqlite3", free_port(), BILAT_LOG_JSON="1")
    async with bilat_run(env, tmp_path / "bilat.log") as bot:
        health = await bot.ready()
        assert health == {"status": "ok", "networks": {"telegram": "connected"},
                          "database": "writable"}
        [reply] = await ask(api, BOB, BOB, "/trade")
        assert (reply.plain_text or "").startswith("Kazakhstan–France trade")
        await ask(api, ADA, ADA, "/help")

        status, page = await bot.get("/metrics")
        assert status == 200 and well_formed(page)
        values = samples(page)
        assert values['bilat_commands_total{command="trade",network="telegram"}'] == 1
        assert values['bilat_commands_total{command="help",network="telegram"}'] == 1
        assert values['bilat_messages_sent_total{kind="reply",network="telegram"}'] == 2
        assert values['bilat_render_seconds_count{template="trade"}'] >= 1
        assert values['bilat_outbox_messages{state="pending"}'] == 0
        assert values["bilat_ready"] == 1
        assert values["bilat_articles"] == 16
        for name in ("bilat_failures_total", "bilat_pacing_delay_seconds",
                     "bilat_scheduler_tick_seconds", "bilat_subscriptions"):
            assert f"# TYPE {name} " in page

        status, _ = await bot.get("/nowhere")
        assert status == 404
        seconds = await bot.stop()
    assert seconds < 10
    lines = bot.output().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON event
    assert {"time", "level", "logger", "message"} <= set(events[0])
    assert any(e["message"] == "stopped" for e in events)


async def test_token_never_appears_in_the_output_even_at_debug(api: FakeBotAPI,
                                                               tmp_path: Path) -> None:
    env = environment(api, tmp_path / "bilat.sqlite3", free_port(), BILAT_LOG_LEVEL="DEBUG")
    async with bilat_run(env, tmp_path / "bilat.log") as bot:
        await bot.ready()
        await ask(api, BOB, BOB, "/events")
        api.fail_next(1, 500, methods=["sendMessage"])  # an error, with its traceback
        await ask(api, BOB, BOB, "/summary")
    output = bot.output()
    assert "DEBUG" in output and "HTTP Request" in output  # httpx logged each URL...
    assert f"bot{TOKEN.split(':')[0]}" not in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output  # ...never the token
    assert "/bot***/getUpdates" in output


async def test_sighup_reloads_the_data_and_refuses_a_bad_file(
        api: FakeBotAPI, tmp_path: Path, data_dir: Path) -> None:
    env = environment(api, tmp_path / "bilat.sqlite3", free_port(),
                      BILAT_DATA_DIR=str(data_dir), BILAT_RELOAD_INTERVAL="0")
    async with bilat_run(env, tmp_path / "bilat.log") as bot:
        await bot.ready()
        new_article(data_dir, title="Announced after the start")
        bot.process.send_signal(signal.SIGHUP)
        await eventually(lambda: "17 article(s) in service" in bot.output(), what="reload")
        [listed] = await ask(api, BOB, BOB, "/articles")
        assert "Announced after the start" in (listed.plain_text or "")

        broken_article(data_dir)
        bot.process.send_signal(signal.SIGHUP)
        await eventually(lambda: "data reload refused" in bot.output(), what="refusal")
        [still] = await ask(api, CAROL, CAROL, "/articles")  # not BOB's: no reply cache
        assert "Announced after the start" in (still.plain_text or "")
        _, page = await bot.get("/metrics")
        values = samples(page)
        assert values['bilat_data_reloads_total{result="loaded"}'] == 1
        assert values['bilat_data_reloads_total{result="refused"}'] == 1
        assert values["bilat_articles"] == 17
    assert "wikinews-2023-11-02-broken.yaml:5: source.published" in bot.output()
