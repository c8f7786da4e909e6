ALTER TABLE messages DROP COLUMN last_edit_timestamp;
ALTER TABLE messages DROP COLUMN last_edit_actor_display_name;
ALTER TABLE messages DROP COLUMN last_edit_actor_id;
ALTER TABLE messages DROP COLUMN last_edit_actor_type;
