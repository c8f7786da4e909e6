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

/// Object types `POST /room` accepts besides breakout rooms (upstream's public whitelist).
const PUBLIC_OBJECT_TYPES: &[&str] = &[
    "",
    "phone",
    "phone-persist",
    "phone-temporary",
    "event",
    "extended_conversation",
    "instant_meeting",
];

/// What `POST /room` asks for.
#[derive(Debug, Clone, Default)]
pub struct CreateRequest {
    pub room_type: i64,
    pub room_name: String,
    pub object_type: String,
    pub object_id: String,
    pub invite: String,
    pub source: String,
}

/// The outcome of `POST /room`: the room and whether it is new (201) or an existing
/// one-to-one conversation (200).
pub struct Created {
    pub room: Room,
    pub attendee: Attendee,
    pub is_new: bool,
}

impl Created {
    /// Re-reads a room just created, with the caller's attendee row in it.
    pub fn fresh(conn: &mut Conn<'_>, room_id: i64, caller: &Actor) -> Result<Created> {
        let room = store::rooms::find_by_id(conn, room_id)?.ok_or(Error::NOT_FOUND)?;
        let attendee =
            store::attendees::find(conn, room.id, &caller.actor_type, &caller.actor_id)?.ok_or(Error::NOT_FOUND)?;
        Ok(Created {
            room,
            attendee,
            is_new: true,
        })
    }
}

fn name_error(name: &str) -> Option<Error> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 255 {
        Some(Error::bad_request("name"))
    } else {
        None
    }
}

/// A conversation name made from an object's name (upstream's
/// `RoomService::prepareConversationName`): leading space dropped, at most 64 characters,
/// trailing space dropped.
pub fn prepare_conversation_name(object_name: &str) -> String {
    object_name
        .trim_start()
        .chars()
        .take(64)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// `RoomController::createRoom`, in upstream's check order.
pub fn create_conversation(conn: &mut Conn<'_>, caller: &Actor, req: &CreateRequest, now: i64) -> Result<Created> {
    use crate::domain::ids::{ParticipantType, RoomType};
    use crate::domain::participant::{add_users, NewMember};
    if req.room_type == RoomType::OneToOne as i64 {
        return create_one_to_one(conn, caller, &req.invite, now);
    }
    if req.object_type == store::rooms::BREAKOUT_OBJECT_TYPE {
        return crate::domain::breakout::create_extra_room(conn, caller, req, now);
    }
    // Legacy `invite` of a group: upstream's `createGroupRoom` names the conversation after the
    // group and ignores `roomName`.
    let legacy_group = req.room_type == RoomType::Group as i64 && !req.invite.is_empty() && req.source != "circles";
    // An empty name (no invite) becomes upstream's placeholder; whitespace-only fails below.
    let name = if req.room_name.is_empty() {
        "---".to_owned()
    } else {
        req.room_name.clone()
    };
    if !legacy_group {
        if let Some(e) = name_error(&name) {
            return Err(e);
        }
    }
    if req.room_type != RoomType::Group as i64 && req.room_type != RoomType::Public as i64 {
        return Err(Error::bad_request("type"));
    }
    let object_type = req.object_type.trim();
    let object_id = req.object_id.trim();
    if object_type.len() > 64 {
        return Err(Error::bad_request("object-type"));
    }
    if object_id.len() > 64 {
        return Err(Error::bad_request("object-id"));
    }
    if !PUBLIC_OBJECT_TYPES.contains(&object_type) {
        return Err(Error::bad_request("object-type"));
    }
    if object_type.is_empty() != object_id.is_empty() {
        return Err(Error::bad_request("object"));
    }
    // Legacy `invite`: a group (or, with source=circles, a team we do not have).
    let invited_group = if req.invite.is_empty() {
        None
    } else {
        let group = if req.source == "circles" {
            None
        } else {
            store::groups::find(conn, &req.invite)?
        };
        Some(group.ok_or(Error::Keyed(404, "invite"))?)
    };
    let name = match &invited_group {
        Some(group) if legacy_group => prepare_conversation_name(&group.display_name),
        _ => name.trim().to_owned(),
    };
    let spec = RoomSpec {
        room_type: req.room_type as i32,
        name,
        object_type: object_type.to_owned(),
        object_id: object_id.to_owned(),
        lobby_state: 0,
    };
    let room = create_room(conn, &spec, Some(caller), now)?;
    let owner = NewMember {
        user_id: caller.actor_id.clone(),
        display_name: caller.display_name.clone(),
        participant_type: ParticipantType::Owner as i32,
    };
    add_users(conn, &room, &[owner], Some(caller), now)?;
    if let Some(group) = invited_group {
        crate::domain::participant::add_group(conn, &room, &group.group_id, &group.display_name, caller, now)?;
    }
    Created::fresh(conn, room.id, caller)
}

fn create_one_to_one(conn: &mut Conn<'_>, caller: &Actor, invite: &str, now: i64) -> Result<Created> {
    use crate::domain::ids::{ParticipantType, RoomType};
    use crate::domain::participant::{add_users, NewMember};
    let target = store::users::find(conn, invite)?.ok_or(Error::Keyed(404, "invite"))?;
    if target.user_id == caller.actor_id {
        return Err(Error::Keyed(403, "invite"));
    }
    let mut pair = [caller.actor_id.clone(), target.user_id.clone()];
    pair.sort();
    let name = serde_json::to_string(&pair).unwrap_or_default();
    for (room, attendee) in store::rooms::list_for_actor(conn, actor::USERS, &caller.actor_id)? {
        if room.room_type == RoomType::OneToOne as i32 && room.name == name {
            return Ok(Created {
                room,
                attendee,
                is_new: false,
            });
        }
    }
    let spec = RoomSpec {
        room_type: RoomType::OneToOne as i32,
        name,
        object_type: String::new(),
        object_id: String::new(),
        lobby_state: 0,
    };
    let room = create_room(conn, &spec, Some(caller), now)?;
    let owner = ParticipantType::Owner as i32;
    let members = [
        NewMember {
            user_id: caller.actor_id.clone(),
            display_name: caller.display_name.clone(),
            participant_type: owner,
        },
        NewMember {
            user_id: target.user_id.clone(),
            display_name: target.display_name.clone(),
            participant_type: owner,
        },
    ];
    add_users(conn, &room, &members, None, now)?;
    Created::fresh(conn, room.id, caller)
}

/// `PUT /room/{token}`: rename; one-to-one rooms keep their name.
pub fn rename(conn: &mut Conn<'_>, room_id: i64, caller: &Actor, new_name: &str, now: i64) -> Result<Room> {
    use crate::domain::ids::RoomType;
    let room = lock_and_reload(conn, room_id)?;
    if room.room_type == RoomType::OneToOne as i32 || room.room_type == RoomType::FormerOneToOne as i32 {
        return Err(Error::bad_request("type"));
    }
    let name = new_name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(Error::bad_request("value"));
    }
    if name != room.name {
        store::rooms::set_name(conn, room.id, name)?;
        let message = crate::db::models::NewMessage {
            room_id: room.id,
            actor_type: caller.actor_type.clone(),
            actor_id: caller.actor_id.clone(),
            actor_display_name: caller.display_name.clone(),
            verb: crate::domain::chat::VERB_SYSTEM.to_owned(),
            message: serde_json::json!({"message": "conversation_renamed", "parameters": {"newName": name, "oldName": room.name}}).to_string(),
            reference_id: String::new(),
            parent_id: 0,
            silent: false,
            created_at: now,
        };
        let stored = store::messages::insert(conn, &message)?;
        store::rooms::set_last_message(conn, room.id, stored.id, now)?;
    }
    store::rooms::find_by_id(conn, room.id)?.ok_or(Error::NOT_FOUND)
}

