use crate::backend;
use crate::db::models::User;
use crate::db::schema::{group_members, users};
use crate::db::{Conn, DbResult};
use diesel::prelude::*;

pub fn find(conn: &mut Conn<'_>, user_id: &str) -> DbResult<Option<User>> {
    Ok(backend!(conn, c => users::table.find(user_id).select(User::as_select()).first(c).optional())?)
}

/// Inserts a user; a concurrent insert of the same id shows as a unique violation.
pub fn insert(conn: &mut Conn<'_>, user: &User) -> DbResult<()> {
    backend!(conn, c => diesel::insert_into(users::table).values(user).execute(c))?;
    Ok(())
}

pub fn set_display_name(conn: &mut Conn<'_>, user_id: &str, display_name: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(users::table.find(user_id)).set(users::display_name.eq(display_name)).execute(c))?;
    Ok(n > 0)
}

pub fn set_password_hash(conn: &mut Conn<'_>, user_id: &str, hash: &str) -> DbResult<bool> {
    let n =
        backend!(conn, c => diesel::update(users::table.find(user_id)).set(users::password_hash.eq(hash)).execute(c))?;
    Ok(n > 0)
}

pub fn set_email(conn: &mut Conn<'_>, user_id: &str, email: Option<&str>) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(users::table.find(user_id)).set(users::email.eq(email)).execute(c))?;
    Ok(n > 0)
}

pub fn set_enabled(conn: &mut Conn<'_>, user_id: &str, enabled: bool) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(users::table.find(user_id)).set(users::enabled.eq(enabled)).execute(c))?;
    Ok(n > 0)
}

pub fn touch_last_login(conn: &mut Conn<'_>, user_id: &str, now: i64) -> DbResult<()> {
    backend!(conn, c => diesel::update(users::table.find(user_id)).set(users::last_login.eq(now)).execute(c))?;
    Ok(())
}

/// Deletes the account row; group memberships go with it (foreign key cascade).
pub fn delete(conn: &mut Conn<'_>, user_id: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::delete(users::table.find(user_id)).execute(c))?;
    Ok(n > 0)
}

pub fn groups_of(conn: &mut Conn<'_>, user_id: &str) -> DbResult<Vec<String>> {
    Ok(backend!(conn, c => group_members::table
        .filter(group_members::user_id.eq(user_id))
        .select(group_members::group_id)
        .order(group_members::group_id.asc())
        .load(c))?)
}

pub fn is_in_group(conn: &mut Conn<'_>, user_id: &str, group_id: &str) -> DbResult<bool> {
    let n: i64 = backend!(conn, c => group_members::table
        .filter(group_members::user_id.eq(user_id))
        .filter(group_members::group_id.eq(group_id))
        .count()
        .get_result(c))?;
    Ok(n > 0)
}

pub fn display_names(conn: &mut Conn<'_>, user_ids: &[String]) -> DbResult<Vec<(String, String)>> {
    Ok(backend!(conn, c => users::table
        .filter(users::user_id.eq_any(user_ids))
        .select((users::user_id, users::display_name))
        .load(c))?)
}

/// Every account, ordered by id.
pub fn list(conn: &mut Conn<'_>) -> DbResult<Vec<User>> {
    Ok(backend!(conn, c => users::table.select(User::as_select()).order(users::user_id.asc()).load(c))?)
}
