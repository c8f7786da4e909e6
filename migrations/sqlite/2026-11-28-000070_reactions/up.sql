-- Reactions to chat messages, as upstream keeps them: each reaction is also a chat message
-- (verb `reaction`, the emoji as text, the message reacted to as parent), and the message
-- reacted to caches its counts as a JSON object (emoji → count), like the comments' `reactions`
-- column; this table is upstream's `reactions` table: who reacted with what to which message.
ALTER TABLE messages ADD COLUMN reactions TEXT NOT NULL DEFAULT '{}';
CREATE TABLE reactions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id     BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    parent_id   BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    message_id  BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    actor_type  TEXT   NOT NULL,
    actor_id    TEXT   NOT NULL,
    reaction    TEXT   NOT NULL
);
-- One reaction per actor, message and emoji.
CREATE UNIQUE INDEX reactions_actor ON reactions (parent_id, actor_type, actor_id, reaction);
-- A chat page's `reactionsSelf`: the reader's reactions to a range of messages of one room.
CREATE INDEX reactions_room_actor ON reactions (room_id, actor_type, actor_id, parent_id);
CREATE INDEX reactions_message ON reactions (message_id);
