-- What the team writes is marketing or service mail; Rally's own mail (to event organizers) is system
-- mail. Messages written as "transactional" become service messages.
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_kind_check;
UPDATE messages SET kind = 'service' WHERE kind <> 'marketing';
ALTER TABLE messages ADD CONSTRAINT messages_kind_check CHECK (kind IN ('marketing', 'service'));
UPDATE outbox SET kind = CASE WHEN message_id IS NULL THEN 'system' ELSE 'service' END WHERE kind = 'transactional';

-- Marketing to contacts whose consent is unknown only on the campaign's stated legitimate interest.
ALTER TABLE mail_settings ADD COLUMN legitimate_interest BOOLEAN NOT NULL DEFAULT FALSE;
