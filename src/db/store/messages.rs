use crate::backend;
use crate::db::models::{Message, NewMessage};
use crate::db::schema::messages;
use crate::db::{Conn, DbResult};
use crate::domain::ids::*;
use diesel::prelude::*;

pub fn insert(conn: &mut Conn<'_>, message: &NewMessage) -> DbResult<Message> {
    Ok(backend!(conn, c => diesel::insert_into(messages::table)
        .values(message)
        .returning(Message::as_returning())
        .get_result(c))?)
}

pub fn find(conn: &mut Conn<'_>, room_id: RoomId, message_id: i64) -> DbResult<Option<Message>> {
    Ok(backend!(conn, c => messages::table
        .filter(messages::id.eq(message_id))
        .filter(messages::room_id.eq(room_id))
        .select(Message::as_select())
        .first(c)
        .optional())?)
}

pub fn find_by_id(conn: &mut Conn<'_>, message_id: i64) -> DbResult<Option<Message>> {
    Ok(backend!(conn, c => messages::table
        .filter(messages::id.eq(message_id))
        .select(Message::as_select())
        .first(c)
        .optional())?)
}

/// The last message of every room the actor is in, in one query (for `lastMessage` of a room
/// list). Scoped by the actor rather than by a list of ids so the statement has one shape and
/// stays prepared.
pub fn last_messages_for_actor(conn: &mut Conn<'_>, actor_type: &str, actor_id: &str) -> DbResult<Vec<Message>> {
    use crate::db::schema::{attendees, rooms};
    Ok(backend!(conn, c => messages::table
        .inner_join(rooms::table.on(rooms::last_message_id.eq(messages::id)))
        .inner_join(attendees::table.on(attendees::room_id.eq(rooms::id)))
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id))
        .select(Message::as_select())
        .load(c))?)
}

/// Messages not expired at `now` (unix seconds): upstream never serves an expired message, even
/// before its background job removed it.
macro_rules! unexpired {
    ($now:expr) => {
        messages::expires_at.eq(0).or(messages::expires_at.gt($now))
    };
}
pub(crate) use unexpired;

/// History: messages older than `before_id` (0 = from the newest) and not expired at `now`,
/// newest first.
pub fn history(conn: &mut Conn<'_>, room_id: RoomId, before_id: i64, limit: i64, now: i64) -> DbResult<Vec<Message>> {
    Ok(backend!(conn, c => {
        let mut query = messages::table
            .filter(messages::room_id.eq(room_id))
            .filter(unexpired!(now))
            .into_boxed();
        if before_id > 0 {
            query = query.filter(messages::id.lt(before_id));
        }
        query.select(Message::as_select()).order(messages::id.desc()).limit(limit).load(c)
    })?)
}

/// Messages newer than `after_id` and not expired at `now`, oldest first.
pub fn newer(conn: &mut Conn<'_>, room_id: RoomId, after_id: i64, limit: i64, now: i64) -> DbResult<Vec<Message>> {
    Ok(backend!(conn, c => messages::table
        .filter(messages::room_id.eq(room_id))
        .filter(messages::id.gt(after_id))
        .filter(unexpired!(now))
        .select(Message::as_select())
        .order(messages::id.asc())
        .limit(limit)
        .load(c))?)
}

super::bulk_insert!(
    InsertMessages,
    NewMessage,
    messages {
        room_id,
        actor_type,
        actor_id,
        actor_display_name,
        verb,
        message,
        reference_id,
        parent_id,
        silent,
        created_at,
        expires_at,
        can_mention_all,
    }
);

/// Comments after the actor's read marker and not expired at `now`, in every room the actor is
/// in, in one grouped query.
pub fn unread_counts_for_actor(
    conn: &mut Conn<'_>,
    actor_type: &str,
    actor_id: &str,
    now: i64,
) -> DbResult<Vec<(RoomId, i64)>> {
    use crate::db::schema::attendees;
    Ok(backend!(conn, c => messages::table
        .inner_join(attendees::table.on(attendees::room_id.eq(messages::room_id)))
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id))
        .filter(messages::id.gt(attendees::last_read_message))
        .filter(messages::verb.eq("comment"))
        .filter(unexpired!(now))
        .group_by(messages::room_id)
        .select((messages::room_id, diesel::dsl::count_star()))
        .load(c))?)
}

/// Comments in a room after `last_read` and not expired at `now`.
pub fn unread_count(conn: &mut Conn<'_>, room_id: RoomId, last_read: i64, now: i64) -> DbResult<i64> {
    Ok(backend!(conn, c => messages::table
        .filter(messages::room_id.eq(room_id))
        .filter(messages::id.gt(last_read))
        .filter(messages::verb.eq("comment"))
        .filter(unexpired!(now))
        .count()
        .get_result(c))?)
}

