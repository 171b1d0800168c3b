-- Consent with provenance: every change of a person's consent is a row, written in the transaction of
-- the change (contacts.consent, contacts.mail_preference and events.news_opt_in stay the current state;
-- these rows are its history). `email` is the address the consent applies to, as it was then. Personal
-- data: email, client_address, user_agent (and the contact or event they point to).
CREATE TABLE consents (
    id              INTEGER PRIMARY KEY,
    campaign_id     BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    contact_id      BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    event_id        BIGINT REFERENCES events (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    granted         BOOLEAN NOT NULL,
    at              BIGINT NOT NULL,
    method          TEXT NOT NULL,
    import_batch    BIGINT,
    user_id         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    client_address  TEXT,
    user_agent      TEXT,
    notice_language TEXT,
    notice_version  BIGINT
);
CREATE INDEX consents_contact ON consents (contact_id, at);
CREATE INDEX consents_event ON consents (event_id, at);
CREATE INDEX consents_email ON consents (email);
CREATE INDEX consents_campaign ON consents (campaign_id, at);

-- A campaign's privacy notice, one row per published version per language; never changed once
-- published. `needs_reconsent`: whoever agreed to an earlier version of this language must agree again
-- before receiving campaign news.
CREATE TABLE privacy_notices (
    id              INTEGER PRIMARY KEY,
    campaign_id     BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    language        TEXT NOT NULL,
    version         BIGINT NOT NULL,
    body            TEXT NOT NULL,
    needs_reconsent BOOLEAN NOT NULL,
    published_at    BIGINT NOT NULL,
    published_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (campaign_id, language, version)
);
