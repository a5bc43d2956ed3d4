-- Receipts of a child's data deleted by category (the account stays).
CREATE TABLE data_deletions (
    id            TEXT PRIMARY KEY,
    child_id      TEXT NOT NULL REFERENCES children(id),
    category      TEXT NOT NULL,
    deleted_items INTEGER NOT NULL,
    deleted_at    TEXT NOT NULL,
    -- JSON array of what the provider keeps, why and for how long.
    kept          TEXT NOT NULL
);
