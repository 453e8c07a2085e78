"""The operator's documents agree with the code and with each other."""

from __future__ import annotations

import re

from bot.config import VARIABLES
from bot.core.commands import COMMAND_TABLE as COMMANDS
from bot.ops.first_run import COMPOSE_ONLY
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")


def test_the_command_table_is_one_table() -> None:
    """A blank line inside a Markdown table turns the rest into a paragraph."""
    lines = README.splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("| `/")]
    assert rows == list(range(rows[0], rows[0] + len(rows)))
    assert lines[rows[0] - 1].startswith("| ---") and lines[rows[0] - 2].startswith("| command")
    table = "\n".join(lines[i] for i in rows)
    for command in COMMANDS:
        if command.in_menu:
            assert f"`/{command.name}" in table, command.name
            assert f"`/{COMMANDS.shown(command.name, 'fr')}" in table, command.name


def test_readme_and_env_example_name_every_variable_bilat_reads() -> None:
    in_readme = set(re.findall(r"^\| `([A-Z_]+)` \|", README, re.MULTILINE))
    in_example = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", ENV_EXAMPLE, re.MULTILINE))
    assert in_readme == set(VARIABLES)
    assert in_example == set(VARIABLES) | set(COMPOSE_ONLY)


def test_set_up_says_what_it_needs_and_how_env_is_used() -> None:
    setup = README[README.index("## Set up"):README.index("## Commands")]
    assert setup.count("make ") >= 2 and "npm" in setup and "Python 3.11" in setup
    assert "cp .env.example .env" in README and "env_file" in README
    assert "docker compose" in ENV_EXAMPLE and "env_file" in ENV_EXAMPLE
