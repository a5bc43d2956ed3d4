-- Co-guardians: every guardian of a child (the one who added the child is the first), invitations
-- to become one, whether one or all guardians must agree to a friend approval, the approvals given
-- so far while others are awaited, and the decision log every guardian of the child can read.
CREATE TABLE child_guardians (
    child_id    TEXT NOT NULL REFERENCES children(id),
    guardian_id TEXT NOT NULL REFERENCES guardians(id),
    joined_at   TEXT NOT NULL,
    PRIMARY KEY (child_id, guardian_id)
);
CREATE INDEX child_guardians_by_guardian ON child_guardians (guardian_id);
INSERT INTO child_guardians (child_id, guardian_id, joined_at) SELECT id, guardian_id, updated_at FROM children;

-- Whoever adds a child is its first guardian.
CREATE TRIGGER child_first_guardian AFTER INSERT ON children
BEGIN
    INSERT INTO child_guardians (child_id, guardian_id, joined_at) VALUES (NEW.id, NEW.guardian_id, NEW.updated_at);
END;

ALTER TABLE children ADD COLUMN agreement TEXT NOT NULL DEFAULT 'one' CHECK (agreement IN ('one', 'all'));

CREATE TABLE guardian_invites (
    id         TEXT PRIMARY KEY,
    child_id   TEXT NOT NULL REFERENCES children(id),
    invited_by TEXT NOT NULL REFERENCES guardians(id),
    phone      TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'revoked')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX guardian_invites_by_phone ON guardian_invites (phone, status);

CREATE TABLE approval_votes (
    child_id    TEXT NOT NULL REFERENCES children(id),
    request_id  TEXT NOT NULL,
    guardian_id TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (request_id, guardian_id)
);

CREATE TABLE decision_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    child_id    TEXT NOT NULL REFERENCES children(id),
    guardian_id TEXT NOT NULL,
    -- The guardian's name when the entry was written (it outlives a guardian who leaves).
    guardian_name TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX decision_log_by_child ON decision_log (child_id, seq);
