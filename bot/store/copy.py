"""Copying a whole database from one store to another (``bilat migrate-db``).

Both ends are migrated to the same schema first; the rows go in one transaction on the
target, so a failed copy leaves it empty. Runtime state (replicas, leases, send slots) is not
copied; a message left ``sending`` goes back to ``pending``, as a restart would do.
"""

from __future__ import annotations

from pathlib import Path

from bot.store.db import Database, DatabaseError, Executor, Row, redacted

# In the order foreign keys need: a chat before what hangs on it.
TABLES = ("chats", "subscriptions", "outbox", "kv", "sources", "candidates", "arrivals")
PAGE = 5000


async def copy_database(source: Path | str, target: Path | str) -> dict[str, int]:
    """Copy every row of ``source`` into the empty ``target``; rows copied by table."""
    async with await Database.open(source) as src, await Database.open(target) as dst:
        for table in TABLES:
            if await dst.fetchone(f"SELECT 1 FROM {table} LIMIT 1") is not None:
                raise DatabaseError(f"{redacted(target)}: table {table} is not empty; "
                                    "migrate-db copies into an empty database only")
        counts: dict[str, int] = {}
        async with dst.transaction() as tx:
            for table in TABLES:
                counts[table] = await _copy_table(src, tx, table)
            if dst.dialect == "postgresql":
                # Identities continue after the copied ids.
                for table in ("chats", "outbox", "candidates"):
                    await tx.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")
    return counts


async def _copy_table(src: Database, tx: Executor, table: str) -> int:
    """Copy one table a page at a time, in the source's row order."""
    order = "rowid" if src.dialect == "sqlite" else "1"
    copied = 0
    while page := await src.fetchall(f"SELECT * FROM {table} ORDER BY {order} LIMIT ? OFFSET ?",
                                     (PAGE, copied)):
        columns = list(page[0].keys())
        marks = ", ".join("?" * len(columns))
        await tx.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                             [_values(table, columns, row) for row in page])
        copied += len(page)
    return copied


def _values(table: str, columns: list[str], row: Row) -> tuple[object, ...]:
    """A row's values; a message that was being sent waits to be sent again."""
    values = dict(zip(columns, tuple(row), strict=True))
    if table == "outbox" and values["state"] == "sending":
        values["state"], values["claimed_by"] = "pending", None
    return tuple(values[c] for c in columns)
