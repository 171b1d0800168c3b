-- Two-factor sign-in. A user's TOTP secret is kept readable (a code is checked against it) in base32;
-- `confirmed_at` is NULL while it is being set up, and `last_step` is the time step of the last code
-- accepted, so a code is good once. Recovery codes are kept as SHA-256 hashes, each used once. A
-- sign-in whose password was right waits in `pending_sign_ins` (by its cookie's hash, for minutes) for
-- its second factor; only then is a session made. Owners can require a second factor on a campaign.
CREATE TABLE second_factors (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE pending_sign_ins (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pending_sign_ins_user ON pending_sign_ins (user_id);

ALTER TABLE campaigns ADD COLUMN require_second_factor BOOLEAN NOT NULL DEFAULT FALSE;
