-- What the account page shows of each signed-in browser: its user agent (cut to 256 bytes, as the web
-- layer received it when the session was made) and when it was last used (written at most every few
-- minutes, not on every request). Both are personal data: the privacy export lists them with the
-- session's other non-secret columns, and erasure deletes sessions outright.

ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
