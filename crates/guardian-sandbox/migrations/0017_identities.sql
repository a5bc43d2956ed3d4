-- The guardian's real-name verification status (optional): unverified, pending or verified.
ALTER TABLE guardians ADD COLUMN real_name TEXT NOT NULL DEFAULT 'unverified'
    CHECK (real_name IN ('unverified', 'pending', 'verified'));

-- Third-party identities a guardian signs in with: one account of each third party.
CREATE TABLE guardian_identities (
    provider     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    guardian_id  TEXT NOT NULL REFERENCES guardians(id),
    display_name TEXT NOT NULL,
    linked_at    TEXT NOT NULL,
    PRIMARY KEY (provider, subject),
    UNIQUE (guardian_id, provider)
);

-- Authorization requests in flight (the stand-in third party's side of the code flow). The code
-- is kept hashed, works once, and only with the PKCE verifier whose challenge started it.
CREATE TABLE identity_grants (
    state          TEXT PRIMARY KEY,
    provider       TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    code_hash      TEXT,
    subject        TEXT,
    display_name   TEXT,
    expires_at     TEXT NOT NULL
);

-- A third-party identity no account uses yet, waiting for a phone number to be bound to it.
CREATE TABLE binding_tokens (
    token_hash   TEXT PRIMARY KEY,
    provider     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
