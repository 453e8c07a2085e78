-- Bilat's first schema: chats, their subscriptions, the outbox of pushed messages, and a
-- key-value table for the adapters' sync tokens. Instants are UTC text from bot.store.db.to_db.

CREATE TABLE chats (
    id          INTEGER PRIMARY KEY,
    network     TEXT NOT NULL,                -- telegram, matrix, console
    chat_id     TEXT NOT NULL,                -- the network's id (re-keyed when a chat migrates)
    thread_id   TEXT,                         -- forum topic or thread, NULL when none
    type        TEXT NOT NULL CHECK (type IN ('private', 'group', 'channel')),
    title       TEXT NOT NULL DEFAULT '',
    locale      TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'member'
                CHECK (status IN ('member', 'admin', 'left', 'kicked')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- NULLs are distinct in a UNIQUE constraint, so the topic-less chat is keyed on ''.
CREATE UNIQUE INDEX chats_ref ON chats (network, chat_id, ifnull(thread_id, ''));

CREATE TABLE subscriptions (
    chat            INTEGER PRIMARY KEY REFERENCES chats (id) ON DELETE CASCADE,
    cadence         TEXT NOT NULL DEFAULT 'daily' CHECK (cadence IN ('daily', 'weekly')),
    weekday         INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 6),  -- Monday 0
    local_time      TEXT NOT NULL DEFAULT '08:00',                          -- HH:MM, chat's zone
    alerts          INTEGER NOT NULL DEFAULT 1 CHECK (alerts IN (0, 1)),
    lead_days       TEXT NOT NULL DEFAULT '7,1,0',    -- alert lead times in days; 0 = the day
    pairs           TEXT NOT NULL DEFAULT 'KZ-FR',    -- comma-separated country pairs
    always          INTEGER NOT NULL DEFAULT 0 CHECK (always IN (0, 1)),  -- digest if unchanged
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failures        INTEGER NOT NULL DEFAULT 0,       -- consecutive terminal delivery failures
    last_error      TEXT,
    planned_until   TEXT NOT NULL,                    -- everything due up to here is planned
    last_digest_at  TEXT,                             -- content instant of the previous digest
    digest_events   TEXT NOT NULL DEFAULT '[]',       -- event keys the previous digest listed
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX subscriptions_active ON subscriptions (active);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,            -- digest:<chat>:<date>, alert:<event>:...
    chat             INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('digest', 'alert')),
    html             TEXT NOT NULL,
    text             TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    message_id       TEXT,
    last_error       TEXT
);
CREATE INDEX outbox_chat ON outbox (chat, state, id);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

CREATE TABLE kv (
    namespace   TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
);
