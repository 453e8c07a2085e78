"""A real PostgreSQL server for the tests: initdb into a temporary folder, a free port on
127.0.0.1, stopped at the end. ``make test`` installs the server (scripts/install-postgres.sh);
under CI=true a missing server fails the tests instead of skipping them.

As root (CI) the server runs as the ``postgres`` user through ``runuser``: PostgreSQL
refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.net import free_port

START_SECONDS = 60
SETTINGS = {  # a throwaway server: speed over durability
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
    "max_connections": "300", "shared_buffers": "64MB", "listen_addresses": "'127.0.0.1'",
}


def bindir() -> Path | None:
    """Where initdb and pg_ctl are: $PG_BINDIR, Debian's versioned folder, or the PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def unavailable() -> str | None:
    """Why no server can be started here, or None."""
    folder = bindir()
    if folder is None or not (folder / "pg_ctl").exists():
        return "PostgreSQL is not installed (run scripts/install-postgres.sh)"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser: cannot start PostgreSQL as another user"
    return None


def require_postgres() -> None:
    """Skip when PostgreSQL is missing; fail instead under ``CI=true``."""
    reason = unavailable()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(reason)


class PostgresServer:
    """One server on 127.0.0.1, owned by the current user (or ``postgres`` under root)."""

    def __init__(self) -> None:
        folder = bindir()
        assert folder is not None
        self.bin = folder
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="bilat-pg-"))
        self.data = self.root / "data"
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run([*prefix, *argv], check=check, capture_output=True, text=True,
                              cwd=self.root)

    def start(self) -> None:
        """initdb, then start and wait until it answers."""
        if self.user:
            shutil.chown(self.root, self.user)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "bilat",
                  "--auth=trust", "-E", "UTF8", "--locale=C")
        options = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.root / "server.log"), "-w", "-t", str(START_SECONDS), "-o",
                  f"-p {self.port} -k {self.root} {options}", "start")

    def stop(self) -> None:
        """Stop at once and remove everything."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                  "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """The URL of a database on this server."""
        return f"postgresql://bilat@127.0.0.1:{self.port}/{database}"

    def create(self, database: str) -> str:
        """A new empty database; its URL."""
        deadline = time.monotonic() + 10
        while True:
            done = self._run(str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                             "-U", "bilat", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c",
                             f'CREATE DATABASE "{database}"', check=False)
            if done.returncode == 0:
                return self.url(database)
            assert time.monotonic() < deadline, done.stderr
            time.sleep(0.1)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A started server, stopped afterwards."""
    require_postgres()
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
