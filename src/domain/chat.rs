//! Chat: comments and system messages. System messages are stored as upstream stores them — a
//! JSON object `{"message": <key>, "parameters": {...}}` with verb `system` — and rendered per
//! viewer ("You added …" for the actor, "{actor} added you" for the target).

use crate::db::models::{Message, NewMessage};
use crate::db::store;
use crate::db::{Conn, DbResult};
use crate::domain::ids::{actor, RoomId};
use crate::domain::schedule::{self, JobKind};
use serde_json::{json, Map, Value};

pub const VERB_COMMENT: &str = "comment";
pub const VERB_SYSTEM: &str = "system";
/// A deleted comment: the row stays, its text replaced by who deleted it and when.
pub const VERB_COMMENT_DELETED: &str = "comment_deleted";

/// Who did something: the logged-in user behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub actor_type: String,
    pub actor_id: String,
    pub display_name: String,
}

impl Actor {
    pub fn user(user_id: &str, display_name: &str) -> Actor {
        Actor {
            actor_type: actor::USERS.to_owned(),
            actor_id: user_id.to_owned(),
            display_name: display_name.to_owned(),
        }
    }

    /// Upstream's actor for actions without a user (background jobs, the command line):
    /// `guests`/`cli`.
    pub fn server() -> Actor {
        Actor {
            actor_type: actor::GUESTS.to_owned(),
            actor_id: "cli".to_owned(),
            display_name: String::new(),
        }
    }
}

/// A user named in a system message (`{user}`), with the display name at the time.
#[derive(Debug, Clone)]
pub struct NamedUser {
    pub id: String,
    pub name: String,
}

/// One system message to post.
#[derive(Debug, Clone)]
pub struct SystemMessage {
    pub room_id: RoomId,
    pub key: &'static str,
    pub user: Option<NamedUser>,
}

/// When a message posted now in room `room_id` expires (unix seconds; 0: never), from the
/// conversation's message expiration as upstream's `ChatManager::setMessageExpiration` (comments
/// and system messages alike). An expiring message makes sure the expiry job runs by then.
pub fn expiry_for(conn: &mut Conn<'_>, room_id: RoomId, now: i64) -> DbResult<i64> {
    let seconds = store::rooms::message_expiration(conn, room_id)?;
    let expires_at = expires_at(seconds, now);
    if expires_at > 0 {
        schedule_expiry(conn, expires_at, now)?;
    }
    Ok(expires_at)
}

/// When a message posted at `now` expires under a room's message expiration (0: never).
fn expires_at(seconds: i32, now: i64) -> i64 {
    if seconds <= 0 {
        return 0;
    }
    now.saturating_add(i64::from(seconds))
}

/// Makes sure the expiry job runs by `expires_at` (unix seconds).
fn schedule_expiry(conn: &mut Conn<'_>, expires_at: i64, now: i64) -> DbResult<()> {
    schedule::no_later_than(
        conn,
        JobKind::ExpireMessages,
        "",
        expires_at.saturating_mul(1000),
        now.saturating_mul(1000),
    )
}

/// The expiry job (`JobKind::ExpireMessages`, upstream's `ExpireChatMessages`): removes the
/// messages expired at `now_ms` (a batch at a time) and points the rooms that lost their last
/// message at the newest remaining one. Returns when to run again (ms): at once while expired
/// messages remain, at the next expiry, or `None` when no message expires.
pub fn expire_messages(conn: &mut Conn<'_>, now_ms: i64) -> DbResult<Option<i64>> {
    const BATCH: i64 = 1000;
    let now = now_ms.div_euclid(1000);
    let rooms = store::messages::delete_expired(conn, now, BATCH)?;
    for room in &rooms {
        store::rooms::reset_last_message(conn, *room)?;
    }
    Ok(store::messages::next_expiry(conn)?.map(|at| at.saturating_mul(1000).max(now_ms)))
}

