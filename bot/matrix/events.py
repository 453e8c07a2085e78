"""Reading matrix-nio's events: raw sources, relations, memberships, upgrades.

nio parses events into classes but is not always faithful (an invite's member event loses its
content; v12 create events fail its schema), so the raw ``source`` is read where it matters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any


def source_of(event: object) -> Mapping[str, Any]:
    """The raw event dict nio keeps on every parsed event."""
    source = getattr(event, "source", None)
    return source if isinstance(source, Mapping) else {}


def relates_to(event: object) -> Mapping[str, Any]:
    """The event's ``m.relates_to`` (nio copies it out of the encrypted envelope)."""
    rel = (source_of(event).get("content") or {}).get("m.relates_to")
    return rel if isinstance(rel, Mapping) else {}


def thread_of(event: object) -> str | None:
    """The thread root when the event was sent in a thread."""
    rel = relates_to(event)
    return str(rel["event_id"]) if rel.get("rel_type") == "m.thread" else None


def strip_reply_fallback(body: str) -> str:
    """Drop the ``> <@user> quoted`` lines older clients put before a reply's text."""
    lines = body.splitlines()
    if not lines or not lines[0].startswith("> "):
        return body
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).strip()


def membership_of(event: object, user_id: str) -> str | None:
    """The membership an ``m.room.member`` event gives ``user_id``, if it is about them."""
    membership = getattr(event, "membership", None)
    if membership is not None:  # nio's member events (an invite's source loses its content)
        return str(membership) if getattr(event, "state_key", None) == user_id else None
    source = source_of(event)
    if source.get("type") != "m.room.member" or source.get("state_key") != user_id:
        return None
    return str((source.get("content") or {}).get("membership"))


def joins(event: object, user_id: str) -> bool:
    """True for the event by which ``user_id`` joined (not a later profile change)."""
    if membership_of(event, user_id) != "join":
        return False
    prev = getattr(event, "prev_membership", None)
    if prev is None:
        unsigned = source_of(event).get("unsigned") or {}
        prev = (unsigned.get("prev_content") or {}).get("membership")
    return prev != "join"


def txn_id(event_id: str, part: int) -> str:
    """A transaction id derived from the command: a resent reply is deduplicated."""
    digest = hashlib.sha256(event_id.encode()).hexdigest()[:32]
    return f"bilat.{digest}.{part}"


def replacement_of(events: Iterable[object]) -> str | None:
    """The room named by the last ``m.room.tombstone`` among ``events``, if any."""
    found = None
    for event in events:
        source = source_of(event)
        if source.get("type") == "m.room.tombstone" and source.get("state_key") == "":
            found = (source.get("content") or {}).get("replacement_room") or found
    return str(found) if found else None
