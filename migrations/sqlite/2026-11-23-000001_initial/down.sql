DROP TABLE messages;
DROP TABLE sessions;
DROP TABLE attendees;
DROP TABLE rooms;
DROP TABLE app_config;
DROP TABLE group_members;
DROP TABLE user_groups;
DROP TABLE users;
