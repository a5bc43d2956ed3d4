-- Transparency (seed rules 15 and 16): staff access to a child's data, automated decisions about
-- a child, and security notices to a guardian (or to every guardian when guardian_id is NULL).
CREATE TABLE staff_access (
    id              TEXT PRIMARY KEY,
    child_id        TEXT NOT NULL REFERENCES children(id),
    staff_role      TEXT NOT NULL,
    accessed_at     TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    approval_ref    TEXT NOT NULL,
    -- JSON array of data categories.
    data_categories TEXT NOT NULL
);

CREATE TABLE automated_decisions (
    id             TEXT PRIMARY KEY,
    child_id       TEXT NOT NULL REFERENCES children(id),
    kind           TEXT NOT NULL,
    summary        TEXT NOT NULL,
    decided_at     TEXT NOT NULL,
    human_reviewed INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE security_notices (
    id           TEXT PRIMARY KEY,
    guardian_id  TEXT REFERENCES guardians(id),
    severity     TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    published_at TEXT NOT NULL
);