/// Deletes the messages expired at `now` (unix seconds), at most `limit` of them (oldest expiry
/// first); returns the rooms they were in.
pub fn delete_expired(conn: &mut Conn<'_>, now: i64, limit: i64) -> DbResult<Vec<RoomId>> {
    let doomed: Vec<(i64, RoomId)> = backend!(conn, c => messages::table
        .filter(messages::expires_at.gt(0))
        .filter(messages::expires_at.le(now))
        .order(messages::expires_at.asc())
        .limit(limit)
        .select((messages::id, messages::room_id))
        .load(c))?;
    let ids: Vec<i64> = doomed.iter().map(|(id, _)| *id).collect();
    if !ids.is_empty() {
        use crate::db::schema::reactions;
        // A reaction goes with the message it reacts to and with its own message; no foreign
        // key does it (the reactions migration says why).
        backend!(conn, c => diesel::delete(reactions::table
            .filter(reactions::parent_id.eq_any(&ids).or(reactions::message_id.eq_any(&ids))))
            .execute(c))?;
        backend!(conn, c => diesel::delete(messages::table.filter(messages::id.eq_any(&ids))).execute(c))?;
    }
    let mut rooms: Vec<RoomId> = doomed.into_iter().map(|(_, room)| room).collect();
    rooms.sort_unstable();
    rooms.dedup();
    Ok(rooms)
}

/// The earliest expiry (unix seconds) of any message that has one.
pub fn next_expiry(conn: &mut Conn<'_>) -> DbResult<Option<i64>> {
    Ok(backend!(conn, c => messages::table
        .filter(messages::expires_at.gt(0))
        .select(diesel::dsl::min(messages::expires_at))
        .first::<Option<i64>>(c))?)
}

/// Rewrites a message in place (deletion keeps the row as upstream's placeholder).
pub fn rewrite(conn: &mut Conn<'_>, message_id: i64, verb: &str, message: &str) -> DbResult<()> {
    backend!(conn, c => diesel::update(messages::table.find(message_id))
        .set((messages::verb.eq(verb), messages::message.eq(message)))
        .execute(c))?;
    Ok(())
}

/// Replaces a comment's text and records who edited it when.
pub fn record_edit(
    conn: &mut Conn<'_>,
    message_id: i64,
    text: &str,
    (actor_type, actor_id, display_name): (&str, &str, &str),
    at: i64,
) -> DbResult<()> {
    backend!(conn, c => diesel::update(messages::table.find(message_id))
        .set((
            messages::message.eq(text),
            messages::last_edit_actor_type.eq(actor_type),
            messages::last_edit_actor_id.eq(actor_id),
            messages::last_edit_actor_display_name.eq(display_name),
            messages::last_edit_timestamp.eq(at),
        ))
        .execute(c))?;
    Ok(())
}

/// The messages of a room with these ids that have not expired at `now` (unix seconds).
pub fn find_many(conn: &mut Conn<'_>, room_id: RoomId, ids: &[i64], now: i64) -> DbResult<Vec<Message>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(backend!(conn, c => messages::table
        .filter(messages::room_id.eq(room_id))
        .filter(messages::id.eq_any(ids))
        .filter(messages::expires_at.eq(0).or(messages::expires_at.gt(now)))
        .select(Message::as_select())
        .load(c))?)
}

/// Stores a message's reaction counts (a JSON object, emoji → count).
pub fn set_reactions(conn: &mut Conn<'_>, message_id: i64, reactions: &str) -> DbResult<()> {
    backend!(conn, c => diesel::update(messages::table.find(message_id))
        .set(messages::reactions.eq(reactions))
        .execute(c))?;
    Ok(())
}

/// When each author of `actor_type` last posted a comment (verb `comment`) in a room: upstream's
/// `CommentsManager::getLastCommentDateByActor`, for every author of the room at once (one
/// statement shape, whatever the candidates).
pub fn last_comment_by_actor(conn: &mut Conn<'_>, room_id: RoomId, actor_type: &str) -> DbResult<Vec<(String, i64)>> {
    use diesel::dsl::max;
    let rows: Vec<(String, Option<i64>)> = backend!(conn, c => messages::table
        .filter(messages::room_id.eq(room_id))
        .filter(messages::verb.eq(crate::domain::chat::VERB_COMMENT))
        .filter(messages::actor_type.eq(actor_type))
        .group_by(messages::actor_id)
        .select((messages::actor_id, max(messages::created_at)))
        .load(c))?;
    Ok(rows.into_iter().filter_map(|(id, at)| Some((id, at?))).collect())
}
