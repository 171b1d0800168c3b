-- A team's own mail and the means to stop a send.
--
-- Rally's mail to its users (a password reset link) belongs to no campaign, so the outbox's campaign
-- becomes optional; SQLite changes NOT NULL only by rebuilding the table. Invitations to a campaign's
-- team are rows with a hashed single-use token. A queued message can be paused (its waiting e-mails
-- become `paused` and are not claimed) or cancelled (they become `cancelled`).
CREATE TABLE outbox_new (
    id           INTEGER PRIMARY KEY,
    campaign_id  BIGINT REFERENCES campaigns (id) ON DELETE CASCADE,
    message_id   BIGINT REFERENCES messages (id) ON DELETE CASCADE,
    contact_id   BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    partner_id   BIGINT REFERENCES partners (id) ON DELETE CASCADE,
    event_id     BIGINT REFERENCES events (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    email        TEXT NOT NULL,
    to_name      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body_text    TEXT NOT NULL,
    body_html    TEXT,
    unsubscribe_url TEXT NOT NULL,
    status       TEXT NOT NULL,
    wanted_at    BIGINT NOT NULL,
    due_at       BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    leased_by    TEXT,
    lease_until  BIGINT,
    last_reply   TEXT,
    sent_at      BIGINT,
    created_at   BIGINT NOT NULL,
    UNIQUE (message_id, contact_id)
);
INSERT INTO outbox_new (id, campaign_id, message_id, contact_id, partner_id, event_id, kind, email, to_name, subject,
    body_text, body_html, unsubscribe_url, status, wanted_at, due_at, reason, attempts, leased_by, lease_until,
    last_reply, sent_at, created_at)
SELECT id, campaign_id, message_id, contact_id, partner_id, event_id, kind, email, to_name, subject, body_text, body_html,
    unsubscribe_url, status, wanted_at, due_at, reason, attempts, leased_by, lease_until, last_reply, sent_at, created_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_contact ON outbox (contact_id, status, due_at);
CREATE INDEX outbox_partner ON outbox (partner_id);
CREATE INDEX outbox_due ON outbox (status, due_at, id);
CREATE INDEX outbox_lease ON outbox (status, lease_until, id);
CREATE INDEX outbox_event ON outbox (event_id);
CREATE INDEX outbox_message ON outbox (message_id, status);

ALTER TABLE messages ADD COLUMN paused_at BIGINT;
ALTER TABLE messages ADD COLUMN cancelled_at BIGINT;

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'coordinator', 'member', 'viewer')),
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX invitations_campaign ON invitations (campaign_id, email);

-- A change of a user's address waits for the link sent to the new address.
CREATE TABLE email_changes (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX email_changes_user ON email_changes (user_id);

ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
