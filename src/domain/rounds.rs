//! Breakout sessions ("rounds"): named plans of breakout rooms that are started, run (with an
//! optional deadline) and end as history. One model for both faces: the Horn face plans and runs
//! them through `/api/v1_0`; rounds configured and started on the Talk face are recorded as
//! sessions too (`on_talk_*` below, called from `domain::breakout`), so exactly one round is
//! active per conversation whichever face started it.
//!
//! A session is *pending* (a plan: its rooms and assignments live only in our tables), *active*
//! (its rooms are the parent's Talk breakout rooms, started; rooms and members are read live from
//! Talk, so Talk's reorganize, switch and rename show here) or *completed* (its rooms' tokens,
//! names and final assignment are frozen as history). Nothing here knows HTTP.

use crate::db::models::{Attendee, Room};
use crate::db::store;
use crate::db::store::breakout_sessions::{AssignmentRow, NewSession, NewSessionRoom, SessionRoomRow, SessionRow};
use crate::db::{Conn, WriteTx};
use crate::domain::access::{Caller, Channel, Manager, Owner};
use crate::domain::chat::Actor;
use crate::domain::conversation::lock_and_reload;
use crate::domain::ids::{
    actor, AttendeeId, BreakoutRoomMode, BreakoutStatus, ParticipantType, RoomId, RoomToken, RoomType,
};
use crate::domain::mixing;
use crate::domain::schedule::{self, JobKind};
use crate::domain::webhooks::{self, CompletionReason, Event};
use crate::domain::{Refusal, Result};
use std::collections::HashMap;

pub use crate::domain::ids::{Origin, SessionState};

/// At most this many rooms per session (Talk's own configure stays at 20).
pub const MAX_SESSION_ROOMS: usize = 100;
/// Longest duration: ten years, in milliseconds.
pub const MAX_DURATION_MS: i64 = 315_360_000_000;
/// The name under which a Talk-made round is listed.
pub const TALK_SESSION_NAME: &str = "Breakout rooms";
pub const MAX_NAME_CHARS: usize = 255;

/// Upstream's actor for actions without a user (background jobs, command line).
pub fn server_actor() -> Actor {
    Actor::server()
}

// --- input rules ----------------------------------------------------------------------------

/// Trims and checks a name: 1–255 characters, no control characters.
pub fn validate_name(field: &str, raw: &str) -> Result<String> {
    let name = raw.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(Refusal::invalid_input(format!(
            "{field} must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Refusal::invalid_input(format!(
            "{field} must not contain control characters"
        )));
    }
    Ok(name.to_owned())
}

pub fn validate_duration(duration: i64) -> Result<i64> {
    if (0..=MAX_DURATION_MS).contains(&duration) {
        Ok(duration)
    } else {
        Err(Refusal::invalid_input(format!(
            "duration must be between 0 and {MAX_DURATION_MS}"
        )))
    }
}

pub fn validate_capacity(capacity: i64) -> Result<i32> {
    match i32::try_from(capacity) {
        Ok(capacity) if capacity >= 1 => Ok(capacity),
        _ => Err(Refusal::invalid_input("capacity must be a positive integer")),
    }
}

/// `"{prefix} N"` with the smallest positive N that no name in `taken` uses.
pub fn default_name<'a>(prefix: &str, taken: impl IntoIterator<Item = &'a str>) -> String {
    let used: std::collections::HashSet<u64> = taken
        .into_iter()
        .filter_map(|name| name.trim().strip_prefix(prefix)?.strip_prefix(' ')?.parse().ok())
        .collect();
    let n = (1u64..).find(|n| !used.contains(n)).unwrap_or(1);
    format!("{prefix} {n}")
}

/// What #1 and #3 may set. `None`: not given.
#[derive(Debug, Clone, Default)]
pub struct SessionInput {
    pub name: Option<String>,
    pub duration: Option<i64>,
    /// How people reach their rooms when the session starts (extension, horn.md §6): manual (the
    /// plan), automatic (a balanced draw at start) or free (they choose with Talk's switch).
    /// Never `NotConfigured`.
    pub mode: Option<BreakoutRoomMode>,
}

/// A change of an optional value: keep, clear (`null`), or set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

/// What #5 and #7 may set.
#[derive(Debug, Clone, Default)]
pub struct RoomInput {
    pub name: Option<String>,
    pub capacity: Patch<i32>,
}

/// Paging of lists (#2).
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

// --- views ----------------------------------------------------------------------------------

/// A user in a breakout room: the parent attendee id and the user as known there.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub attendee_id: AttendeeId,
    pub actor_id: String,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct RoomView {
    pub row: SessionRoomRow,
    /// The live Talk name while the session runs, else the stored one.
    pub name: String,
    pub participant_count: usize,
}

#[derive(Debug, Clone)]
pub struct SessionView {
    pub row: SessionRow,
    pub channel: String,
    /// The caller's own room in this session, if any.
    pub my_room: Option<RoomView>,
}

fn is_talk_made(row: &SessionRow) -> bool {
    row.origin == Origin::Talk
}

fn is_moderator_type(t: ParticipantType) -> bool {
    t.has_moderator_permissions_without_guests()
}

/// The parent's user attendees, indexed both ways.
#[derive(Default)]
struct ParentUsers {
    by_id: HashMap<AttendeeId, Attendee>,
    by_actor: HashMap<String, AttendeeId>,
}

impl ParentUsers {
    fn load(conn: &mut Conn<'_>, parent_id: RoomId) -> Result<ParentUsers> {
        let users: Vec<Attendee> = store::attendees::list(conn, parent_id)?
            .into_iter()
            .filter(|a| a.actor_type == actor::USERS)
            .collect();
        let by_actor = users.iter().map(|a| (a.actor_id.clone(), a.id)).collect();
        let by_id = users.into_iter().map(|a| (a.id, a)).collect();
        Ok(ParentUsers { by_id, by_actor })
    }

    fn member(&self, attendee_id: AttendeeId) -> Option<Member> {
        self.by_id.get(&attendee_id).map(|a| Member {
            attendee_id: a.id,
            actor_id: a.actor_id.clone(),
            display_name: a.display_name.clone(),
        })
    }
}

/// Whether a room is read live from Talk (the session runs, or is a Talk configuration).
fn live_token<'a>(session: &SessionRow, room: &'a SessionRoomRow) -> Option<&'a str> {
    if session.state == SessionState::Completed {
        None
    } else {
        room.room_token.as_deref()
    }
}

/// The parent's users among a live Talk room's attendees (moderators never listed).
fn live_members(users: &ParentUsers, attendees: &[Attendee]) -> Vec<Member> {
    attendees
        .iter()
        .filter(|a| a.actor_type == actor::USERS && !is_moderator_type(a.participant_type))
        .filter_map(|a| users.by_actor.get(&a.actor_id).and_then(|id| users.member(*id)))
        .collect()
}

