//! Channel-linked accounts: the link of each to its conversation and its invitation code.
//! Deleting a link deletes the account (a trigger in the migration), so every path that removes
//! a conversation removes its linked accounts too.

use crate::backend;
use crate::db::models::LinkedUser;
use crate::db::schema::{linked_users, messages};
use crate::db::{Conn, DbResult};
use crate::domain::ids::{actor, RoomId};
use diesel::prelude::*;

pub fn insert(conn: &mut Conn<'_>, row: &LinkedUser) -> DbResult<()> {
    backend!(conn, c => diesel::insert_into(linked_users::table).values(row).execute(c))?;
    Ok(())
}

/// The link of the account `user_id`, if it is a channel-linked account.
pub fn find(conn: &mut Conn<'_>, user_id: &str) -> DbResult<Option<LinkedUser>> {
    Ok(backend!(conn, c => linked_users::table
        .find(user_id)
        .select(LinkedUser::as_select())
        .first(c)
        .optional())?)
}

/// The link holding this invitation code.
pub fn find_by_code(conn: &mut Conn<'_>, code: &str) -> DbResult<Option<LinkedUser>> {
    Ok(backend!(conn, c => linked_users::table
        .filter(linked_users::invitation_code.eq(code))
        .select(LinkedUser::as_select())
        .first(c)
        .optional())?)
}

/// The conversation's channel-linked accounts: login name and handle.
pub fn handles_of_room(conn: &mut Conn<'_>, room_id: RoomId) -> DbResult<Vec<(String, String)>> {
    Ok(backend!(conn, c => linked_users::table
        .filter(linked_users::room_id.eq(room_id))
        .select((linked_users::user_id, linked_users::handle))
        .order(linked_users::user_id.asc())
        .load(c))?)
}

/// Replaces the invitation code; false if the link is gone.
pub fn set_invitation(conn: &mut Conn<'_>, user_id: &str, code: &str, expires: i64) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(linked_users::table.find(user_id))
        .set((linked_users::invitation_code.eq(code), linked_users::invitation_expires.eq(expires)))
        .execute(c))?;
    Ok(n > 0)
}

/// Removes the link, and with it the account (see the module comment); false if it was gone.
pub fn delete(conn: &mut Conn<'_>, user_id: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::delete(linked_users::table.find(user_id)).execute(c))?;
    Ok(n > 0)
}

/// Upstream's `ICommentsManager::deleteReferencesOfActor` for a deleted account: its messages
/// in `room_ids` stay, with `deleted_users` as author (and as editor where it edited them) and
/// no display name, as Talk shows a deleted user's messages.
pub fn forget_author(conn: &mut Conn<'_>, room_ids: &[RoomId], user_id: &str) -> DbResult<()> {
    backend!(conn, c => diesel::update(messages::table
        .filter(messages::room_id.eq_any(room_ids))
        .filter(messages::actor_type.eq(actor::USERS))
        .filter(messages::actor_id.eq(user_id)))
        .set((
            messages::actor_type.eq(actor::DELETED_USERS),
            messages::actor_id.eq(actor::DELETED_USERS),
            messages::actor_display_name.eq(""),
        ))
        .execute(c))?;
    backend!(conn, c => diesel::update(messages::table
        .filter(messages::room_id.eq_any(room_ids))
        .filter(messages::last_edit_actor_type.eq(actor::USERS))
        .filter(messages::last_edit_actor_id.eq(user_id)))
        .set((
            messages::last_edit_actor_type.eq(actor::DELETED_USERS),
            messages::last_edit_actor_id.eq(actor::DELETED_USERS),
            messages::last_edit_actor_display_name.eq(""),
        ))
        .execute(c))?;
    Ok(())
}
