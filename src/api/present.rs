//! Turns rooms into wire objects for one viewer with a constant number of queries, however many
//! rooms there are (unread counts, last messages, sessions and common read markers are each
//! fetched in one query of a fixed shape).

use crate::api::wire::{format_room, CallerView, RoomObject};
use crate::db::models::{Attendee, Message, Room, Session};
use crate::db::store;
use crate::db::store::rooms::RoomView;
use crate::db::{Conn, DbResult};
use crate::domain::conversation::{as_seen_at, lobby_timer_passed, one_to_one_partner};
use crate::domain::ids::{actor, AttendeeId, RoomId, RoomType};
use crate::domain::mentions::{self, Names, Wanted};
use std::collections::HashMap;

/// What a room object shows beyond the room and attendee rows, fetched per request.
#[derive(Default)]
struct RoomExtras {
    /// Unread comments by room.
    unread: HashMap<RoomId, i64>,
    /// Last messages by message id.
    last_messages: HashMap<i64, Message>,
    /// The viewer's newest session by attendee id.
    sessions: HashMap<AttendeeId, Session>,
    /// `lastCommonReadMessage` by room.
    common_read: HashMap<RoomId, i64>,
    /// Display names of the other users of the viewer's one-to-one conversations.
    user_names: HashMap<String, String>,
    /// The names the last messages' mentions need.
    names: Names,
}

impl RoomExtras {
    /// For one room: queries keyed by the room and the attendee row.
    fn for_room(
        conn: &mut Conn<'_>,
        room: &Room,
        attendee: Option<&Attendee>,
        include_last_message: bool,
        now: i64,
    ) -> DbResult<RoomExtras> {
        let mut extras = RoomExtras::default();
        let Some(attendee) = attendee else {
            return Ok(extras);
        };
        let unread = store::messages::unread_count(conn, room.id, attendee.last_read_message, now)?;
        extras.unread.insert(room.id, unread);
        if include_last_message && room.last_message_id > 0 {
            if let Some(m) = store::messages::find_by_id(conn, room.last_message_id)? {
                if !expired(&m, now) {
                    extras.last_messages.insert(m.id, m);
                }
            }
        }
        if let Some(s) = store::sessions::for_attendee(conn, attendee.id)?.pop() {
            extras.sessions.insert(s.attendee_id, s);
        }
        extras
            .common_read
            .insert(room.id, store::attendees::min_last_read(conn, room.id)?);
        Ok(extras)
    }

    /// For many rooms: one query each for every room the viewer is in, whatever the number of
    /// rooms. Scoped by the viewer rather than by lists of ids, so that each statement has one
    /// shape and stays prepared (an `IN (…)` list is parsed anew for every length).
    fn for_viewer(conn: &mut Conn<'_>, viewer: &str, include_last_message: bool, now: i64) -> DbResult<RoomExtras> {
        let unread = store::messages::unread_counts_for_actor(conn, actor::USERS, viewer, now)?;
        let last_messages = if include_last_message {
            store::messages::last_messages_for_actor(conn, actor::USERS, viewer)?
                .into_iter()
                .filter(|m| !expired(m, now))
                .collect()
        } else {
            Vec::new()
        };
        // The newest session of each attendee stands for "the caller's session" (no cookies here).
        let sessions = store::sessions::for_actor(conn, actor::USERS, viewer)?;
        let common_read = store::attendees::min_last_read_for_rooms_of(conn, actor::USERS, viewer)?;
        Ok(RoomExtras {
            unread: unread.into_iter().collect(),
            last_messages: last_messages.into_iter().map(|m| (m.id, m)).collect(),
            sessions: sessions.into_iter().map(|s| (s.attendee_id, s)).collect(),
            common_read: common_read.into_iter().collect(),
            user_names: HashMap::new(),
            names: Names::default(),
        })
    }
}

/// An expired message is never served, not even as a room's `lastMessage` before the expiry job
/// removed it (the room then shows none, as upstream).
fn expired(m: &Message, now: i64) -> bool {
    m.expires_at > 0 && m.expires_at <= now
}

/// Formats `rooms` (each with the viewer's attendee row, if any) for `viewer`, as they are at
/// `now_ms` (a lobby whose timer passed shows open).
pub fn present_rooms(
    conn: &mut Conn<'_>,
    viewer: &str,
    rooms: &[(Room, Option<Attendee>)],
    include_last_message: bool,
    now_ms: i64,
    base_url: &str,
) -> DbResult<Vec<RoomObject>> {
    let mut extras = match rooms {
        [(room, attendee)] => RoomExtras::for_room(
            conn,
            room,
            attendee.as_ref(),
            include_last_message,
            now_ms.div_euclid(1000),
        )?,
        _ if rooms.iter().any(|(_, a)| a.is_some()) => {
            RoomExtras::for_viewer(conn, viewer, include_last_message, now_ms.div_euclid(1000))?
        }
        _ => RoomExtras::default(),
    };
    // One query for the other users of all one-to-one conversations, only when there are any.
    let partners: Vec<String> = rooms
        .iter()
        .filter(|(room, attendee)| attendee.is_some() && room.room_type == RoomType::OneToOne)
        .filter_map(|(room, attendee)| attendee.as_ref().and_then(|a| one_to_one_partner(room, &a.actor_id)))
        .collect();
    if !partners.is_empty() {
        extras.user_names = store::users::display_names(conn, &partners)?.into_iter().collect();
    }
    // The names the last messages' mentions need, only when some mentions anything.
    let mut wanted = Wanted::of(extras.last_messages.values());
    if wanted.all {
        // `@all` in a one-to-one conversation is named after the other user.
        wanted.users.extend(partners.iter().cloned());
    }
    if !wanted.is_empty() {
        let room_ids: Vec<RoomId> = extras.last_messages.values().map(|m| m.room_id).collect();
        extras.names = mentions::load_names(conn, &room_ids, &wanted)?;
    }
    Ok(format_all(viewer, rooms, &extras, now_ms, base_url))
}

