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
