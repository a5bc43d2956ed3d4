-- Failed password sign-ins per phone number and per network address: after a few, each further
-- try waits out a growing delay (`locked_until`), so guessing a password is slow.
CREATE TABLE sign_in_failures (
    subject TEXT PRIMARY KEY,      -- 'phone:+86…' or 'address:127.0.0.1'
    failures INTEGER NOT NULL,
    locked_until TEXT
);
