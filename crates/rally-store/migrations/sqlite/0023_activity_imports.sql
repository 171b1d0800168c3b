-- The activity catalogue is imported like partners, contacts and events: import batches and saved
-- mappings of kind 'activities'. SQLite cannot change a CHECK constraint, so both tables are rebuilt
-- with the same columns; import_undo, which refers to the batches, is set aside and put back, since
-- dropping the batches would take its rows along (ON DELETE CASCADE).

CREATE TABLE import_undo_kept AS SELECT batch_id, entity, entity_id, before FROM import_undo;
DROP TABLE import_undo;

CREATE TABLE import_batches_new (
    id          INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('partners', 'contacts', 'events', 'activities')),
    file_name   TEXT NOT NULL,
    -- The mapping, dedupe key, duplicate rule, encoding and delimiter used, as JSON.
    options     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('running', 'dry_run', 'applied', 'rolled_back', 'undone')),
    user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    rows_read   BIGINT NOT NULL DEFAULT 0,
    created     BIGINT NOT NULL DEFAULT 0,
    updated     BIGINT NOT NULL DEFAULT 0,
    skipped     BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT,
    undone_at   BIGINT,
    contacts_created BIGINT NOT NULL DEFAULT 0,
    contacts_updated BIGINT NOT NULL DEFAULT 0
);
INSERT INTO import_batches_new (id, campaign_id, kind, file_name, options, status, user_id, rows_read, created,
    updated, skipped, failed, created_at, finished_at, undone_at, contacts_created, contacts_updated)
SELECT id, campaign_id, kind, file_name, options, status, user_id, rows_read, created, updated, skipped, failed,
    created_at, finished_at, undone_at, contacts_created, contacts_updated FROM import_batches;
DROP TABLE import_batches;
ALTER TABLE import_batches_new RENAME TO import_batches;
CREATE INDEX import_batches_campaign ON import_batches (campaign_id, id);

CREATE TABLE import_undo (
    batch_id  BIGINT NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    entity    TEXT NOT NULL CHECK (entity IN ('partner', 'contact', 'event')),
    entity_id BIGINT NOT NULL,
    before    TEXT NOT NULL,
    PRIMARY KEY (batch_id, entity, entity_id)
);
INSERT INTO import_undo (batch_id, entity, entity_id, before)
SELECT batch_id, entity, entity_id, before FROM import_undo_kept;
DROP TABLE import_undo_kept;

CREATE TABLE import_mappings_new (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('partners', 'contacts', 'events', 'activities')),
    name        TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, kind, name)
);
INSERT INTO import_mappings_new (campaign_id, kind, name, mapping, updated_at)
SELECT campaign_id, kind, name, mapping, updated_at FROM import_mappings;
DROP TABLE import_mappings;
ALTER TABLE import_mappings_new RENAME TO import_mappings;
