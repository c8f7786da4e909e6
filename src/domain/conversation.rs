//! Conversations: creation with a fresh token, lookup for a user, deletion with upstream's
//! breakout cascade. Every writing function runs inside the caller's write transaction.

use crate::db::models::{Attendee, NewRoom, Room};
use crate::db::store;
use crate::db::{Conn, DbResult, WriteTx};
use crate::domain::access::{Caller, Moderator};
use crate::domain::chat::{post_system_message, Actor, SystemMessage};
use crate::domain::ids::{
    actor, generate_token, BreakoutRoomMode, LobbyState, ParticipantType, ReadOnlyState, RoomId, RoomToken, RoomType,
};
use crate::domain::participant::{add_users, NewMember};
use crate::domain::schedule::{self, JobKind};
use crate::domain::{Refusal, Result};

/// What a new conversation is made of; the rest takes upstream's defaults.
#[derive(Debug, Clone)]
pub struct RoomSpec {
    pub room_type: RoomType,
    pub name: String,
    pub object_type: String,
    pub object_id: String,
    pub lobby_state: LobbyState,
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
    let mut room = store::rooms::insert(conn, &new_room(spec, token, now))?;
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

/// The row of a new conversation: what `spec` says, everything else as upstream creates it
/// (read-write, not listed, default permissions, no expiration). Fixtures build theirs here too.
pub fn new_room(spec: &RoomSpec, token: RoomToken, now: i64) -> NewRoom {
    NewRoom {
        token,
        room_type: spec.room_type,
        name: spec.name.clone(),
        description: String::new(),
        object_type: spec.object_type.clone(),
        object_id: spec.object_id.clone(),
        read_only: ReadOnlyState::ReadWrite,
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
    }
}

/// [`create_room`] for many rooms with set-based statements: one check of the new tokens, one
/// multi-row insert, the `conversation_created` messages in one batch (see
/// [`crate::domain::chat::post_system_messages`]) and one re-read. Returns the rooms in the order of `specs`.
pub fn create_rooms(conn: &mut Conn<'_>, specs: &[RoomSpec], by: Option<&Actor>, now: i64) -> DbResult<Vec<Room>> {
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    let mut tokens: Vec<RoomToken> = specs.iter().map(|_| generate_token()).collect();
    // 33^8 tokens: a collision is rare, but a retry costs nothing.
    for _ in 0..10 {
        let mut seen = std::collections::HashSet::new();
        let taken: std::collections::HashSet<String> = store::rooms::existing_tokens(conn, &tokens)?
            .into_iter()
            .map(|t| t.0)
            .collect();
        let mut clean = true;
        for token in tokens.iter_mut() {
            if taken.contains(&token.0) || !seen.insert(token.0.clone()) {
                *token = generate_token();
                clean = false;
            }
        }
        if clean {
            break;
        }
    }
    let rows: Vec<NewRoom> = specs
        .iter()
        .zip(&tokens)
        .map(|(spec, token)| new_room(spec, token.clone(), now))
        .collect();
    let inserted = store::rooms::insert_many(conn, &rows)?;
    let mut ids: Vec<RoomId> = inserted.iter().map(|r| r.id).collect();
    let mut rooms = inserted;
    if let Some(by) = by {
        let messages: Vec<SystemMessage> = ids
            .iter()
            .map(|&room_id| SystemMessage {
                room_id,
                key: "conversation_created",
                user: None,
            })
            .collect();
        crate::domain::chat::post_system_messages(conn, by, &messages, now)?;
        ids.sort_unstable();
        rooms = store::rooms::find_many(conn, &ids)?;
    }
    let mut by_token: std::collections::HashMap<String, Room> =
        rooms.into_iter().map(|r| (r.token.0.clone(), r)).collect();
    tokens
        .iter()
        .map(|t| {
            by_token
                .remove(&t.0)
                .ok_or_else(|| crate::db::DbError::Internal("a created room was not found again".to_owned()))
        })
        .collect()
}

/// Deletes a room. A parent with breakout rooms configured takes them with it; a breakout room
/// goes alone. Attendees, sessions and messages go by foreign key cascade.
pub fn delete_room(conn: &mut Conn<'_>, room: &Room) -> DbResult<()> {
    let mut ids = vec![room.id];
    if room.breakout_room_mode != BreakoutRoomMode::NotConfigured {
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
pub fn lock_and_reload(conn: &mut WriteTx<'_, '_>, room_id: RoomId) -> Result<Room> {
    conn.lock_and_read_room(room_id)?.ok_or(Refusal::RoomNotFound)
}

/// A room read again after changes (it was found before, so missing means deleted meanwhile).
pub fn reload(conn: &mut Conn<'_>, room_id: RoomId) -> Result<Room> {
    store::rooms::find_by_id(conn, room_id)?.ok_or(Refusal::RoomNotFound)
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
    pub fn fresh(conn: &mut Conn<'_>, room_id: RoomId, caller: &Caller) -> Result<Created> {
        let room = reload(conn, room_id)?;
        let attendee =
            store::attendees::find(conn, room.id, actor::USERS, &caller.user_id)?.ok_or(Refusal::NotParticipant)?;
        Ok(Created {
            room,
            attendee,
            is_new: true,
        })
    }
}

/// Upstream's name rule (trimmed, 1 to 255 characters); `key` is the field upstream names.
pub fn check_name(name: &str, key: &'static str) -> Result<()> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 255 {
        Err(Refusal::InvalidField(key))
    } else {
        Ok(())
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
pub fn create_conversation(
    conn: &mut WriteTx<'_, '_>,
    caller: &Caller,
    req: &CreateRequest,
    now: i64,
) -> Result<Created> {
    if crate::domain::linked::is_linked(conn, caller.user_id.as_str())? {
        return Err(Refusal::NotAllowedToCreateConversations);
    }
    if RoomType::from_value(req.room_type) == Some(RoomType::OneToOne) {
        return create_one_to_one(conn, caller, &req.invite, now);
    }
    if req.object_type == store::rooms::BREAKOUT_OBJECT_TYPE {
        return crate::domain::breakout::create_extra_room(conn, caller, req, now);
    }
    // Legacy `invite` of a group: upstream's `createGroupRoom` names the conversation after the
    // group and ignores `roomName`.
    let legacy_group = RoomType::from_value(req.room_type) == Some(RoomType::Group)
        && !req.invite.is_empty()
        && req.source != "circles";
    // An empty name (no invite) becomes upstream's placeholder; whitespace-only fails below.
    let name = if req.room_name.is_empty() {
        "---".to_owned()
    } else {
        req.room_name.clone()
    };
    if !legacy_group {
        check_name(&name, "name")?;
    }
    let room_type = match RoomType::from_value(req.room_type) {
        Some(t @ (RoomType::Group | RoomType::Public)) => t,
        _ => return Err(Refusal::InvalidField("type")),
    };
    let object_type = req.object_type.trim();
    let object_id = req.object_id.trim();
    if object_type.len() > 64 {
        return Err(Refusal::InvalidField("object-type"));
    }
    if object_id.len() > 64 {
        return Err(Refusal::InvalidField("object-id"));
    }
    if !PUBLIC_OBJECT_TYPES.contains(&object_type) {
        return Err(Refusal::InvalidField("object-type"));
    }
    if object_type.is_empty() != object_id.is_empty() {
        return Err(Refusal::InvalidField("object"));
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
        Some(group.ok_or(Refusal::FieldTargetNotFound("invite"))?)
    };
    let name = match &invited_group {
        Some(group) if legacy_group => prepare_conversation_name(&group.display_name),
        _ => name.trim().to_owned(),
    };
    let spec = RoomSpec {
        room_type,
        name,
        object_type: object_type.to_owned(),
        object_id: object_id.to_owned(),
        lobby_state: LobbyState::NoLobby,
    };
    let actor = caller.actor();
    let room = create_room(conn, &spec, Some(&actor), now)?;
    let owner = NewMember::owner(caller);
    add_users(conn, &room, &[owner], Some(&actor), now)?;
    if let Some(group) = invited_group {
        crate::domain::participant::add_group(conn, &room, &group.group_id, &group.display_name, &actor, now)?;
    }
    Created::fresh(conn, room.id, caller)
}

fn create_one_to_one(conn: &mut Conn<'_>, caller: &Caller, invite: &str, now: i64) -> Result<Created> {
    // A channel-linked account is answered as an unknown user outside its own conversation.
    let target = match store::users::find(conn, invite)? {
        Some(user) if !crate::domain::linked::is_linked(conn, invite)? => user,
        _ => return Err(Refusal::FieldTargetNotFound("invite")),
    };
    if target.user_id == caller.user_id {
        return Err(Refusal::FieldTargetNotAllowed("invite"));
    }
    let mut pair = [caller.user_id.to_string(), target.user_id.to_string()];
    pair.sort();
    let name = serde_json::to_string(&pair).unwrap_or_default();
    for (room, attendee) in store::rooms::list_for_actor(conn, actor::USERS, &caller.user_id)? {
        if room.room_type == RoomType::OneToOne && room.name == name {
            return Ok(Created {
                room,
                attendee,
                is_new: false,
            });
        }
    }
    let spec = RoomSpec {
        room_type: RoomType::OneToOne,
        name,
        object_type: String::new(),
        object_id: String::new(),
        lobby_state: LobbyState::NoLobby,
    };
    let room = create_room(conn, &spec, Some(&caller.actor()), now)?;
    let members = [
        NewMember::owner(caller),
        NewMember {
            user_id: target.user_id.to_string(),
            display_name: target.display_name.clone(),
            participant_type: ParticipantType::Owner,
        },
    ];
    add_users(conn, &room, &members, None, now)?;
    Created::fresh(conn, room.id, caller)
}

/// `PUT /room/{token}`: rename; one-to-one rooms keep their name.
pub fn rename(conn: &mut WriteTx<'_, '_>, by: &Moderator, new_name: &str, now: i64) -> Result<Room> {
    rename_room(conn, by.room().id, &by.actor(), new_name, now)
}

/// [`rename`] once access is settled (a moderator, or a Horn round renaming its rooms).
pub(crate) fn rename_room(
    conn: &mut WriteTx<'_, '_>,
    room_id: RoomId,
    caller: &Actor,
    new_name: &str,
    now: i64,
) -> Result<Room> {
    let room = lock_and_reload(conn, room_id)?;
    if room.room_type.is_one_to_one() {
        return Err(Refusal::WrongRoomType("type"));
    }
    let name = new_name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(Refusal::InvalidField("value"));
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
            expires_at: crate::domain::chat::expiry_for(conn, room.id, now)?,
            can_mention_all: false,
        };
        let stored = store::messages::insert(conn, &message)?;
        store::rooms::set_last_message(conn, room.id, stored.id, now)?;
    }
    reload(conn, room.id)
}

/// `DELETE /room/{token}` by a moderator.
pub fn delete_by_moderator(conn: &mut WriteTx<'_, '_>, by: &Moderator) -> Result<()> {
    let room = lock_and_reload(conn, by.room().id)?;
    if room.room_type.is_one_to_one() {
        return Err(Refusal::NotApplicable);
    }
    delete_room(conn, &room)?;
    Ok(())
}

/// `PUT /room/{token}/webinar/lobby`. A timer (unix seconds) on a closed lobby schedules the
/// job that opens it; any other setting cancels that job, in the same transaction.
pub fn set_lobby(conn: &mut WriteTx<'_, '_>, by: &Moderator, state: i64, timer: i64, now_ms: i64) -> Result<Room> {
    let room = lock_and_reload(conn, by.room().id)?;
    if is_breakout_room(&room) {
        return Err(Refusal::LockedForBreakoutRooms);
    }
    if room.room_type.is_one_to_one() {
        return Err(Refusal::WrongRoomType("type"));
    }
    let Some(state) = LobbyState::from_value(state) else {
        return Err(Refusal::InvalidField("value"));
    };
    let timer = if state == LobbyState::NonModerators {
        timer.max(0)
    } else {
        0
    };
    // A timer that passed before the job ran has opened the lobby already, as upstream's reads
    // do; the change is compared with that state.
    let room = settle_lobby_timer(conn, room, now_ms)?;
    store::rooms::set_lobby(conn, room.id, state, timer)?;
    let key = room.id.to_string();
    if timer > 0 {
        schedule::at(conn, JobKind::LobbyTimer, &key, timer.saturating_mul(1000), now_ms)?;
    } else {
        schedule::cancel(conn, JobKind::LobbyTimer, &key)?;
    }
    if state != room.lobby_state {
        let key = match state {
            LobbyState::NoLobby => "lobby_none",
            LobbyState::NonModerators => "lobby_non_moderators",
        };
        post_system_message(
            conn,
            &by.actor(),
            SystemMessage {
                room_id: room.id,
                key,
                user: None,
            },
            now_ms.div_euclid(1000),
        )?;
    }
    reload(conn, room.id)
}

/// Upstream's `Room::getLobbyState()`: a lobby whose timer has passed is open, on every read,
/// whether or not the job has stored that yet.
pub fn lobby_timer_passed(room: &Room, now_ms: i64) -> bool {
    room.lobby_state == LobbyState::NonModerators
        && room.lobby_timer > 0
        && room.lobby_timer.saturating_mul(1000) <= now_ms
}

/// The room as readers see it at `now_ms`: open, without a timer, once its lobby timer passed.
pub fn as_seen_at(mut room: Room, now_ms: i64) -> Room {
    if lobby_timer_passed(&room, now_ms) {
        room.lobby_state = LobbyState::NoLobby;
        room.lobby_timer = 0;
    }
    room
}

/// Stores the open lobby of a (locked) room whose timer has passed and posts
/// `lobby_timer_reached` once, by the server (upstream's actor for actions without a user).
/// Returns the room as it now is.
fn settle_lobby_timer(conn: &mut WriteTx<'_, '_>, room: Room, now_ms: i64) -> Result<Room> {
    if !lobby_timer_passed(&room, now_ms) {
        return Ok(room);
    }
    // The job row is left to the caller: the job completes it, `set_lobby` replaces it.
    store::rooms::set_lobby(conn, room.id, LobbyState::NoLobby, 0)?;
    post_system_message(
        conn,
        &Actor::server(),
        SystemMessage {
            room_id: room.id,
            key: "lobby_timer_reached",
            user: None,
        },
        now_ms.div_euclid(1000),
    )?;
    reload(conn, room.id)
}

/// The lobby-timer job: opens room `room_id`'s lobby if its timer has passed. Returns whether it
/// did; a room that is gone, or whose timer was changed or cleared meanwhile, is left alone.
pub fn open_lobby_on_timer(conn: &mut WriteTx<'_, '_>, room_id: RoomId, now_ms: i64) -> Result<bool> {
    let room = match lock_and_reload(conn, room_id) {
        Ok(room) => room,
        Err(Refusal::RoomNotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    let passed = lobby_timer_passed(&room, now_ms);
    settle_lobby_timer(conn, room, now_ms)?;
    Ok(passed)
}

/// `POST|DELETE /room/{token}/public`: breakout rooms and configured parents stay private.
pub fn set_public(conn: &mut WriteTx<'_, '_>, by: &Moderator, public: bool) -> Result<Room> {
    let room = lock_and_reload(conn, by.room().id)?;
    if is_breakout_room(&room) || is_configured_parent(&room) {
        return Err(Refusal::LockedForBreakoutRooms);
    }
    if !matches!(room.room_type, RoomType::Group | RoomType::Public) {
        return Err(Refusal::WrongRoomType("type"));
    }
    let new_type = if public { RoomType::Public } else { RoomType::Group };
    store::rooms::set_room_type(conn, room.id, new_type)?;
    reload(conn, room.id)
}

/// Settings that breakout rooms refuse with `breakout-room` (listable, message expiration,
/// default permissions): checks, then sets.
pub fn set_locked_setting(
    conn: &mut WriteTx<'_, '_>,
    by: &Moderator,
    field: store::rooms::RoomIntField,
    value: i64,
    max: i64,
) -> Result<Room> {
    let room = lock_and_reload(conn, by.room().id)?;
    if is_breakout_room(&room) {
        return Err(Refusal::LockedForBreakoutRooms);
    }
    if value < 0 || value > max {
        return Err(Refusal::InvalidField("value"));
    }
    store::rooms::set_int_field(conn, room.id, field, value as i32)?;
    reload(conn, room.id)
}

/// `PUT /room/{token}/mention-permissions` as upstream's `RoomService::setMentionPermissions`:
/// the same value again changes nothing; else group and public conversations only (400
/// `type`), no breakout rooms (400 `breakout-room`), 0 (everybody may mention `@all`) or 1
/// (moderators only) (400 `value`).
pub fn set_mention_permissions(conn: &mut WriteTx<'_, '_>, by: &Moderator, value: i64) -> Result<Room> {
    let room = lock_and_reload(conn, by.room().id)?;
    if i64::from(room.mention_permissions) == value {
        return Ok(room);
    }
    if !matches!(room.room_type, RoomType::Group | RoomType::Public) {
        return Err(Refusal::WrongRoomType("type"));
    }
    if is_breakout_room(&room) {
        return Err(Refusal::LockedForBreakoutRooms);
    }
    if !(0..=1).contains(&value) {
        return Err(Refusal::InvalidField("value"));
    }
    store::rooms::set_int_field(
        conn,
        room.id,
        store::rooms::RoomIntField::MentionPermissions,
        value as i32,
    )?;
    reload(conn, room.id)
}

/// Whether someone who is no attendee may see the conversation (in the limited view): public
/// and listable conversations only.
pub fn visible_to_outsiders(room: &Room) -> bool {
    room.room_type == RoomType::Public || room.listable != 0
}

/// `PUT /room/{token}/password`: only public conversations have passwords (breakout rooms never
/// are public: `type`); public conversations are not part of the breakout surface, so no
/// password is stored (`password`).
pub fn set_password(by: &Moderator) -> Result<()> {
    if by.room().room_type != RoomType::Public {
        return Err(Refusal::WrongRoomType("type"));
    }
    Err(Refusal::InvalidField("password"))
}

/// The other user of a one-to-one conversation, whose stored name is the JSON list of both ids.
pub fn one_to_one_partner(room: &Room, me: &str) -> Option<String> {
    let ids: Vec<String> = serde_json::from_str(&room.name).ok()?;
    ids.into_iter().find(|id| id != me)
}

/// The other user of a one-to-one conversation seen through `view`, whose display name its
/// object shows; `None` for every other room, or when the viewer is no attendee.
pub fn view_partner(view: &store::rooms::RoomView) -> Option<String> {
    let attendee = view.attendee.as_ref()?;
    (view.room.room_type == RoomType::OneToOne)
        .then(|| one_to_one_partner(&view.room, &attendee.actor_id))
        .flatten()
}

/// A breakout room: `objectType` `room`, `objectId` the parent's token.
pub fn is_breakout_room(room: &Room) -> bool {
    room.object_type == store::rooms::BREAKOUT_OBJECT_TYPE
}

/// A parent whose breakout rooms are configured (any mode but "not configured").
pub fn is_configured_parent(room: &Room) -> bool {
    room.breakout_room_mode != BreakoutRoomMode::NotConfigured
}

/// The parent token a breakout room names in its `objectId`.
pub fn parent_token(room: &Room) -> crate::domain::ids::RoomToken {
    crate::domain::ids::RoomToken::from(room.object_id.as_str())
}

/// Upstream's `Room::DESCRIPTION_MAXIMUM_LENGTH` (characters) since Talk 21, as the
/// capabilities' `conversations.description-length` advertises.
pub const DESCRIPTION_MAX_LENGTH: usize = 2000;

/// Sets the description as upstream's `RoomService::setDescription`: trimmed; the same text
/// again changes nothing and posts nothing; then the length (`value`) and the type (one-to-one
/// conversations have none: `type`) are checked, in that order. Posts `description_set` (with
/// the new text) or `description_removed`.
pub fn set_description(conn: &mut WriteTx<'_, '_>, by: &Moderator, description: &str, now: i64) -> Result<Room> {
    let room = lock_and_reload(conn, by.room().id)?;
    let description = description.trim();
    if description == room.description {
        return Ok(room);
    }
    if description.chars().count() > DESCRIPTION_MAX_LENGTH {
        return Err(Refusal::InvalidField("value"));
    }
    if room.room_type.is_one_to_one() {
        return Err(Refusal::WrongRoomType("type"));
    }
    store::rooms::set_description(conn, room.id, description)?;
    let (key, parameters) = if description.is_empty() {
        ("description_removed", serde_json::Map::new())
    } else {
        let mut p = serde_json::Map::new();
        p.insert("newDescription".into(), description.into());
        ("description_set", p)
    };
    crate::domain::chat::post_system_message_with(conn, &by.actor(), room.id, key, parameters, now)?;
    reload(conn, room.id)
}

/// Locks or unlocks the chat as upstream's `RoomService::setReadOnly`: the current state again
/// is no change; only group, public and changelog conversations can be locked (`type`); the
/// state must be 0 or 1 (`value`). Posts `read_only` or `read_only_off`.
pub fn set_read_only(conn: &mut WriteTx<'_, '_>, by: &Moderator, state: i64, now: i64) -> Result<Room> {
    let room = lock_and_reload(conn, by.room().id)?;
    if state == i64::from(room.read_only.value()) {
        return Ok(room);
    }
    if !matches!(room.room_type, RoomType::Group | RoomType::Public | RoomType::Changelog) {
        return Err(Refusal::WrongRoomType("type"));
    }
    let state = ReadOnlyState::from_value(state).ok_or(Refusal::InvalidField("value"))?;
    store::rooms::set_read_only(conn, room.id, state)?;
    let key = match state {
        ReadOnlyState::ReadOnly => "read_only",
        ReadOnlyState::ReadWrite => "read_only_off",
    };
    crate::domain::chat::post_system_message_with(conn, &by.actor(), room.id, key, serde_json::Map::new(), now)?;
    reload(conn, room.id)
}
