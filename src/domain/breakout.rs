//! Breakout rooms (spreed `BreakoutRoomService`, `BreakoutRoomController`): upstream's checks in
//! upstream's order, each failing with upstream's `error` key. Unlike upstream, every operation
//! validates everything before it writes, and runs in one transaction that starts by locking the
//! parent: a rejected request changes nothing, and concurrent requests serialise on the parent.

use crate::db::models::{Attendee, Room};
use crate::db::store;
use crate::db::{Conn, WriteTx};
use crate::domain::access::{Caller, Member, Moderator};
use crate::domain::chat::{post_comment, post_system_messages_into, Actor, SystemMessage};
use crate::domain::conversation::{
    create_room, create_rooms, is_breakout_room, is_configured_parent, lock_and_reload, reload, CreateRequest, Created,
    RoomSpec,
};
use crate::domain::ids::{
    actor, AttendeeId, BreakoutRoomMode, BreakoutStatus, LobbyState, RoomId, RoomToken, RoomType, CHAT_MAX_LENGTH,
};
use crate::domain::participant::{add_users, insert_members_into_rooms, remove_attendees, NewMember};
use crate::domain::{Refusal, Result};
use rand::seq::SliceRandom;
use serde_json::Value;
use std::collections::BTreeMap;

pub const MIN_ROOMS: i64 = 1;
pub const MAX_ROOMS: i64 = 20;

/// A parsed attendee map: parent attendee id → 0-based room number.
pub type AttendeeMap = BTreeMap<AttendeeId, i64>;

/// Parses `attendeeMap` (a JSON string) against `max` rooms, as upstream's
/// `parseAttendeeMap`: an object or list of integer keys to integer values, values in
/// `0..max`, keys ≥ 1; `""`, `[]` and `{}` are the empty map.
pub fn parse_attendee_map(input: &str, max: i64) -> Result<AttendeeMap> {
    let invalid = || Refusal::InvalidField("attendeeMap");
    if input.is_empty() {
        return Ok(AttendeeMap::new());
    }
    let value: Value = serde_json::from_str(input).map_err(|_| invalid())?;
    let entries: Vec<(String, Value)> = match value {
        Value::Object(map) => map.into_iter().collect(),
        Value::Array(list) => list.into_iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
        _ => return Err(invalid()),
    };
    if entries.is_empty() {
        return Ok(AttendeeMap::new());
    }
    let mut map = AttendeeMap::new();
    for (key, value) in entries {
        // Nested values exceed upstream's decoding depth; non-integers fail its typed filter.
        let room = value.as_i64().filter(|_| !value.is_f64()).ok_or_else(invalid)?;
        let attendee: i64 = key.parse().map_err(|_| invalid())?;
        if attendee.to_string() != key {
            return Err(invalid());
        }
        map.insert(AttendeeId(attendee), room);
    }
    let max_value = map.values().copied().max().unwrap_or(0);
    let min_value = map.values().copied().min().unwrap_or(0);
    let min_key = map.keys().copied().min().unwrap_or(AttendeeId(1)).0;
    if max_value >= max || min_value < 0 || min_key <= 0 {
        return Err(invalid());
    }
    Ok(map)
}

/// The user attendees of a parent, split into the moderators who go into every breakout room
/// (owners and moderators) and the others.
fn split_users(attendees: Vec<Attendee>) -> (Vec<Attendee>, Vec<Attendee>) {
    attendees
        .into_iter()
        .filter(|a| a.actor_type == actor::USERS)
        .partition(|a| a.participant_type.has_moderator_permissions_without_guests())
}

fn member(a: &Attendee) -> NewMember {
    NewMember::like(a)
}

/// Which room (0-based) each non-moderator goes to in automatic mode: a uniform shuffle, then
/// round robin, so room sizes differ by at most one.
pub fn distribute_automatically(mut users: Vec<Attendee>, amount: usize) -> Vec<(usize, Attendee)> {
    users.shuffle(&mut rand::thread_rng());
    users.into_iter().enumerate().map(|(k, a)| (k % amount, a)).collect()
}

