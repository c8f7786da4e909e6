//! Breakout sessions: one transaction per request. Writes lock the conversation first (inside
//! [`Channel::open_locked`]), so concurrent requests on one conversation serialise on every backend and
//! instance; reads see one snapshot.

use crate::db::{store, Conn, Db, DbError, WriteTx};
use crate::domain::access::{Caller, Channel};
use crate::domain::linked::{self, UserContext};
use crate::domain::rounds::{
    self, AssignInput, Member, Paging, RoomInput, RoomView, RoomWithMembers, SessionInput, SessionView, StartInput,
};
use crate::domain::{Refusal, Result};

/// Runs `f` in one write transaction on the locked conversation `token`.
pub(crate) async fn write<T, F>(db: &Db, token: String, caller: Caller, f: F) -> Result<T>
where
    F: FnOnce(&mut WriteTx<'_, '_>, &Channel) -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    db.run(move |conn| {
        conn.write_tx(|conn| {
            let channel = Channel::open_locked(conn, &token, &caller)?;
            f(conn, &channel)
        })
    })
    .await
}

/// Runs `f` in one read transaction on the conversation `token`.
pub(crate) async fn read<T, F>(db: &Db, token: String, caller: Caller, f: F) -> Result<T>
where
    F: FnOnce(&mut Conn<'_>, &Channel) -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    db.read(move |conn| {
        let channel = Channel::open(conn, &token, &caller)?;
        f(conn, &channel)
    })
    .await
}

pub async fn create_session(
    db: &Db,
    token: String,
    caller: Caller,
    input: Result<SessionInput>,
    now_ms: i64,
) -> Result<SessionView> {
    write(db, token, caller, move |c, ch| {
        rounds::create_session(c, &ch.manager()?, input, now_ms)
    })
    .await
}

pub async fn list_sessions(
    db: &Db,
    token: String,
    caller: Caller,
    paging: Result<Paging>,
    completed_only: bool,
) -> Result<Vec<SessionView>> {
    read(db, token, caller, move |c, ch| {
        rounds::list_sessions(c, ch, paging, completed_only)
    })
    .await
}

pub async fn update_session(
    db: &Db,
    token: String,
    caller: Caller,
    id: String,
    input: Result<SessionInput>,
    now_ms: i64,
) -> Result<SessionView> {
    write(db, token, caller, move |c, ch| {
        rounds::update_session(c, &ch.manager()?, &id, input, now_ms)
    })
    .await
}

pub async fn delete_session(db: &Db, token: String, caller: Caller, id: String, now_ms: i64) -> Result<()> {
    write(db, token, caller, move |c, ch| {
        rounds::delete_session(c, &ch.manager()?, &id, now_ms)
    })
    .await
}

pub async fn add_room(
    db: &Db,
    token: String,
    caller: Caller,
    id: String,
    input: Result<RoomInput>,
) -> Result<RoomView> {
    write(db, token, caller, move |c, ch| {
        rounds::add_room(c, &ch.manager()?, &id, input)
    })
    .await
}

pub async fn list_rooms(db: &Db, token: String, caller: Caller, id: String) -> Result<Vec<RoomView>> {
    read(db, token, caller, move |c, ch| rounds::list_rooms(c, ch, &id)).await
}

pub async fn update_room(
    db: &Db,
    token: String,
    caller: Caller,
    (id, room): (String, String),
    input: Result<RoomInput>,
    now_ms: i64,
) -> Result<()> {
    write(db, token, caller, move |c, ch| {
        rounds::update_room(c, &ch.manager()?, &id, &room, input, now_ms)
    })
    .await
}

pub async fn delete_room(db: &Db, token: String, caller: Caller, (id, room): (String, String)) -> Result<()> {
    write(db, token, caller, move |c, ch| {
        rounds::delete_room(c, &ch.manager()?, &id, &room)
    })
    .await
}

/// #9: the room's users, with what their User objects need.
pub async fn participants(
    db: &Db,
    token: String,
    caller: Caller,
    (id, room): (String, String),
) -> Result<(Vec<Member>, UserContext)> {
    read(db, token, caller, move |c, ch| {
        let members = rounds::participants(c, &ch.manager()?, &id, &room)?;
        Ok((members, user_context(c, ch)?))
    })
    .await
}

/// #17: the channel's users (ordinary and channel-linked), with what their User objects need.
pub async fn linked_users(
    db: &Db,
    token: String,
    caller: Caller,
    paging: Result<Paging>,
) -> Result<(Vec<Member>, UserContext)> {
    read(db, token, caller, move |c, ch| {
        let members = rounds::linked_users(c, &ch.manager()?, paging)?;
        Ok((members, user_context(c, ch)?))
    })
    .await
}

