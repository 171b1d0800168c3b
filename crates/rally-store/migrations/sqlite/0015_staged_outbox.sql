-- A message's e-mails are rendered and written in chunks before any of them enters the outbox: each
-- chunk lands in `outbox_staged` under its batch, in a short transaction of its own, and one final
-- transaction moves the whole batch into the outbox and marks the message planned. A failed queue
-- deletes its batch; a batch left by a process that died is deleted a day later, at the next queue.
CREATE TABLE outbox_batches (
    -- AUTOINCREMENT: an id is never reused, so a queue holding a deleted batch's id cannot write into
    -- another queue's batch.
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id         BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    -- The message as it was when the batch began: a message edited meanwhile is not committed.
    message_updated_at BIGINT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX outbox_batches_created ON outbox_batches (created_at);

-- One rendered e-mail per contact, as the outbox will hold it; the campaign, message and kind come
-- from the batch's message when it is committed.
CREATE TABLE outbox_staged (
    batch_id        BIGINT NOT NULL REFERENCES outbox_batches (id) ON DELETE CASCADE,
    contact_id      BIGINT NOT NULL,
    email           TEXT NOT NULL,
    to_name         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    unsubscribe_url TEXT NOT NULL,
    status          TEXT NOT NULL,
    wanted_at       BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    reason          TEXT NOT NULL,
    PRIMARY KEY (batch_id, contact_id)
);

-- Queueing reads a campaign's contacts page by page in id order.
CREATE INDEX contacts_campaign ON contacts (campaign_id, id);
