-- Sorted partner lists (name, priority, reach, time in stage) page through these indexes in order.
CREATE INDEX partners_campaign_name ON partners (campaign_id, sort_name, id);
CREATE INDEX partners_campaign_priority ON partners (campaign_id, priority, id);
CREATE INDEX partners_campaign_reach ON partners (campaign_id, reach, id);
DROP INDEX partners_campaign_since;
CREATE INDEX partners_campaign_since ON partners (campaign_id, stage_since, id);
