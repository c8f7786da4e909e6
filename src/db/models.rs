//! Rows as stored. Wire shapes live in `api::wire`; rules live in `domain`.

use super::schema::*;
use crate::domain::ids::{
    AttendeeId, BreakoutRoomMode, BreakoutStatus, LobbyState, NotificationCalls, NotificationLevel, ParticipantType,
    ReadOnlyState, RoomId, RoomToken, RoomType, UserId,
};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub user_id: UserId,
    pub display_name: String,
    pub password_hash: String,
    pub email: Option<String>,
    pub enabled: bool,
    pub created_at: i64,
    pub last_login: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_groups)]
pub struct Group {
    pub group_id: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = group_members)]
pub struct GroupMember {
    pub group_id: String,
    pub user_id: UserId,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = app_config)]
pub struct AppConfigEntry {
    pub app: String,
    pub config_key: String,
    pub config_value: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = rooms)]
pub struct Room {
    pub id: RoomId,
    pub token: RoomToken,
    pub room_type: RoomType,
    pub name: String,
    pub description: String,
    pub password: String,
    pub object_type: String,
    pub object_id: String,
    pub read_only: ReadOnlyState,
    pub listable: i32,
    pub lobby_state: LobbyState,
    pub lobby_timer: i64,
    pub breakout_room_mode: BreakoutRoomMode,
    pub breakout_room_status: BreakoutStatus,
    pub default_permissions: i32,
    pub call_permissions: i32,
    pub call_flag: i32,
    pub call_start_time: i64,
    pub sip_enabled: i32,
    pub message_expiration: i32,
    pub recording_consent: i32,
    pub mention_permissions: i32,
    pub last_activity: i64,
    pub last_message_id: i64,
    pub created_at: i64,
}

/// Every column a new room needs; the rest take the table defaults.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = rooms)]
pub struct NewRoom {
    pub token: RoomToken,
    pub room_type: RoomType,
    pub name: String,
    pub description: String,
    pub object_type: String,
    pub object_id: String,
    pub read_only: ReadOnlyState,
    pub listable: i32,
    pub lobby_state: LobbyState,
    pub lobby_timer: i64,
    pub default_permissions: i32,
    pub message_expiration: i32,
    pub recording_consent: i32,
    pub mention_permissions: i32,
    pub sip_enabled: i32,
    pub last_activity: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = attendees)]
pub struct Attendee {
    pub id: AttendeeId,
    pub room_id: RoomId,
    pub actor_type: String,
    pub actor_id: String,
    pub display_name: String,
    pub participant_type: ParticipantType,
    pub permissions: i32,
    pub favorite: bool,
    pub archived: bool,
    pub important: bool,
    pub sensitive: bool,
    pub notification_level: NotificationLevel,
    pub notification_calls: NotificationCalls,
    pub last_read_message: i64,
    pub last_mention_message: i64,
    pub last_mention_direct: i64,
}

/// All columns given explicitly, so a batch of them is one multi-row INSERT on PostgreSQL (on
/// SQLite `store::attendees::insert_many` writes its own cached statements of 32 rows).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attendees)]
pub struct NewAttendee {
    pub room_id: RoomId,
    pub actor_type: String,
    pub actor_id: String,
    pub display_name: String,
    pub participant_type: ParticipantType,
    pub permissions: i32,
    pub last_read_message: i64,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i64,
    pub attendee_id: AttendeeId,
    pub session_id: String,
    pub in_call: i32,
    pub last_ping: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession {
    pub attendee_id: AttendeeId,
    pub session_id: String,
    pub in_call: i32,
    pub last_ping: i64,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: i64,
    pub room_id: RoomId,
    pub actor_type: String,
    pub actor_id: String,
    pub actor_display_name: String,
    pub verb: String,
    pub message: String,
    pub reference_id: String,
    pub parent_id: i64,
    pub silent: bool,
    pub created_at: i64,
    /// Unix seconds after which the message is hidden and removed; 0: never.
    pub expires_at: i64,
    /// Who last edited the message (empty and 0 while never edited).
    pub last_edit_actor_type: String,
    pub last_edit_actor_id: String,
    pub last_edit_actor_display_name: String,
    pub last_edit_timestamp: i64,
    /// Reaction counts (a JSON object, emoji → count, most used first), kept up to date with
    /// the `reactions` table as upstream's comments keep theirs.
    pub reactions: String,
    /// The author could mention everybody (`@all`) when posting it (upstream's meta data
    /// `can_mention_all`).
    pub can_mention_all: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = messages)]
pub struct NewMessage {
    pub room_id: RoomId,
    pub actor_type: String,
    pub actor_id: String,
    pub actor_display_name: String,
    pub verb: String,
    pub message: String,
    pub reference_id: String,
    pub parent_id: i64,
    pub silent: bool,
    pub created_at: i64,
    pub expires_at: i64,
    pub can_mention_all: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = app_passwords)]
pub struct AppPassword {
    pub id: i64,
    pub user_id: String,
    pub login_name: String,
    pub token_hash: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = app_passwords)]
pub struct NewAppPassword<'a> {
    pub user_id: &'a str,
    pub login_name: &'a str,
    pub token_hash: &'a str,
    pub name: &'a str,
    pub created_at: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_flows)]
pub struct LoginFlow {
    pub id: i64,
    pub poll_token_hash: String,
    pub login_token_hash: String,
    pub client_name: String,
    pub server: String,
    pub created_at: i64,
    pub user_id: Option<String>,
    pub browser_hash: Option<String>,
    pub app_password_hash: String,
    pub app_password_sealed: String,
    pub granted: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = login_flows)]
pub struct NewLoginFlow<'a> {
    pub poll_token_hash: &'a str,
    pub login_token_hash: &'a str,
    pub client_name: &'a str,
    pub server: &'a str,
    pub created_at: i64,
    pub app_password_hash: &'a str,
    pub app_password_sealed: &'a str,
}

/// A channel-linked account's link to its conversation, with its current invitation code.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = linked_users)]
pub struct LinkedUser {
    pub user_id: String,
    pub room_id: RoomId,
    pub handle: String,
    pub invitation_code: String,
    /// Epoch milliseconds.
    pub invitation_expires: i64,
    pub created_at: i64,
}
