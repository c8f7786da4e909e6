//! The exact upstream wire shapes (spreed `RoomFormatter`, `Participant` list entries,
//! `Message::toArray`). Field order is upstream's; clients written in Kotlin, Swift and Python
//! parse these strictly, so types never vary (no `null` in number or boolean fields).

use crate::db::models::{Attendee, Message, Room};
use crate::domain::access::{effective_permissions, held_by_lobby};
use crate::domain::chat::render_message;
use crate::domain::ids::{
    permissions, AttendeeId, BreakoutRoomMode, BreakoutStatus, LobbyState, NotificationCalls, NotificationLevel,
    ParticipantType, ReadOnlyState, RoomId, RoomToken, RoomType,
};
use crate::domain::mentions::{self, CallTarget, Names};
use serde::Serialize;
use serde_json::{Map, Value};

/// A v4 conversation as one caller sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomObject {
    pub id: RoomId,
    pub token: RoomToken,
    #[serde(rename = "type")]
    pub room_type: RoomType,
    pub name: String,
    pub display_name: String,
    pub object_type: String,
    pub object_id: String,
    pub participant_type: ParticipantType,
    pub participant_flags: i32,
    pub read_only: ReadOnlyState,
    pub has_password: bool,
    pub has_call: bool,
    pub call_start_time: i64,
    pub call_recording: i32,
    pub can_start_call: bool,
    pub last_activity: i64,
    pub last_read_message: i64,
    pub unread_messages: i64,
    pub unread_mention: bool,
    pub unread_mention_direct: bool,
    pub is_favorite: bool,
    pub can_leave_conversation: bool,
    pub can_delete_conversation: bool,
    pub notification_level: NotificationLevel,
    pub notification_calls: NotificationCalls,
    pub lobby_state: LobbyState,
    pub lobby_timer: i64,
    pub last_ping: i64,
    pub session_id: String,
    #[serde(rename = "sipEnabled")]
    pub sip_enabled: i32,
    pub actor_type: String,
    pub actor_id: String,
    pub attendee_id: AttendeeId,
    pub permissions: i32,
    pub attendee_permissions: i32,
    pub call_permissions: i32,
    pub default_permissions: i32,
    #[serde(rename = "canEnableSIP")]
    pub can_enable_sip: bool,
    pub attendee_pin: String,
    pub description: String,
    pub last_common_read_message: i64,
    pub listable: i32,
    pub call_flag: i32,
    pub message_expiration: i32,
    pub avatar_version: String,
    pub is_custom_avatar: bool,
    pub breakout_room_mode: BreakoutRoomMode,
    pub breakout_room_status: BreakoutStatus,
    pub recording_consent: i32,
    pub mention_permissions: i32,
    pub live_transcription_language_id: String,
    pub is_archived: bool,
    pub is_important: bool,
    pub is_sensitive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message: Option<MessageObject>,
}

/// What the formatter needs besides the room row.
#[derive(Debug, Clone, Default)]
pub struct CallerView<'a> {
    /// The caller's attendee row in this room, if any.
    pub attendee: Option<&'a Attendee>,
    /// The caller's current Talk session in this room, if joined: id, in-call flags, last ping.
    pub session: Option<(&'a str, i32, i64)>,
    /// MIN(last read message) of the room's user attendees.
    pub last_common_read: i64,
    /// Comments after the caller's read marker.
    pub unread_messages: i64,
    /// The room's last message, when it should be shown.
    pub last_message: Option<&'a Message>,
    /// The viewer's user id (for "You …" in system messages).
    pub viewer: Option<&'a str>,
    /// Display names of users by id, for one-to-one conversations (the other user's name).
    pub user_names: Option<&'a std::collections::HashMap<String, String>>,
    /// The names the last message's mentions need.
    pub names: Option<&'a Names>,
    /// The server's address, for the conversation's avatar where the last message has `@all`.
    pub base_url: &'a str,
}

