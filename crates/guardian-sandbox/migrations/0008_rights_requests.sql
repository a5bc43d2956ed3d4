-- Rights requests a guardian files for a child (access, correction, explanation, other), each
-- answered within 15 days.
CREATE TABLE rights_requests (
    id         TEXT PRIMARY KEY,
    child_id   TEXT NOT NULL REFERENCES children(id),
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'correction', 'explanation', 'other')),
    details    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    due_at     TEXT NOT NULL
);
