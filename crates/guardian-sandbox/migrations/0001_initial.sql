-- The sandbox provider's own database. Append-only: add a new file for every change.
CREATE TABLE guardians (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    phone         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL
);

CREATE TABLE children (
    id              TEXT PRIMARY KEY,
    guardian_id     TEXT NOT NULL REFERENCES guardians(id),
    display_name    TEXT NOT NULL,
    avatar_url      TEXT,
    friend_approval TEXT NOT NULL CHECK (friend_approval IN ('pin_required', 'child_may_add')),
    country         TEXT,
    gender          TEXT,
    birthday        TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL
);

CREATE TABLE contacts (
    child_id     TEXT NOT NULL REFERENCES children(id),
    contact_id   TEXT NOT NULL,
    display_name TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('approved', 'blocked')),
    PRIMARY KEY (child_id, contact_id)
);

CREATE TABLE friend_requests (
    id         TEXT PRIMARY KEY,
    child_id   TEXT NOT NULL REFERENCES children(id),
    other_name TEXT NOT NULL,
    direction  TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    status     TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
    created_at TEXT NOT NULL
);

-- Sessions: a family of rotating refresh tokens; reusing a spent one revokes the family.
CREATE TABLE token_families (
    id          TEXT PRIMARY KEY,
    guardian_id TEXT NOT NULL REFERENCES guardians(id),
    revoked     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL REFERENCES token_families(id),
    expires_at TEXT NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL REFERENCES token_families(id),
    expires_at TEXT NOT NULL
);
