-- A re-authentication proof is good for one action only, and only once (it is deleted when used).
-- Proofs made before this had no purpose and are good for nothing.
ALTER TABLE reauth_proofs ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