/// The users of a session room (moderators never listed), by attendee id, with its name.
fn room_members(
    conn: &mut Conn<'_>,
    users: &ParentUsers,
    session: &SessionRow,
    room: &SessionRoomRow,
) -> Result<(String, Vec<Member>)> {
    let mut members: Vec<Member> = Vec::new();
    let mut name = room.name.clone();
    if let Some(token) = live_token(session, room) {
        if let Some(talk) = store::rooms::find_by_token(conn, token)? {
            name = talk.name.clone();
            members = live_members(users, &store::attendees::list(conn, talk.id)?);
        }
    } else if session.state == SessionState::Completed {
        members = store::breakout_sessions::room_assignments(conn, room.id)?
            .into_iter()
            .map(|r| Member {
                attendee_id: r.attendee_id,
                actor_id: r.actor_id,
                display_name: r.display_name,
            })
            .collect();
    } else {
        // A plan: only users who are still non-moderator participants count.
        for r in store::breakout_sessions::room_assignments(conn, room.id)? {
            if let Some(a) = users.by_id.get(&r.attendee_id) {
                if !is_moderator_type(a.participant_type) {
                    members.extend(users.member(a.id));
                }
            }
        }
    }
    members.sort_by_key(|m| m.attendee_id);
    Ok((name, members))
}

fn room_view(conn: &mut Conn<'_>, users: &ParentUsers, session: &SessionRow, row: SessionRoomRow) -> Result<RoomView> {
    let (name, members) = room_members(conn, users, session, &row)?;
    Ok(RoomView {
        row,
        name,
        participant_count: members.len(),
    })
}

/// Whether `me` can have a room of their own in `session`: a moderator has none while the
/// round is planned or runs (Talk seats moderators in no breakout room), only in a finished
/// round's history.
fn may_have_room(me: &Attendee, session: &SessionRow) -> bool {
    !is_moderator_type(me.participant_type) || session.state == SessionState::Completed
}

/// The caller's room in a session: assigned (plan or history) or, while it runs, the Talk room
/// they sit in as a non-moderator.
fn my_room(
    conn: &mut Conn<'_>,
    users: &ParentUsers,
    session: &SessionRow,
    me: Option<&Attendee>,
) -> Result<Option<RoomView>> {
    let Some(me) = me.filter(|me| may_have_room(me, session)) else {
        return Ok(None);
    };
    let rooms = store::breakout_sessions::rooms(conn, session.id)?;
    let live = rooms.iter().any(|r| live_token(session, r).is_some());
    let found = if live {
        let mut found = None;
        for room in &rooms {
            let Some(token) = live_token(session, room) else {
                continue;
            };
            let Some(talk) = store::rooms::find_by_token(conn, token)? else {
                continue;
            };
            if store::attendees::find(conn, talk.id, actor::USERS, &me.actor_id)?
                .is_some_and(|a| !is_moderator_type(a.participant_type))
            {
                found = Some(room.clone());
                break;
            }
        }
        found
    } else {
        match store::breakout_sessions::assignment_of(conn, session.id, me.id)? {
            Some(a) => rooms.into_iter().find(|r| r.id == a.session_room_id),
            None => None,
        }
    };
    match found {
        Some(row) => Ok(Some(room_view(conn, users, session, row)?)),
        None => Ok(None),
    }
}

fn session_view(conn: &mut Conn<'_>, ch: &Channel, users: &ParentUsers, row: SessionRow) -> Result<SessionView> {
    let my_room = my_room(conn, users, &row, ch.me.as_ref())?;
    Ok(SessionView {
        row,
        channel: ch.room.token.to_string(),
        my_room,
    })
}

fn reload_view(conn: &mut Conn<'_>, ch: &Channel, session_id: i64) -> Result<SessionView> {
    let row = store::breakout_sessions::find(conn, ch.room.id, session_id)?.ok_or(Refusal::SessionNotFound)?;
    // The parent's users serve only the caller's own room: a moderator who starts or stops a
    // round has none, and reading a thousand attendees for nothing was a tenth of a start.
    let users = match &ch.me {
        Some(me) if may_have_room(me, &row) => ParentUsers::load(conn, ch.room.id)?,
        _ => ParentUsers::default(),
    };
    session_view(conn, ch, &users, row)
}

