-- A guardian's consent to a child's account, with the policy version read (seed rule 1).
CREATE TABLE guardian_consents (
    child_id       TEXT NOT NULL REFERENCES children(id),
    guardian_id    TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    given_at       TEXT NOT NULL,
    PRIMARY KEY (child_id, guardian_id)
);
