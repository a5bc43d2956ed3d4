-- Which notifications the guardian has read (by a stable ID such as `security_notice:sn-1`;
-- provider IDs only, never a name).
CREATE TABLE notifications_read (
    id      TEXT PRIMARY KEY,
    read_at TEXT NOT NULL
) STRICT;
