//! Channel-linked users and their invitations (horn.md §3): one transaction per request; writes
//! lock the conversation first, like every other write on a channel.

use crate::app::rounds::{read, write};
use crate::db::Db;
use crate::domain::access::Caller;
use crate::domain::ids::AttendeeId;
use crate::domain::linked::{self, Invitation, InvitationView, Redeemed};
use crate::domain::Result;

/// #16: a new channel-linked user in the conversation `token`.
pub async fn create(
    db: &Db,
    token: String,
    caller: Caller,
    handle: Result<String>,
    ttl_ms: Result<i64>,
    now_ms: i64,
) -> Result<AttendeeId> {
    write(db, token, caller, move |c, ch| {
        linked::create(c, &ch.manager()?, handle, ttl_ms, now_ms)
    })
    .await
}

pub async fn invitation(db: &Db, token: String, caller: Caller, user: String) -> Result<Invitation> {
    read(db, token, caller, move |c, ch| {
        linked::invitation(c, &ch.manager()?, &user)
    })
    .await
}

pub async fn renew_invitation(
    db: &Db,
    token: String,
    caller: Caller,
    user: String,
    ttl_ms: Result<i64>,
    now_ms: i64,
) -> Result<Invitation> {
    write(db, token, caller, move |c, ch| {
        linked::renew_invitation(c, &ch.manager()?, &user, ttl_ms, now_ms)
    })
    .await
}

/// Redeems `code` for the app password whose keyed hash is `token_hash`.
pub async fn redeem(db: &Db, code: String, token_hash: String, device: String, now_ms: i64) -> Result<Redeemed> {
    db.run(move |conn| conn.write_tx(|tx| linked::redeem(tx, &code, &token_hash, &device, now_ms)))
        .await
}

/// The invitation page's view of `code` (one snapshot).
pub async fn invitation_by_code(db: &Db, code: String) -> Result<Option<InvitationView>> {
    db.read(move |conn| linked::find_invitation(conn, &code)).await
}

/// Unlinks attendee `user` of the conversation `token`; true if an account was deleted.
pub async fn unlink(db: &Db, token: String, caller: Caller, user: String, now_ms: i64) -> Result<bool> {
    write(db, token, caller, move |c, ch| {
        linked::unlink(c, &ch.manager()?, &user, now_ms)
    })
    .await
}
