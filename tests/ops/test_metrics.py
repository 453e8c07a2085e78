"""The metrics registry: the Prometheus text format, line by line."""

from __future__ import annotations

import re

import pytest

from bot.ops.metrics import Registry

SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?'
                    r" (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$")


def well_formed(text: str) -> bool:
    """Every line a HELP, a TYPE or a sample; the page ends with a newline."""
    return text.endswith("\n") and all(
        line.startswith(("# HELP ", "# TYPE ")) or SAMPLE.match(line)
        for line in text.splitlines())


def test_counter_and_gauge() -> None:
    registry = Registry()
    served = registry.counter("bilat_commands_total", "Commands.", ("command", "network"))
    served.inc(command="trade", network="telegram")
    served.inc(2, command="trade", network="telegram")
    depth = registry.gauge("bilat_outbox_messages", "Outbox.", ("state",))
    depth.replace([({"state": "pending"}, 3)])
    depth.replace([({"state": "sent"}, 7)])  # pending is gone
    text = registry.render()
    assert well_formed(text)
    assert text.splitlines() == [
        "# HELP bilat_commands_total Commands.",
        "# TYPE bilat_commands_total counter",
        'bilat_commands_total{command="trade",network="telegram"} 3',
        "# HELP bilat_outbox_messages Outbox.",
        "# TYPE bilat_outbox_messages gauge",
        'bilat_outbox_messages{state="sent"} 7',
    ]


def test_histogram_buckets_are_cumulative() -> None:
    registry = Registry()
    render = registry.histogram("bilat_render_seconds", "Render.", ("template",),
                                buckets=(0.001, 0.01))
    for value in (0.0005, 0.005, 0.5):
        render.observe(value, template="trade")
    text = registry.render()
    assert well_formed(text)
    assert 'bilat_render_seconds_bucket{template="trade",le="0.001"} 1' in text
    assert 'bilat_render_seconds_bucket{template="trade",le="0.01"} 2' in text
    assert 'bilat_render_seconds_bucket{template="trade",le="+Inf"} 3' in text
    assert 'bilat_render_seconds_count{template="trade"} 3' in text
    assert 'bilat_render_seconds_sum{template="trade"} 0.5055' in text


def test_label_values_are_escaped_and_names_checked() -> None:
    registry = Registry()
    counter = registry.counter("x_total", "X.", ("kind",))
    counter.inc(kind='a "quoted"\\ \nvalue')
    assert 'x_total{kind="a \\"quoted\\"\\\\ \\nvalue"} 1' in registry.render()
    assert well_formed(registry.render())
    with pytest.raises(ValueError, match="takes labels"):
        counter.inc(other="y")
    with pytest.raises(ValueError, match="registered twice"):
        registry.counter("x_total", "Again.")