/// What `POST /breakout-rooms/{token}` asks for; `None` where a required parameter is missing.
#[derive(Debug, Clone)]
pub struct ConfigureRequest {
    pub mode: Option<i64>,
    pub amount: Option<i64>,
    pub attendee_map: String,
}

/// `POST /breakout-rooms/{token}`: configure. `now_ms`: epoch ms (events carry it; Talk's
/// own timestamps are its seconds).
pub fn configure(
    conn: &mut WriteTx<'_, '_>,
    by: &Moderator,
    enabled: bool,
    req: &ConfigureRequest,
    now_ms: i64,
) -> Result<Vec<Room>> {
    let now = now_ms.div_euclid(1000);
    let parent = lock_and_reload(conn, by.room().id)?;
    let caller = &by.actor();
    if !enabled {
        return Err(Refusal::BreakoutRoomsDisabled);
    }
    if is_configured_parent(&parent) {
        return Err(Refusal::AlreadyConfigured);
    }
    if parent.room_type != RoomType::Group || is_breakout_room(&parent) {
        return Err(Refusal::CannotHaveBreakoutRooms);
    }
    let (Some(mode), Some(amount)) = (req.mode, req.amount) else {
        return Err(Refusal::MissingParameter);
    };
    // Upstream accepts 0 and creates rooms nobody can reach; we refuse it (docs/compatibility.md).
    let mode = match BreakoutRoomMode::from_value(mode) {
        Some(BreakoutRoomMode::NotConfigured) | None => return Err(Refusal::InvalidField("mode")),
        Some(mode) => mode,
    };
    if !(MIN_ROOMS..=MAX_ROOMS).contains(&amount) {
        return Err(Refusal::InvalidField("amount"));
    }
    let map = if mode == BreakoutRoomMode::Manual {
        parse_attendee_map(&req.attendee_map, amount)?
    } else {
        AttendeeMap::new()
    };

    let names: Vec<String> = (1..=amount).map(|i| format!("Room {i}")).collect();
    let count = names.len();
    build_rooms(
        conn,
        &parent,
        caller,
        &names,
        mode,
        |others| match mode {
            BreakoutRoomMode::Automatic => distribute_automatically(others, count),
            BreakoutRoomMode::Manual => others
                .into_iter()
                .filter_map(|a| map.get(&a.id).map(|&room| (room as usize, a)))
                .collect(),
            BreakoutRoomMode::Free | BreakoutRoomMode::NotConfigured => Vec::new(),
        },
        now,
    )?;
    crate::domain::rounds::on_talk_configured(conn, &parent, mode, now_ms)?;
    rooms_then_parent(conn, &parent)
}

