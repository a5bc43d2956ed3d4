-- Daily usage per child and feature, as the provider reports it (counts and minutes only).
CREATE TABLE activity (
    child_id TEXT NOT NULL,
    day      TEXT NOT NULL,
    feature  TEXT NOT NULL,
    uses     INTEGER NOT NULL,
    minutes  INTEGER NOT NULL,
    PRIMARY KEY (child_id, day, feature)
) STRICT;