fn parse_id(raw: &str) -> Option<i64> {
    if raw.is_empty() || raw.len() > 18 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

fn find_session(conn: &mut Conn<'_>, ch: &Channel, id: &str) -> Result<SessionRow> {
    let id = parse_id(id).ok_or(Refusal::SessionNotFound)?;
    store::breakout_sessions::find(conn, ch.room.id, id)?.ok_or(Refusal::SessionNotFound)
}

fn find_room(conn: &mut Conn<'_>, session: &SessionRow, id: &str) -> Result<SessionRoomRow> {
    let id = parse_id(id).ok_or(Refusal::SessionRoomNotFound)?;
    store::breakout_sessions::find_room(conn, session.id, id)?.ok_or(Refusal::SessionRoomNotFound)
}

/// A user participant of the channel by attendee id.
pub(crate) fn find_user(conn: &mut Conn<'_>, ch: &Channel, id: &str) -> Result<Attendee> {
    let id = parse_id(id).ok_or(Refusal::AttendeeNotFound)?;
    store::attendees::find_by_id(conn, ch.room.id, AttendeeId(id))?
        .filter(|a| a.actor_type == actor::USERS)
        .ok_or(Refusal::AttendeeNotFound)
}

fn can_host(room: &Room) -> bool {
    room.room_type == RoomType::Group && room.object_type != store::rooms::BREAKOUT_OBJECT_TYPE
}

fn active_session(conn: &mut Conn<'_>, parent_id: RoomId) -> Result<Option<SessionRow>> {
    Ok(
        store::breakout_sessions::in_state(conn, parent_id, SessionState::Active)?
            .into_iter()
            .next(),
    )
}

// --- completion -----------------------------------------------------------------------------

/// The participant types never listed in a room: its moderators (owners and moderators, as
/// they go into every room).
fn moderator_types() -> Vec<ParticipantType> {
    ParticipantType::ALL
        .iter()
        .copied()
        .filter(|t| is_moderator_type(*t))
        .collect()
}

/// Freezes an active session as history: its rooms' names and final assignment (read from the
/// Talk rooms), `ended`, and queues its `breakout.session.completed` event. The Talk rooms
/// themselves are left to the caller (stop or remove).
///
/// The assignment is what [`room_members`] shows of the running session, one room per attendee
/// (a Talk user can sit in two rooms only by direct adds; the first room in creation order keeps
/// them). It is read with two plain selects, the session's seats and the parent's users
/// (matched here by actor id, see [`store::breakout_sessions::talk_seats`] for why), and written
/// in bulk.
fn complete(
    conn: &mut Conn<'_>,
    parent_id: RoomId,
    session: &SessionRow,
    ended_at: i64,
    reason: CompletionReason,
) -> Result<()> {
    let rooms = store::breakout_sessions::rooms_with_talk_names(conn, session.id)?;
    // A Talk room renamed while the round ran keeps its new name in history.
    for (room, talk_name) in &rooms {
        if let Some(name) = talk_name.as_ref().filter(|name| **name != room.name) {
            store::breakout_sessions::set_room_name(conn, room.id, name)?;
        }
    }
    let users = ParentUsers::load(conn, parent_id)?;
    let row = |session_room_id: i64, m: Member| AssignmentRow {
        session_id: session.id,
        session_room_id,
        attendee_id: m.attendee_id,
        actor_id: m.actor_id,
        display_name: m.display_name,
    };
    let mut candidates: Vec<AssignmentRow> = Vec::new();
    for (session_room_id, actor_id) in store::breakout_sessions::talk_seats(conn, session.id, &moderator_types())? {
        if let Some(member) = users.by_actor.get(&actor_id).and_then(|id| users.member(*id)) {
            candidates.push(row(session_room_id, member));
        }
    }
    // A room without a Talk room of its own (no start gives one, but the rule covers it): its
    // planned people count, as `room_members` shows them, merged by room order with the Talk
    // rooms' people.
    for (room, _) in rooms.iter().filter(|(room, _)| live_token(session, room).is_none()) {
        let (_, members) = room_members(conn, &users, session, room)?;
        candidates.extend(members.into_iter().map(|m| row(room.id, m)));
    }
    candidates.sort_by_key(|row| (row.session_room_id, row.attendee_id));
    let mut seen = std::collections::HashSet::new();
    candidates.retain(|row| seen.insert(row.attendee_id));
    store::breakout_sessions::delete_assignments(conn, session.id)?;
    store::breakout_sessions::insert_assignments(conn, &candidates)?;
    store::breakout_sessions::set_completed(conn, session.id, ended_at)?;
    // The deadline job exists exactly while the session has a deadline (every change writes
    // both in one transaction): without a deadline there is nothing to cancel.
    if session.deadline.is_some() {
        schedule_deadline(conn, session.id, None, ended_at)?;
    }
    webhooks::queue(conn, parent_id, session.id, Event::SessionCompleted(reason), ended_at)?;
    Ok(())
}

/// A session became active at `now_ms`: its `breakout.session.started` event.
fn started(conn: &mut Conn<'_>, parent_id: RoomId, session_id: i64, now_ms: i64) -> Result<()> {
    webhooks::queue(conn, parent_id, session_id, Event::SessionStarted, now_ms)?;
    Ok(())
}

/// Keeps the deadline job in step with a session's deadline, in the transaction that sets it:
/// a deadline schedules (or moves) the job, none cancels it.
fn schedule_deadline(conn: &mut Conn<'_>, session_id: i64, deadline: Option<i64>, now_ms: i64) -> Result<()> {
    let key = session_id.to_string();
    match deadline {
        Some(at) => schedule::at(conn, JobKind::RoundDeadline, &key, at, now_ms)?,
        None => schedule::cancel(conn, JobKind::RoundDeadline, &key)?,
    }
    Ok(())
}

/// Completes `session` (ended = its deadline) and runs Talk's stop as the server. The parent
/// must be locked.
fn expire_locked(conn: &mut WriteTx<'_, '_>, parent: &Room, session: &SessionRow, now_ms: i64) -> Result<()> {
    let ended = session.deadline.unwrap_or(now_ms);
    complete(conn, parent.id, session, ended, CompletionReason::Expired)?;
    if parent.breakout_room_mode != BreakoutRoomMode::NotConfigured {
        crate::domain::breakout::stop_rooms(conn, parent.id, &server_actor(), now_ms)?;
    }
    Ok(())
}

/// A write that finds the active session past its deadline ends it first, as the deadline job
/// would have: the outcome does not depend on whether the job ran before the request.
fn settle_expired(conn: &mut WriteTx<'_, '_>, parent: &Room, now_ms: i64) -> Result<()> {
    if let Some(active) = active_session(conn, parent.id)? {
        if active.deadline.is_some_and(|d| d <= now_ms) {
            expire_locked(conn, parent, &active, now_ms)?;
        }
    }
    Ok(())
}

/// The deadline job (`JobKind::RoundDeadline`): ends session `id` if it is still active and its
/// deadline has passed.
/// Returns whether it ended it. Safe to run any number of times.
pub fn expire(conn: &mut WriteTx<'_, '_>, id: i64, now_ms: i64) -> Result<bool> {
    let Some(session) = store::breakout_sessions::find_by_id(conn, id)? else {
        return Ok(false);
    };
    let Ok(parent) = lock_and_reload(conn, session.parent_id) else {
        return Ok(false);
    };
    // Read again under the lock: a stop or an update may have won the race.
    let Some(session) = store::breakout_sessions::find_by_id(conn, id)? else {
        return Ok(false);
    };
    if session.state != SessionState::Active || session.deadline.is_none_or(|d| d > now_ms) {
        return Ok(false);
    }
    // [`expire_locked`] without what the job does not need: `parent` is locked and current
    // (completing changes no room), and nobody reads the rooms back. Many deadlines can fall
    // in the same second, so every statement saved here counts.
    complete(
        conn,
        parent.id,
        &session,
        session.deadline.unwrap_or(now_ms),
        CompletionReason::Expired,
    )?;
    if parent.breakout_room_mode != BreakoutRoomMode::NotConfigured {
        crate::domain::breakout::close_rooms_locked(conn, &parent, &server_actor(), now_ms)?;
    }
    Ok(true)
}

// --- hooks from the Talk face ---------------------------------------------------------------

fn talk_rooms_rows(session_id: i64, rooms: &[Room]) -> Vec<NewSessionRoom> {
    rooms
        .iter()
        .map(|r| NewSessionRoom {
            session_id,
            name: r.name.clone(),
            capacity: None,
            room_token: Some(r.token.to_string()),
        })
        .collect()
}

/// Talk's configure made breakout rooms: they are listed as a pending Talk-made session.
pub fn on_talk_configured(conn: &mut Conn<'_>, parent: &Room, mode: BreakoutRoomMode, now_ms: i64) -> Result<()> {
    let rooms = store::rooms::breakout_rooms_of(conn, &parent.token)?;
    let session = store::breakout_sessions::insert(
        conn,
        &NewSession {
            parent_id: parent.id,
            name: TALK_SESSION_NAME.to_owned(),
            duration: 0,
            state: SessionState::Pending,
            origin: Origin::Talk,
            mode,
            created_at: now_ms,
            started_at: None,
        },
    )?;
    store::breakout_sessions::insert_rooms(conn, &talk_rooms_rows(session.id, &rooms))?;
    Ok(())
}

/// Talk's start: the pending Talk configuration becomes active; a restart after a stop opens a
/// new active session on the same rooms. A start while a round runs changes nothing.
pub fn on_talk_started(conn: &mut Conn<'_>, parent: &Room, now_ms: i64) -> Result<()> {
    if active_session(conn, parent.id)?.is_some() {
        return Ok(());
    }
    let pending_talk = store::breakout_sessions::in_state(conn, parent.id, SessionState::Pending)?
        .into_iter()
        .find(is_talk_made);
    let session_id = match pending_talk {
        Some(session) => {
            store::breakout_sessions::set_started(conn, session.id, now_ms, None)?;
            session.id
        }
        None => {
            let rooms = store::rooms::breakout_rooms_of(conn, &parent.token)?;
            let session = store::breakout_sessions::insert(
                conn,
                &NewSession {
                    parent_id: parent.id,
                    name: TALK_SESSION_NAME.to_owned(),
                    duration: 0,
                    state: SessionState::Active,
                    origin: Origin::Talk,
                    mode: parent.breakout_room_mode,
                    created_at: now_ms,
                    started_at: Some(now_ms),
                },
            )?;
            store::breakout_sessions::insert_rooms(conn, &talk_rooms_rows(session.id, &rooms))?;
            session.id
        }
    };
    started(conn, parent.id, session_id, now_ms)?;
    Ok(())
}

/// Talk's stop completes the running session.
pub fn on_talk_stopped(conn: &mut Conn<'_>, parent: &Room, now_ms: i64) -> Result<()> {
    complete_running(conn, parent, now_ms, CompletionReason::Stopped)
}

fn complete_running(conn: &mut Conn<'_>, parent: &Room, now_ms: i64, reason: CompletionReason) -> Result<()> {
    if let Some(active) = active_session(conn, parent.id)? {
        complete(conn, parent.id, &active, now_ms, reason)?;
    }
    Ok(())
}

/// Talk's remove (before the rooms go): the running session completes into history; a Talk
/// configuration that never started disappears with its rooms.
pub fn on_talk_removed(conn: &mut Conn<'_>, parent: &Room, now_ms: i64) -> Result<()> {
    complete_running(conn, parent, now_ms, CompletionReason::Removed)?;
    for pending in store::breakout_sessions::in_state(conn, parent.id, SessionState::Pending)? {
        if is_talk_made(&pending) {
            store::breakout_sessions::delete(conn, pending.id)?;
        }
    }
    Ok(())
}

/// One more Talk breakout room (`POST /room` with `objectType=room`) joins the round that owns
/// the parent's rooms.
pub fn on_talk_room_added(conn: &mut Conn<'_>, parent: &Room, room: &Room) -> Result<()> {
    let owner = match active_session(conn, parent.id)? {
        Some(s) => Some(s),
        None => store::breakout_sessions::in_state(conn, parent.id, SessionState::Pending)?
            .into_iter()
            .find(is_talk_made),
    };
    if let Some(session) = owner {
        store::breakout_sessions::insert_rooms(conn, &talk_rooms_rows(session.id, std::slice::from_ref(room)))?;
    }
    Ok(())
}

/// A participant of Talk breakout room `room` asked for assistance (`requested`) or withdrew the
/// request: the event names the running session and its room.
pub fn on_talk_assistance(conn: &mut Conn<'_>, room: &Room, requested: bool, now_ms: i64) -> Result<()> {
    let Some(parent) = store::rooms::find_by_token(conn, &room.object_id)? else {
        return Ok(());
    };
    let Some(session) = active_session(conn, parent.id)? else {
        return Ok(());
    };
    let rooms = store::breakout_sessions::rooms(conn, session.id)?;
    let Some(session_room) = rooms
        .iter()
        .find(|r| r.room_token.as_deref() == Some(room.token.as_str()))
    else {
        return Ok(());
    };
    let event = if requested {
        Event::AssistanceRequested { room: session_room.id }
    } else {
        Event::AssistanceReset { room: session_room.id }
    };
    webhooks::queue(conn, parent.id, session.id, event, now_ms)?;
    Ok(())
}

/// The capacity of the running session's room that is Talk breakout room `token`, if it has one
/// (extension, horn.md §6: Talk's free-mode switch honours it).
pub fn running_capacity(conn: &mut Conn<'_>, parent: &Room, token: &RoomToken) -> Result<Option<usize>> {
    let Some(session) = active_session(conn, parent.id)? else {
        return Ok(None);
    };
    Ok(store::breakout_sessions::rooms(conn, session.id)?
        .into_iter()
        .find(|r| r.room_token.as_deref() == Some(token.as_str()))
        .and_then(|r| r.capacity)
        .map(|c| usize::try_from(c).unwrap_or(0)))
}

// --- operations (each inside the caller's transaction) --------------------------------------

/// #1 `POST /breakout/sessions`.
pub fn create_session(
    conn: &mut Conn<'_>,
    ch: &Manager<'_>,
    input: Result<SessionInput>,
    now_ms: i64,
) -> Result<SessionView> {
    let input = input?;
    if !can_host(&ch.room) {
        return Err(Refusal::CannotHaveBreakoutRooms);
    }
    let name = match input.name {
        Some(name) => name,
        None => {
            let names = store::breakout_sessions::names(conn, ch.room.id)?;
            default_name("Breakout session", names.iter().map(String::as_str))
        }
    };
    let row = store::breakout_sessions::insert(
        conn,
        &NewSession {
            parent_id: ch.room.id,
            name,
            duration: input.duration.unwrap_or(0),
            state: SessionState::Pending,
            origin: Origin::Horn,
            mode: input.mode.unwrap_or(BreakoutRoomMode::Manual),
            created_at: now_ms,
            started_at: None,
        },
    )?;
    let users = ParentUsers::load(conn, ch.room.id)?;
    session_view(conn, ch, &users, row)
}

/// #2 `GET /breakout/sessions`.
pub fn list_sessions(
    conn: &mut Conn<'_>,
    ch: &Channel,
    paging: Result<Paging>,
    completed_only: bool,
) -> Result<Vec<SessionView>> {
    let paging = paging?;
    let rows = store::breakout_sessions::page(conn, ch.room.id, completed_only, paging.limit, paging.offset)?;
    let users = ParentUsers::load(conn, ch.room.id)?;
    rows.into_iter()
        .map(|row| session_view(conn, ch, &users, row))
        .collect()
}

/// #17 `GET /linked/users`: every user participant of the conversation, in attendee order so
/// that pages do not overlap.
pub fn linked_users(conn: &mut Conn<'_>, ch: &Manager<'_>, paging: Result<Paging>) -> Result<Vec<Member>> {
    let paging = paging?;
    let users = ParentUsers::load(conn, ch.room.id)?;
    let mut ids: Vec<AttendeeId> = users.by_id.keys().copied().collect();
    ids.sort_by_key(|id| id.0);
    Ok(ids
        .into_iter()
        .skip(usize::try_from(paging.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.limit).unwrap_or(0))
        .filter_map(|id| users.member(id))
        .collect())
}

/// #3 `POST /breakout/sessions/{bs}`.
pub fn update_session(
    conn: &mut WriteTx<'_, '_>,
    ch: &Manager<'_>,
    id: &str,
    input: Result<SessionInput>,
    now_ms: i64,
) -> Result<SessionView> {
    let session = find_session(conn, ch, id)?;
    let input = input?;
    settle_expired(conn, &ch.room, now_ms)?;
    let session = store::breakout_sessions::find(conn, ch.room.id, session.id)?.ok_or(Refusal::SessionNotFound)?;
    match session.state {
        SessionState::Completed => return Err(Refusal::SessionCompleted),
        SessionState::Active => {
            if input.name.is_some() || input.mode.is_some() {
                return Err(Refusal::SessionActive);
            }
            if let Some(duration) = input.duration {
                let started = session.started_at.unwrap_or(now_ms);
                let deadline = (duration > 0).then(|| started.saturating_add(duration));
                store::breakout_sessions::set_timing(conn, session.id, duration, deadline)?;
                schedule_deadline(conn, session.id, deadline, now_ms)?;
                if deadline.is_some_and(|d| d <= now_ms) {
                    let moved =
                        store::breakout_sessions::find_by_id(conn, session.id)?.ok_or(Refusal::SessionNotFound)?;
                    expire_locked(conn, &ch.room, &moved, now_ms)?;
                }
            }
        }
        SessionState::Pending => {
            if is_talk_made(&session) && input.name.is_some() {
                return Err(Refusal::TalkMadeSession { field: Some("name") });
            }
            if is_talk_made(&session) && input.mode.is_some() {
                return Err(Refusal::TalkMadeSession { field: Some("mode") });
            }
            if let Some(name) = &input.name {
                store::breakout_sessions::set_name(conn, session.id, name)?;
            }
            if let Some(mode) = input.mode {
                store::breakout_sessions::set_mode(conn, session.id, mode)?;
            }
            if let Some(duration) = input.duration {
                store::breakout_sessions::set_timing(conn, session.id, duration, None)?;
            }
        }
    }
    reload_view(conn, ch, session.id)
}

/// #4 `DELETE /breakout/sessions/{bs}`.
pub fn delete_session(conn: &mut WriteTx<'_, '_>, ch: &Manager<'_>, id: &str, now_ms: i64) -> Result<()> {
    let session = find_session(conn, ch, id)?;
    settle_expired(conn, &ch.room, now_ms)?;
    let session = store::breakout_sessions::find(conn, ch.room.id, session.id)?.ok_or(Refusal::SessionNotFound)?;
    match session.state {
        SessionState::Active => Err(Refusal::SessionActive),
        SessionState::Pending if is_talk_made(&session) => {
            // The plan is the Talk configuration itself: deleting it removes the rooms, with
            // Talk's own cascade (the hook drops the session row).
            crate::domain::breakout::remove_rooms(conn, ch.room.id, now_ms)?;
            store::breakout_sessions::delete(conn, session.id)?;
            Ok(())
        }
        _ => {
            store::breakout_sessions::delete(conn, session.id)?;
            Ok(())
        }
    }
}

fn require_horn_plan(session: &SessionRow) -> Result<()> {
    match session.state {
        SessionState::Active => Err(Refusal::SessionActive),
        SessionState::Completed => Err(Refusal::SessionCompleted),
        SessionState::Pending if is_talk_made(session) => Err(Refusal::TalkMadeSession { field: None }),
        SessionState::Pending => Ok(()),
    }
}

/// #5 `POST /breakout/sessions/{bs}/rooms`.
pub fn add_room(conn: &mut Conn<'_>, ch: &Manager<'_>, id: &str, input: Result<RoomInput>) -> Result<RoomView> {
    let session = find_session(conn, ch, id)?;
    let input = input?;
    require_horn_plan(&session)?;
    let rooms = store::breakout_sessions::rooms(conn, session.id)?;
    if rooms.len() >= MAX_SESSION_ROOMS {
        return Err(Refusal::TooManySessionRooms);
    }
    let name = match input.name {
        Some(name) => name,
        None => default_name("Room", rooms.iter().map(|r| r.name.as_str())),
    };
    let capacity = match input.capacity {
        Patch::Set(c) => Some(c),
        _ => None,
    };
    let row = store::breakout_sessions::insert_room(
        conn,
        &NewSessionRoom {
            session_id: session.id,
            name,
            capacity,
            room_token: None,
        },
    )?;
    Ok(RoomView {
        name: row.name.clone(),
        row,
        participant_count: 0,
    })
}

/// #6 `GET /breakout/sessions/{bs}/rooms`.
pub fn list_rooms(conn: &mut Conn<'_>, ch: &Channel, id: &str) -> Result<Vec<RoomView>> {
    let session = find_session(conn, ch, id)?;
    let users = ParentUsers::load(conn, ch.room.id)?;
    store::breakout_sessions::rooms(conn, session.id)?
        .into_iter()
        .map(|row| room_view(conn, &users, &session, row))
        .collect()
}

/// #7 `POST /breakout/sessions/{bs}/rooms/{br}`: rename (and capacity).
pub fn update_room(
    conn: &mut WriteTx<'_, '_>,
    ch: &Manager<'_>,
    id: &str,
    room_id: &str,
    input: Result<RoomInput>,
    now_ms: i64,
) -> Result<()> {
    let session = find_session(conn, ch, id)?;
    let room = find_room(conn, &session, room_id)?;
    let input = input?;
    let Some(name) = input.name else {
        return Err(Refusal::invalid_input("name is required"));
    };
    match session.state {
        SessionState::Completed => return Err(Refusal::SessionCompleted),
        _ if is_talk_made(&session) => return Err(Refusal::TalkMadeSession { field: None }),
        SessionState::Active => {
            if let Some(token) = live_token(&session, &room) {
                if let Some(talk) = store::rooms::find_by_token(conn, token)? {
                    crate::domain::conversation::rename_room(conn, talk.id, &ch.actor(), &name, now_ms / 1000)?;
                }
            }
        }
        SessionState::Pending => {}
    }
    let capacity = match input.capacity {
        Patch::Keep => room.capacity,
        Patch::Clear => None,
        Patch::Set(c) => Some(c),
    };
    store::breakout_sessions::update_room(conn, room.id, &name, capacity)?;
    Ok(())
}

/// #8 `DELETE /breakout/sessions/{bs}/rooms/{br}`.
pub fn delete_room(conn: &mut Conn<'_>, ch: &Manager<'_>, id: &str, room_id: &str) -> Result<()> {
    let session = find_session(conn, ch, id)?;
    let room = find_room(conn, &session, room_id)?;
    require_horn_plan(&session)?;
    store::breakout_sessions::delete_room(conn, room.id)?;
    Ok(())
}

/// #9 `GET /breakout/sessions/{bs}/rooms/{br}/participants`.
pub fn participants(conn: &mut Conn<'_>, ch: &Manager<'_>, id: &str, room_id: &str) -> Result<Vec<Member>> {
    let session = find_session(conn, ch, id)?;
    let room = find_room(conn, &session, room_id)?;
    let users = ParentUsers::load(conn, ch.room.id)?;
    Ok(room_members(conn, &users, &session, &room)?.1)
}

/// #10 `POST /breakout/sessions/{bs}/rooms/{br}/participants/{userId}`.
pub fn assign(conn: &mut Conn<'_>, ch: &Manager<'_>, id: &str, room_id: &str, user: &str) -> Result<()> {
    let session = find_session(conn, ch, id)?;
    let room = find_room(conn, &session, room_id)?;
    let user = find_user(conn, ch, user)?;
    if is_moderator_type(user.participant_type) {
        return Err(Refusal::ModeratorCannotMove);
    }
    require_horn_plan(&session)?;
    if let Some(existing) = store::breakout_sessions::assignment_of(conn, session.id, user.id)? {
        if existing.session_room_id == room.id {
            return Ok(());
        }
        return Err(Refusal::AlreadyAssigned);
    }
    if let Some(capacity) = room.capacity {
        let users = ParentUsers::load(conn, ch.room.id)?;
        let (_, members) = room_members(conn, &users, &session, &room)?;
        if members.len() >= capacity as usize {
            return Err(Refusal::BreakoutRoomFull);
        }
    }
    store::breakout_sessions::insert_assignments(
        conn,
        &[AssignmentRow {
            session_id: session.id,
            session_room_id: room.id,
            attendee_id: user.id,
            actor_id: user.actor_id.clone(),
            display_name: user.display_name.clone(),
        }],
    )?;
    Ok(())
}

/// How `assign` draws the assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Random, with the most even sizes within capacities.
    Balanced,
    /// Balanced, with as few pairs as possible who shared a room in completed rounds.
    Rotate,
}

