//! A conversation's settings and a participant's own preferences (spreed `RoomController`'s
//! `renameRoom`, `setLobby`, `makePublic`, `makePrivate`, `setListable`,
//! `setMessageExpiration`, `setPermissions`, `setDescription`, `setReadOnly`, `addToFavorites`,
//! `removeFromFavorites`, `setNotificationLevel`, `setNotificationCalls`). Each runs in one write transaction and
//! hands the room and the caller's attendee row, as the change left them, to the face's
//! presenter inside it.

use crate::db::models::{Attendee, Room};
use crate::db::store::rooms::RoomIntField;
use crate::db::{Conn, Db};
use crate::domain::access::{Member, Moderator};
use crate::domain::participant::{self, OwnSetting};
use crate::domain::{conversation, Refusal, Result};

/// How a face turns the room and the caller's attendee row into its answer.
pub trait Present<T>: FnOnce(&mut Conn<'_>, &Member, &Room, &Attendee) -> Result<T> + Send + 'static {}
impl<T, F: FnOnce(&mut Conn<'_>, &Member, &Room, &Attendee) -> Result<T> + Send + 'static> Present<T> for F {}

/// A moderator's change of the room, presented for them.
async fn by_moderator<T, Op>(db: &Db, by: Moderator, operation: Op, present: impl Present<T>) -> Result<T>
where
    T: Send + 'static,
    Op: FnOnce(&mut crate::db::WriteTx<'_, '_>, &Moderator) -> Result<Room> + Send + 'static,
{
    db.run(move |conn| {
        conn.write_tx(|tx| {
            let room = operation(tx, &by)?;
            let me = crate::db::store::attendees::find_by_id(tx, room.id, by.attendee().id)?
                .ok_or(Refusal::NotParticipant)?;
            present(tx, by.member(), &room, &me)
        })
    })
    .await
}

pub async fn rename<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    name: String,
    now: i64,
    present: impl Present<T>,
) -> Result<T> {
    by_moderator(db, by, move |tx, by| conversation::rename(tx, by, &name, now), present).await
}

/// The lobby's state and timer (`now_ms`: a timer in the past opens it at once).
pub async fn set_lobby<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    state: i64,
    timer: i64,
    now_ms: i64,
    present: impl Present<T>,
) -> Result<T> {
    by_moderator(
        db,
        by,
        move |tx, by| conversation::set_lobby(tx, by, state, timer, now_ms),
        present,
    )
    .await
}

pub async fn set_public<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    public: bool,
    present: impl Present<T>,
) -> Result<T> {
    by_moderator(db, by, move |tx, by| conversation::set_public(tx, by, public), present).await
}

/// Who may mention everybody (`@all`): 0 everybody, 1 moderators.
pub async fn set_mention_permissions<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    value: i64,
    present: impl Present<T>,
) -> Result<T> {
    by_moderator(
        db,
        by,
        move |tx, by| conversation::set_mention_permissions(tx, by, value),
        present,
    )
    .await
}

/// One of the settings breakout rooms refuse (listable, message expiration, default
/// permissions), `value` in `0..=max`.
pub async fn set_locked_setting<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    field: RoomIntField,
    value: i64,
    max: i64,
    present: impl Present<T>,
) -> Result<T> {
    by_moderator(
        db,
        by,
        move |tx, by| conversation::set_locked_setting(tx, by, field, value, max),
        present,
    )
    .await
}

pub async fn set_description<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    description: String,
    now: i64,
    present: impl Present<T>,
) -> Result<T> {
    by_moderator(
        db,
        by,
        move |tx, by| conversation::set_description(tx, by, &description, now),
        present,
    )
    .await
}

pub async fn set_read_only<T: Send + 'static>(
    db: &Db,
    by: Moderator,
    state: i64,
    now: i64,
    present: impl Present<T>,
) -> Result<T> {
    by_moderator(
        db,
        by,
        move |tx, by| conversation::set_read_only(tx, by, state, now),
        present,
    )
    .await
}

/// A participant's own preference in the room (favorite, notification levels).
pub async fn set_own<T: Send + 'static>(
    db: &Db,
    member: Member,
    setting: OwnSetting,
    present: impl Present<T>,
) -> Result<T> {
    db.run(move |conn| {
        conn.write_tx(|tx| {
            let me = participant::set_own(tx, &member, setting)?;
            let room = conversation::reload(tx, member.room().id)?;
            present(tx, &member, &room, &me)
        })
    })
    .await
}
