"""The command table every network answers from: each group's own table, composed once.

Adding a command: a handler in its group (``@BRIEFING_COMMANDS.command(...)``) and, if it
renders a briefing, a template under briefs/. No adapter changes: menus, help and dispatch
all read this table.
"""

from __future__ import annotations

from bot.core.admin_commands import OPERATOR_COMMANDS
from bot.core.briefing_commands import BRIEFING_COMMANDS
from bot.core.command_table import CommandTable
from bot.core.newsroom_commands import NEWSROOM_COMMANDS
from bot.core.pair_commands import PAIR_COMMANDS
from bot.core.pause_commands import PAUSE_COMMANDS
from bot.core.subscription_commands import SUBSCRIPTION_COMMANDS

COMMAND_TABLE = CommandTable.compose(BRIEFING_COMMANDS, PAIR_COMMANDS, SUBSCRIPTION_COMMANDS,
                                     PAUSE_COMMANDS, OPERATOR_COMMANDS, NEWSROOM_COMMANDS)
