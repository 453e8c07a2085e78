-- The newsroom: the health of each watched source, and each candidate article found in them.

CREATE TABLE sources (
    url TEXT PRIMARY KEY,              -- as listed in sources.yaml
    fetch_url TEXT NOT NULL,           -- where it now lives, after a permanent redirect
    etag TEXT,
    last_modified TEXT,
    last_success TEXT,                 -- UTC instant of the last 200 or 304
    last_error TEXT,                   -- what went wrong last, in plain words
    last_error_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0  -- in a row, for the back-off
);

CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    canonical_url TEXT NOT NULL UNIQUE,  -- one article reached by two feeds or URLs is one row
    url TEXT NOT NULL,
    source_url TEXT NOT NULL,
    title TEXT NOT NULL,
    countries TEXT NOT NULL,           -- the covered pair it concerns, as "FR KZ"
    content_hash TEXT UNIQUE,          -- the same text under another URL is a duplicate
    state TEXT NOT NULL CHECK (state IN ('new', 'drafted', 'duplicate', 'failed',
                                         'publishing', 'published', 'dropped')),
    draft TEXT,                        -- the draft article file
    error TEXT,
    dropped TEXT NOT NULL DEFAULT '',  -- fact numbers the editor dropped, space-separated
    edits TEXT,                        -- the editor's title and key points (JSON)
    notified INTEGER NOT NULL DEFAULT 0,  -- editors were told of the draft
    published_as TEXT,                 -- the article file written
    decided_by TEXT,                   -- the editor who published or dropped it
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX candidates_state ON candidates (state, first_seen);

-- When this instance first loaded each article: a digest reports what is new to Bilat, so an
-- article published on 10 June and added on 11 June is news on 11 June.
CREATE TABLE arrivals (
    article_id TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL
);

-- The sectors a chat's digest is limited to, comma-separated ('' = every sector).
ALTER TABLE subscriptions ADD COLUMN sectors TEXT NOT NULL DEFAULT '';

-- Each known article's trade figures as last loaded, and what they were before the last
-- change: a figure changed in a known article is reported as a change.
ALTER TABLE arrivals ADD COLUMN figures TEXT NOT NULL DEFAULT '{}';
ALTER TABLE arrivals ADD COLUMN previous TEXT;
ALTER TABLE arrivals ADD COLUMN changed_at TEXT;

-- Silent delivery: the chat's digests and alerts arrive without a notification sound.
ALTER TABLE subscriptions ADD COLUMN silent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN silent INTEGER NOT NULL DEFAULT 0;