/// What `assign` asks for.
#[derive(Debug, Clone, Copy)]
pub struct AssignInput {
    pub strategy: Strategy,
    /// Rooms to create, for a session that has none yet.
    pub rooms: Option<i64>,
}

/// A session room with the users assigned to it (the answer of `assign`).
#[derive(Debug, Clone)]
pub struct RoomWithMembers {
    pub room: RoomView,
    pub members: Vec<Member>,
}

/// The conversation's non-moderator user participants (ordinary and channel-linked), in
/// attendee order: the people an assignment places.
fn assignable(users: &ParentUsers) -> Vec<Attendee> {
    let mut people: Vec<Attendee> = users
        .by_id
        .values()
        .filter(|a| !is_moderator_type(a.participant_type))
        .cloned()
        .collect();
    people.sort_by_key(|a| a.id);
    people
}

/// Who shared a room in this conversation's completed rounds (`rows`: room id and account, as
/// `completed_assignments` reads them), in the numbering of `people` (matched by account, so a
/// user who left and came back keeps their history).
fn mixing_history(rows: &[(i64, String)], people: &[(AttendeeId, String)]) -> mixing::History {
    let index: HashMap<&str, usize> = people
        .iter()
        .enumerate()
        .map(|(i, (_, actor))| (actor.as_str(), i))
        .collect();
    let mut history = mixing::History::new(people.len());
    // Rows come ordered by room: each run of one room id is one room of one round.
    for room in rows.chunk_by(|a, b| a.0 == b.0) {
        let members: Vec<usize> = room
            .iter()
            .filter_map(|(_, actor)| index.get(actor.as_str()).copied())
            .collect();
        history.add_round(&[members]);
    }
    history
}

