-- Sign-in throttling by gates with exponential back-off instead of a window of failures: one gate per
-- account, one per account and client (an address, or a device the account signed in from before).
-- An attempt is counted in its gate before the password is checked. Rows hold an e-mail address and a
-- client address: untouched for a day, a gate is forgotten and its row swept.
DROP TABLE login_failures;

CREATE TABLE sign_in_gates (
    gate       TEXT PRIMARY KEY,
    attempts   BIGINT NOT NULL,
    open_at    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sign_in_gates_updated ON sign_in_gates (updated_at);

-- Browsers an account signed in from: their cookie (stored as a SHA-256 hash) lets the owner past the
-- account-wide gate that strangers' guesses may have closed.
CREATE TABLE known_devices (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX known_devices_user ON known_devices (user_id);
