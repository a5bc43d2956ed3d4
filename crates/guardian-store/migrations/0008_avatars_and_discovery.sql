-- Who can find the child (id_or_phone, id_only, nobody), as the provider last said.
ALTER TABLE children ADD COLUMN discoverable_by TEXT NOT NULL DEFAULT 'id_only';

-- The child's profile picture as downloaded from children.avatar_url; a picture whose URL no
-- longer matches (or whose child is gone) is removed after each sync.
CREATE TABLE child_avatars (
    child_id     TEXT PRIMARY KEY,
    avatar_url   TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL
) STRICT;
