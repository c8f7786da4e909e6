DROP TABLE breakout_settings;
DROP TABLE breakout_assignments;
DROP TABLE breakout_session_rooms;
DROP TABLE breakout_sessions;
