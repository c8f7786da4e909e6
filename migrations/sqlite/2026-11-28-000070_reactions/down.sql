DROP TABLE reactions;
ALTER TABLE messages DROP COLUMN reactions;
