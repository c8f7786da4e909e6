DROP INDEX messages_expiring;
ALTER TABLE messages DROP COLUMN expires_at;