/// The stored text of a system message about at most one user: `{"message": key,
/// "parameters": {"user": {"id", "name"}}}`, the same text as [`system_row`] writes for those
/// parameters. Written from borrowed fields, because a start posts one for each of hundreds of
/// people and building a JSON tree for each was a tenth of its time.
#[derive(serde::Serialize)]
struct UserSystemText<'a> {
    message: &'a str,
    parameters: UserParameter<'a>,
}

#[derive(serde::Serialize)]
struct UserParameter<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserRef<'a>>,
}

#[derive(serde::Serialize)]
struct UserRef<'a> {
    id: &'a str,
    name: &'a str,
}

fn new_system_message(actor: &Actor, msg: &SystemMessage, now: i64, expires_at: i64) -> NewMessage {
    let text = UserSystemText {
        message: msg.key,
        parameters: UserParameter {
            user: msg.user.as_ref().map(|u| UserRef {
                id: &u.id,
                name: &u.name,
            }),
        },
    };
    let message = serde_json::to_string(&text).expect("a struct of strings serializes");
    message_row(actor, msg.room_id, message, now, expires_at)
}

fn system_row(
    actor: &Actor,
    room_id: RoomId,
    key: &str,
    parameters: Map<String, Value>,
    now: i64,
    expires_at: i64,
) -> NewMessage {
    let message = json!({"message": key, "parameters": parameters}).to_string();
    message_row(actor, room_id, message, now, expires_at)
}

/// A system message by `actor` with its stored text.
fn message_row(actor: &Actor, room_id: RoomId, message: String, now: i64, expires_at: i64) -> NewMessage {
    NewMessage {
        room_id,
        actor_type: actor.actor_type.clone(),
        actor_id: actor.actor_id.clone(),
        actor_display_name: actor.display_name.clone(),
        verb: VERB_SYSTEM.to_owned(),
        message,
        reference_id: String::new(),
        parent_id: 0,
        silent: false,
        created_at: now,
        expires_at,
        can_mention_all: false,
    }
}

/// Posts one system message and makes it the room's last message.
pub fn post_system_message(conn: &mut Conn<'_>, actor: &Actor, msg: SystemMessage, now: i64) -> DbResult<Message> {
    let expires_at = expiry_for(conn, msg.room_id, now)?;
    let stored = store::messages::insert(conn, &new_system_message(actor, &msg, now, expires_at))?;
    store::rooms::set_last_message(conn, msg.room_id, stored.id, now)?;
    Ok(stored)
}

/// Posts a system message whose parameters are not a user (`description_set` carries the new
/// description) and makes it the room's last message.
pub fn post_system_message_with(
    conn: &mut Conn<'_>,
    actor: &Actor,
    room_id: RoomId,
    key: &str,
    parameters: Map<String, Value>,
    now: i64,
) -> DbResult<Message> {
    let expires_at = expiry_for(conn, room_id, now)?;
    let stored = store::messages::insert(conn, &system_row(actor, room_id, key, parameters, now, expires_at))?;
    store::rooms::set_last_message(conn, room_id, stored.id, now)?;
    Ok(stored)
}

/// Posts a system message that replies to `parent_id` without becoming the conversation's
/// last message (upstream's `addSystemMessage` with a parent and `shouldSkipLastMessageUpdate`),
/// as `reaction_revoked` is posted.
pub fn post_reply_system_message(
    conn: &mut Conn<'_>,
    actor: &Actor,
    room_id: RoomId,
    key: &str,
    parameters: Map<String, Value>,
    parent_id: i64,
    now: i64,
) -> DbResult<Message> {
    let expires_at = expiry_for(conn, room_id, now)?;
    let mut row = system_row(actor, room_id, key, parameters, now, expires_at);
    row.parent_id = parent_id;
    store::messages::insert(conn, &row)
}

