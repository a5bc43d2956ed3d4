-- A child's devices (sign a device out remotely) and the reports a guardian files for a child.
CREATE TABLE devices (
    id        TEXT PRIMARY KEY,
    child_id  TEXT NOT NULL REFERENCES children(id),
    name      TEXT NOT NULL,
    platform  TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    signed_in INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE reports (
    id            TEXT PRIMARY KEY,
    child_id      TEXT NOT NULL,
    target_kind   TEXT NOT NULL CHECK (target_kind IN ('contact', 'group')),
    target_id     TEXT NOT NULL,
    category      TEXT NOT NULL,
    evidence_text TEXT NOT NULL,
    image_count   INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    due_at        TEXT NOT NULL
);
