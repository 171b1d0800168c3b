-- Rally core schema, SQLite dialect. Timestamps are microseconds since the Unix epoch (UTC), dates are
-- ISO 8601 text, lists and maps are JSON text: the same encodings as the PostgreSQL tree.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE campaigns (
    id                     INTEGER PRIMARY KEY,
    slug                   TEXT NOT NULL UNIQUE,
    name                   TEXT NOT NULL,
    country                TEXT,
    region                 TEXT,
    languages              TEXT NOT NULL,
    strategy               TEXT NOT NULL CHECK (strategy IN ('own', 'member')),
    parent_id              BIGINT REFERENCES campaigns (id) ON DELETE RESTRICT,
    message                TEXT NOT NULL,
    goal_students          BIGINT NOT NULL CHECK (goal_students > 0),
    target_audience        TEXT NOT NULL,
    starts_on              TEXT NOT NULL,
    ends_on                TEXT NOT NULL,
    promotion_starts_on    TEXT,
    follow_up_ends_on      TEXT,
    high_reach_threshold   BIGINT NOT NULL CHECK (high_reach_threshold >= 0),
    plan_cs_in_schools     TEXT NOT NULL,
    plan_authorities_view  TEXT NOT NULL,
    plan_it_companies_view TEXT NOT NULL,
    plan_students_view     TEXT NOT NULL,
    plan_why_coding        TEXT NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX campaigns_parent ON campaigns (parent_id);

CREATE TABLE memberships (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'coordinator', 'member', 'viewer')),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE partners (
    id             INTEGER PRIMARY KEY,
    campaign_id    BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    -- The name's key for alphabetical order, computed by Rally (rally_domain::partner::sort_key).
    sort_name      TEXT NOT NULL,
    category       TEXT NOT NULL CHECK (category IN ('it_company', 'authority', 'school_network', 'nonprofit', 'media')),
    audiences      TEXT NOT NULL,
    reach          BIGINT NOT NULL CHECK (reach >= 0),
    priority_boost INTEGER NOT NULL,
    priority       BIGINT NOT NULL,
    high_touch     BOOLEAN NOT NULL,
    owner_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    website        TEXT,
    country        TEXT,
    region         TEXT,
    tags           TEXT NOT NULL,
    notes          TEXT NOT NULL,
    stage          TEXT NOT NULL CHECK (stage IN ('lead', 'contacted', 'negotiate_ask', 'finalize_details',
                                                  'finalize_fulfillment', 'closed_won', 'closed_lost')),
    stage_since    BIGINT NOT NULL,
    lost_reason    TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX partners_campaign ON partners (campaign_id, id);
CREATE INDEX partners_campaign_stage ON partners (campaign_id, stage, id);
CREATE INDEX partners_campaign_category ON partners (campaign_id, category, id);
CREATE INDEX partners_owner ON partners (owner_id, id);

-- Every prefix (up to 12 characters) of every lowercased word of each partner's name: search-as-you-type
-- is an exact-key lookup whose index entries come in partner order.
CREATE TABLE partner_terms (
    campaign_id BIGINT NOT NULL,
    term        TEXT NOT NULL,
    partner_id  BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    PRIMARY KEY (campaign_id, term, partner_id)
) WITHOUT ROWID;
CREATE INDEX partner_terms_partner ON partner_terms (partner_id);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    partner_id  BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    language    TEXT,
    phone       TEXT,
    consent     TEXT NOT NULL CHECK (consent IN ('unknown', 'opted_in', 'opted_out')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (campaign_id, email)
);
CREATE INDEX contacts_partner ON contacts (partner_id, id);

CREATE TABLE stage_changes (
    id         INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    from_stage TEXT,
    to_stage   TEXT NOT NULL,
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    at         BIGINT NOT NULL,
    note       TEXT NOT NULL,
    reason     TEXT
);
CREATE INDEX stage_changes_partner ON stage_changes (partner_id, id);
