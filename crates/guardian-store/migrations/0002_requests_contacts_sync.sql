-- Friend requests and contacts as the provider last reported them, the change-feed position,
-- and retry bookkeeping for queued decisions.
CREATE TABLE friend_requests (
    id          TEXT PRIMARY KEY,
    child_id    TEXT NOT NULL,
    other_name  TEXT NOT NULL,
    direction   TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) STRICT;
CREATE INDEX friend_requests_by_child ON friend_requests (child_id, status);

CREATE TABLE contacts (
    child_id         TEXT NOT NULL,
    contact_id       TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    status           TEXT NOT NULL,
    messages_7d      INTEGER NOT NULL,
    calls_7d         INTEGER NOT NULL,
    last_interaction TEXT,
    PRIMARY KEY (child_id, contact_id)
) STRICT;

-- 'queued' rows wait to be sent (not before next_attempt_at); 'failed' rows were refused by the
-- provider and wait for the guardian (last_error says what the provider said).
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'queued';
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