/// The room objects of `rooms` with their extras, as they are at `now_ms` (a lobby whose timer
/// passed shows open).
fn format_all(
    viewer: &str,
    rooms: &[(Room, Option<Attendee>)],
    extras: &RoomExtras,
    now_ms: i64,
    base_url: &str,
) -> Vec<RoomObject> {
    rooms
        .iter()
        .map(|(room, attendee)| {
            let view = CallerView {
                attendee: attendee.as_ref(),
                session: attendee
                    .as_ref()
                    .and_then(|a| extras.sessions.get(&a.id))
                    .map(|s| (s.session_id.as_str(), s.in_call, s.last_ping)),
                last_common_read: extras.common_read.get(&room.id).copied().unwrap_or(0),
                unread_messages: extras.unread.get(&room.id).copied().unwrap_or(0),
                last_message: attendee
                    .as_ref()
                    .and_then(|_| extras.last_messages.get(&room.last_message_id)),
                viewer: Some(viewer),
                user_names: Some(&extras.user_names),
                names: Some(&extras.names),
                base_url,
            };
            if lobby_timer_passed(room, now_ms) {
                format_room(&as_seen_at(room.clone(), now_ms), &view)
            } else {
                format_room(room, &view)
            }
        })
        .collect()
}

/// The room object of a [`RoomView`] read for `viewer` (an attendee), with its last message;
/// the same object [`present_room`] builds from separate queries. `user_names` holds the display
/// name of [`crate::domain::conversation::view_partner`], if any, and `names` those its last
/// message's mentions need.
pub fn present_view(
    viewer: &str,
    view: RoomView,
    user_names: HashMap<String, String>,
    names: Names,
    now_ms: i64,
    base_url: &str,
) -> RoomObject {
    let mut extras = RoomExtras {
        user_names,
        names,
        ..RoomExtras::default()
    };
    if view.attendee.is_some() {
        let room_id = view.room.id;
        extras.unread.insert(room_id, view.unread);
        if view.room.last_message_id > 0 {
            if let Some(m) = view.last_message.filter(|m| !expired(m, now_ms.div_euclid(1000))) {
                extras.last_messages.insert(m.id, m);
            }
        }
        if let Some(s) = view.session {
            extras.sessions.insert(s.attendee_id, s);
        }
        extras.common_read.insert(room_id, view.last_common_read);
    }
    let mut list = format_all(viewer, &[(view.room, view.attendee)], &extras, now_ms, base_url);
    list.remove(0)
}

/// The room objects of `views` (each read for `viewer`, an attendee, by
/// [`store::rooms::list_views_for_actor`]), without their last messages unless
/// `include_last_message`; `user_names` holds the display names of their [`crate::domain::conversation::view_partner`]s
/// and `names` those the last messages' mentions need.
pub fn present_views(
    viewer: &str,
    views: Vec<RoomView>,
    include_last_message: bool,
    user_names: HashMap<String, String>,
    names: Names,
    now_ms: i64,
    base_url: &str,
) -> Vec<RoomObject> {
    let now = now_ms.div_euclid(1000);
    let mut extras = RoomExtras {
        user_names,
        names,
        ..RoomExtras::default()
    };
    let mut rooms = Vec::with_capacity(views.len());
    for view in views {
        if view.attendee.is_some() {
            let room_id = view.room.id;
            extras.unread.insert(room_id, view.unread);
            if include_last_message && view.room.last_message_id > 0 {
                if let Some(m) = view.last_message.filter(|m| !expired(m, now)) {
                    extras.last_messages.insert(m.id, m);
                }
            }
            if let Some(s) = view.session {
                extras.sessions.insert(s.attendee_id, s);
            }
            extras.common_read.insert(room_id, view.last_common_read);
        }
        rooms.push((view.room, view.attendee));
    }
    format_all(viewer, &rooms, &extras, now_ms, base_url)
}

/// One room for one viewer.
pub fn present_room(
    conn: &mut Conn<'_>,
    viewer: &str,
    room: &Room,
    attendee: Option<&Attendee>,
    include_last_message: bool,
    now_ms: i64,
    base_url: &str,
) -> DbResult<RoomObject> {
    let mut list = present_rooms(
        conn,
        viewer,
        &[(room.clone(), attendee.cloned())],
        include_last_message,
        now_ms,
        base_url,
    )?;
    Ok(list.remove(0))
}
