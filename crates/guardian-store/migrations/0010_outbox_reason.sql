-- Why a decision waits or was refused, as a stable code the front ends word in the guardian's
-- language (the provider's error code, or why the provider could not be used).
ALTER TABLE outbox ADD COLUMN reason TEXT;
