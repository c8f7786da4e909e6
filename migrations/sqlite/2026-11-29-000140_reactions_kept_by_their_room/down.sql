CREATE TABLE reactions_keyed (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id     BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    parent_id   BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    message_id  BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    actor_type  TEXT   NOT NULL,
    actor_id    TEXT   NOT NULL,
    reaction    TEXT   NOT NULL
);
INSERT INTO reactions_keyed (id, room_id, parent_id, message_id, actor_type, actor_id, reaction)
    SELECT id, room_id, parent_id, message_id, actor_type, actor_id, reaction FROM reactions
    WHERE parent_id IN (SELECT id FROM messages) AND message_id IN (SELECT id FROM messages);
DELETE FROM sqlite_sequence WHERE name = 'reactions_keyed';
INSERT INTO sqlite_sequence (name, seq) SELECT 'reactions_keyed', seq FROM sqlite_sequence WHERE name = 'reactions';
DROP TABLE reactions;
ALTER TABLE reactions_keyed RENAME TO reactions;
CREATE UNIQUE INDEX reactions_actor ON reactions (parent_id, actor_type, actor_id, reaction);
CREATE INDEX reactions_room_actor ON reactions (room_id, actor_type, actor_id, parent_id);
CREATE INDEX reactions_message ON reactions (message_id);
