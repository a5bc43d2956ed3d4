-- Daily usage per child and feature (features used, call minutes, games played): counts and
-- minutes only, never content.
CREATE TABLE activity (
    child_id TEXT NOT NULL REFERENCES children(id),
    day      TEXT NOT NULL,
    feature  TEXT NOT NULL,
    uses     INTEGER NOT NULL,
    minutes  INTEGER NOT NULL,
    PRIMARY KEY (child_id, day, feature)
);
