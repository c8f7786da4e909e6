-- Whether the author of a comment could mention everybody when posting it: upstream keeps this
-- in the comment's meta data (`can_mention_all`), and `@all` is shown as a mention only then.
ALTER TABLE messages ADD COLUMN can_mention_all BOOLEAN NOT NULL DEFAULT FALSE;
