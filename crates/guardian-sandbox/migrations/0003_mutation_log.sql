-- Every mutation the sandbox actually carried out, by Idempotency-Key (a replay adds nothing).
-- The crash-safety harness reads it to prove no decision is applied twice.
CREATE TABLE mutation_log (
    guardian_id TEXT NOT NULL,
    key         TEXT NOT NULL,
    status      INTEGER NOT NULL,
    at          TEXT NOT NULL
);
