-- A friendship approved for a trial ends at trial_until unless a guardian confirms it.
ALTER TABLE contacts ADD COLUMN trial_until TEXT;