/// Posts many system messages with set-based statements (one multi-row insert per chunk, one
/// update of the rooms' last message), for operations that touch hundreds of attendees.
pub fn post_system_messages(conn: &mut Conn<'_>, actor: &Actor, msgs: &[SystemMessage], now: i64) -> DbResult<()> {
    if msgs.is_empty() {
        return Ok(());
    }
    // Each room's expiry as [`expiry_for`] computes it, read for all rooms in one statement.
    let mut room_ids: Vec<RoomId> = msgs.iter().map(|m| m.room_id).collect();
    room_ids.sort_unstable();
    room_ids.dedup();
    let expirations = store::rooms::message_expirations(conn, &room_ids)?;
    post_with_expirations(conn, actor, msgs, expirations, room_ids, now)
}

/// [`post_system_messages`] into rooms the caller read in this transaction: their message
/// expiration is known, so it is not read again.
pub fn post_system_messages_into(
    conn: &mut Conn<'_>,
    actor: &Actor,
    rooms: &[crate::db::models::Room],
    msgs: &[SystemMessage],
    now: i64,
) -> DbResult<()> {
    if msgs.is_empty() {
        return Ok(());
    }
    let mut room_ids: Vec<RoomId> = msgs.iter().map(|m| m.room_id).collect();
    room_ids.sort_unstable();
    room_ids.dedup();
    let expirations = rooms
        .iter()
        .filter(|r| room_ids.binary_search(&r.id).is_ok())
        .map(|r| (r.id, r.message_expiration))
        .collect();
    post_with_expirations(conn, actor, msgs, expirations, room_ids, now)
}

/// Posts `msgs` into `room_ids` (sorted, each once), whose message expirations (seconds) are
/// `expirations`; the expiry job is scheduled once, by the earliest expiry.
fn post_with_expirations(
    conn: &mut Conn<'_>,
    actor: &Actor,
    msgs: &[SystemMessage],
    expirations: Vec<(RoomId, i32)>,
    room_ids: Vec<RoomId>,
    now: i64,
) -> DbResult<()> {
    let expiries: std::collections::HashMap<RoomId, i64> = expirations
        .into_iter()
        .map(|(room, seconds)| (room, expires_at(seconds, now)))
        .collect();
    if let Some(&earliest) = expiries.values().filter(|&&at| at > 0).min() {
        schedule_expiry(conn, earliest, now)?;
    }
    let rows: Vec<NewMessage> = msgs
        .iter()
        .map(|m| new_system_message(actor, m, now, expiries.get(&m.room_id).copied().unwrap_or(0)))
        .collect();
    store::messages::insert_many(conn, &rows)?;
    store::rooms::refresh_last_message(conn, &room_ids, now)
}

/// A chat comment to post.
#[derive(Debug, Clone, Copy)]
pub struct NewComment<'a> {
    pub text: &'a str,
    pub reference_id: &'a str,
    /// The message replied to, or 0.
    pub parent_id: i64,
    pub silent: bool,
    /// The author may mention everybody (`@all`): everybody may in the conversation, or the
    /// author is a moderator (upstream's `can_mention_all` meta data).
    pub can_mention_all: bool,
}

/// Posts a chat comment by `actor` and makes it the room's last message.
pub fn post_comment(
    conn: &mut Conn<'_>,
    room_id: RoomId,
    actor: &Actor,
    comment: &NewComment<'_>,
    now: i64,
) -> DbResult<Message> {
    let expires_at = expiry_for(conn, room_id, now)?;
    let row = NewMessage {
        room_id,
        actor_type: actor.actor_type.clone(),
        actor_id: actor.actor_id.clone(),
        actor_display_name: actor.display_name.clone(),
        verb: VERB_COMMENT.to_owned(),
        message: comment.text.to_owned(),
        reference_id: comment.reference_id.to_owned(),
        parent_id: comment.parent_id,
        silent: comment.silent,
        created_at: now,
        expires_at,
        can_mention_all: comment.can_mention_all,
    };
    let stored = store::messages::insert(conn, &row)?;
    store::rooms::set_last_message(conn, room_id, stored.id, now)?;
    Ok(stored)
}

