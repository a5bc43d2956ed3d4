-- Data rights: re-authentication proofs, deletion requests, consent ledger, policy versions and
-- export archives.
CREATE TABLE reauth_proofs (
    proof_hash  TEXT PRIMARY KEY,
    guardian_id TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- Failed attempts per guardian and action within a window, for 429 rate limiting.
CREATE TABLE attempts (
    guardian_id TEXT NOT NULL,
    action      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX attempts_by_guardian ON attempts (guardian_id, action, at);

-- Not tied to children by foreign key: a completed request outlives the child it deleted.
CREATE TABLE deletion_requests (
    id                TEXT PRIMARY KEY,
    guardian_id       TEXT NOT NULL,
    subject           TEXT NOT NULL CHECK (subject IN ('child', 'guardian')),
    child_id          TEXT,
    status            TEXT NOT NULL CHECK (status IN ('cooling_off', 'cancelled', 'completed')),
    requested_at      TEXT NOT NULL,
    cooling_off_until TEXT NOT NULL,
    due_at            TEXT NOT NULL,
    completed_at      TEXT,
    deleted           TEXT NOT NULL DEFAULT '[]'
);

-- Every grant and withdrawal, never updated: the current state is the latest row per purpose.
CREATE TABLE consent_events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    child_id       TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    granted        INTEGER NOT NULL,
    at             TEXT NOT NULL,
    policy_version TEXT NOT NULL
);

CREATE TABLE policies (
    version      TEXT PRIMARY KEY,
    published_at TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    major        INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    text         TEXT NOT NULL
);

CREATE TABLE policy_acks (
    guardian_id TEXT NOT NULL,
    version     TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (guardian_id, version)
);

CREATE TABLE exports (
    id          TEXT PRIMARY KEY,
    guardian_id TEXT NOT NULL,
    child_id    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('preparing', 'ready', 'failed')),
    progress    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    sha256      TEXT,
    archive     BLOB
);
