-- Sign-in codes sent by SMS: one live code per phone number (hashed), with attempts left. A
-- phone number without an account gets a row too, so the answers cannot tell who has one.
CREATE TABLE sms_codes (
    phone         TEXT PRIMARY KEY,
    code_hash     TEXT NOT NULL,
    sent_at       TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    attempts_left INTEGER NOT NULL
);

-- What the sandbox's stand-in SMS gateway sent, for tests, demos and support (admin only).
CREATE TABLE sms_outbox (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    phone   TEXT NOT NULL,
    code    TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