/// `DELETE /room/{token}` by a moderator.
pub fn delete_by_moderator(conn: &mut Conn<'_>, room_id: i64) -> Result<()> {
    use crate::domain::ids::RoomType;
    let room = lock_and_reload(conn, room_id)?;
    if room.room_type == RoomType::OneToOne as i32 || room.room_type == RoomType::FormerOneToOne as i32 {
        return Err(Error::Status(400));
    }
    delete_room(conn, &room)?;
    Ok(())
}

/// `PUT /room/{token}/webinar/lobby`.
pub fn set_lobby(conn: &mut Conn<'_>, room_id: i64, caller: &Actor, state: i64, timer: i64, now: i64) -> Result<Room> {
    use crate::domain::ids::RoomType;
    let room = lock_and_reload(conn, room_id)?;
    if room.object_type == store::rooms::BREAKOUT_OBJECT_TYPE {
        return Err(Error::bad_request("breakout-room"));
    }
    if room.room_type == RoomType::OneToOne as i32 || room.room_type == RoomType::FormerOneToOne as i32 {
        return Err(Error::bad_request("type"));
    }
    if state != 0 && state != 1 {
        return Err(Error::bad_request("value"));
    }
    let timer = if state == 1 { timer.max(0) } else { 0 };
    store::rooms::set_lobby(conn, room.id, state as i32, timer)?;
    if state as i32 != room.lobby_state {
        let key = if state == 0 {
            "lobby_none"
        } else {
            "lobby_non_moderators"
        };
        post_system_message(
            conn,
            caller,
            SystemMessage {
                room_id: room.id,
                key,
                user: None,
            },
            now,
        )?;
    }
    store::rooms::find_by_id(conn, room.id)?.ok_or(Error::NOT_FOUND)
}

/// `POST|DELETE /room/{token}/public`: breakout rooms and configured parents stay private.
pub fn set_public(conn: &mut Conn<'_>, room_id: i64, public: bool) -> Result<Room> {
    use crate::domain::ids::RoomType;
    let room = lock_and_reload(conn, room_id)?;
    if room.object_type == store::rooms::BREAKOUT_OBJECT_TYPE
        || room.breakout_room_mode != BreakoutRoomMode::NotConfigured as i32
    {
        return Err(Error::bad_request("breakout-room"));
    }
    if room.room_type != RoomType::Group as i32 && room.room_type != RoomType::Public as i32 {
        return Err(Error::bad_request("type"));
    }
    let new_type = if public { RoomType::Public } else { RoomType::Group } as i32;
    store::rooms::set_int_field(conn, room.id, store::rooms::RoomIntField::RoomType, new_type)?;
    store::rooms::find_by_id(conn, room.id)?.ok_or(Error::NOT_FOUND)
}

/// Settings that breakout rooms refuse with `breakout-room` (listable, message expiration,
/// default permissions): checks, then sets.
pub fn set_locked_setting(
    conn: &mut Conn<'_>,
    room_id: i64,
    field: store::rooms::RoomIntField,
    value: i64,
    max: i64,
) -> Result<Room> {
    let room = lock_and_reload(conn, room_id)?;
    if room.object_type == store::rooms::BREAKOUT_OBJECT_TYPE {
        return Err(Error::bad_request("breakout-room"));
    }
    if value < 0 || value > max {
        return Err(Error::bad_request("value"));
    }
    store::rooms::set_int_field(conn, room.id, field, value as i32)?;
    store::rooms::find_by_id(conn, room.id)?.ok_or(Error::NOT_FOUND)
}