/// The deployment's client id and the channel's linked handles, read in the caller's snapshot.
pub(crate) fn user_context(c: &mut Conn<'_>, ch: &Channel) -> Result<UserContext> {
    Ok(UserContext {
        client_id: store::app_passwords::secret(c, CLIENT_ID)?.unwrap_or_default(),
        handles: linked::handles(c, &ch.room)?,
    })
}

pub async fn assign(db: &Db, token: String, caller: Caller, (id, room, user): (String, String, String)) -> Result<()> {
    write(db, token, caller, move |c, ch| {
        rounds::assign(c, &ch.manager()?, &id, &room, &user)
    })
    .await
}

/// How often `assign` draws again from a fresh snapshot when the conversation changed between
/// its draw and its write, before it draws under the lock instead.
const ASSIGN_ATTEMPTS: usize = 3;

/// The assign extension: the session's rooms with their new members, with what their User
/// objects need. The draw (for `rotate` a search of up to about 150 ms, `mixing::Budget::request`)
/// runs in a read snapshot, outside the conversation's write lock; the write transaction then
/// checks everything again and writes the draw only if the session is still a pending plan and
/// its rooms, the people placed and (for `rotate`) the completed rounds are what the draw saw.
/// If they changed, it draws again from a fresh snapshot; after [`ASSIGN_ATTEMPTS`] such races
/// it draws under the lock, so a busy conversation still gets its answer.
pub async fn assign_all(
    db: &Db,
    token: String,
    caller: Caller,
    id: String,
    input: Result<AssignInput>,
) -> Result<(Vec<RoomWithMembers>, UserContext)> {
    let mut input = input;
    for _ in 0..ASSIGN_ATTEMPTS {
        let draft = {
            let id = id.clone();
            read(db, token.clone(), caller.clone(), move |c, ch| {
                rounds::draft_assignment(c, &ch.manager()?, &id, input, &mut rand::thread_rng())
            })
            .await?
        };
        input = Ok(draft.input);
        let id = id.clone();
        let written = write(
            db,
            token.clone(),
            caller.clone(),
            move |c, ch| match rounds::assign_all(
                c,
                &ch.manager()?,
                &id,
                Ok(draft.input),
                Some(draft),
                &mut rand::thread_rng(),
            )? {
                Some(rooms) => Ok(Some((rooms, user_context(c, ch)?))),
                None => Ok(None),
            },
        )
        .await?;
        if let Some(done) = written {
            return Ok(done);
        }
    }
    write(db, token, caller, move |c, ch| {
        let rooms =
            rounds::assign_all(c, &ch.manager()?, &id, input, None, &mut rand::thread_rng())?.ok_or_else(|| {
                Refusal::Storage(DbError::Internal("assign drew under the lock and wrote nothing".into()))
            })?;
        Ok((rooms, user_context(c, ch)?))
    })
    .await
}

pub async fn unassign(
    db: &Db,
    token: String,
    caller: Caller,
    (id, room, user): (String, String, String),
) -> Result<()> {
    write(db, token, caller, move |c, ch| {
        rounds::unassign(c, &ch.manager()?, &id, &room, &user)
    })
    .await
}

pub async fn start(
    db: &Db,
    token: String,
    caller: Caller,
    input: Result<StartInput>,
    now_ms: i64,
) -> Result<SessionView> {
    write(db, token, caller, move |c, ch| {
        rounds::start(c, &ch.manager()?, input, now_ms)
    })
    .await
}

pub async fn stop(db: &Db, token: String, caller: Caller, now_ms: i64) -> Result<SessionView> {
    write(db, token, caller, move |c, ch| rounds::stop(c, &ch.manager()?, now_ms)).await
}

/// One statement, so no transaction around it (see [`rounds::current`]).
pub async fn current(db: &Db, token: String, caller: Caller) -> Result<Option<SessionView>> {
    db.read_one(move |conn| rounds::current(conn, &token, &caller)).await
}

pub async fn set_enabled(db: &Db, token: String, caller: Caller, enabled: Result<bool>, now_ms: i64) -> Result<()> {
    write(db, token, caller, move |c, ch| {
        rounds::set_enabled(c, &ch.owner()?, enabled, now_ms)
    })
    .await
}

/// Where the deployment's Horn `clientId` is kept: beside the server secrets, not in the app
/// config, which Nextcloud's provisioning API lists to admins.
pub const CLIENT_ID: &str = "horn_client_id";

/// Generates the deployment's `clientId` on the first start and keeps it; every instance
/// sharing the database answers the same.
pub async fn ensure_client_id(db: &Db) -> std::result::Result<String, DbError> {
    db.run(|conn| {
        conn.write_tx(|conn| -> std::result::Result<String, DbError> {
            let fresh = format!(
                "{}{}",
                crate::domain::ids::generate_token(),
                crate::domain::ids::generate_token()
            );
            store::app_passwords::secret_or_insert(conn, CLIENT_ID, || fresh)
        })
    })
    .await
}
