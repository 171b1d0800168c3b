-- What the team writes is marketing or service mail; Rally's own mail (to event organizers) is system
-- mail. Messages written as "transactional" become service messages. SQLite changes a CHECK constraint
-- only with the column: a new column takes the values, the old one goes (a table rebuild would cascade
-- the drop of `messages` to its templates and outbox rows).
ALTER TABLE messages ADD COLUMN message_kind TEXT NOT NULL DEFAULT 'marketing'
    CHECK (message_kind IN ('marketing', 'service'));
UPDATE messages SET message_kind = CASE kind WHEN 'marketing' THEN 'marketing' ELSE 'service' END;
ALTER TABLE messages DROP COLUMN kind;
ALTER TABLE messages RENAME COLUMN message_kind TO kind;
UPDATE outbox SET kind = CASE WHEN message_id IS NULL THEN 'system' ELSE 'service' END WHERE kind = 'transactional';

-- Marketing to contacts whose consent is unknown only on the campaign's stated legitimate interest.
ALTER TABLE mail_settings ADD COLUMN legitimate_interest BOOLEAN NOT NULL DEFAULT FALSE;
