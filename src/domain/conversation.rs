//! Conversations: creation with a fresh token, lookup for a user, deletion with upstream's
//! breakout cascade. Every writing function runs inside the caller's write transaction.

use crate::db::models::{Attendee, NewRoom, Room};
use crate::db::store;
use crate::db::{Conn, DbResult};
use crate::domain::chat::{post_system_message, Actor, SystemMessage};
use crate::domain::ids::{actor, generate_token, BreakoutRoomMode};
use crate::domain::{Error, Result};

/// What a new conversation is made of; the rest takes upstream's defaults.
#[derive(Debug, Clone)]
pub struct RoomSpec {
    pub room_type: i32,
    pub name: String,
    pub object_type: String,
    pub object_id: String,
    pub lobby_state: i32,
}

/// Creates a room with a unique token and posts `conversation_created` by `by` (if any).
pub fn create_room(conn: &mut Conn<'_>, spec: &RoomSpec, by: Option<&Actor>, now: i64) -> DbResult<Room> {
    let mut token = generate_token();
    // 33^8 tokens: a collision is rare, but a retry costs nothing.
    for _ in 0..10 {
        if !store::rooms::token_exists(conn, &token)? {
            break;
        }
        token = generate_token();
    }
    let mut room = store::rooms::insert(
        conn,
        &NewRoom {
            token,
            room_type: spec.room_type,
            name: spec.name.clone(),
            description: String::new(),
            object_type: spec.object_type.clone(),
            object_id: spec.object_id.clone(),
            read_only: 0,
            listable: 0,
            lobby_state: spec.lobby_state,
            lobby_timer: 0,
            default_permissions: 0,
            message_expiration: 0,
            recording_consent: 0,
            mention_permissions: 0,
            sip_enabled: 0,
            last_activity: now,
            created_at: now,
        },
    )?;
    if let Some(by) = by {
        let message = post_system_message(
            conn,
            by,
            SystemMessage {
                room_id: room.id,
                key: "conversation_created",
                user: None,
            },
            now,
        )?;
        room.last_message_id = message.id;
        room.last_activity = now;
    }
    Ok(room)
}

/// The room behind `token` and the user's attendee row in it; 404 when either is missing, as
/// upstream hides group conversations from non-members.
pub fn room_for_user(conn: &mut Conn<'_>, token: &str, user_id: &str) -> Result<(Room, Attendee)> {
    let room = store::rooms::find_by_token(conn, token)?.ok_or(Error::NOT_FOUND)?;
    let attendee = store::attendees::find(conn, room.id, actor::USERS, user_id)?.ok_or(Error::NOT_FOUND)?;
    Ok((room, attendee))
}

/// Deletes a room. A parent with breakout rooms configured takes them with it; a breakout room
/// goes alone. Attendees, sessions and messages go by foreign key cascade.
pub fn delete_room(conn: &mut Conn<'_>, room: &Room) -> DbResult<()> {
    let mut ids = vec![room.id];
    if room.breakout_room_mode != BreakoutRoomMode::NotConfigured as i32 {
        ids.extend(
            store::rooms::breakout_rooms_of(conn, &room.token)?
                .into_iter()
                .map(|r| r.id),
        );
    }
    store::rooms::delete_many(conn, &ids)?;
    Ok(())
}

/// Re-reads a room inside a write transaction after taking its lock, so checks see the state
/// that concurrent writers left.
pub fn lock_and_reload(conn: &mut Conn<'_>, room_id: i64) -> Result<Room> {
    conn.lock_room(room_id)?;
    store::rooms::find_by_id(conn, room_id)?.ok_or(Error::NOT_FOUND)
}
