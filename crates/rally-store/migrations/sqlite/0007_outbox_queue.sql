-- The queue's claim reads each status in due order through these, instead of sorting every due row.
CREATE INDEX outbox_due ON outbox (status, due_at, id);
CREATE INDEX outbox_lease ON outbox (status, lease_until, id);
DROP INDEX outbox_queue;
