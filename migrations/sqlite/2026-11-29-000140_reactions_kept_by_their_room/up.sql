-- A reaction is removed with its message by the statement that removes the message
-- (`store::messages`), and with its room by `reactions.room_id`, instead of by a foreign key on
-- each of its two message ids: those keys made every deleted message look up and cascade into
-- this table twice, and removing a round's breakout rooms deletes one `user_added` message per
-- person. SQLite cannot drop a constraint, so the table is rebuilt, keeping its ids and the
-- AUTOINCREMENT counter (a reaction id is never handed out twice).
CREATE TABLE reactions_kept (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id     BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    parent_id   BIGINT NOT NULL,
    message_id  BIGINT NOT NULL,
    actor_type  TEXT   NOT NULL,
    actor_id    TEXT   NOT NULL,
    reaction    TEXT   NOT NULL
);
INSERT INTO reactions_kept (id, room_id, parent_id, message_id, actor_type, actor_id, reaction)
    SELECT id, room_id, parent_id, message_id, actor_type, actor_id, reaction FROM reactions;
DELETE FROM sqlite_sequence WHERE name = 'reactions_kept';
INSERT INTO sqlite_sequence (name, seq) SELECT 'reactions_kept', seq FROM sqlite_sequence WHERE name = 'reactions';
DROP TABLE reactions;
ALTER TABLE reactions_kept RENAME TO reactions;
-- One reaction per actor, message and emoji.
CREATE UNIQUE INDEX reactions_actor ON reactions (parent_id, actor_type, actor_id, reaction);
-- A chat page's `reactionsSelf`: the reader's reactions to a range of messages of one room.
CREATE INDEX reactions_room_actor ON reactions (room_id, actor_type, actor_id, parent_id);
CREATE INDEX reactions_message ON reactions (message_id);