/// Creates the parent's breakout rooms named `names` (after deleting any left over), with every
/// moderator in every room and the other users where `place` puts them (0-based room index),
/// and sets the parent's mode, stopped. Shared by Talk's configure and a Horn session's start.
pub fn build_rooms(
    conn: &mut Conn<'_>,
    parent: &Room,
    caller: &Actor,
    names: &[String],
    mode: BreakoutRoomMode,
    place: impl FnOnce(Vec<Attendee>) -> Vec<(usize, Attendee)>,
    now: i64,
) -> Result<Vec<Room>> {
    // Orphans from an earlier configuration (possible after upstream's own failures) go first.
    let orphans: Vec<RoomId> = store::rooms::breakout_rooms_of(conn, &parent.token)?
        .iter()
        .map(|r| r.id)
        .collect();
    store::rooms::delete_many(conn, &orphans)?;

    let specs: Vec<RoomSpec> = names
        .iter()
        .map(|name| RoomSpec {
            room_type: parent.room_type,
            name: name.clone(),
            object_type: store::rooms::BREAKOUT_OBJECT_TYPE.to_owned(),
            object_id: parent.token.to_string(),
            // Set silently at creation: no lobby event, no lobby system message.
            lobby_state: LobbyState::NonModerators,
        })
        .collect();
    let rooms = create_rooms(conn, &specs, Some(caller), now)?;
    let (moderators, others) = split_users(store::attendees::list(conn, parent.id)?);
    let moderator_members: Vec<NewMember> = moderators.iter().map(member).collect();
    let mut per_room: Vec<Vec<NewMember>> = vec![moderator_members; rooms.len()];
    for (room, a) in place(others) {
        if let Some(members) = per_room.get_mut(room) {
            members.push(member(&a));
        }
    }
    // Fresh rooms, and each user appears once per room: nothing to look up before or after.
    let filled: Vec<(&Room, &[NewMember])> = rooms.iter().zip(per_room.iter().map(Vec::as_slice)).collect();
    insert_members_into_rooms(conn, &filled, Some(caller), now)?;
    store::rooms::set_breakout(conn, parent.id, mode, BreakoutStatus::Stopped)?;
    Ok(rooms)
}

/// The parent's breakout rooms in id order followed by the parent, re-read after changes (in
/// one statement).
pub fn rooms_then_parent(conn: &mut Conn<'_>, parent: &Room) -> Result<Vec<Room>> {
    let mut rooms = store::rooms::with_breakout_rooms(conn, parent.id, &parent.token)?;
    let at = rooms
        .iter()
        .position(|r| r.id == parent.id)
        .ok_or(Refusal::RoomNotFound)?;
    let parent = rooms.remove(at);
    rooms.push(parent);
    Ok(rooms)
}

/// `DELETE /breakout-rooms/{token}`: remove all breakout rooms, reset mode and status.
pub fn remove(conn: &mut WriteTx<'_, '_>, by: &Moderator, now_ms: i64) -> Result<Room> {
    remove_rooms(conn, by.room().id, now_ms)
}

/// [`remove`] once access is settled (a moderator, or a Horn round that ends).
pub(crate) fn remove_rooms(conn: &mut WriteTx<'_, '_>, parent_id: RoomId, now_ms: i64) -> Result<Room> {
    let parent = lock_and_reload(conn, parent_id)?;
    crate::domain::rounds::on_talk_removed(conn, &parent, now_ms)?;
    let ids: Vec<RoomId> = store::rooms::breakout_rooms_of(conn, &parent.token)?
        .iter()
        .map(|r| r.id)
        .collect();
    store::rooms::delete_many(conn, &ids)?;
    store::rooms::set_breakout(
        conn,
        parent.id,
        BreakoutRoomMode::NotConfigured,
        BreakoutStatus::Stopped,
    )?;
    reload(conn, parent.id)
}

/// The moderator's conversation, locked and re-read, if its breakout rooms are configured.
fn configured_parent(conn: &mut WriteTx<'_, '_>, parent_id: RoomId) -> Result<Room> {
    let parent = lock_and_reload(conn, parent_id)?;
    if !is_configured_parent(&parent) {
        return Err(Refusal::NotConfigured);
    }
    Ok(parent)
}

/// Opens (start) or closes (stop) the breakout rooms' lobbies, posting
/// `breakout_rooms_started`/`stopped` where the lobby actually changed.
fn set_lobbies(conn: &mut Conn<'_>, parent: &Room, caller: &Actor, state: LobbyState, now: i64) -> Result<()> {
    let rooms = store::rooms::breakout_rooms_of(conn, &parent.token)?;
    let changed: Vec<RoomId> = rooms.iter().filter(|r| r.lobby_state != state).map(|r| r.id).collect();
    match state {
        LobbyState::NoLobby => store::rooms::set_lobby_many(conn, &changed, state)?,
        // Stopping also withdraws every request for assistance: one statement for both.
        LobbyState::NonModerators => {
            let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
            store::rooms::close_lobbies(conn, &ids)?;
        }
    }
    let key = match state {
        LobbyState::NoLobby => "breakout_rooms_started",
        LobbyState::NonModerators => "breakout_rooms_stopped",
    };
    let messages: Vec<SystemMessage> = changed
        .iter()
        .map(|&room_id| SystemMessage {
            room_id,
            key,
            user: None,
        })
        .collect();
    post_system_messages_into(conn, caller, &rooms, &messages, now)?;
    Ok(())
}