fn avatar_version(room: &Room) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::digest(format!("{}#{}", room.token, room.name).as_bytes());
    hex::encode(&digest[..4])
}

/// The view of a room for someone who is not in it (listable search, free-mode breakout listing):
/// upstream's defaults with only the room's public facts filled in.
pub fn format_room_for_outsider(room: &Room) -> RoomObject {
    RoomObject {
        description: if room.listable != 0 {
            room.description.clone()
        } else {
            String::new()
        },
        ..base_room(room)
    }
}

/// The room as the caller sees it.
pub fn format_room(room: &Room, view: &CallerView<'_>) -> RoomObject {
    let Some(attendee) = view.attendee else {
        return format_room_for_outsider(room);
    };
    let perms = effective_permissions(room, attendee);
    let held = held_by_lobby(room, attendee);
    let is_moderator = attendee.participant_type.has_moderator_permissions();
    let one_to_one = room.room_type.is_one_to_one();
    let notification_level = match attendee.notification_level {
        // "Default": one-to-one conversations notify always, others on mention.
        NotificationLevel::Default if one_to_one => NotificationLevel::Always,
        NotificationLevel::Default => NotificationLevel::Mention,
        level => level,
    };
    // Upstream shows "nothing read yet" as -2 with at least one unread message (not while held).
    let (last_read_message, unread_messages) = match (held, attendee.last_read_message) {
        (true, raw) => (raw, 0),
        (false, 0) => (-2, view.unread_messages.max(1)),
        (false, raw) => (raw, view.unread_messages),
    };
    let (session_id, participant_flags, last_ping) = view.session.unwrap_or(("0", 0, 0));
    let (unread_mention, unread_mention_direct) = mentions::unread_flags(attendee);
    // A one-to-one conversation is named after the other user: `name` is their id (clients
    // take the avatar from it), `displayName` their display name, or the id for a deleted user.
    let (name, display_name) = match crate::domain::conversation::one_to_one_partner(room, &attendee.actor_id) {
        Some(other) if room.room_type == RoomType::OneToOne => {
            let shown = view
                .user_names
                .and_then(|names| names.get(&other))
                .cloned()
                .unwrap_or_else(|| other.clone());
            (other, shown)
        }
        _ => (room.name.clone(), room.name.clone()),
    };
    RoomObject {
        name,
        display_name,
        participant_type: attendee.participant_type,
        participant_flags,
        last_ping,
        last_read_message,
        unread_messages,
        description: room.description.clone(),
        last_common_read_message: view.last_common_read,
        notification_calls: attendee.notification_calls,
        is_favorite: attendee.favorite,
        is_archived: attendee.archived,
        is_important: attendee.important,
        is_sensitive: attendee.sensitive,
        can_leave_conversation: room.room_type != RoomType::NoteToSelf,
        can_delete_conversation: is_moderator && !one_to_one,
        notification_level,
        session_id: session_id.to_owned(),
        actor_type: attendee.actor_type.clone(),
        actor_id: attendee.actor_id.clone(),
        attendee_id: attendee.id,
        permissions: perms,
        attendee_permissions: attendee.permissions,
        call_permissions: 0,
        default_permissions: room.default_permissions,
        can_start_call: !held && perms & permissions::START_CALL != 0,
        unread_mention: !held && unread_mention,
        unread_mention_direct: !held && unread_mention_direct,
        last_message: if held {
            None
        } else {
            let empty = Names::default();
            let ctx = MessageContext {
                viewer: view.viewer,
                names: view.names.unwrap_or(&empty),
                base_url: view.base_url,
            };
            view.last_message.map(|m| format_message(room, m, &ctx))
        },
        ..base_room(room)
    }
}