/// A comment's text, posted or edited: not blank (400 `message`), at most the chat limit in
/// characters (413 `message`).
pub fn check_comment_text(text: &str) -> crate::domain::Result<()> {
    use crate::domain::ids::CHAT_MAX_LENGTH;
    use crate::domain::Refusal;
    if text.trim().is_empty() {
        return Err(Refusal::InvalidField("message"));
    }
    if text.chars().count() > CHAT_MAX_LENGTH {
        return Err(Refusal::TooLong("message"));
    }
    Ok(())
}

/// A member posts a comment as upstream's `ChatController::sendMessage`: a reply must answer a
/// comment of this conversation (400 `reply-to`); sending marks everything up to one's own
/// message as read, and records whom it mentions (see [`crate::domain::mentions`]).
pub fn post_by_member(
    conn: &mut crate::db::WriteTx<'_, '_>,
    member: &crate::domain::access::Member,
    comment: &NewComment<'_>,
    now: i64,
) -> crate::domain::Result<Message> {
    use crate::domain::Refusal;
    let room_id = member.room().id;
    let parent = if comment.parent_id != 0 {
        let parent =
            store::messages::find(conn, room_id, comment.parent_id)?.ok_or(Refusal::InvalidField("reply-to"))?;
        if parent.verb != VERB_COMMENT {
            return Err(Refusal::InvalidField("reply-to"));
        }
        Some(parent)
    } else {
        None
    };
    let comment = NewComment {
        can_mention_all: may_mention_all(member.room(), member.attendee()),
        ..*comment
    };
    let stored = post_comment(conn, room_id, &member.actor(), &comment, now)?;
    store::attendees::set_last_read(conn, member.attendee().id, stored.id)?;
    crate::domain::mentions::record_posted(conn, member.room(), member.attendee(), &stored, parent.as_ref())?;
    Ok(stored)
}

/// Whether an attendee may mention everybody: the conversation lets everybody (mention
/// permissions 0), or they have moderator permissions (upstream's `ChatManager::sendMessage`).
pub fn may_mention_all(room: &crate::db::models::Room, attendee: &crate::db::models::Attendee) -> bool {
    room.mention_permissions == 0 || attendee.participant_type.has_moderator_permissions()
}

/// A message as a viewer reads it.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub text: String,
    pub parameters: Map<String, Value>,
    pub system_message: String,
    pub message_type: &'static str,
}

fn user_object(id: &str, name: &str) -> Value {
    json!({"type": "user", "id": id, "name": name, "mention-id": id})
}

