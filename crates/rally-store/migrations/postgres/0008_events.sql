-- Events registered on the public site, their tallies, moderation log and settings; e-mails to event
-- organizers go through the outbox too, so its message, contact and partner become optional.

CREATE TABLE events (
    id                BIGSERIAL PRIMARY KEY,
    campaign_id       BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    status            TEXT NOT NULL CHECK (status IN ('unconfirmed', 'pending', 'approved', 'rejected', 'cancelled')),
    -- Organizer e-mail, folded name and first day: a second registration of the same event updates it.
    dedupe_key        TEXT NOT NULL,
    organizer_name    TEXT NOT NULL,
    organizer_email   TEXT NOT NULL,
    organization      TEXT NOT NULL,
    event_type        TEXT NOT NULL,
    title             TEXT NOT NULL,
    country           TEXT NOT NULL,
    city              TEXT NOT NULL,
    latitude          DOUBLE PRECISION,
    longitude         DOUBLE PRECISION,
    location_source   TEXT NOT NULL,
    url               TEXT,
    starts_on         TEXT NOT NULL,
    ends_on           TEXT NOT NULL,
    students_expected BIGINT NOT NULL CHECK (students_expected > 0),
    students_actual   BIGINT CHECK (students_actual >= 0),
    ages              TEXT NOT NULL,
    language          TEXT NOT NULL,
    description       TEXT NOT NULL,
    public            BOOLEAN NOT NULL,
    news_opt_in       BOOLEAN NOT NULL,
    -- The site language the organizer used; their e-mails are written in it.
    locale            TEXT NOT NULL,
    reason            TEXT NOT NULL,
    -- Part of the organizer's signed link; raising it revokes every earlier link.
    link_version      BIGINT NOT NULL,
    consent_at        BIGINT NOT NULL,
    consent_version   TEXT NOT NULL,
    confirmed_at      BIGINT,
    -- Lower-cased title, organization and city, for the public list's search.
    search            TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (campaign_id, dedupe_key)
);
CREATE INDEX events_status ON events (campaign_id, status, starts_on, id);
CREATE INDEX events_country ON events (campaign_id, country, starts_on, id);

-- What approved events add up to, per campaign: dimension 'all' (key ''), 'country', 'type', 'week'.
-- Changed only in the transaction that changes the events it counts.
CREATE TABLE event_tallies (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    dimension   TEXT NOT NULL,
    key         TEXT NOT NULL,
    events      BIGINT NOT NULL,
    students    BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, dimension, key)
);

CREATE TABLE event_log (
    id          BIGSERIAL PRIMARY KEY,
    event_id    BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    action      TEXT NOT NULL,
    user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    detail      TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX event_log_event ON event_log (event_id, id);
CREATE INDEX event_log_campaign ON event_log (campaign_id, id);

CREATE TABLE event_settings (
    campaign_id        BIGINT PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
    auto_approve       BOOLEAN NOT NULL,
    reapprove_edits    BOOLEAN NOT NULL,
    certificate_title  TEXT NOT NULL,
    certificate_body   TEXT NOT NULL,
    certificate_signer TEXT NOT NULL
);

ALTER TABLE outbox ALTER COLUMN message_id DROP NOT NULL;
ALTER TABLE outbox ALTER COLUMN contact_id DROP NOT NULL;
ALTER TABLE outbox ALTER COLUMN partner_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN event_id BIGINT REFERENCES events (id) ON DELETE CASCADE;
CREATE INDEX outbox_event ON outbox (event_id);
