-- Accounts, groups and app config: the slice of Nextcloud core the Talk API needs.
CREATE TABLE users (
    user_id       TEXT    NOT NULL PRIMARY KEY,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    email         TEXT,
    enabled       BOOLEAN NOT NULL DEFAULT 1,
    created_at    BIGINT  NOT NULL,
    last_login    BIGINT  NOT NULL DEFAULT 0
);

CREATE TABLE user_groups (
    group_id     TEXT NOT NULL PRIMARY KEY,
    display_name TEXT NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES user_groups (group_id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE app_config (
    app          TEXT NOT NULL,
    config_key   TEXT NOT NULL,
    config_value TEXT NOT NULL,
    PRIMARY KEY (app, config_key)
);

-- Talk conversations. A breakout room is a room with object_type 'room' whose object_id is the
-- parent's token, as upstream models it; there is no separate breakout table.
CREATE TABLE rooms (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    token               TEXT    NOT NULL UNIQUE,
    room_type           INTEGER NOT NULL,
    name                TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    password            TEXT    NOT NULL DEFAULT '',
    object_type         TEXT    NOT NULL DEFAULT '',
    object_id           TEXT    NOT NULL DEFAULT '',
    read_only           INTEGER NOT NULL DEFAULT 0,
    listable            INTEGER NOT NULL DEFAULT 0,
    lobby_state         INTEGER NOT NULL DEFAULT 0,
    lobby_timer         BIGINT  NOT NULL DEFAULT 0,
    breakout_room_mode   INTEGER NOT NULL DEFAULT 0,
    breakout_room_status INTEGER NOT NULL DEFAULT 0,
    default_permissions INTEGER NOT NULL DEFAULT 0,
    call_permissions    INTEGER NOT NULL DEFAULT 0,
    call_flag           INTEGER NOT NULL DEFAULT 0,
    call_start_time     BIGINT  NOT NULL DEFAULT 0,
    sip_enabled         INTEGER NOT NULL DEFAULT 0,
    message_expiration  INTEGER NOT NULL DEFAULT 0,
    recording_consent   INTEGER NOT NULL DEFAULT 0,
    mention_permissions INTEGER NOT NULL DEFAULT 0,
    last_activity       BIGINT  NOT NULL DEFAULT 0,
    last_message_id     BIGINT  NOT NULL DEFAULT 0,
    created_at          BIGINT  NOT NULL
);
CREATE INDEX rooms_object ON rooms (object_type, object_id);

CREATE TABLE attendees (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id            BIGINT  NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    actor_type         TEXT    NOT NULL,
    actor_id           TEXT    NOT NULL,
    display_name       TEXT    NOT NULL DEFAULT '',
    participant_type   INTEGER NOT NULL,
    permissions        INTEGER NOT NULL DEFAULT 0,
    favorite           BOOLEAN NOT NULL DEFAULT 0,
    archived           BOOLEAN NOT NULL DEFAULT 0,
    important          BOOLEAN NOT NULL DEFAULT 0,
    sensitive          BOOLEAN NOT NULL DEFAULT 0,
    notification_level INTEGER NOT NULL DEFAULT 0,
    notification_calls INTEGER NOT NULL DEFAULT 1,
    last_read_message  BIGINT  NOT NULL DEFAULT 0,
    last_mention_message BIGINT NOT NULL DEFAULT 0,
    last_mention_direct  BIGINT NOT NULL DEFAULT 0,
    UNIQUE (room_id, actor_type, actor_id)
);
CREATE INDEX attendees_actor ON attendees (actor_type, actor_id);

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    attendee_id BIGINT  NOT NULL REFERENCES attendees (id) ON DELETE CASCADE,
    session_id  TEXT    NOT NULL UNIQUE,
    in_call     INTEGER NOT NULL DEFAULT 0,
    last_ping   BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX sessions_attendee ON sessions (attendee_id);

-- Chat: comments and system messages. System messages keep upstream's stored form, a JSON
-- object {"message": key, "parameters": {...}}, in `message` with verb 'system'.
CREATE TABLE messages (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id            BIGINT  NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    actor_type         TEXT    NOT NULL,
    actor_id           TEXT    NOT NULL,
    actor_display_name TEXT    NOT NULL DEFAULT '',
    verb               TEXT    NOT NULL,
    message            TEXT    NOT NULL,
    reference_id       TEXT    NOT NULL DEFAULT '',
    parent_id          BIGINT  NOT NULL DEFAULT 0,
    silent             BOOLEAN NOT NULL DEFAULT 0,
    created_at         BIGINT  NOT NULL
);
CREATE INDEX messages_room ON messages (room_id, id);