/// `POST /breakout-rooms/{token}/rooms`: start.
pub fn start(conn: &mut WriteTx<'_, '_>, by: &Moderator, now_ms: i64) -> Result<Vec<Room>> {
    start_rooms(conn, by.room().id, &by.actor(), now_ms)
}

/// [`start`] once access is settled: `actor` is the moderator, or the server for a Horn round.
pub(crate) fn start_rooms(
    conn: &mut WriteTx<'_, '_>,
    parent_id: RoomId,
    actor: &Actor,
    now_ms: i64,
) -> Result<Vec<Room>> {
    let parent = configured_parent(conn, parent_id)?;
    set_lobbies(conn, &parent, actor, LobbyState::NoLobby, now_ms.div_euclid(1000))?;
    store::rooms::set_breakout_status(conn, parent.id, BreakoutStatus::Started)?;
    crate::domain::rounds::on_talk_started(conn, &parent, now_ms)?;
    rooms_then_parent(conn, &parent)
}

/// `DELETE /breakout-rooms/{token}/rooms`: stop.
pub fn stop(conn: &mut WriteTx<'_, '_>, by: &Moderator, now_ms: i64) -> Result<Vec<Room>> {
    stop_rooms(conn, by.room().id, &by.actor(), now_ms)
}

/// [`stop`] once access is settled: `actor` is the moderator, or the server when a round ends.
pub(crate) fn stop_rooms(
    conn: &mut WriteTx<'_, '_>,
    parent_id: RoomId,
    actor: &Actor,
    now_ms: i64,
) -> Result<Vec<Room>> {
    let parent = configured_parent(conn, parent_id)?;
    crate::domain::rounds::on_talk_stopped(conn, &parent, now_ms)?;
    close_rooms_locked(conn, &parent, actor, now_ms)?;
    rooms_then_parent(conn, &parent)
}

/// The part of [`stop_rooms`] that changes the rooms, for a caller that has already locked and
/// re-read `parent` (a configured parent) and completed its round: a round's deadline, which
/// needs neither a second lock nor the rooms read back.
pub(crate) fn close_rooms_locked(conn: &mut WriteTx<'_, '_>, parent: &Room, actor: &Actor, now_ms: i64) -> Result<()> {
    store::rooms::set_breakout_status(conn, parent.id, BreakoutStatus::Stopped)?;
    set_lobbies(conn, parent, actor, LobbyState::NonModerators, now_ms.div_euclid(1000))
}

/// `POST /breakout-rooms/{token}/broadcast`: the same comment in every breakout room, all or
/// nothing (upstream keeps what it posted before failing on a room without the caller).
pub fn broadcast(conn: &mut WriteTx<'_, '_>, by: &Moderator, message: Option<&str>, now: i64) -> Result<Vec<Room>> {
    let parent = configured_parent(conn, by.room().id)?;
    let caller = &by.actor();
    let Some(message) = message else {
        return Err(Refusal::MissingParameter);
    };
    if message.chars().count() > CHAT_MAX_LENGTH {
        return Err(Refusal::TooLong("message"));
    }
    let rooms = store::rooms::breakout_rooms_of(conn, &parent.token)?;
    let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let present = store::attendees::find_actor_in_rooms(conn, &ids, &caller.actor_type, &caller.actor_id)?;
    if present.len() != rooms.len() {
        // Upstream fails on the first breakout room the moderator is not in.
        return Err(Refusal::NotParticipant);
    }
    for room in &rooms {
        // Upstream sends through `ChatManager::sendMessage` with the moderator's participant in
        // each breakout room, so mentions count as in any other message.
        let author = present.iter().find(|a| a.room_id == room.id);
        let comment = crate::domain::chat::NewComment {
            text: message,
            reference_id: "",
            parent_id: 0,
            silent: false,
            can_mention_all: author.is_some_and(|a| crate::domain::chat::may_mention_all(room, a)),
        };
        let stored = post_comment(conn, room.id, caller, &comment, now)?;
        if let Some(author) = author {
            crate::domain::mentions::record_posted(conn, room, author, &stored, None)?;
        }
    }
    rooms_then_parent(conn, &parent)
}

