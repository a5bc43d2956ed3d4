-- When the provider banned the contact's account for abuse: the contact is blocked and stays so.
ALTER TABLE contacts ADD COLUMN banned_at TEXT;