/// Renders a stored message for `viewer` (a user id), in English as upstream's default. A
/// comment shows its mentions with `names` (read for the page); `call` builds what `@all` shows.
pub fn render_message(
    m: &Message,
    viewer: Option<&str>,
    names: &crate::domain::mentions::Names,
    call: &dyn Fn() -> crate::domain::mentions::CallTarget,
) -> Rendered {
    if m.verb == VERB_COMMENT_DELETED {
        return render_deleted(m, viewer);
    }
    if let Some(reaction) = render_reaction(m) {
        return reaction;
    }
    if m.verb != VERB_SYSTEM {
        let (text, parameters) = crate::domain::mentions::render(&m.message, m.can_mention_all, names, call);
        return Rendered {
            text,
            parameters,
            system_message: String::new(),
            message_type: "comment",
        };
    }
    let stored: Value = serde_json::from_str(&m.message).unwrap_or(Value::Null);
    let key = stored["message"].as_str().unwrap_or("").to_owned();
    let user = stored["parameters"].get("user").map(|u| {
        (
            u["id"].as_str().unwrap_or("").to_owned(),
            u["name"].as_str().unwrap_or("").to_owned(),
        )
    });
    let mut parameters = Map::new();
    parameters.insert("actor".into(), user_object(&m.actor_id, &m.actor_display_name));
    if let Some((id, name)) = &user {
        parameters.insert("user".into(), user_object(id, name));
    }
    let viewer_is_actor = viewer.is_some() && viewer == Some(m.actor_id.as_str()) && m.actor_type == actor::USERS;
    let viewer_is_user = viewer.is_some() && user.as_ref().map(|(id, _)| id.as_str()) == viewer;
    let self_action = user.as_ref().is_some_and(|(id, _)| id == &m.actor_id);
    let text = match key.as_str() {
        "conversation_created" if viewer_is_actor => "You created the conversation",
        "conversation_created" => "{actor} created the conversation",
        "user_added" if self_action && viewer_is_actor => "You joined the conversation",
        "user_added" if self_action => "{actor} joined the conversation",
        "user_added" if viewer_is_actor => "You added {user}",
        "user_added" if viewer_is_user => "{actor} added you",
        "user_added" => "{actor} added {user}",
        "user_removed" if self_action && viewer_is_actor => "You left the conversation",
        "user_removed" if self_action => "{actor} left the conversation",
        "user_removed" if viewer_is_actor => "You removed {user}",
        "user_removed" if viewer_is_user => "{actor} removed you",
        "user_removed" => "{actor} removed {user}",
        "moderator_promoted" if viewer_is_actor => "You promoted {user} to moderator",
        "moderator_promoted" if viewer_is_user => "{actor} promoted you to moderator",
        "moderator_promoted" => "{actor} promoted {user} to moderator",
        "moderator_demoted" if viewer_is_actor => "You demoted {user} from moderator",
        "moderator_demoted" if viewer_is_user => "{actor} demoted you from moderator",
        "moderator_demoted" => "{actor} demoted {user} from moderator",
        "lobby_timer_reached" => "The conversation is now open to everyone",
        "lobby_none" if viewer_is_actor => "You opened the conversation to everyone",
        "lobby_none" => "{actor} opened the conversation to everyone",
        "lobby_non_moderators" if viewer_is_actor => "You restricted the conversation to moderators",
        "lobby_non_moderators" => "{actor} restricted the conversation to moderators",
        "breakout_rooms_started" if viewer_is_actor => "You started breakout rooms",
        "breakout_rooms_started" => "{actor} started breakout rooms",
        "breakout_rooms_stopped" if viewer_is_actor => "You stopped breakout rooms",
        "breakout_rooms_stopped" => "{actor} stopped breakout rooms",
        "description_set" if viewer_is_actor => "You set the description",
        "description_set" => "{actor} set the description",
        "description_removed" if viewer_is_actor => "You removed the description",
        "description_removed" => "{actor} removed the description",
        "read_only" if viewer_is_actor => "You locked the conversation",
        "read_only" => "{actor} locked the conversation",
        "read_only_off" if viewer_is_actor => "You unlocked the conversation",
        "read_only_off" => "{actor} unlocked the conversation",
        "message_edited" if viewer_is_actor => "You edited a message",
        "message_edited" => "{actor} edited a message",
        "message_deleted" if viewer_is_actor => "You deleted a message",
        "message_deleted" => "{actor} deleted a message",
        "reaction_revoked" if viewer_is_actor => "You deleted a reaction",
        "reaction_revoked" => "{actor} deleted a reaction",
        "conversation_renamed" if viewer_is_actor => "You renamed the conversation",
        "conversation_renamed" => "{actor} renamed the conversation",
        _ => "",
    };
    Rendered {
        text: text.to_owned(),
        parameters,
        system_message: key,
        message_type: "system",
    }
}