/// `POST /breakout-rooms/{token}/attendees`: move mapped users to the mapped rooms.
pub fn reorganize(
    conn: &mut WriteTx<'_, '_>,
    by: &Moderator,
    enabled: bool,
    attendee_map: &str,
    now: i64,
) -> Result<Vec<Room>> {
    let parent = lock_and_reload(conn, by.room().id)?;
    let caller = &by.actor();
    if !enabled {
        return Err(Refusal::BreakoutRoomsDisabled);
    }
    if !is_configured_parent(&parent) {
        return Err(Refusal::NotConfigured);
    }
    let rooms = store::rooms::breakout_rooms_of(conn, &parent.token)?;
    let map = parse_attendee_map(attendee_map, rooms.len() as i64)?;
    let parent_attendees = store::attendees::list(conn, parent.id)?;
    let mapped: Vec<(&Attendee, i64)> = parent_attendees
        .iter()
        .filter(|a| a.actor_type == actor::USERS)
        .filter_map(|a| map.get(&a.id).map(|&room| (a, room)))
        .collect();
    let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let mut current = Vec::new();
    for (a, _) in &mapped {
        let rows = store::attendees::find_actor_in_rooms(conn, &ids, actor::USERS, &a.actor_id)?;
        if rows.iter().any(|r| r.participant_type.has_moderator_permissions()) {
            return Err(Refusal::ModeratorCannotMove);
        }
        current.push(rows);
    }
    for ((a, target), rows) in mapped.iter().zip(current) {
        for row in &rows {
            if let Some(r) = rooms.iter().find(|r| r.id == row.room_id) {
                remove_attendees(conn, r, std::slice::from_ref(row), caller, now)?;
            }
        }
        add_users(conn, &rooms[*target as usize], &[member(a)], Some(caller), now)?;
    }
    rooms_then_parent(conn, &parent)
}

/// `POST|DELETE /breakout-rooms/{token}/request-assistance` on a started breakout room.
pub fn set_assistance(conn: &mut WriteTx<'_, '_>, me: &Member, requested: bool, now_ms: i64) -> Result<Room> {
    let now = now_ms.div_euclid(1000);
    let room = lock_and_reload(conn, me.room().id)?;
    if !is_breakout_room(&room) || room.lobby_state != LobbyState::NoLobby {
        return Err(Refusal::NotAnOpenBreakoutRoom);
    }
    let status = if requested {
        BreakoutStatus::AssistanceRequested
    } else {
        BreakoutStatus::Stopped
    };
    store::rooms::set_breakout_status(conn, room.id, status)?;
    store::rooms::set_last_activity(conn, room.id, now)?;
    // Only a change is an event: asking twice, or withdrawing nothing, reports nothing.
    let was_requested = room.breakout_room_status == BreakoutStatus::AssistanceRequested;
    if requested != was_requested {
        crate::domain::rounds::on_talk_assistance(conn, &room, requested, now_ms)?;
    }
    reload(conn, room.id)
}

