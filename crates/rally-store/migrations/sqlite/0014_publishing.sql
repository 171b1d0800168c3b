-- A campaign's public site is a draft until an owner publishes it; a campaign can be archived (kept,
-- read-only, out of the way). Campaigns that exist already stay published.
ALTER TABLE campaigns ADD COLUMN published_at BIGINT;
ALTER TABLE campaigns ADD COLUMN archived_at BIGINT;
UPDATE campaigns SET published_at = created_at;