/// What deleting and editing share, in upstream's order: the conversation locked, the message
/// found in it and not expired (404 `message`), and the member allowed to change it.
fn changeable_message(
    conn: &mut crate::db::WriteTx<'_, '_>,
    member: &crate::domain::access::Member,
    message_id: i64,
    now: i64,
) -> crate::domain::Result<Message> {
    conn.lock_room(member.room().id)?;
    let message = store::messages::find(conn, member.room().id, message_id)?
        .filter(|m| m.expires_at == 0 || m.expires_at > now)
        .ok_or(crate::domain::Refusal::MessageNotFound)?;
    may_change(member, &message)?;
    Ok(message)
}

/// Deletes a chat message as upstream's `ChatController::deleteMessage` and
/// `ChatManager::deleteMessage`: the message must exist in the conversation (404 `message`);
/// others' messages only for moderators, never in one-to-one conversations (403 `permission`);
/// only comments (405 `message`); no age limit, as upstream's current controller. The row
/// stays as a placeholder naming who deleted it; a `message_deleted` system message replies to
/// it without becoming the conversation's last message. Returns the system message and the
/// placeholder.
pub fn delete_message(
    conn: &mut crate::db::WriteTx<'_, '_>,
    member: &crate::domain::access::Member,
    message_id: i64,
    now: i64,
) -> crate::domain::Result<(Message, Message)> {
    let room = member.room();
    let message = changeable_message(conn, member, message_id, now)?;
    let by = member.actor();
    let placeholder = json!({
        "deleted_by_type": by.actor_type,
        "deleted_by_id": by.actor_id,
        "deleted_by_name": by.display_name,
        "deleted_on": now,
    });
    store::messages::rewrite(conn, message.id, VERB_COMMENT_DELETED, &placeholder.to_string())?;
    let mut parameters = Map::new();
    parameters.insert("message".into(), message.id.into());
    let expires_at = expiry_for(conn, room.id, now)?;
    let mut row = system_row(&by, room.id, "message_deleted", parameters, now, expires_at);
    row.parent_id = message.id;
    let system = store::messages::insert(conn, &row)?;
    let deleted = store::messages::find(conn, room.id, message.id)?.ok_or(crate::domain::Refusal::MessageNotFound)?;
    Ok((system, deleted))
}

/// A reaction's own message as upstream's `ReactionParser` shows it: a system message whose
/// text is the emoji (`reaction`), or, once revoked, "Reaction deleted by author"
/// (`reaction_deleted`), without parameters.
fn render_reaction(m: &Message) -> Option<Rendered> {
    use crate::domain::reactions::{VERB_REACTION, VERB_REACTION_DELETED};
    let text = match m.verb.as_str() {
        VERB_REACTION => m.message.clone(),
        VERB_REACTION_DELETED => "Reaction deleted by author".to_owned(),
        _ => return None,
    };
    Some(Rendered {
        text,
        parameters: Map::new(),
        system_message: m.verb.clone(),
        message_type: "system",
    })
}

/// A deleted comment as upstream shows it: "Message deleted by you" to the one who deleted
/// it, "by author" when the author did, else "by {actor}" with the deleter as `actor`.
fn render_deleted(m: &Message, viewer: Option<&str>) -> Rendered {
    let stored: Value = serde_json::from_str(&m.message).unwrap_or(Value::Null);
    let by_type = stored["deleted_by_type"].as_str().unwrap_or("");
    let by_id = stored["deleted_by_id"].as_str().unwrap_or("");
    let by_name = stored["deleted_by_name"].as_str().unwrap_or(by_id);
    let text = if by_type == actor::USERS && viewer == Some(by_id) {
        "Message deleted by you"
    } else if by_type == m.actor_type && by_id == m.actor_id {
        "Message deleted by author"
    } else {
        "Message deleted by {actor}"
    };
    let mut parameters = Map::new();
    parameters.insert("actor".into(), user_object(by_id, by_name));
    Rendered {
        text: text.to_owned(),
        parameters,
        system_message: String::new(),
        message_type: "comment_deleted",
    }
}

