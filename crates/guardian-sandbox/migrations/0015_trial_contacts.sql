-- A friend approved for a trial: the friendship ends at trial_until unless a guardian confirms it
-- (NULL: a lasting friendship).
ALTER TABLE contacts ADD COLUMN trial_until TEXT;
