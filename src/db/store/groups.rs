use crate::backend;
use crate::db::models::{Group, GroupMember};
use crate::db::schema::{group_members, user_groups, users};
use crate::db::{Conn, DbResult};
use diesel::prelude::*;

pub fn find(conn: &mut Conn<'_>, group_id: &str) -> DbResult<Option<Group>> {
    Ok(backend!(conn, c => user_groups::table.find(group_id).select(Group::as_select()).first(c).optional())?)
}

pub fn insert(conn: &mut Conn<'_>, group: &Group) -> DbResult<()> {
    backend!(conn, c => diesel::insert_into(user_groups::table).values(group).execute(c))?;
    Ok(())
}

pub fn set_display_name(conn: &mut Conn<'_>, group_id: &str, display_name: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(user_groups::table.find(group_id)).set(user_groups::display_name.eq(display_name)).execute(c))?;
    Ok(n > 0)
}

/// Deletes the group; memberships go with it (foreign key cascade).
pub fn delete(conn: &mut Conn<'_>, group_id: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::delete(user_groups::table.find(group_id)).execute(c))?;
    Ok(n > 0)
}

/// Adds a membership; adding an existing one is a no-op, as in Nextcloud.
pub fn add_member(conn: &mut Conn<'_>, group_id: &str, user_id: &str) -> DbResult<()> {
    let row = GroupMember {
        group_id: group_id.to_owned(),
        user_id: user_id.into(),
    };
    backend!(conn, c => diesel::insert_into(group_members::table).values(&row).on_conflict_do_nothing().execute(c))?;
    Ok(())
}

pub fn remove_member(conn: &mut Conn<'_>, group_id: &str, user_id: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::delete(group_members::table
        .filter(group_members::group_id.eq(group_id))
        .filter(group_members::user_id.eq(user_id)))
        .execute(c))?;
    Ok(n > 0)
}

/// Members with their display names, ordered by user id.
pub fn members(conn: &mut Conn<'_>, group_id: &str) -> DbResult<Vec<(String, String)>> {
    Ok(backend!(conn, c => group_members::table
        .inner_join(users::table)
        .filter(group_members::group_id.eq(group_id))
        .select((users::user_id, users::display_name))
        .order(users::user_id.asc())
        .load(c))?)
}

pub fn list_ids(conn: &mut Conn<'_>) -> DbResult<Vec<String>> {
    Ok(
        backend!(conn, c => user_groups::table.select(user_groups::group_id).order(user_groups::group_id.asc()).load(c))?,
    )
}

/// Display names of the groups among `group_ids` that exist.
pub fn display_names(conn: &mut Conn<'_>, group_ids: &[String]) -> DbResult<Vec<(String, String)>> {
    Ok(backend!(conn, c => user_groups::table
        .filter(user_groups::group_id.eq_any(group_ids))
        .select((user_groups::group_id, user_groups::display_name))
        .load(c))?)
}
