-- Erasure finds a person by address in every table that names them: these are the lookups that had no
-- index (contacts are found through their unique (campaign_id, email), outbox rows through their contact
-- or event). An erased person's address is kept only as a keyed hash in `suppressions` (reason
-- 'erased'), under the secret `secrets.erasure`, which Rally makes the first time it erases someone.
CREATE INDEX events_organizer_email ON events (organizer_email);
CREATE INDEX outbox_email ON outbox (email);
CREATE INDEX invitations_email ON invitations (email);
