-- Who can find the child to send a friend request: id_or_phone, id_only or nobody.
ALTER TABLE children ADD COLUMN discoverable_by TEXT NOT NULL DEFAULT 'id_only'
    CHECK (discoverable_by IN ('id_or_phone', 'id_only', 'nobody'));

-- The child's profile picture; children.avatar_url points at it (with its hash, so a new picture
-- has a new URL).
CREATE TABLE child_avatars (
    child_id     TEXT PRIMARY KEY REFERENCES children(id),
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    uploaded_at  TEXT NOT NULL
);