/// `POST /breakout-rooms/{token}/switch`: a student in a started free-mode parent moves to
/// `target`. Returns the target room and the caller's parent attendee (the response shows the
/// target with the parent membership, as upstream).
pub fn switch(conn: &mut WriteTx<'_, '_>, me: &Member, target: &str, now: i64) -> Result<(Room, Attendee)> {
    let parent = lock_and_reload(conn, me.room().id)?;
    let caller = &me.actor();
    if parent.breakout_room_mode != BreakoutRoomMode::Free {
        return Err(Refusal::NotFreeMode);
    }
    if parent.breakout_room_status != BreakoutStatus::Started {
        return Err(Refusal::NotStarted);
    }
    let attendee = store::attendees::find(conn, parent.id, &caller.actor_type, &caller.actor_id)?
        .ok_or(Refusal::NotParticipant)?;
    if attendee.participant_type.has_moderator_permissions() {
        return Err(Refusal::ModeratorCannotMove);
    }
    let rooms = store::rooms::breakout_rooms_of(conn, &parent.token)?;
    let target_room = rooms
        .iter()
        .find(|r| r.token == target)
        .cloned()
        .ok_or(Refusal::InvalidField("target"))?;
    let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let rows = store::attendees::find_actor_in_rooms(conn, &ids, &caller.actor_type, &caller.actor_id)?;
    let already_there = rows.iter().any(|r| r.room_id == target_room.id);
    // Our extension (horn.md §6), after upstream's own checks: a room of a running Horn session
    // with a capacity takes nobody more once that many non-moderator users sit in it.
    if !already_there {
        if let Some(capacity) = crate::domain::rounds::running_capacity(conn, &parent, &target_room.token)? {
            let seated = store::attendees::count_seated_users(conn, target_room.id)?;
            if usize::try_from(seated).unwrap_or_default() >= capacity {
                return Err(Refusal::BreakoutRoomFull);
            }
        }
    }
    for row in rows.iter().filter(|r| r.room_id != target_room.id) {
        if let Some(r) = rooms.iter().find(|r| r.id == row.room_id) {
            remove_attendees(conn, r, std::slice::from_ref(row), caller, now)?;
        }
    }
    if !already_there {
        add_users(conn, &target_room, &[member(&attendee)], Some(caller), now)?;
    }
    let target_room = reload(conn, target_room.id)?;
    Ok((target_room, attendee))
}

/// The breakout rooms a parent attendee may see (`GET /room/{token}/breakout-rooms`), each with
/// the caller's attendee row there, if any.
pub fn visible_rooms(conn: &mut Conn<'_>, me: &Member) -> Result<Vec<(Room, Option<Attendee>)>> {
    let parent = me.room();
    if !is_configured_parent(parent) {
        return Err(Refusal::NotConfigured);
    }
    let is_moderator = me.has_moderator_permissions();
    if !is_moderator && parent.breakout_room_status != BreakoutStatus::Started {
        return Err(Refusal::NotStarted);
    }
    let rooms = store::rooms::breakout_rooms_of(conn, &parent.token)?;
    let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let attendee = me.attendee();
    let rows = store::attendees::find_actor_in_rooms(conn, &ids, &attendee.actor_type, &attendee.actor_id)?;
    let see_all = is_moderator || parent.breakout_room_mode == BreakoutRoomMode::Free;
    Ok(rooms
        .into_iter()
        .filter_map(|r| {
            let row = rows.iter().find(|a| a.room_id == r.id).cloned();
            (see_all || row.is_some()).then_some((r, row))
        })
        .collect())
}

