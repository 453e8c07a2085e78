"""The network-neutral core: facts, checks, briefings, rendering, the command tables and the
session that answers every network's requests.

Nothing in this package may import a chat library or an outer layer of bot/ (import-linter's
contracts in pyproject.toml, checked by `make lint`).
"""
