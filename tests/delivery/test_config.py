"""Delivery settings: grace, failures, attempts, each named when wrong."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings


def test_defaults_and_overrides(tmp_path: Path) -> None:
    none = tmp_path / "none.env"
    defaults = Settings.load({}, none)
    assert (defaults.grace, defaults.max_failures, defaults.max_attempts) == (
        timedelta(hours=6), 3, 8)
    custom = Settings.load({"BILAT_GRACE": "90m", "BILAT_MAX_FAILURES": "5",
                            "BILAT_MAX_ATTEMPTS": "2"}, none)
    assert (custom.grace, custom.max_failures, custom.max_attempts) == (
        timedelta(minutes=90), 5, 2)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("BILAT_GRACE", "soon", "BILAT_GRACE: 'soon' is not a duration such as 6h, 90m or 2d"),
    ("BILAT_MAX_FAILURES", "0", "BILAT_MAX_FAILURES: '0' is not a whole number of at least 1"),
    ("BILAT_MAX_ATTEMPTS", "-1", "BILAT_MAX_ATTEMPTS: '-1' is not a whole number of at least 1"),
])
def test_bad_values_are_named(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.load({name: value}, tmp_path / "none.env")
    assert str(caught.value) == message
