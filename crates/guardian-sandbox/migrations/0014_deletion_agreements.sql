-- Where all of a child's guardians must agree, each other guardian's answer to a request to delete
-- the child's account. Nothing is deleted while one is awaited; a refusal cancels the request.
CREATE TABLE deletion_agreements (
    deletion_id TEXT NOT NULL REFERENCES deletion_requests(id),
    guardian_id TEXT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('awaited', 'agreed', 'refused')),
    answered_at TEXT,
    PRIMARY KEY (deletion_id, guardian_id)
);
