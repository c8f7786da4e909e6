-- Breakout sessions: planned, running and finished rounds of breakout rooms of a conversation
-- (the Horn face's sessions; Talk-made rounds are recorded here too). Times are epoch ms.
-- state: 0 pending, 1 active, 2 completed. origin: 0 planned on the Horn face, 1 made on the
-- Talk face. mode: the parent's breakoutRoomMode the round runs with (2 manual).
CREATE TABLE breakout_sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id  BIGINT  NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    duration   BIGINT  NOT NULL DEFAULT 0,
    state      INTEGER NOT NULL DEFAULT 0,
    origin     INTEGER NOT NULL DEFAULT 0,
    mode       INTEGER NOT NULL DEFAULT 2,
    created_at BIGINT  NOT NULL,
    started_at BIGINT,
    ended_at   BIGINT,
    deadline   BIGINT
);
CREATE INDEX breakout_sessions_parent ON breakout_sessions (parent_id, id);
-- Exactly one active round per conversation, whichever face started it.
CREATE UNIQUE INDEX breakout_sessions_one_active ON breakout_sessions (parent_id) WHERE state = 1;

-- A session's rooms in creation order; `room_token` is the Talk breakout conversation once it
-- exists (kept after completion as history).
CREATE TABLE breakout_session_rooms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id BIGINT  NOT NULL REFERENCES breakout_sessions (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    capacity   INTEGER,
    room_token TEXT
);
CREATE INDEX breakout_session_rooms_session ON breakout_session_rooms (session_id, id);

-- The plan of a pending session, or the final assignment of a completed one: parent attendee id
-- with the user as they were, one room per attendee and session.
CREATE TABLE breakout_assignments (
    session_id      BIGINT  NOT NULL REFERENCES breakout_sessions (id) ON DELETE CASCADE,
    session_room_id BIGINT  NOT NULL REFERENCES breakout_session_rooms (id) ON DELETE CASCADE,
    attendee_id     BIGINT  NOT NULL,
    actor_id        TEXT    NOT NULL,
    display_name    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, attendee_id)
);
CREATE INDEX breakout_assignments_room ON breakout_assignments (session_room_id, attendee_id);

-- Per-conversation breakout switch (Horn's enable/disable); no row means enabled.
CREATE TABLE breakout_settings (
    room_id BIGINT  NOT NULL PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL DEFAULT 1
);
