-- The activity catalogue is imported like partners, contacts and events: import batches and saved
-- mappings of kind 'activities'.

ALTER TABLE import_batches DROP CONSTRAINT import_batches_kind_check;
ALTER TABLE import_batches ADD CONSTRAINT import_batches_kind_check
    CHECK (kind IN ('partners', 'contacts', 'events', 'activities'));
ALTER TABLE import_mappings DROP CONSTRAINT import_mappings_kind_check;
ALTER TABLE import_mappings ADD CONSTRAINT import_mappings_kind_check
    CHECK (kind IN ('partners', 'contacts', 'events', 'activities'));
