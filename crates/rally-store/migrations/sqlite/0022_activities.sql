-- The activity catalogue (what a host can run in the hour), events' chosen activities, and partner
-- attribution (which partner brought a registration).
--
-- An activity belongs to one campaign; an umbrella's listed activities are offered to its member
-- campaigns, which hide some of them (activity_choices) or add their own. Anyone may submit one (a
-- partner through its link, a visitor through the public form): it waits as 'submitted' for review.
CREATE TABLE activities (
    id                INTEGER PRIMARY KEY,
    campaign_id       BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    status            TEXT NOT NULL CHECK (status IN ('submitted', 'listed', 'rejected', 'hidden')),
    -- Where the activity lives, or the asset to download (unplugged material): at least one of them.
    url               TEXT,
    asset_id          BIGINT REFERENCES assets (id) ON DELETE SET NULL,
    image_url         TEXT,
    -- The organization that made it: a partner of the campaign, or only a name (imports, submissions).
    provider_id       BIGINT REFERENCES partners (id) ON DELETE SET NULL,
    provider_name     TEXT NOT NULL,
    duration_minutes  BIGINT NOT NULL CHECK (duration_minutes > 0),
    has_follow_on     BOOLEAN NOT NULL,
    -- For unplugged material: what to print per student.
    print_per_student TEXT NOT NULL,
    -- Who proposed it when not the team (personal data: in the privacy export and erasure).
    submitted_by_partner BIGINT REFERENCES partners (id) ON DELETE SET NULL,
    submitter_name    TEXT NOT NULL,
    submitter_email   TEXT NOT NULL,
    submitter_locale  TEXT NOT NULL,
    -- The review checklist items ticked (comma-separated names) and the reason of a rejection or hiding.
    checklist         TEXT NOT NULL,
    reason            TEXT NOT NULL,
    -- Folded titles, provider and summaries in every language, for the catalogue's search.
    search            TEXT NOT NULL,
    -- The import that created it, for undo.
    import_batch      BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX activities_campaign ON activities (campaign_id, status, id);
CREATE INDEX activities_provider ON activities (provider_id);
CREATE INDEX activities_submitter ON activities (submitted_by_partner);
CREATE INDEX activities_import ON activities (import_batch) WHERE import_batch IS NOT NULL;

-- Title and descriptions per language (at least one row per activity), in the order the team gave
-- them (the first is shown when the visitor's language has none). `sort_title` is the title's key for
-- alphabetical order (rally_domain::partner::sort_key), compared byte by byte on both engines;
-- `search` its folded words, for the registration form's search by title.
CREATE TABLE activity_texts (
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    language    TEXT NOT NULL,
    position    BIGINT NOT NULL,
    title       TEXT NOT NULL,
    sort_title  TEXT NOT NULL,
    search      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (activity_id, language)
);

-- Facet values, one row each: ('age', '7-10'), ('equipment', 'no_computers'), ('language', 'hr'), …
-- Filtering is "any value within a facet, every facet together"; counts per value come from here.
CREATE TABLE activity_facets (
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    facet       TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (activity_id, facet, value)
);
CREATE INDEX activity_facets_value ON activity_facets (facet, value, activity_id);

-- A member campaign hides an activity its umbrella offers.
CREATE TABLE activity_choices (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    hidden      BOOLEAN NOT NULL,
    PRIMARY KEY (campaign_id, activity_id)
);
CREATE INDEX activity_choices_activity ON activity_choices (activity_id);

-- The activities an event runs (from its campaign's catalogue, umbrella included).
CREATE TABLE event_activities (
    event_id    BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, activity_id)
);
CREATE INDEX event_activities_activity ON event_activities (activity_id, event_id);

-- An activity of the organizer's own, when none of the catalogue's.
ALTER TABLE events ADD COLUMN own_activity TEXT NOT NULL DEFAULT '';
-- The partner whose share link (or code typed in the form) the registration followed.
ALTER TABLE events ADD COLUMN referred_by BIGINT REFERENCES partners (id) ON DELETE SET NULL;
-- The partner the organizer answered "how did you hear about us?" with.
ALTER TABLE events ADD COLUMN heard_from BIGINT REFERENCES partners (id) ON DELETE SET NULL;
CREATE INDEX events_referred_by ON events (referred_by);
CREATE INDEX events_heard_from ON events (heard_from);

-- A partner's share link /c/{slug}/r/{code}; made when first asked for.
ALTER TABLE partners ADD COLUMN share_code TEXT;
CREATE UNIQUE INDEX partners_share_code ON partners (campaign_id, share_code);
