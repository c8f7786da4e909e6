//! Talk's breakout-room use cases (`BreakoutRoomController`). Each runs in one write transaction
//! that the domain operation starts by locking the parent conversation; the rooms it returns are
//! handed to the face's `present` inside the same transaction, so the answer shows exactly the
//! state the operation left (no other writer can slip in between). `now_ms` is the request's
//! time in epoch ms: webhook events carry it whole, Talk's timestamps take its seconds.

use crate::app::conversation::PresentRooms;
use crate::db::models::{Attendee, Room};
use crate::db::{Conn, Db};
use crate::domain::access::{Member, Moderator};
use crate::domain::breakout::{self, ConfigureRequest};
use crate::domain::settings::breakout_rooms_allowed;
use crate::domain::{Refusal, Result};

/// How a face turns the rooms an operation touched into its answer, for the member who acted.
pub trait Present<T>: FnOnce(&mut Conn<'_>, &Member, Vec<Room>) -> Result<T> + Send + 'static {}
impl<T, F: FnOnce(&mut Conn<'_>, &Member, Vec<Room>) -> Result<T> + Send + 'static> Present<T> for F {}

/// Runs a moderator's operation on the parent in one write transaction and presents the rooms
/// it returns.
async fn on_parent<T, Op>(db: &Db, by: Moderator, operation: Op, present: impl Present<T>) -> Result<T>
where
    T: Send + 'static,
    Op: FnOnce(&mut crate::db::WriteTx<'_, '_>, &Moderator) -> Result<Vec<Room>> + Send + 'static,
{
    db.run(move |conn| {
        conn.write_tx(|tx| {
            let rooms = operation(tx, &by)?;
            present(tx, by.member(), rooms)
        })
    })
    .await
}

/// [`on_parent`] for the operations that the breakout switches govern (configure, reorganize):
/// the operation learns whether the server's and the conversation's switch both allow them.
async fn on_parent_if_allowed<T, Op>(db: &Db, by: Moderator, operation: Op, present: impl Present<T>) -> Result<T>
where
    T: Send + 'static,
    Op: FnOnce(&mut crate::db::WriteTx<'_, '_>, &Moderator, bool) -> Result<Vec<Room>> + Send + 'static,
{
    on_parent(
        db,
        by,
        move |tx, by| {
            let allowed = breakout_rooms_allowed(tx, by.room().id)?;
            operation(tx, by, allowed)
        },
        present,
    )
    .await
}

/// Creates the breakout rooms (when both the server's and the conversation's switch allow it).
pub async fn configure<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    req: ConfigureRequest,
    now_ms: i64,
    present: impl Present<T>,
) -> Result<T> {
    on_parent_if_allowed(
        db,
        by,
        move |tx, by, allowed| breakout::configure(tx, by, allowed, &req, now_ms),
        present,
    )
    .await
}

/// Removes every breakout room; the answer is about the parent alone.
pub async fn remove<T: Send + 'static>(db: &Db, by: Moderator, now_ms: i64, present: impl Present<T>) -> Result<T> {
    on_parent(
        db,
        by,
        move |tx, by| Ok(vec![breakout::remove(tx, by, now_ms)?]),
        present,
    )
    .await
}

/// Opens every breakout room.
pub async fn start<T: Send + 'static>(db: &Db, by: Moderator, now_ms: i64, present: impl Present<T>) -> Result<T> {
    on_parent(db, by, move |tx, by| breakout::start(tx, by, now_ms), present).await
}

/// Closes every breakout room.
pub async fn stop<T: Send + 'static>(db: &Db, by: Moderator, now_ms: i64, present: impl Present<T>) -> Result<T> {
    on_parent(db, by, move |tx, by| breakout::stop(tx, by, now_ms), present).await
}

/// Posts one message into every breakout room.
pub async fn broadcast<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    message: Option<String>,
    now: i64,
    present: impl Present<T>,
) -> Result<T> {
    on_parent(
        db,
        by,
        move |tx, by| breakout::broadcast(tx, by, message.as_deref(), now),
        present,
    )
    .await
}

/// Moves attendees between breakout rooms by the map.
pub async fn reorganize<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    attendee_map: String,
    now: i64,
    present: impl Present<T>,
) -> Result<T> {
    on_parent_if_allowed(
        db,
        by,
        move |tx, by, allowed| breakout::reorganize(tx, by, allowed, &attendee_map, now),
        present,
    )
    .await
}

/// A participant of an open breakout room asks for (or withdraws a request for) assistance.
pub async fn set_assistance<T: Send + 'static>(
    db: &Db,
    me: Member,
    requested: bool,
    now_ms: i64,
    present: impl Present<T>,
) -> Result<T> {
    db.run(move |conn| {
        conn.write_tx(|tx| {
            let room = breakout::set_assistance(tx, &me, requested, now_ms)?;
            present(tx, &me, vec![room])
        })
    })
    .await
}

/// In free mode, a participant moves themself into another breakout room. Returns the target
/// room with the caller's attendee in the parent (what upstream formats the answer with).
pub async fn switch(db: &Db, me: Member, target: String, now: i64) -> Result<(Room, Attendee, Member)> {
    db.run(move |conn| {
        conn.write_tx(|tx| -> std::result::Result<_, Refusal> {
            let (room, parent_attendee) = breakout::switch(tx, &me, &target, now)?;
            Ok((room, parent_attendee, me))
        })
    })
    .await
}

/// `GET /room/{token}/breakout-rooms`: the breakout rooms the member may see, each with their
/// attendee row there (if any), presented in the snapshot they were read in.
pub async fn list<T: Send + 'static>(db: &Db, me: Member, present: impl PresentRooms<T>) -> Result<T> {
    db.read(move |conn| {
        let visible = breakout::visible_rooms(conn, &me)?;
        present(conn, &visible)
    })
    .await
}
