DROP INDEX attendees_room_types;
