//! App passwords (stored as keyed hashes), the server secrets they are hashed with, and Login
//! Flow v2 sessions.

use crate::backend;
use crate::db::models::{AppPassword, LoginFlow, NewAppPassword, NewLoginFlow, User};
use crate::db::schema::{app_passwords, group_members, login_flows, server_secrets, users};
use crate::db::{Conn, DbResult};
use diesel::prelude::*;

/// The secret named `name`, created with `generate` if no instance has stored one yet. Instances
/// starting together agree: the first insert wins and everyone reads the stored value.
pub fn secret_or_insert(conn: &mut Conn<'_>, name: &str, generate: impl FnOnce() -> String) -> DbResult<String> {
    let value = generate();
    backend!(conn, c => diesel::insert_into(server_secrets::table)
        .values((server_secrets::name.eq(name), server_secrets::value.eq(&value)))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(backend!(conn, c => server_secrets::table
        .find(name)
        .select(server_secrets::value)
        .first(c))?)
}

/// The stored value named `name`, if any instance has stored one.
pub fn secret(conn: &mut Conn<'_>, name: &str) -> DbResult<Option<String>> {
    Ok(backend!(conn, c => server_secrets::table
        .find(name)
        .select(server_secrets::value)
        .first(c)
        .optional())?)
}

/// An app password with the account it belongs to and whether that account is an admin.
pub type TokenOwner = (AppPassword, User, bool);

/// The app password whose hash is `token_hash`, with its account (one indexed query, plus one
/// for the admin flag).
pub fn find_by_hash(conn: &mut Conn<'_>, token_hash: &str, admin_group: &str) -> DbResult<Option<TokenOwner>> {
    let found: Option<(AppPassword, User)> = backend!(conn, c => app_passwords::table
        .inner_join(users::table)
        .filter(app_passwords::token_hash.eq(token_hash))
        .select((AppPassword::as_select(), User::as_select()))
        .first(c)
        .optional())?;
    let Some((token, user)) = found else {
        return Ok(None);
    };
    let admin: i64 = backend!(conn, c => group_members::table
        .filter(group_members::user_id.eq(&user.user_id))
        .filter(group_members::group_id.eq(admin_group))
        .count()
        .get_result(c))?;
    Ok(Some((token, user, admin > 0)))
}

pub fn insert(conn: &mut Conn<'_>, row: &NewAppPassword<'_>) -> DbResult<i64> {
    Ok(backend!(conn, c => diesel::insert_into(app_passwords::table)
        .values(row)
        .returning(app_passwords::id)
        .get_result(c))?)
}

pub fn delete(conn: &mut Conn<'_>, id: i64) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::delete(app_passwords::table.find(id)).execute(c))?;
    Ok(n > 0)
}

pub fn count_for_user(conn: &mut Conn<'_>, user_id: &str) -> DbResult<i64> {
    Ok(backend!(conn, c => app_passwords::table
        .filter(app_passwords::user_id.eq(user_id))
        .count()
        .get_result(c))?)
}

pub fn insert_flow(conn: &mut Conn<'_>, row: &NewLoginFlow<'_>) -> DbResult<()> {
    backend!(conn, c => diesel::insert_into(login_flows::table).values(row).execute(c))?;
    Ok(())
}

/// Forgets flows started before `cutoff` (they expired).
pub fn delete_flows_before(conn: &mut Conn<'_>, cutoff: i64) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::delete(login_flows::table.filter(login_flows::created_at.lt(cutoff))).execute(c))?)
}

pub fn flow_by_login_hash(conn: &mut Conn<'_>, login_token_hash: &str) -> DbResult<Option<LoginFlow>> {
    Ok(backend!(conn, c => login_flows::table
        .filter(login_flows::login_token_hash.eq(login_token_hash))
        .select(LoginFlow::as_select())
        .first(c)
        .optional())?)
}

pub fn flow_by_poll_hash(conn: &mut Conn<'_>, poll_token_hash: &str) -> DbResult<Option<LoginFlow>> {
    Ok(backend!(conn, c => login_flows::table
        .filter(login_flows::poll_token_hash.eq(poll_token_hash))
        .select(LoginFlow::as_select())
        .first(c)
        .optional())?)
}

/// Records who logged in to the flow, and from which browser.
pub fn flow_logged_in(conn: &mut Conn<'_>, id: i64, user_id: &str, browser_hash: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(login_flows::table.find(id).filter(login_flows::granted.eq(false)))
        .set((login_flows::user_id.eq(user_id), login_flows::browser_hash.eq(browser_hash)))
        .execute(c))?;
    Ok(n > 0)
}

pub fn flow_granted(conn: &mut Conn<'_>, id: i64) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(login_flows::table.find(id).filter(login_flows::granted.eq(false)))
        .set(login_flows::granted.eq(true))
        .execute(c))?;
    Ok(n > 0)
}

/// Completes a flow with an app password the person gave: the poll hands out `sealed` for
/// `user_id`; false if the flow was completed already.
pub fn flow_done_with_app_password(conn: &mut Conn<'_>, id: i64, user_id: &str, sealed: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(login_flows::table.find(id).filter(login_flows::granted.eq(false)))
        .set((
            login_flows::user_id.eq(user_id),
            login_flows::app_password_sealed.eq(sealed),
            login_flows::granted.eq(true),
        ))
        .execute(c))?;
    Ok(n > 0)
}

/// Removes the flow if it is still there; true for the one caller that removed it.
pub fn delete_flow(conn: &mut Conn<'_>, id: i64) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::delete(login_flows::table.find(id)).execute(c))?;
    Ok(n > 0)
}

/// Gives an app password a new secret (rotation); false if it is gone.
pub fn set_hash(conn: &mut Conn<'_>, id: i64, token_hash: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(app_passwords::table.find(id))
        .set(app_passwords::token_hash.eq(token_hash))
        .execute(c))?;
    Ok(n > 0)
}
