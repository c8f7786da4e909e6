-- Who last edited a chat message and when (unix seconds; 0 = never edited), as upstream keeps
-- in the comment's meta data (`last_edited_by_type`, `last_edited_by_id`, `last_edited_time`).
ALTER TABLE messages ADD COLUMN last_edit_actor_type TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN last_edit_actor_id TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN last_edit_actor_display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN last_edit_timestamp BIGINT NOT NULL DEFAULT 0;
