-- Group chats: a child may be in several, each with other members who may or may not be the
-- child's approved contacts.
CREATE TABLE chat_groups (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE chat_group_members (
    group_id     TEXT NOT NULL REFERENCES chat_groups(id),
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

-- Which children are in which group (leaving removes the row).
CREATE TABLE child_groups (
    child_id  TEXT NOT NULL REFERENCES children(id),
    group_id  TEXT NOT NULL REFERENCES chat_groups(id),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (child_id, group_id)
);
