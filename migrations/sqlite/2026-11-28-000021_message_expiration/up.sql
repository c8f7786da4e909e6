-- When a chat message expires (unix seconds; 0 = never): set at posting time from the
-- conversation's message expiration, as upstream's comments `expire_date`.
ALTER TABLE messages ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
-- The expiry job's sweep and its next due time.
CREATE INDEX messages_expiring ON messages (expires_at) WHERE expires_at > 0;
