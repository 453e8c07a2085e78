-- Several replicas on one database, and a schedule indexed by what is due (both dialects).

-- The instant a subscription next has something due (a digest or an alert), so a tick reads
-- only those; '' (before any instant) means "evaluate at the next tick", as after a change.
ALTER TABLE subscriptions ADD COLUMN next_due_at TEXT NOT NULL DEFAULT '';
UPDATE subscriptions SET next_due_at = planned_until;
CREATE INDEX subscriptions_due ON subscriptions (next_due_at, chat) WHERE active = 1;

-- Per-chat pacing shared by every replica, on the pacer's clock (epoch seconds): the chat may
-- receive again from next_send_at; a group's recent sends (JSON) count against its minute.
ALTER TABLE chats ADD COLUMN next_send_at DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN sent_stamps TEXT NOT NULL DEFAULT '[]';

-- Which replica claimed a row being sent; rows of a replica that vanished go back to pending.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id) WHERE state = 'pending';

-- Each running replica and its last sign of life.
CREATE TABLE replicas (
    id          TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    seen_at     TEXT NOT NULL
);

-- Roles held by one replica at a time (the scheduler), until the lease expires.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- Each network's global send budget: the next free slot of its overall rate, shared.
CREATE TABLE send_slots (
    network     TEXT PRIMARY KEY,
    next_slot   DOUBLE PRECISION NOT NULL   -- epoch seconds on the pacer's clock
);
