-- When the provider banned the contact's account for abuse (it stays blocked), as it last said.
ALTER TABLE contacts ADD COLUMN banned_at TEXT;
