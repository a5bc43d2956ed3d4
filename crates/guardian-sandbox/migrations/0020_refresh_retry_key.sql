-- The hashed Idempotency-Key a refresh token was spent with: the same client retrying a refresh
-- whose answer it never received is told apart from a stolen token used a second time.
ALTER TABLE refresh_tokens ADD COLUMN spent_with TEXT;
