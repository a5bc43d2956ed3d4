-- Where all of a child's guardians must agree: who approved a pending friend request so far
-- (a JSON array of display names).
ALTER TABLE friend_requests ADD COLUMN approved_by TEXT NOT NULL DEFAULT '[]';
