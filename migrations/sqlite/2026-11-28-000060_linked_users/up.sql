-- Channel-linked accounts (horn.md §3 #16, accounts.md §3): an account made by the Horn face for
-- one conversation's guest, with its current invitation code. The code is kept as it is (like a
-- share-link token) so the organiser can read it again until it expires or is replaced.
CREATE TABLE linked_users (
    user_id            TEXT    NOT NULL PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
    room_id            BIGINT  NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    handle             TEXT    NOT NULL,
    invitation_code    TEXT    NOT NULL UNIQUE,
    invitation_expires BIGINT  NOT NULL,
    created_at         BIGINT  NOT NULL
);
CREATE INDEX linked_users_room ON linked_users (room_id);

-- The account exists only through its link: whatever removes the link (unlinking, the
-- conversation's deletion cascading here, the test reset) removes the account, and with it its
-- app passwords and group rows.
CREATE TRIGGER linked_users_delete_account AFTER DELETE ON linked_users
BEGIN
    DELETE FROM users WHERE user_id = OLD.user_id;
END;
