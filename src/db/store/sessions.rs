use crate::backend;
use crate::db::models::{NewSession, Session};
use crate::db::schema::sessions;
use crate::db::{Conn, DbResult};
use crate::domain::ids::*;
use diesel::prelude::*;

pub fn insert(conn: &mut Conn<'_>, session: &NewSession) -> DbResult<Session> {
    Ok(backend!(conn, c => diesel::insert_into(sessions::table)
        .values(session)
        .returning(Session::as_returning())
        .get_result(c))?)
}

pub fn find(conn: &mut Conn<'_>, session_id: &str) -> DbResult<Option<Session>> {
    Ok(
        backend!(conn, c => sessions::table.filter(sessions::session_id.eq(session_id)).select(Session::as_select()).first(c).optional())?,
    )
}

/// Sessions of one attendee, oldest first.
pub fn for_attendee(conn: &mut Conn<'_>, attendee_id: AttendeeId) -> DbResult<Vec<Session>> {
    Ok(backend!(conn, c => sessions::table
        .filter(sessions::attendee_id.eq(attendee_id))
        .select(Session::as_select())
        .order(sessions::id.asc())
        .load(c))?)
}

/// Sessions of every attendee of the given rooms, ordered by attendee then id.
pub fn for_rooms(conn: &mut Conn<'_>, room_ids: &[RoomId]) -> DbResult<Vec<Session>> {
    use crate::db::schema::attendees;
    Ok(backend!(conn, c => sessions::table
        .inner_join(attendees::table)
        .filter(attendees::room_id.eq_any(room_ids))
        .select(Session::as_select())
        .order((sessions::attendee_id.asc(), sessions::id.asc()))
        .load(c))?)
}

/// Sessions of the actor in every room, ordered by attendee then id.
pub fn for_actor(conn: &mut Conn<'_>, actor_type: &str, actor_id: &str) -> DbResult<Vec<Session>> {
    use crate::db::schema::attendees;
    Ok(backend!(conn, c => sessions::table
        .inner_join(attendees::table)
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id))
        .select(Session::as_select())
        .order((sessions::attendee_id.asc(), sessions::id.asc()))
        .load(c))?)
}

pub fn delete(conn: &mut Conn<'_>, session_id: &str) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::delete(sessions::table.filter(sessions::session_id.eq(session_id))).execute(c))?)
}

pub fn delete_for_attendee(conn: &mut Conn<'_>, attendee_id: AttendeeId) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::delete(sessions::table.filter(sessions::attendee_id.eq(attendee_id))).execute(c))?)
}
