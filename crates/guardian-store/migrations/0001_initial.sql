-- Guardian's local cache. Append-only: never edit a migration that has shipped; add a new one.

-- Small settings and sync bookkeeping (no personal data).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Children's data lives in its own tables (seed rule 15).
CREATE TABLE children (
    id               TEXT PRIMARY KEY,
    guardian_id      TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    avatar_url       TEXT,
    friend_approval  TEXT NOT NULL,
    country          TEXT,
    gender           TEXT,
    birthday         TEXT,
    pending_requests INTEGER NOT NULL DEFAULT 0,
    version          TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;

-- Every local decision, queued until the provider has it.
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    child_id        TEXT,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
) STRICT;