/// `POST /room` with `objectType=room`: one more breakout room (§5.11).
pub fn create_extra_room(
    conn: &mut WriteTx<'_, '_>,
    caller: &Caller,
    req: &CreateRequest,
    now: i64,
) -> Result<Created> {
    let name = req.room_name.trim();
    crate::domain::conversation::check_name(name, "name")?;
    let parent_token = RoomToken::from(req.object_id.as_str());
    let parent = store::rooms::find_by_token(conn, &parent_token)?.ok_or(Refusal::InvalidField("room"))?;
    let parent = lock_and_reload(conn, parent.id)?;
    // Upstream refuses non-members and non-moderators of the parent alike.
    Member::find(conn, caller.clone(), &parent.token, now.saturating_mul(1000))
        .and_then(Member::into_moderator)
        .map_err(|refusal| match refusal {
            Refusal::Storage(e) => Refusal::Storage(e),
            _ => Refusal::NoParentPermission,
        })?;
    if !is_configured_parent(&parent) {
        return Err(Refusal::NotConfigured);
    }
    let lobby_state = if parent.breakout_room_status == BreakoutStatus::Started {
        LobbyState::NoLobby
    } else {
        LobbyState::NonModerators
    };
    let spec = RoomSpec {
        room_type: parent.room_type,
        name: name.to_owned(),
        object_type: store::rooms::BREAKOUT_OBJECT_TYPE.to_owned(),
        object_id: parent.token.to_string(),
        lobby_state,
    };
    let actor = caller.actor();
    let room = create_room(conn, &spec, Some(&actor), now)?;
    let (moderators, _) = split_users(store::attendees::list(conn, parent.id)?);
    let mut members = vec![NewMember::owner(caller)];
    members.extend(
        moderators
            .iter()
            .filter(|m| caller.user_id != m.actor_id.as_str())
            .map(member),
    );
    add_users(conn, &room, &members, Some(&actor), now)?;
    crate::domain::rounds::on_talk_room_added(conn, &parent, &room)?;
    Created::fresh(conn, room.id, caller)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(r: Result<AttendeeMap>) -> &'static str {
        match r {
            Err(Refusal::InvalidField(k)) => k,
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn attendee_maps_as_upstream_parses_them() {
        assert!(parse_attendee_map("", 3).unwrap().is_empty());
        assert!(parse_attendee_map("[]", 3).unwrap().is_empty());
        assert!(parse_attendee_map("{}", 0).unwrap().is_empty());
        assert_eq!(
            parse_attendee_map(r#"{"17":0,"18":2}"#, 3).unwrap(),
            AttendeeMap::from([(AttendeeId(17), 0), (AttendeeId(18), 2)])
        );
        for bad in [
            "{",
            "5",
            "\"x\"",
            "null",
            r#"{"5":[0]}"#,
            r#"{"a":0}"#,
            r#"{"5":"1"}"#,
            r#"{"5":1.5}"#,
            r#"{"5":true}"#,
            r#"{"5":3}"#,
            r#"{"5":-1}"#,
            r#"{"0":1}"#,
            r#"{"-3":1}"#,
            "[0,1]",
            r#"{"05":1}"#,
        ] {
            assert_eq!(key(parse_attendee_map(bad, 3)), "attendeeMap", "input {bad}");
        }
        assert_eq!(key(parse_attendee_map(r#"{"5":0}"#, 0)), "attendeeMap");
    }

    #[test]
    fn automatic_distribution_is_balanced() {
        let users: Vec<Attendee> = (1..=23)
            .map(|i| Attendee {
                id: AttendeeId(i),
                room_id: RoomId(1),
                actor_type: "users".into(),
                actor_id: format!("u{i}"),
                display_name: String::new(),
                participant_type: crate::domain::ids::ParticipantType::User,
                permissions: 0,
                favorite: false,
                archived: false,
                important: false,
                sensitive: false,
                notification_level: crate::domain::ids::NotificationLevel::Default,
                notification_calls: crate::domain::ids::NotificationCalls::On,
                last_read_message: 0,
                last_mention_message: 0,
                last_mention_direct: 0,
            })
            .collect();
        let placed = distribute_automatically(users, 5);
        let mut sizes = [0usize; 5];
        for (room, _) in &placed {
            sizes[*room] += 1;
        }
        assert_eq!(placed.len(), 23);
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
    }
}
