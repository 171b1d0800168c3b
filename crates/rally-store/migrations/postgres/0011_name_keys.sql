-- Partners' names as they are matched (rally_domain::partner::name_key: case, accents, punctuation and
-- legal forms ignored), so "this partner exists already" is an index lookup. Filled for existing
-- partners, and search terms and event search texts folded the same way, by the step that follows this
-- migration in Rust (see `reindex_names`).
ALTER TABLE partners ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX partners_name_key ON partners (campaign_id, name_key);

-- Contacts a partner import added or changed, beside the partners it counts.
ALTER TABLE import_batches ADD COLUMN contacts_created BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_batches ADD COLUMN contacts_updated BIGINT NOT NULL DEFAULT 0;
