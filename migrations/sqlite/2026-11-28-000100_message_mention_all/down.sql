ALTER TABLE messages DROP COLUMN can_mention_all;