fn capacities_of(rooms: &[SessionRoomRow]) -> Vec<Option<usize>> {
    rooms
        .iter()
        .map(|r| r.capacity.map(|c| usize::try_from(c).unwrap_or(0)))
        .collect()
}

/// Everything an `assign` draw depends on, read in one snapshot. Two equal bases give draws of
/// the same quality, so a draw computed from one snapshot may be written under the lock if the
/// basis read there is equal.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignBasis {
    session_id: i64,
    /// The session's rooms (id, capacity) in order; empty when `rooms` creates them.
    rooms: Vec<(i64, Option<i32>)>,
    /// The people placed, in attendee order (attendee id, account).
    people: Vec<(AttendeeId, String)>,
    /// `rotate` only: the completed rounds' assignments (room id, account).
    history: Vec<(i64, String)>,
}

/// A draw made outside the write lock, with what it was drawn from.
#[derive(Debug, Clone)]
pub struct AssignDraft {
    pub input: AssignInput,
    basis: AssignBasis,
    drawn: mixing::Assignment,
}

/// `assign`'s checks in their order, then what the draw depends on.
struct AssignPlan {
    input: AssignInput,
    session: SessionRow,
    rooms: Vec<SessionRoomRow>,
    users: ParentUsers,
    people: Vec<Attendee>,
    basis: AssignBasis,
}

