-- Imports: every import is a batch. Rows it created carry the batch's id (undo deletes them); rows it
-- changed keep their previous values in import_undo (undo writes them back). Saved column mappings
-- are per campaign and kind.

CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('partners', 'contacts', 'events')),
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
    undone_at   BIGINT
);
CREATE INDEX import_batches_campaign ON import_batches (campaign_id, id);

CREATE TABLE import_undo (
    batch_id  BIGINT NOT NULL REFERENCES import_batches (id) ON DELETE CASCADE,
    entity    TEXT NOT NULL CHECK (entity IN ('partner', 'contact', 'event')),
    entity_id BIGINT NOT NULL,
    before    TEXT NOT NULL,
    PRIMARY KEY (batch_id, entity, entity_id)
);

CREATE TABLE import_mappings (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('partners', 'contacts', 'events')),
    name        TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, kind, name)
);

-- The import that created a row. Not a foreign key: batches go only with their campaign, which takes its
-- rows along, and a million-row import would check the key for every row.
ALTER TABLE partners ADD COLUMN import_batch BIGINT;
ALTER TABLE contacts ADD COLUMN import_batch BIGINT;
ALTER TABLE events ADD COLUMN import_batch BIGINT;
-- Undo finds a batch's partners and events by index; its contacts (there may be millions, and every
-- one would cost an index entry at import) with one scan of the table.
CREATE INDEX partners_import ON partners (import_batch) WHERE import_batch IS NOT NULL;
CREATE INDEX events_import ON events (import_batch) WHERE import_batch IS NOT NULL;
