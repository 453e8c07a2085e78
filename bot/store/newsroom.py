"""The newsroom's state: each watched source's health and conditional-request validators, and
the candidate articles found in the sources (one row per article, however it was reached)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.store.db import Database, Executor, Row, from_db, maybe_from_db, to_db

CandidateState = Literal["new", "drafted", "duplicate", "failed", "publishing", "published",
                         "dropped"]


@dataclass(frozen=True)
class SourceHealth:
    """What the database remembers of one source."""

    url: str
    fetch_url: str
    etag: str | None
    last_modified: str | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int

    @classmethod
    def from_row(cls, row: Row) -> SourceHealth:
        """Build from a ``sources`` row."""
        return cls(row["url"], row["fetch_url"], row["etag"], row["last_modified"],
                   maybe_from_db(row["last_success"]), row["last_error"],
                   maybe_from_db(row["last_error_at"]), row["failures"])


@dataclass(frozen=True)
class Candidate:
    """An article found in a source that concerns a covered pair."""

    id: int
    canonical_url: str
    url: str
    source_url: str
    title: str
    countries: tuple[str, ...]
    content_hash: str | None
    state: CandidateState
    draft: str | None
    error: str | None
    first_seen: datetime
    dropped: frozenset[int] = frozenset()
    edits: str | None = None  # JSON: the editor's title and key points
    notified: bool = False
    published_as: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Candidate:
        """Build from a ``candidates`` row."""
        return cls(row["id"], row["canonical_url"], row["url"], row["source_url"], row["title"],
                   tuple(row["countries"].split()), row["content_hash"], row["state"],
                   row["draft"], row["error"], from_db(row["first_seen"]),
                   frozenset(int(n) for n in row["dropped"].split()), row["edits"],
                   bool(row["notified"]), row["published_as"])


async def health(db: Executor, url: str) -> SourceHealth | None:
    """The stored state of the source listed as ``url``, if it was ever polled."""
    row = await db.fetchone("SELECT * FROM sources WHERE url = ?", (url,))
    return None if row is None else SourceHealth.from_row(row)


async def all_health(db: Executor) -> dict[str, SourceHealth]:
    """Every polled source's state, by listed URL."""
    rows = await db.fetchall("SELECT * FROM sources")
    return {row["url"]: SourceHealth.from_row(row) for row in rows}


async def polled(db: Executor, url: str, fetch_url: str, etag: str | None,
                 last_modified: str | None, now: datetime) -> None:
    """Record a successful poll (200 or 304) and the validators for the next one."""
    await db.execute(
        "INSERT INTO sources (url, fetch_url, etag, last_modified, last_success, failures)"
        " VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (url) DO UPDATE SET"
        " fetch_url = excluded.fetch_url, etag = excluded.etag,"
        " last_modified = excluded.last_modified, last_success = excluded.last_success,"
        " failures = 0", (url, fetch_url, etag, last_modified, to_db(now)))


async def failed(db: Executor, url: str, error: str, now: datetime) -> int:
    """Record a failed poll; return the failures in a row (for the back-off)."""
    await db.execute(
        "INSERT INTO sources (url, fetch_url, last_error, last_error_at, failures)"
        " VALUES (?, ?, ?, ?, 1) ON CONFLICT (url) DO UPDATE SET"
        " last_error = excluded.last_error, last_error_at = excluded.last_error_at,"
        " failures = sources.failures + 1", (url, url, error, to_db(now)))
    row = await db.fetchone("SELECT failures FROM sources WHERE url = ?", (url,))
    return int(row[0]) if row else 1


async def forget_source(db: Executor, url: str) -> None:
    """Drop a removed source's state (its candidates stay)."""
    await db.execute("DELETE FROM sources WHERE url = ?", (url,))


async def known(db: Executor, canonical_url: str) -> bool:
    """True when this article was already found (through any source)."""
    row = await db.fetchone("SELECT 1 FROM candidates WHERE canonical_url = ?",
                            (canonical_url,))
    return row is not None


async def add_candidate(db: Executor, canonical_url: str, url: str, source_url: str,
                        title: str, countries: tuple[str, ...], now: datetime) -> int | None:
    """Queue a newly found article; None when another source found it first."""
    changes = await db.execute(
        "INSERT INTO candidates (canonical_url, url, source_url, title, countries, state,"
        " first_seen, updated_at) VALUES (?, ?, ?, ?, ?, 'new', ?, ?)"
        " ON CONFLICT (canonical_url) DO NOTHING",
        (canonical_url, url, source_url, title, " ".join(countries), to_db(now), to_db(now)))
    if not changes.rowcount:
        return None
    row = await db.fetchone("SELECT id FROM candidates WHERE canonical_url = ?",
                            (canonical_url,))  # both dialects: no lastrowid on PostgreSQL
    return int(row[0]) if row else None


async def drafted(db: Executor, candidate: int, content_hash: str, draft: str,
                  now: datetime) -> bool:
    """Store the candidate's draft; False (and marked duplicate) when the same text is
    already a candidate under another URL."""
    same = await db.fetchone("SELECT id FROM candidates WHERE content_hash = ? AND id != ?",
                             (content_hash, candidate))
    if same is not None:
        await db.execute("UPDATE candidates SET state = 'duplicate', error = ?,"
                         " updated_at = ? WHERE id = ?",
                         (f"same text as candidate {same[0]}", to_db(now), candidate))
        return False
    await db.execute("UPDATE candidates SET state = 'drafted', content_hash = ?, draft = ?,"
                     " updated_at = ? WHERE id = ?",
                     (content_hash, draft, to_db(now), candidate))
    return True


