"""Network helpers for tests."""

from __future__ import annotations

import socket
from contextlib import closing


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
