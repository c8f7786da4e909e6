//! Turns rooms into wire objects for one viewer with a constant number of queries, however many
//! rooms there are (unread counts, last messages and sessions are each fetched in one query).

use crate::api::wire::{format_room, CallerView, RoomObject};
use crate::db::models::{Attendee, Room};
use crate::db::store;
use crate::db::{Conn, DbResult};
use crate::domain::ids::actor;
use std::collections::HashMap;

/// Formats `rooms` (each with the viewer's attendee row, if any) for `viewer`.
pub fn present_rooms(
    conn: &mut Conn<'_>,
    viewer: &str,
    rooms: &[(Room, Option<Attendee>)],
    include_last_message: bool,
) -> DbResult<Vec<RoomObject>> {
    let member_room_ids: Vec<i64> = rooms.iter().filter(|(_, a)| a.is_some()).map(|(r, _)| r.id).collect();
    let unread: HashMap<i64, i64> = if member_room_ids.is_empty() {
        HashMap::new()
    } else {
        store::messages::unread_counts(conn, &member_room_ids, actor::USERS, viewer)?
            .into_iter()
            .collect()
    };
    let last_ids: Vec<i64> = if include_last_message {
        rooms
            .iter()
            .filter(|(r, a)| a.is_some() && r.last_message_id > 0)
            .map(|(r, _)| r.last_message_id)
            .collect()
    } else {
        Vec::new()
    };
    let last_messages: HashMap<i64, _> = if last_ids.is_empty() {
        HashMap::new()
    } else {
        store::messages::find_many(conn, &last_ids)?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    let attendee_ids: Vec<i64> = rooms.iter().filter_map(|(_, a)| a.as_ref().map(|a| a.id)).collect();
    let sessions: HashMap<i64, crate::db::models::Session> = if attendee_ids.is_empty() {
        HashMap::new()
    } else {
        // The newest session of each attendee stands for "the caller's session" (no cookies here).
        store::sessions::for_attendees(conn, &attendee_ids)?
            .into_iter()
            .map(|s| (s.attendee_id, s))
            .collect()
    };
    let common_read: HashMap<i64, i64> = if member_room_ids.is_empty() {
        HashMap::new()
    } else {
        store::attendees::min_last_read(conn, &member_room_ids)?
            .into_iter()
            .collect()
    };
    Ok(rooms
        .iter()
        .map(|(room, attendee)| {
            let view = CallerView {
                attendee: attendee.as_ref(),
                session: attendee
                    .as_ref()
                    .and_then(|a| sessions.get(&a.id))
                    .map(|s| (s.session_id.as_str(), s.in_call, s.last_ping)),
                last_common_read: common_read.get(&room.id).copied().unwrap_or(0),
                unread_messages: unread.get(&room.id).copied().unwrap_or(0),
                last_message: last_messages.get(&room.last_message_id),
                viewer: Some(viewer),
            };
            format_room(room, &view)
        })
        .collect())
}

/// One room for one viewer.
pub fn present_room(
    conn: &mut Conn<'_>,
    viewer: &str,
    room: &Room,
    attendee: Option<&Attendee>,
    include_last_message: bool,
) -> DbResult<RoomObject> {
    let mut list = present_rooms(conn, viewer, &[(room.clone(), attendee.cloned())], include_last_message)?;
    Ok(list.remove(0))
}