/// Fields every view shows as they are.
fn base_room(room: &Room) -> RoomObject {
    RoomObject {
        id: room.id,
        token: room.token.clone(),
        room_type: room.room_type,
        name: room.name.clone(),
        display_name: room.name.clone(),
        description: String::new(),
        object_type: room.object_type.clone(),
        object_id: room.object_id.clone(),
        participant_type: ParticipantType::Guest,
        participant_flags: 0,
        read_only: room.read_only,
        has_password: !room.password.is_empty(),
        has_call: false,
        call_start_time: room.call_start_time,
        call_recording: 0,
        can_start_call: false,
        last_activity: room.last_activity,
        last_read_message: 0,
        unread_messages: 0,
        unread_mention: false,
        unread_mention_direct: false,
        is_favorite: false,
        is_archived: false,
        is_important: false,
        is_sensitive: false,
        can_leave_conversation: false,
        can_delete_conversation: false,
        notification_level: NotificationLevel::Never,
        notification_calls: NotificationCalls::Off,
        lobby_state: room.lobby_state,
        lobby_timer: room.lobby_timer,
        last_ping: 0,
        session_id: "0".to_owned(),
        sip_enabled: room.sip_enabled,
        actor_type: String::new(),
        actor_id: String::new(),
        attendee_id: AttendeeId(0),
        permissions: 1,
        attendee_permissions: 1,
        call_permissions: 1,
        default_permissions: 1,
        can_enable_sip: false,
        attendee_pin: String::new(),
        last_common_read_message: 0,
        listable: room.listable,
        call_flag: room.call_flag,
        message_expiration: room.message_expiration,
        avatar_version: avatar_version(room),
        is_custom_avatar: false,
        breakout_room_mode: room.breakout_room_mode,
        breakout_room_status: room.breakout_room_status,
        // The room's own value only counts when the server lets moderators choose (config 2);
        // this server has no recording backend, so the server value 0 applies.
        recording_consent: 0,
        mention_permissions: room.mention_permissions,
        live_transcription_language_id: String::new(),
        last_message: None,
    }
}

/// A participant list entry (RoomController::getParticipants).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantEntry {
    pub room_token: RoomToken,
    pub in_call: i32,
    pub last_ping: i64,
    pub session_ids: Vec<String>,
    pub participant_type: ParticipantType,
    pub attendee_id: AttendeeId,
    pub actor_id: String,
    pub actor_type: String,
    pub display_name: String,
    pub permissions: i32,
    pub attendee_permissions: i32,
    pub attendee_pin: String,
    pub phone_number: String,
    pub call_id: String,
}

pub fn format_participant(
    room: &Room,
    attendee: &Attendee,
    session_ids: Vec<String>,
    in_call: i32,
    last_ping: i64,
) -> ParticipantEntry {
    ParticipantEntry {
        room_token: room.token.clone(),
        in_call,
        last_ping,
        session_ids,
        participant_type: attendee.participant_type,
        attendee_id: attendee.id,
        actor_id: attendee.actor_id.clone(),
        actor_type: attendee.actor_type.clone(),
        display_name: attendee.display_name.clone(),
        permissions: effective_permissions(room, attendee),
        attendee_permissions: attendee.permissions,
        attendee_pin: String::new(),
        phone_number: String::new(),
        call_id: String::new(),
    }
}

/// A chat message (`Message::toArray`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageObject {
    pub id: i64,
    pub token: RoomToken,
    pub actor_type: String,
    pub actor_id: String,
    pub actor_display_name: String,
    pub timestamp: i64,
    pub message: String,
    /// PHP's empty array is `[]`; a non-empty one is an object.
    pub message_parameters: Value,
    pub system_message: String,
    pub message_type: String,
    pub is_replyable: bool,
    pub reference_id: String,
    /// Upstream forces `{}` for an empty reaction map in JSON.
    pub reactions: Map<String, Value>,
    /// The viewer's own reactions to the message: only where they reacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reactions_self: Option<Vec<String>>,
    pub expiration_timestamp: i64,
    pub markdown: bool,
    /// The topmost parent, or the message itself outside threads (Talk 22).
    pub thread_id: i64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub silent: bool,
    /// Who last edited the message and when: only on edited messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_edit_actor_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_edit_actor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_edit_actor_display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_edit_timestamp: Option<i64>,
    /// The message replied to, where an answer carries it (`ChatMessageWithParent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<Box<MessageObject>>,
}

