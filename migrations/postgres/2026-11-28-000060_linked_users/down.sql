DROP TRIGGER linked_users_delete_account ON linked_users;
DROP FUNCTION linked_users_delete_account();
DROP TABLE linked_users;
