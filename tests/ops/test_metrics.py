"""The metrics page (bot/metrics.py): the names /metrics has always served, in the text format."""

from __future__ import annotations

import re

from bot import metrics
from bot.core import briefings
from bot.core.clock import parse_instant
from bot.core.library import Library

SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?'
                    r" (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$")
NAMES = ("bilat_commands_total", "bilat_messages_sent_total", "bilat_failures_total",
         "bilat_pacing_delay_seconds", "bilat_render_seconds", "bilat_scheduler_tick_seconds",
         "bilat_data_reloads_total", "bilat_outbox_messages", "bilat_subscriptions",
         "bilat_chats", "bilat_articles", "bilat_ready", "bilat_start_time_seconds")


def page() -> str:
    """What /metrics serves."""
    return metrics.exposition().decode()


def well_formed(text: str) -> bool:
    """Every line a HELP, a TYPE or a sample; the page ends with a newline."""
    return text.endswith("\n") and all(
        line.startswith(("# HELP ", "# TYPE ")) or SAMPLE.match(line)
        for line in text.splitlines())


def test_every_metric_keeps_its_name_and_type() -> None:
    text = page()
    assert well_formed(text)
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.MULTILINE))
    assert set(NAMES) <= set(types)
    assert types["bilat_commands_total"] == "counter"
    assert types["bilat_render_seconds"] == "histogram"
    assert types["bilat_outbox_messages"] == "gauge"
    assert "_created" not in text


def test_counters_add_up_and_gauges_forget_what_is_gone() -> None:
    before = metrics.value("bilat_commands_total", command="trade", network="telegram")
    metrics.COMMANDS_ANSWERED.labels("trade", "telegram").inc()
    metrics.COMMANDS_ANSWERED.labels("trade", "telegram").inc(2)
    line = f'bilat_commands_total{{command="trade",network="telegram"}} {before + 3}'
    assert line in page().splitlines()
    metrics.replace(metrics.OUTBOX, [("pending", 3)])
    metrics.replace(metrics.OUTBOX, [("sent", 7)])  # pending is gone
    lines = page().splitlines()
    assert 'bilat_outbox_messages{state="sent"} 7.0' in lines
    assert not any(line.startswith('bilat_outbox_messages{state="pending"}') for line in lines)


def test_a_render_is_timed_in_cumulative_buckets(seed_library: Library) -> None:
    count = metrics.value("bilat_render_seconds_count", template="articles")
    scope = briefings.Scope.make(seed_library, "en", parse_instant("2025-05-07"), "Asia/Almaty")
    briefings.article_list(scope)
    assert metrics.value("bilat_render_seconds_count", template="articles") == count + 1
    buckets = [float(v) for v in re.findall(
        r'^bilat_render_seconds_bucket\{le="[^"]+",template="articles"\} (\S+)$', page(),
        re.MULTILINE)]
    assert buckets == sorted(buckets) and buckets[-1] == count + 1


def test_failures_are_totalled_by_kind() -> None:
    before = metrics.by_label(metrics.FAILURES, "kind").get("handler", 0)
    metrics.FAILURES.labels("matrix", "handler").inc()
    metrics.FAILURES.labels("telegram", "handler").inc()
    assert metrics.by_label(metrics.FAILURES, "kind")["handler"] == before + 2