fn plan_assignment(conn: &mut Conn<'_>, ch: &Manager<'_>, id: &str, input: Result<AssignInput>) -> Result<AssignPlan> {
    let session = find_session(conn, ch, id)?;
    let input = input?;
    require_horn_plan(&session)?;
    let rooms = store::breakout_sessions::rooms(conn, session.id)?;
    match (input.rooms, rooms.is_empty()) {
        (Some(_), false) => return Err(Refusal::invalid_input("rooms: the breakout session already has rooms")),
        (None, true) => {
            return Err(Refusal::invalid_input(
                "rooms is required: the breakout session has no rooms",
            ))
        }
        (Some(n), true) if n > MAX_SESSION_ROOMS as i64 => return Err(Refusal::TooManySessionRooms),
        (Some(_), true) | (None, false) => {}
    }
    let users = ParentUsers::load(conn, ch.room.id)?;
    let people = assignable(&users);
    let history = match input.strategy {
        Strategy::Rotate => store::breakout_sessions::completed_assignments(conn, ch.room.id)?,
        Strategy::Balanced => Vec::new(),
    };
    let basis = AssignBasis {
        session_id: session.id,
        rooms: rooms.iter().map(|r| (r.id, r.capacity)).collect(),
        people: people.iter().map(|a| (a.id, a.actor_id.clone())).collect(),
        history,
    };
    Ok(AssignPlan {
        input,
        session,
        rooms,
        users,
        people,
        basis,
    })
}

/// Draws an assignment for `plan` (more people than seats → `BreakoutRoomFull`). For `rotate` this is
/// the search, bounded at about 150 ms (`mixing::Budget::request`).
fn draw(plan: &AssignPlan, rng: &mut impl rand::Rng) -> Result<mixing::Assignment> {
    let capacities = match plan.input.rooms {
        Some(n) => vec![None; usize::try_from(n).unwrap_or(0)],
        None => capacities_of(&plan.rooms),
    };
    let people = plan.people.len();
    let drawn = match plan.input.strategy {
        Strategy::Balanced => mixing::balanced(people, &capacities, rng),
        Strategy::Rotate => {
            let history = mixing_history(&plan.basis.history, &plan.basis.people);
            mixing::rotate(people, &capacities, &history, rng, mixing::Budget::request(people))
        }
    };
    drawn.map_err(|mixing::Overfull| Refusal::BreakoutRoomFull)
}

