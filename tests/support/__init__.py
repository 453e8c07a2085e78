"""Helpers shared by every test folder, written once: ports, waiting, processes, worlds."""