/// What showing a message needs besides its row: who reads it, the names its mentions need
/// (read once for the page) and the server's address (the conversation's avatar in `@all`).
#[derive(Debug, Clone, Copy)]
pub struct MessageContext<'a> {
    pub viewer: Option<&'a str>,
    pub names: &'a Names,
    pub base_url: &'a str,
}

/// The conversation as `@all` shows it to the viewer (upstream's `UserMention` with
/// `Room::getDisplayName` and `AvatarService::getAvatarUrl`).
fn call_target(room: &Room, ctx: &MessageContext<'_>) -> CallTarget {
    let partner = ctx
        .viewer
        .filter(|_| room.room_type == RoomType::OneToOne)
        .and_then(|viewer| crate::domain::conversation::one_to_one_partner(room, viewer));
    let name = match partner {
        Some(other) => ctx.names.users.get(&other).cloned().unwrap_or(other),
        None => room.name.clone(),
    };
    CallTarget {
        token: room.token.to_string(),
        name,
        icon_url: format!(
            "{}/ocs/v2.php/apps/spreed/api/v1/room/{}/avatar?v={}",
            ctx.base_url,
            room.token,
            avatar_version(room)
        ),
        room_type: room.room_type,
    }
}

pub fn format_message(room: &Room, m: &Message, ctx: &MessageContext<'_>) -> MessageObject {
    let viewer = ctx.viewer;
    let rendered = render_message(m, viewer, ctx.names, &|| call_target(room, ctx));
    let edited = m.last_edit_timestamp > 0;
    MessageObject {
        id: m.id,
        token: room.token.clone(),
        actor_type: m.actor_type.clone(),
        actor_id: m.actor_id.clone(),
        actor_display_name: m.actor_display_name.clone(),
        timestamp: m.created_at,
        message: rendered.text,
        message_parameters: if rendered.parameters.is_empty() {
            Value::Array(Vec::new())
        } else {
            Value::Object(rendered.parameters)
        },
        system_message: rendered.system_message,
        message_type: rendered.message_type.to_owned(),
        is_replyable: rendered.message_type == "comment",
        reference_id: m.reference_id.clone(),
        reactions: match serde_json::from_str(&m.reactions) {
            Ok(Value::Object(counts)) => counts,
            _ => Map::new(),
        },
        reactions_self: None,
        expiration_timestamp: m.expires_at,
        markdown: rendered.message_type == "comment",
        thread_id: if m.parent_id > 0 { m.parent_id } else { m.id },
        silent: m.silent,
        last_edit_actor_type: edited.then(|| m.last_edit_actor_type.clone()),
        last_edit_actor_id: edited.then(|| m.last_edit_actor_id.clone()),
        last_edit_actor_display_name: edited.then(|| m.last_edit_actor_display_name.clone()),
        last_edit_timestamp: edited.then_some(m.last_edit_timestamp),
        parent: None,
    }
}

/// One mention suggestion (spreed `ChatController::prepareResultArray` and
/// `ChatManager::addConversationNotify`: `TalkChatMentionSuggestion`), keys in upstream's order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MentionSuggestion {
    pub id: String,
    pub label: String,
    pub source: &'static str,
    pub mention_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

impl From<crate::domain::autocomplete::Suggestion> for MentionSuggestion {
    fn from(s: crate::domain::autocomplete::Suggestion) -> Self {
        MentionSuggestion {
            id: s.id,
            label: s.label,
            source: s.source.as_str(),
            mention_id: s.mention_id,
            details: s.details,
        }
    }
}