/// The first half of `assign` (extension, horn.md §6), in a read snapshot: every check in order,
/// then the draw. [`assign_all`] writes it under the lock if nothing it depends on changed.
pub fn draft_assignment(
    conn: &mut Conn<'_>,
    ch: &Manager<'_>,
    id: &str,
    input: Result<AssignInput>,
    rng: &mut impl rand::Rng,
) -> Result<AssignDraft> {
    let plan = plan_assignment(conn, ch, id, input)?;
    let drawn = draw(&plan, rng)?;
    Ok(AssignDraft {
        input: plan.input,
        basis: plan.basis,
        drawn,
    })
}

/// `POST /breakout/sessions/{bs}/assign` (extension, horn.md §6): replaces a pending session's
/// assignment with every current non-moderator user participant, drawn by `strategy`; creates
/// `rooms` rooms first for a session without rooms. Runs every check again on the locked
/// conversation. With a `draft`, writes its draw if the basis read now equals the draft's, and
/// answers `None` (nothing written) if it changed; without one, draws here.
pub fn assign_all(
    conn: &mut Conn<'_>,
    ch: &Manager<'_>,
    id: &str,
    input: Result<AssignInput>,
    draft: Option<AssignDraft>,
    rng: &mut impl rand::Rng,
) -> Result<Option<Vec<RoomWithMembers>>> {
    let plan = plan_assignment(conn, ch, id, input)?;
    let drawn = match draft {
        Some(draft) if draft.basis == plan.basis => draft.drawn,
        Some(_) => return Ok(None),
        None => draw(&plan, rng)?,
    };
    let AssignPlan {
        input,
        session,
        mut rooms,
        users,
        people,
        ..
    } = plan;
    if let Some(n) = input.rooms {
        let mut names: Vec<String> = Vec::new();
        for _ in 0..n {
            names.push(default_name("Room", names.iter().map(String::as_str)));
        }
        let new_rooms: Vec<NewSessionRoom> = names
            .into_iter()
            .map(|name| NewSessionRoom {
                session_id: session.id,
                name,
                capacity: None,
                room_token: None,
            })
            .collect();
        store::breakout_sessions::insert_rooms(conn, &new_rooms)?;
        rooms = store::breakout_sessions::rooms(conn, session.id)?;
    }
    let rows: Vec<AssignmentRow> = people
        .iter()
        .zip(&drawn)
        .map(|(a, &room)| AssignmentRow {
            session_id: session.id,
            session_room_id: rooms[room].id,
            attendee_id: a.id,
            actor_id: a.actor_id.clone(),
            display_name: a.display_name.clone(),
        })
        .collect();
    store::breakout_sessions::delete_assignments(conn, session.id)?;
    store::breakout_sessions::insert_assignments(conn, &rows)?;
    let mut answer: Vec<RoomWithMembers> = rooms
        .into_iter()
        .map(|row| RoomWithMembers {
            room: RoomView {
                name: row.name.clone(),
                row,
                participant_count: 0,
            },
            members: Vec::new(),
        })
        .collect();
    for (a, &room) in people.iter().zip(&drawn) {
        answer[room].members.extend(users.member(a.id));
    }
    for r in &mut answer {
        r.room.participant_count = r.members.len();
    }
    Ok(Some(answer))
}

/// #11 `DELETE /breakout/sessions/{bs}/rooms/{br}/participants/{userId}`.
pub fn unassign(conn: &mut Conn<'_>, ch: &Manager<'_>, id: &str, room_id: &str, user: &str) -> Result<()> {
    let session = find_session(conn, ch, id)?;
    let room = find_room(conn, &session, room_id)?;
    let user = find_user(conn, ch, user)?;
    require_horn_plan(&session)?;
    if store::breakout_sessions::assignment_of(conn, session.id, user.id)?.is_some_and(|a| a.session_room_id == room.id)
    {
        store::breakout_sessions::delete_assignment(conn, session.id, user.id)?;
    }
    Ok(())
}

/// Which session #12 starts.
#[derive(Debug, Clone, Default)]
pub struct StartInput {
    pub id: Option<String>,
}

/// #12 `POST /breakout/session/start`.
pub fn start(
    conn: &mut WriteTx<'_, '_>,
    ch: &Manager<'_>,
    input: Result<StartInput>,
    now_ms: i64,
) -> Result<SessionView> {
    let input = input?;
    settle_expired(conn, &ch.room, now_ms)?;
    let session = match &input.id {
        Some(id) => find_session(conn, ch, id)?,
        None => store::breakout_sessions::in_state(conn, ch.room.id, SessionState::Pending)?
            .into_iter()
            .next()
            .ok_or(Refusal::SessionNotFound)?,
    };
    if !can_host(&ch.room) {
        return Err(Refusal::CannotHaveBreakoutRooms);
    }
    // The server-wide app config (as Talk's configure reads it) and the conversation's switch.
    let server_wide = store::app_config::get(conn, "spreed", "breakout_rooms")?
        .as_deref()
        .unwrap_or("yes")
        == "yes";
    if !server_wide || !store::breakout_sessions::enabled(conn, ch.room.id)? {
        return Err(Refusal::BreakoutRoomsDisabled);
    }
    match session.state {
        SessionState::Completed => return Err(Refusal::SessionCompleted),
        SessionState::Active => return Err(Refusal::SessionActive),
        SessionState::Pending => {}
    }
    let parent = store::rooms::find_by_id(conn, ch.room.id)?.ok_or(Refusal::RoomNotFound)?;
    if active_session(conn, parent.id)?.is_some() || parent.breakout_room_status == BreakoutStatus::Started {
        return Err(Refusal::AnotherSessionActive);
    }
    let rooms = store::breakout_sessions::rooms(conn, session.id)?;
    if rooms.is_empty() {
        return Err(Refusal::NoSessionRooms);
    }
    let deadline = (session.duration > 0).then(|| now_ms.saturating_add(session.duration));
    let actor = ch.actor();
    let now_s = now_ms / 1000;
    if is_talk_made(&session) {
        // Talk's configuration is the plan: start it as it is.
        store::breakout_sessions::set_started(conn, session.id, now_ms, deadline)?;
        schedule_deadline(conn, session.id, deadline, now_ms)?;
        started(conn, ch.room.id, session.id, now_ms)?;
        crate::domain::breakout::start_rooms(conn, ch.room.id, &actor, now_ms)?;
        return reload_view(conn, ch, session.id);
    }
    // Talk rooms left configured (never started, or kept by a finished round) give way; the
    // sessions that used them keep their history.
    if parent.breakout_room_mode != BreakoutRoomMode::NotConfigured {
        crate::domain::breakout::remove_rooms(conn, parent.id, now_ms)?;
    }
    let parent = store::rooms::find_by_id(conn, parent.id)?.ok_or(Refusal::RoomNotFound)?;
    let placement = placement_at_start(conn, ch, &session, &rooms)?;
    let names: Vec<String> = rooms.iter().map(|r| r.name.clone()).collect();
    let talk_rooms = crate::domain::breakout::build_rooms(
        conn,
        &parent,
        &actor,
        &names,
        session.mode,
        |others| {
            others
                .into_iter()
                .filter_map(|a| placement.get(&a.id).map(|room| (*room, a)))
                .collect()
        },
        now_s,
    )?;
    let tokens: Vec<(i64, &str)> = rooms
        .iter()
        .zip(&talk_rooms)
        .map(|(row, talk)| (row.id, talk.token.as_str()))
        .collect();
    store::breakout_sessions::set_room_tokens(conn, &tokens)?;
    store::breakout_sessions::set_started(conn, session.id, now_ms, deadline)?;
    schedule_deadline(conn, session.id, deadline, now_ms)?;
    started(conn, ch.room.id, session.id, now_ms)?;
    crate::domain::breakout::start_rooms(conn, ch.room.id, &actor, now_ms)?;
    reload_view(conn, ch, session.id)
}

