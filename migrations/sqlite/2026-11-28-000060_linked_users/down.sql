DROP TRIGGER linked_users_delete_account;
DROP TABLE linked_users;
