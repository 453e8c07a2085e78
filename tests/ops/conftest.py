"""Fixtures: a copy of the data that a test may edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the bundled data that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
