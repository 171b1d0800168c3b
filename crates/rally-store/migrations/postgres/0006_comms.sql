-- The communication engine: the campaign's sender and cadence policy, milestones, messages and their
-- templates, the outbox (one row per message and contact), the suppression list and contacts' choices.

CREATE TABLE mail_settings (
    campaign_id  BIGINT PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    from_name    TEXT NOT NULL,
    from_address TEXT NOT NULL,
    reply_to     TEXT,
    -- rally_domain::cadence::CadencePolicy as JSON.
    policy       TEXT NOT NULL
);

CREATE TABLE milestones (
    id          BIGSERIAL PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    happens_on  TEXT NOT NULL
);
CREATE INDEX milestones_campaign ON milestones (campaign_id, happens_on);

CREATE TABLE messages (
    id                BIGSERIAL PRIMARY KEY,
    campaign_id       BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('marketing', 'transactional')),
    segment           TEXT NOT NULL,
    -- rally_domain::comms::SendTime as JSON; milestone_id repeats it for the foreign key.
    send              TEXT NOT NULL,
    milestone_id      BIGINT REFERENCES milestones (id) ON DELETE RESTRICT,
    fallback_language TEXT NOT NULL,
    planned_at        BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX messages_campaign ON messages (campaign_id);

CREATE TABLE message_templates (
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    language   TEXT NOT NULL,
    -- A partner category this variant is written for, or '' for every category.
    variant    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    PRIMARY KEY (message_id, language, variant)
);

CREATE TABLE outbox (
    id           BIGSERIAL PRIMARY KEY,
    campaign_id  BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    message_id   BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    contact_id   BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    partner_id   BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    email        TEXT NOT NULL,
    to_name      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body_text    TEXT NOT NULL,
    body_html    TEXT,
    unsubscribe_url TEXT NOT NULL,
    status       TEXT NOT NULL,
    -- When the message was meant to go, and when it may go next (after deferrals and retries).
    wanted_at    BIGINT NOT NULL,
    due_at       BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    leased_by    TEXT,
    lease_until  BIGINT,
    last_reply   TEXT,
    sent_at      BIGINT,
    created_at   BIGINT NOT NULL,
    UNIQUE (message_id, contact_id)
);
CREATE INDEX outbox_queue ON outbox (status, due_at);
CREATE INDEX outbox_contact ON outbox (contact_id, status, due_at);
CREATE INDEX outbox_partner ON outbox (partner_id);

CREATE TABLE suppressions (
    id          BIGSERIAL PRIMARY KEY,
    -- Normalized address; suppressions hold across campaigns.
    email       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    -- 'marketing': no marketing e-mail; 'all': no e-mail at all.
    scope       TEXT NOT NULL CHECK (scope IN ('marketing', 'all')),
    detail      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (email, reason)
);
CREATE INDEX suppressions_email ON suppressions (email);

ALTER TABLE contacts ADD COLUMN mail_preference TEXT NOT NULL DEFAULT 'all';
ALTER TABLE contacts ADD COLUMN time_zone TEXT;
ALTER TABLE partners ADD COLUMN do_not_contact_until BIGINT;

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