/// Where each non-moderator user goes when `session` starts, by the session's mode (extension,
/// horn.md §6): manual follows the plan; automatic draws a balanced assignment of the
/// conversation's current non-moderator users within the rooms' capacities (as Talk's automatic
/// mode draws at configure; more people than seats → `BreakoutRoomFull`), ignoring any plan; free places
/// nobody, participants choose with Talk's switch.
fn placement_at_start(
    conn: &mut Conn<'_>,
    ch: &Channel,
    session: &SessionRow,
    rooms: &[SessionRoomRow],
) -> Result<HashMap<AttendeeId, usize>> {
    match session.mode {
        BreakoutRoomMode::Automatic => {
            let users = ParentUsers::load(conn, ch.room.id)?;
            let people = assignable(&users);
            let drawn = mixing::balanced(people.len(), &capacities_of(rooms), &mut rand::thread_rng())
                .map_err(|mixing::Overfull| Refusal::BreakoutRoomFull)?;
            Ok(people.iter().zip(drawn).map(|(a, room)| (a.id, room)).collect())
        }
        BreakoutRoomMode::Free => Ok(HashMap::new()),
        BreakoutRoomMode::Manual | BreakoutRoomMode::NotConfigured => {
            let index: HashMap<i64, usize> = rooms.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
            Ok(store::breakout_sessions::assignments(conn, session.id)?
                .iter()
                .filter_map(|a| index.get(&a.session_room_id).map(|i| (a.attendee_id, *i)))
                .collect())
        }
    }
}

/// #13 `POST /breakout/session/stop`.
pub fn stop(conn: &mut WriteTx<'_, '_>, ch: &Manager<'_>, now_ms: i64) -> Result<SessionView> {
    settle_expired(conn, &ch.room, now_ms)?;
    let Some(session) = active_session(conn, ch.room.id)? else {
        return Err(Refusal::NoActiveSession);
    };
    complete(conn, ch.room.id, &session, now_ms, CompletionReason::Stopped)?;
    let parent = store::rooms::find_by_id(conn, ch.room.id)?.ok_or(Refusal::RoomNotFound)?;
    if parent.breakout_room_mode != BreakoutRoomMode::NotConfigured {
        crate::domain::breakout::stop_rooms(conn, parent.id, &ch.actor(), now_ms)?;
    }
    reload_view(conn, ch, session.id)
}

/// #14 `GET /breakout/session`. Every participant's client polls it while a round runs, so it
/// is one statement ([`store::breakout_sessions::poll`]) that needs no transaction: whether the
/// caller may read the channel, the active session and the caller's seat in it.
pub fn current(conn: &mut Conn<'_>, token: &str, caller: &Caller) -> Result<Option<SessionView>> {
    let poll = store::breakout_sessions::poll(conn, token, &caller.user_id)?.ok_or(Refusal::RoomNotFound)?;
    Channel::admits(caller, poll.my_type.is_some())?;
    let Some(session) = poll.session else {
        return Ok(None);
    };
    // As [`my_room`] finds it for a running session: moderators sit in no room of their own.
    let seated = poll.my_type.is_some_and(|t| !is_moderator_type(t));
    let my_room = session.seat.filter(|_| seated).map(|seat| RoomView {
        row: seat.room,
        name: seat.live_name,
        participant_count: usize::try_from(seat.participant_count).unwrap_or_default(),
    });
    Ok(Some(SessionView {
        row: session.row,
        channel: token.to_owned(),
        my_room,
    }))
}

/// #15 `POST /settings/event/room/{enable|disable}`.
pub fn set_enabled(conn: &mut WriteTx<'_, '_>, ch: &Owner<'_>, enabled: Result<bool>, now_ms: i64) -> Result<()> {
    let enabled = enabled?;
    settle_expired(conn, &ch.room, now_ms)?;
    if !enabled {
        let parent = store::rooms::find_by_id(conn, ch.room.id)?.ok_or(Refusal::RoomNotFound)?;
        if active_session(conn, parent.id)?.is_some() || parent.breakout_room_status == BreakoutStatus::Started {
            return Err(Refusal::SessionActive);
        }
    }
    store::breakout_sessions::set_enabled(conn, ch.room.id, enabled)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_take_the_smallest_free_number() {
        assert_eq!(default_name("Room", []), "Room 1");
        assert_eq!(default_name("Room", ["Room 1", "Room 3"]), "Room 2");
        assert_eq!(default_name("Room", ["Room 2", "Lobby", "Room x"]), "Room 1");
        assert_eq!(
            default_name("Breakout session", ["Breakout session 1", "Breakout session 2"]),
            "Breakout session 3"
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("name", "  Lab  ").unwrap(), "Lab");
        assert!(validate_name("name", "   ").is_err());
        assert!(validate_name("name", &"x".repeat(256)).is_err());
        assert_eq!(validate_name("name", &"é".repeat(255)).unwrap().chars().count(), 255);
        assert!(validate_name("name", "a\u{7}b").is_err());
    }

    #[test]
    fn durations_and_capacities_have_ranges() {
        assert_eq!(validate_duration(0).unwrap(), 0);
        assert_eq!(validate_duration(MAX_DURATION_MS).unwrap(), MAX_DURATION_MS);
        assert!(validate_duration(-1).is_err());
        assert!(validate_duration(MAX_DURATION_MS + 1).is_err());
        assert!(validate_capacity(0).is_err());
        assert_eq!(validate_capacity(3).unwrap(), 3);
        assert!(validate_capacity(i64::from(i32::MAX) + 1).is_err());
    }

    #[test]
    fn ids_are_plain_decimal() {
        assert_eq!(parse_id("12"), Some(12));
        for bad in ["", "-1", "+1", "1.0", "0x1", "99999999999999999999", " 1"] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }
}