/// Upstream's shared checks for deleting and editing a message: one's own, or as a moderator
/// outside one-to-one conversations (403 `permission`); comments only (405 `message`).
fn may_change(member: &crate::domain::access::Member, message: &Message) -> crate::domain::Result<()> {
    use crate::domain::Refusal;
    let by = member.actor();
    let own = message.actor_type == by.actor_type && message.actor_id == by.actor_id;
    if !own
        && (!member
            .attendee()
            .participant_type
            .has_moderator_permissions_without_guests()
            || member.room().room_type.is_one_to_one())
    {
        return Err(Refusal::NotMessageAuthor);
    }
    if message.verb != VERB_COMMENT {
        return Err(Refusal::MessageKindNotAllowed);
    }
    Ok(())
}

/// How long a message can be edited (upstream: one day, except in note-to-self).
pub const EDIT_MAX_AGE_SECONDS: i64 = 24 * 60 * 60;

/// Edits a chat message as upstream's `ChatController::editMessage` and
/// `ChatManager::editMessage`: the checks of deleting (404, 403 `permission`, 405 `message`),
/// then messages older than a day (400 `age`, not in note-to-self), an empty text (400
/// `message`) and one over the chat limit (413 `message`). The text is replaced and the editor
/// recorded; a `message_edited` system message replies to it without becoming the last
/// message. Returns the system message and the edited message.
pub fn edit_message(
    conn: &mut crate::db::WriteTx<'_, '_>,
    member: &crate::domain::access::Member,
    message_id: i64,
    text: &str,
    now: i64,
) -> crate::domain::Result<(Message, Message)> {
    use crate::domain::ids::RoomType;
    use crate::domain::Refusal;
    let room = member.room();
    let message = changeable_message(conn, member, message_id, now)?;
    if room.room_type != RoomType::NoteToSelf && message.created_at < now - EDIT_MAX_AGE_SECONDS {
        return Err(Refusal::InvalidField("age"));
    }
    check_comment_text(text)?;
    let by = member.actor();
    crate::domain::mentions::record_edited(conn, room, &message, &message.message, text)?;
    store::messages::record_edit(
        conn,
        message.id,
        text,
        (&by.actor_type, &by.actor_id, &by.display_name),
        now,
    )?;
    let mut parameters = Map::new();
    parameters.insert("message".into(), message.id.into());
    let expires_at = expiry_for(conn, room.id, now)?;
    let mut row = system_row(&by, room.id, "message_edited", parameters, now, expires_at);
    row.parent_id = message.id;
    let system = store::messages::insert(conn, &row)?;
    let edited = store::messages::find(conn, room.id, message.id)?.ok_or(Refusal::MessageNotFound)?;
    Ok((system, edited))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text written for one user is the text of the general form with the same parameters,
    /// byte for byte, escapes included; and `{}` without a user.
    #[test]
    fn a_user_message_has_the_general_text() {
        let actor = Actor::user("teacher", "Teacher");
        for user in [
            Some(NamedUser {
                id: "ann\"o".into(),
                name: "Ann \\ \u{e9}\u{1f600} </script>\n".into(),
            }),
            None,
        ] {
            let msg = SystemMessage {
                room_id: RoomId(3),
                key: "user_added",
                user: user.clone(),
            };
            let mut parameters = Map::new();
            if let Some(u) = &user {
                parameters.insert("user".into(), json!({"id": u.id, "name": u.name}));
            }
            let typed = new_system_message(&actor, &msg, 10, 0);
            let general = system_row(&actor, RoomId(3), "user_added", parameters, 10, 0);
            assert_eq!(typed.message, general.message);
        }
        let none = SystemMessage {
            room_id: RoomId(3),
            key: "user_added",
            user: None,
        };
        assert_eq!(
            new_system_message(&actor, &none, 10, 0).message,
            r#"{"message":"user_added","parameters":{}}"#
        );
    }
}
