-- The users of a room by participant type, read from the index alone: the head count of the
-- caller's breakout room that every participant's client polls while a round runs (Horn #14),
-- and the free-mode switch's capacity check, count them without reading each attendee's row.
CREATE INDEX attendees_room_types ON attendees (room_id, actor_type, participant_type);
