-- The audit log: who did what, when, from where. Rally only appends to it; retention deletes old
-- entries and erasing a person replaces their name and address in it with a pseudonym. No foreign keys:
-- an entry outlives the user, campaign or thing it names, and says how they were called at the time.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             BIGINT NOT NULL,
    campaign_id    BIGINT,
    user_id        BIGINT,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    target_kind    TEXT,
    target_id      BIGINT,
    target         TEXT,
    detail         TEXT NOT NULL,
    client_address TEXT,
    user_agent     TEXT,
    via            TEXT NOT NULL,
    request_id     TEXT
);
CREATE INDEX audit_log_campaign ON audit_log (campaign_id, at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);
CREATE INDEX audit_log_at ON audit_log (at);
