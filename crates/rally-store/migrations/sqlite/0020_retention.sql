-- Retention: a campaign's owners may change how long it keeps each kind of personal data; a row only
-- for a rule they changed (the defaults live in rally_domain::retention, so a better default reaches
-- every campaign that kept it). The period is in the rule's unit (days or years).
CREATE TABLE retention_rules (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    rule        TEXT NOT NULL,
    period      BIGINT NOT NULL CHECK (period > 0),
    updated_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, rule)
);

-- The daily purge finds its rows through these. An e-mail whose contents were purged has an empty
-- text and leaves the partial index, so each batch reads only what is still to do.
CREATE INDEX outbox_unpurged ON outbox (created_at) WHERE body_text <> '';
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX known_devices_used ON known_devices (last_used_at);
CREATE INDEX events_ends ON events (campaign_id, ends_on);
