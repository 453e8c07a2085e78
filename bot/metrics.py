"""Bilat's metrics, on one registry per process (what ``/metrics`` serves).

A process-wide registry, as prometheus_client has: the counters are fed from deep inside
the adapters, delivery and rendering, and threading a registry through all of them would
buy nothing for a single-process bot. Tests read differences, never absolute values.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from bot.ops.metrics import Registry

REGISTRY = Registry()

COMMANDS_ANSWERED = REGISTRY.counter(
    "bilat_commands_total", "Commands answered, by command and network.",
    ("command", "network"))
SENT = REGISTRY.counter(
    "bilat_messages_sent_total",
    "Messages sent, by network and kind (reply, digest, alert).", ("network", "kind"))
FAILURES = REGISTRY.counter(
    "bilat_failures_total",
    "Failures by network and kind: delivery errors (rate_limited, terminal, migrated, "
    "transient, unknown) and handler errors.", ("network", "kind"))
PACING = REGISTRY.histogram(
    "bilat_pacing_delay_seconds",
    "Time a pushed message waited for the network's rate limits.", ("network",),
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0))
RENDER = REGISTRY.histogram(
    "bilat_render_seconds", "Time to render a message from its template.", ("template",),
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0))
TICKS = REGISTRY.histogram(
    "bilat_scheduler_tick_seconds", "Time each scheduler tick took to plan pushes.",
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0))
RELOADS = REGISTRY.counter(
    "bilat_data_reloads_total", "Data reloads, by result (loaded or refused).", ("result",))
OUTBOX = REGISTRY.gauge(
    "bilat_outbox_messages", "Messages in the outbox, by state.", ("state",))
SUBSCRIPTIONS = REGISTRY.gauge(
    "bilat_subscriptions", "Subscriptions, by state (active or stopped).", ("state",))
CHATS = REGISTRY.gauge(
    "bilat_chats", "Chats the bot is in, by network.", ("network",))
ARTICLES = REGISTRY.gauge("bilat_articles", "Articles in the data in service.")
READY = REGISTRY.gauge("bilat_ready", "1 when /healthz answers 200, else 0.")
STARTED = REGISTRY.gauge("bilat_start_time_seconds", "When the process started (Unix time).")
STARTED.set(time.time())


@contextmanager
def rendering(template: str) -> Iterator[None]:
    """Time one render into ``bilat_render_seconds``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        RENDER.observe(time.perf_counter() - started, template=template)
