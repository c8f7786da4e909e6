//! A conversation's participants (spreed `RoomController`): listing them, adding and removing
//! attendees, moderator rights, leaving, and joining or leaving the conversation with a session.
//! Each write runs in one write transaction; each listing reads in one snapshot.

use crate::db::models::{Attendee, Room, Session};
use crate::db::{store, Conn, Db};
use crate::domain::access::{Member, Moderator};
use crate::domain::ids::{AttendeeId, ParticipantType, RoomId};
use crate::domain::{breakout, participant, Refusal, Result};

/// The attendees of some rooms with their sessions, read in one snapshot.
pub struct Roster {
    /// In the order the listing shows them.
    pub rooms: Vec<Room>,
    pub attendees: Vec<Attendee>,
    pub sessions: Vec<Session>,
}

impl Roster {
    fn read(conn: &mut Conn<'_>, rooms: Vec<Room>) -> Result<Roster> {
        let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
        let attendees = store::attendees::list_for_rooms(conn, &ids)?;
        let sessions = store::sessions::for_rooms(conn, &ids)?;
        Ok(Roster {
            rooms,
            attendees,
            sessions,
        })
    }
}

/// `GET /room/{token}/participants`: the member's conversation (the lobby holds non-moderators
/// back).
pub async fn list(db: &Db, me: Member) -> Result<Roster> {
    me.check_lobby()?;
    db.read(move |conn| Roster::read(conn, vec![me.room().clone()])).await
}

/// `GET /room/{token}/breakout-rooms/participants`: the breakout rooms the member may see, then
/// the parent itself.
pub async fn list_with_breakout_rooms(db: &Db, me: Member) -> Result<Roster> {
    me.check_lobby()?;
    if me.attendee().participant_type == ParticipantType::Guest {
        return Err(Refusal::GuestNotAllowed);
    }
    db.read(move |conn| {
        let mut rooms: Vec<Room> = breakout::visible_rooms(conn, &me)?
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        rooms.push(me.room().clone());
        Roster::read(conn, rooms)
    })
    .await
}

/// `POST /room/{token}/participants`: a moderator adds a user or a group.
pub async fn add(db: &Db, by: Moderator, new_participant: String, source: String, now: i64) -> Result<()> {
    db.run(move |conn| conn.write_tx(|tx| participant::add_participant(tx, &by, &new_participant, &source, now)))
        .await
}

/// `DELETE /room/{token}/participants/self`: the member leaves the conversation.
pub async fn leave(db: &Db, me: Member, now: i64) -> Result<()> {
    db.run(move |conn| conn.write_tx(|tx| participant::leave(tx, &me, now)))
        .await
}

/// `DELETE /room/{token}/attendees`: a moderator removes an attendee.
pub async fn remove(db: &Db, by: Moderator, attendee_id: AttendeeId, now: i64) -> Result<()> {
    db.run(move |conn| conn.write_tx(|tx| participant::remove_attendee(tx, &by, attendee_id, now)))
        .await
}

/// `POST|DELETE /room/{token}/moderators`: a moderator promotes or demotes an attendee.
pub async fn change_moderator(db: &Db, by: Moderator, attendee_id: AttendeeId, promote: bool, now: i64) -> Result<()> {
    db.run(move |conn| conn.write_tx(|tx| participant::change_moderator(tx, &by, attendee_id, promote, now)))
        .await
}

/// How a face turns the conversation the member just joined into its answer.
pub trait PresentJoined<T>: FnOnce(&mut Conn<'_>, &Member) -> Result<T> + Send + 'static {}
impl<T, F: FnOnce(&mut Conn<'_>, &Member) -> Result<T> + Send + 'static> PresentJoined<T> for F {}

/// `POST /room/{token}/participants/active`: the member joins with a new session (the lobby is
/// not checked, as upstream); the answer shows the new session.
pub async fn join<T: Send + 'static>(db: &Db, me: Member, now: i64, present: impl PresentJoined<T>) -> Result<T> {
    db.run(move |conn| {
        conn.write_tx(|tx| {
            participant::start_session(tx, &me, now)?;
            present(tx, &me)
        })
    })
    .await
}

/// `DELETE /room/{token}/participants/active`: the member's sessions end.
pub async fn end_sessions(db: &Db, me: Member) -> Result<()> {
    Ok(db
        .run(move |conn| conn.write_tx(|tx| participant::end_sessions(tx, &me)))
        .await?)
}
