-- The sandbox's own secret (random, made at first start): idempotency fingerprints are keyed
-- with it, so the table of stored requests cannot be searched for the secrets they carried.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
