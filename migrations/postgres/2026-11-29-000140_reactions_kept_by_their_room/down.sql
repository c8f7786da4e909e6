DELETE FROM reactions
WHERE NOT EXISTS (SELECT 1 FROM messages WHERE messages.id = reactions.parent_id)
   OR NOT EXISTS (SELECT 1 FROM messages WHERE messages.id = reactions.message_id);
ALTER TABLE reactions ADD CONSTRAINT reactions_parent_id_fkey
    FOREIGN KEY (parent_id) REFERENCES messages (id) ON DELETE CASCADE;
ALTER TABLE reactions ADD CONSTRAINT reactions_message_id_fkey
    FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE;
