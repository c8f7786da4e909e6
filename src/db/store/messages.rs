use crate::backend;
use crate::db::models::{Message, NewMessage};
use crate::db::schema::messages;
use crate::db::{Conn, DbResult};
use diesel::prelude::*;

pub fn insert(conn: &mut Conn<'_>, message: &NewMessage) -> DbResult<Message> {
    Ok(backend!(conn, c => diesel::insert_into(messages::table)
        .values(message)
        .returning(Message::as_returning())
        .get_result(c))?)
}

pub fn find(conn: &mut Conn<'_>, room_id: i64, message_id: i64) -> DbResult<Option<Message>> {
    Ok(backend!(conn, c => messages::table
        .filter(messages::id.eq(message_id))
        .filter(messages::room_id.eq(room_id))
        .select(Message::as_select())
        .first(c)
        .optional())?)
}

/// Messages by id, in one query (for `lastMessage` of a room list).
pub fn find_many(conn: &mut Conn<'_>, message_ids: &[i64]) -> DbResult<Vec<Message>> {
    Ok(
        backend!(conn, c => messages::table.filter(messages::id.eq_any(message_ids)).select(Message::as_select()).load(c))?,
    )
}

/// History: messages older than `before_id` (0 = from the newest), newest first.
pub fn history(conn: &mut Conn<'_>, room_id: i64, before_id: i64, limit: i64) -> DbResult<Vec<Message>> {
    Ok(backend!(conn, c => {
        let mut query = messages::table.filter(messages::room_id.eq(room_id)).into_boxed();
        if before_id > 0 {
            query = query.filter(messages::id.lt(before_id));
        }
        query.select(Message::as_select()).order(messages::id.desc()).limit(limit).load(c)
    })?)
}

/// Messages newer than `after_id`, oldest first.
pub fn newer(conn: &mut Conn<'_>, room_id: i64, after_id: i64, limit: i64) -> DbResult<Vec<Message>> {
    Ok(backend!(conn, c => messages::table
        .filter(messages::room_id.eq(room_id))
        .filter(messages::id.gt(after_id))
        .select(Message::as_select())
        .order(messages::id.asc())
        .limit(limit)
        .load(c))?)
}

/// Deletes every message of the given rooms (clear history).
pub fn delete_for_room(conn: &mut Conn<'_>, room_id: i64) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::delete(messages::table.filter(messages::room_id.eq(room_id))).execute(c))?)
}

/// Inserts many messages with one multi-row INSERT per chunk.
pub fn insert_many(conn: &mut Conn<'_>, rows: &[NewMessage]) -> DbResult<usize> {
    let mut inserted = 0;
    for chunk in rows.chunks(500) {
        inserted += backend!(conn, c => diesel::insert_into(messages::table).values(chunk).execute(c))?;
    }
    Ok(inserted)
}

/// Comments after each attendee's read marker, for one actor across rooms, in one grouped query.
pub fn unread_counts(
    conn: &mut Conn<'_>,
    room_ids: &[i64],
    actor_type: &str,
    actor_id: &str,
) -> DbResult<Vec<(i64, i64)>> {
    use crate::db::schema::attendees;
    Ok(backend!(conn, c => messages::table
        .inner_join(attendees::table.on(attendees::room_id.eq(messages::room_id)))
        .filter(attendees::room_id.eq_any(room_ids))
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id))
        .filter(messages::id.gt(attendees::last_read_message))
        .filter(messages::verb.eq("comment"))
        .group_by(messages::room_id)
        .select((messages::room_id, diesel::dsl::count_star()))
        .load(c))?)
}
