-- A guardian's change that protects the child less waits for the child's other guardians: it
-- takes effect once each accepts, or at takes_effect_at unless one vetoes it.
CREATE TABLE guardian_proposals (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    guardian_id TEXT,
    proposed_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    takes_effect_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX guardian_proposals_due ON guardian_proposals (status, takes_effect_at);

CREATE TABLE proposal_answers (
    proposal_id TEXT NOT NULL REFERENCES guardian_proposals (id) ON DELETE CASCADE,
    guardian_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, guardian_id)
);
