-- A reaction is removed with its message by the statement that removes the message
-- (`store::messages`), and with its room by `reactions.room_id`, instead of by a foreign key on
-- each of its two message ids. Those keys made PostgreSQL run two cascade triggers for every
-- message deleted, whether it had reactions or not: removing a round's breakout rooms deletes
-- one `user_added` message per person, and the two triggers were half the cost of that delete.
ALTER TABLE reactions DROP CONSTRAINT reactions_parent_id_fkey;
ALTER TABLE reactions DROP CONSTRAINT reactions_message_id_fkey;
