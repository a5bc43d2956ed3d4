-- What the provider said beside its code when it refused a decision (tries left, when a lock
-- ends, which field), as JSON, so the front ends can word it and count a lock down.
ALTER TABLE outbox ADD COLUMN refusal TEXT;
