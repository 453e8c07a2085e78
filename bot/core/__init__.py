"""The network-neutral core: facts, checks, briefings, rendering and the command table.

Nothing in this package may import a chat library (a test walks the imports).
"""
