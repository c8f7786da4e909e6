//! The brute-force record: failed attempts per action and address, shared by every instance.

use crate::backend;
use crate::db::schema::brute_force_attempts as t;
use crate::db::{Conn, DbResult};
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::Integer;

/// Failures on record for `address` since `since` (0 when none).
pub fn attempts(conn: &mut Conn<'_>, action: &str, address: &str, since: i64) -> DbResult<i32> {
    let found: Option<i32> = backend!(conn, c => t::table
        .find((action, address))
        .filter(t::last_attempt.ge(since))
        .select(t::attempts)
        .first(c)
        .optional())?;
    Ok(found.unwrap_or(0))
}

/// Counts one more failure at `now` and returns the new count. A record whose last failure is
/// older than `since` starts again at one. One statement, so parallel failures on any number
/// of instances all count.
pub fn register(conn: &mut Conn<'_>, action: &str, address: &str, now: i64, since: i64) -> DbResult<i32> {
    let count = backend!(conn, c => diesel::insert_into(t::table)
        .values((t::action.eq(action), t::address.eq(address), t::attempts.eq(1), t::last_attempt.eq(now)))
        .on_conflict((t::action, t::address))
        .do_update()
        .set((
            t::attempts.eq(case_when(t::last_attempt.lt(since), 1.into_sql::<Integer>()).otherwise(t::attempts + 1)),
            t::last_attempt.eq(now),
        ))
        .returning(t::attempts)
        .get_result::<i32>(c))?;
    Ok(count)
}

/// Forgets the failures of `address` for `action`.
pub fn clear(conn: &mut Conn<'_>, action: &str, address: &str) -> DbResult<()> {
    backend!(conn, c => diesel::delete(t::table.find((action, address))).execute(c))?;
    Ok(())
}

/// Removes records whose last failure is older than `before`.
pub fn purge(conn: &mut Conn<'_>, before: i64) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::delete(t::table.filter(t::last_attempt.lt(before))).execute(c))?)
}
