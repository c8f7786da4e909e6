//! Horn's objects (horn.md §4) exactly as they go on the wire: camelCase keys, string ids for
//! sessions and rooms, numeric user ids, epoch milliseconds, absent rather than `null`.

use crate::domain::ids::BreakoutRoomMode;
use crate::domain::linked::UserContext;
use crate::domain::rounds::{Member, RoomView, RoomWithMembers, SessionState, SessionView};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

/// What `encodeURIComponent` leaves alone: letters, digits and `-_.!~*'()`.
const URL_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakoutSession {
    pub id: String,
    pub name: String,
    pub channel: String,
    pub duration: i64,
    /// Extension (horn.md §6): `manual`, `automatic` or `free`.
    pub mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<i64>,
    pub is_active: bool,
    pub is_completed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakout_room: Option<BreakoutRoom>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakoutRoom {
    pub id: String,
    pub name: String,
    pub breakout_session: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i32>,
    pub participant_count: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: i64,
    pub handle: String,
    pub full_name: String,
    pub kind: &'static str,
    pub unregistered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_kind: Option<&'static str>,
    pub url_handle: String,
    pub reputation: i64,
    pub followed_by: bool,
    pub following: bool,
    pub client_id: String,
}

/// A BreakoutRoom with its members (the answer of the assign extension).
#[derive(Debug, Serialize)]
pub struct BreakoutRoomWithParticipants {
    #[serde(flatten)]
    pub room: BreakoutRoom,
    pub participants: Vec<User>,
}

impl BreakoutRoomWithParticipants {
    pub fn new(r: RoomWithMembers, context: &UserContext) -> Self {
        BreakoutRoomWithParticipants {
            room: r.room.into(),
            participants: r.members.into_iter().map(|m| User::of(m, context)).collect(),
        }
    }
}

/// A channel-linked user's invitation: the code, when it expires (epoch ms; in the past once
/// expired) and the web page that redeems it.
#[derive(Debug, Serialize)]
pub struct Invitation {
    pub code: String,
    pub expires: i64,
    pub url: String,
}

/// `{"id": "<new id>"}` of the create endpoints.
#[derive(Debug, Serialize)]
pub struct Created {
    pub id: String,
}

/// `{}`: the answer of writes without a body of their own.
#[derive(Debug, Serialize)]
pub struct Empty {}

impl From<RoomView> for BreakoutRoom {
    fn from(v: RoomView) -> Self {
        BreakoutRoom {
            id: v.row.id.to_string(),
            name: v.name,
            breakout_session: v.row.session_id.to_string(),
            channel_uuid: v.row.room_token,
            capacity: v.row.capacity,
            participant_count: v.participant_count,
        }
    }
}

/// A session mode's name on the wire (extension, horn.md §6). A Talk-made round shows the mode
/// its Talk configuration has; `NotConfigured` is never stored for a session.
pub fn mode_name(mode: BreakoutRoomMode) -> &'static str {
    match mode {
        BreakoutRoomMode::Automatic => "automatic",
        BreakoutRoomMode::Free => "free",
        BreakoutRoomMode::Manual | BreakoutRoomMode::NotConfigured => "manual",
    }
}

impl From<SessionView> for BreakoutSession {
    fn from(v: SessionView) -> Self {
        let s = v.row;
        let is_active = s.state == SessionState::Active;
        BreakoutSession {
            id: s.id.to_string(),
            name: s.name,
            channel: v.channel,
            duration: s.duration,
            mode: mode_name(s.mode),
            started: s.started_at,
            is_active,
            is_completed: s.state == SessionState::Completed,
            breakout_room: v.my_room.map(BreakoutRoom::from),
            ended: s.ended_at,
            ends_at: if is_active { s.deadline } else { None },
        }
    }
}

impl User {
    /// A user participant of a channel: a channel-linked account (its handle, `kind` `linked`,
    /// unregistered, no `authKind`, as Horn shows guests) or an ordinary one.
    pub fn of(m: Member, context: &UserContext) -> User {
        match context.handles.get(&m.actor_id) {
            Some(handle) => User {
                id: m.attendee_id.0,
                url_handle: utf8_percent_encode(handle, URL_COMPONENT).to_string(),
                handle: handle.clone(),
                full_name: m.display_name,
                kind: "linked",
                unregistered: true,
                auth_kind: None,
                reputation: 0,
                followed_by: false,
                following: false,
                client_id: context.client_id.clone(),
            },
            None => User::ordinary(m, &context.client_id),
        }
    }

    /// An ordinary account's user in a channel.
    pub fn ordinary(m: Member, client_id: &str) -> User {
        User {
            id: m.attendee_id.0,
            url_handle: utf8_percent_encode(&m.actor_id, URL_COMPONENT).to_string(),
            handle: m.actor_id,
            full_name: m.display_name,
            kind: "user",
            unregistered: false,
            auth_kind: Some("password"),
            reputation: 0,
            followed_by: false,
            following: false,
            client_id: client_id.to_owned(),
        }
    }
}