async def not_drafted(db: Executor, candidate: int, error: str, now: datetime) -> None:
    """Record why a candidate could not be fetched or drafted."""
    await db.execute("UPDATE candidates SET state = 'failed', error = ?, updated_at = ?"
                     " WHERE id = ?", (error, to_db(now), candidate))


async def candidate(db: Executor, candidate_id: int) -> Candidate | None:
    """One candidate by id."""
    row = await db.fetchone("SELECT * FROM candidates WHERE id = ?", (candidate_id,))
    return None if row is None else Candidate.from_row(row)


async def candidates(db: Executor, state: CandidateState | None = None) -> list[Candidate]:
    """Candidates in the order they were found, of one state or all."""
    if state is None:
        rows = await db.fetchall("SELECT * FROM candidates ORDER BY first_seen, id")
    else:
        rows = await db.fetchall("SELECT * FROM candidates WHERE state = ?"
                                 " ORDER BY first_seen, id", (state,))
    return [Candidate.from_row(row) for row in rows]


async def pending(db: Executor) -> list[Candidate]:
    """Candidates found but not yet drafted (a restart resumes them)."""
    return await candidates(db, "new")


# Review ----------------------------------------------------------------------------------------

async def set_fact(db: Database, candidate_id: int, number: int, keep: bool,
                   now: datetime) -> bool:
    """Keep or drop one fact of a draft still under review; False when it is not."""
    async with db.transaction() as tx:
        row = await tx.fetchone("SELECT dropped FROM candidates WHERE id = ? AND"
                                " state = 'drafted'", (candidate_id,))
        if row is None:
            return False
        dropped = {int(n) for n in row[0].split()}
        (dropped.discard if keep else dropped.add)(number)
        await tx.execute("UPDATE candidates SET dropped = ?, updated_at = ? WHERE id = ?",
                         (" ".join(str(n) for n in sorted(dropped)), to_db(now), candidate_id))
    return True


async def set_edits(db: Executor, candidate_id: int, edits: str, now: datetime) -> bool:
    """Store the editor's title and key points; False when the draft is no longer open."""
    changes = await db.execute("UPDATE candidates SET edits = ?, updated_at = ? WHERE id = ?"
                               " AND state = 'drafted'", (edits, to_db(now), candidate_id))
    return changes.rowcount > 0


async def claim(db: Executor, candidate_id: int, editor: str, now: datetime) -> bool:
    """Take a draft for publishing (compare-and-set): only one editor ever wins it."""
    changes = await db.execute(
        "UPDATE candidates SET state = 'publishing', decided_by = ?, updated_at = ?"
        " WHERE id = ? AND state = 'drafted'", (editor, to_db(now), candidate_id))
    return changes.rowcount == 1


async def release(db: Executor, candidate_id: int, error: str, now: datetime) -> None:
    """Give a draft back to review after a refused publication, saying why."""
    await db.execute("UPDATE candidates SET state = 'drafted', decided_by = NULL, error = ?,"
                     " updated_at = ? WHERE id = ? AND state = 'publishing'",
                     (error, to_db(now), candidate_id))


async def mark_published(db: Executor, candidate_id: int, path: str, now: datetime) -> None:
    """Record the article file a draft became."""
    await db.execute("UPDATE candidates SET state = 'published', published_as = ?, error = NULL,"
                     " updated_at = ? WHERE id = ?", (path, to_db(now), candidate_id))


async def discard(db: Executor, candidate_id: int, editor: str, now: datetime) -> bool:
    """Drop a whole draft (compare-and-set, like ``claim``)."""
    changes = await db.execute(
        "UPDATE candidates SET state = 'dropped', decided_by = ?, updated_at = ?"
        " WHERE id = ? AND state = 'drafted'", (editor, to_db(now), candidate_id))
    return changes.rowcount == 1


async def recover(db: Executor) -> int:
    """Drafts left ``publishing`` by a crash go back to review (the file was not written, or
    the reload will show it: publishing again refuses a duplicate id)."""
    changes = await db.execute("UPDATE candidates SET state = 'drafted' WHERE state ="
                               " 'publishing'")
    return changes.rowcount


async def unnotified(db: Executor) -> list[Candidate]:
    """Drafts the editors have not been told of yet."""
    rows = await db.fetchall("SELECT * FROM candidates WHERE state = 'drafted' AND notified = 0"
                             " ORDER BY first_seen, id")
    return [Candidate.from_row(row) for row in rows]


async def mark_notified(db: Executor, candidate_id: int) -> None:
    """The editors were told of this draft."""
    await db.execute("UPDATE candidates SET notified = 1 WHERE id = ?", (candidate_id,))


async def oldest_open(db: Executor) -> Candidate | None:
    """The draft waiting longest for review."""
    row = await db.fetchone("SELECT * FROM candidates WHERE state = 'drafted'"
                            " ORDER BY first_seen, id LIMIT 1")
    return None if row is None else Candidate.from_row(row)
