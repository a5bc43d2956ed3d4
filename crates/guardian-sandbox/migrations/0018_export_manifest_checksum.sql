-- The SHA-256 of a ready export's manifest.json, served with the job: a client checks the
-- manifest against it and every other file against the manifest.
ALTER TABLE exports ADD COLUMN manifest_sha256 TEXT;
