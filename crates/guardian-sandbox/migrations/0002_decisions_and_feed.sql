-- Friend-request expiry, contact interaction metadata, parental PINs, idempotent replays and the
-- change feed.
ALTER TABLE friend_requests ADD COLUMN expires_at TEXT;
ALTER TABLE contacts ADD COLUMN messages_7d INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN calls_7d INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN last_interaction TEXT;

CREATE TABLE pins (
    child_id        TEXT PRIMARY KEY REFERENCES children(id),
    pin_hash        TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    reset_required  INTEGER NOT NULL DEFAULT 0
);

-- A stored response per (guardian, Idempotency-Key): a replay returns it unchanged.
CREATE TABLE idempotency (
    guardian_id TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (guardian_id, key)
);

-- Every change a guardian's client must learn about, in order. `entity` names what changed;
-- the feed sends its current state, or a tombstone when it is gone.
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    guardian_id TEXT NOT NULL,
    entity      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX changes_by_guardian ON changes (guardian_id, seq);

-- Changes at or below the floor have been compacted away: older cursors get 410. The epoch
-- names this database: a cursor from another one (a reset provider) also gets 410.
CREATE TABLE feed_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    floor INTEGER NOT NULL,
    epoch TEXT NOT NULL
);
INSERT INTO feed_state (id, floor, epoch) VALUES (1, 0, lower(hex(randomblob(8))));
