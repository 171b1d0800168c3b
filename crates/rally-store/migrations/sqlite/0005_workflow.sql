-- Asks and commitments, interactions, follow-up tasks, stage time limits, the asset library and what
-- was sent to whom, partner links, partner logos and calendar feeds.

CREATE TABLE asks (
    id          INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    -- Set for a custom ask written for one partner; NULL for the campaign's standard asks.
    partner_id  BIGINT REFERENCES partners (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    due_on      TEXT,
    milestone   TEXT NOT NULL,
    categories  TEXT NOT NULL,
    tiers       TEXT NOT NULL,
    unit        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX asks_campaign ON asks (campaign_id, partner_id);

CREATE TABLE commitments (
    id           INTEGER PRIMARY KEY,
    campaign_id  BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    partner_id   BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    ask_id       BIGINT NOT NULL REFERENCES asks (id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('proposed', 'agreed', 'fulfilled', 'missed', 'declined')),
    quantity     BIGINT CHECK (quantity >= 0),
    due_on       TEXT,
    agreed_on    TEXT,
    evidence     TEXT NOT NULL,
    note         TEXT NOT NULL,
    by_partner   BOOLEAN NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (partner_id, ask_id)
);
CREATE INDEX commitments_ask ON commitments (ask_id);
CREATE INDEX commitments_due ON commitments (campaign_id, due_on);

CREATE TABLE interactions (
    id          INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    partner_id  BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'email', 'note')),
    happened_on TEXT NOT NULL,
    body        TEXT NOT NULL,
    contact_id  BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    author_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX interactions_partner ON interactions (partner_id, happened_on);

CREATE TABLE tasks (
    id            INTEGER PRIMARY KEY,
    campaign_id   BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    title         TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    owner_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    partner_id    BIGINT REFERENCES partners (id) ON DELETE CASCADE,
    commitment_id BIGINT REFERENCES commitments (id) ON DELETE SET NULL,
    done_at       BIGINT,
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX tasks_owner ON tasks (owner_id, done_at, due_on);
CREATE INDEX tasks_campaign ON tasks (campaign_id, due_on);
CREATE INDEX tasks_partner ON tasks (partner_id);

CREATE TABLE stage_limits (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    stage       TEXT NOT NULL,
    days        INTEGER NOT NULL CHECK (days > 0),
    PRIMARY KEY (campaign_id, stage)
);

CREATE TABLE assets (
    id          INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('logo', 'banner', 'poster', 'press_kit', 'tutorial', 'other')),
    language    TEXT,
    audience    TEXT,
    url         TEXT,
    description TEXT NOT NULL,
    -- The file, by the SHA-256 of its content (hex), in the data directory's file store.
    sha256      TEXT,
    media_type  TEXT,
    size        BIGINT,
    filename    TEXT,
    width       INTEGER,
    height      INTEGER,
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    CHECK ((sha256 IS NULL) <> (url IS NULL))
);
CREATE INDEX assets_campaign ON assets (campaign_id);

CREATE TABLE asset_sends (
    id         INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    asset_id   BIGINT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    sent_at    BIGINT NOT NULL,
    sent_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    note       TEXT NOT NULL
);
CREATE INDEX asset_sends_partner ON asset_sends (partner_id, sent_at);

CREATE TABLE partner_links (
    id          INTEGER PRIMARY KEY,
    partner_id  BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX partner_links_partner ON partner_links (partner_id);

ALTER TABLE partners ADD COLUMN logo_sha256 TEXT;
ALTER TABLE partners ADD COLUMN logo_media_type TEXT;
ALTER TABLE partners ADD COLUMN logo_width INTEGER;
ALTER TABLE partners ADD COLUMN logo_height INTEGER;
ALTER TABLE partners ADD COLUMN recognition_opt_out BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE calendar_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX calendar_tokens_user ON calendar_tokens (user_id);
