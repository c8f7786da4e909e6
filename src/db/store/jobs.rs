//! The `jobs` table: background work to do at a time, claimed by one instance at a time.
//! Every function runs inside the caller's transaction; the runner in `crate::jobs` decides
//! the boundaries.

use crate::backend;
use crate::db::schema::jobs as t;
use crate::db::{Conn, DbResult};
use diesel::prelude::*;

/// A job as the runner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub job_key: String,
    pub due_at: i64,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// A new job row, due at `due_at`.
#[derive(Insertable)]
#[diesel(table_name = t)]
struct NewJob<'a> {
    kind: &'a str,
    job_key: &'a str,
    due_at: i64,
    attempts: i32,
    created_at: i64,
}

impl<'a> NewJob<'a> {
    fn new(kind: &'a str, job_key: &'a str, due_at: i64, now: i64) -> Self {
        NewJob {
            kind,
            job_key,
            due_at,
            attempts: 0,
            created_at: now,
        }
    }
}

/// A job due afresh at `due_at`: no failures, no claim. One shape for a job scheduled again
/// and for a periodic job coming back, so the two cannot drift.
#[derive(AsChangeset)]
#[diesel(table_name = t, treat_none_as_null = true)]
struct Fresh {
    due_at: i64,
    attempts: i32,
    last_error: Option<String>,
    claimed_until: Option<i64>,
    locked_by: Option<String>,
}

impl Fresh {
    fn at(due_at: i64) -> Self {
        Fresh {
            due_at,
            attempts: 0,
            last_error: None,
            claimed_until: None,
            locked_by: None,
        }
    }
}

/// Schedules `kind`/`key` at `due_at`, replacing the due time of the same job if it exists
/// (and its failures and claim: a claimed run of the old version then finds its row changed
/// and rolls back, see `complete`).
pub fn schedule(conn: &mut Conn<'_>, kind: &str, key: &str, due_at: i64, now: i64) -> DbResult<()> {
    backend!(conn, c => diesel::insert_into(t::table)
        .values(&NewJob::new(kind, key, due_at, now))
        .on_conflict((t::kind, t::job_key))
        .do_update()
        .set(&Fresh::at(due_at))
        .execute(c))?;
    Ok(())
}

/// Makes sure `kind`/`key` runs at `due_at` or earlier: creates it, or brings it forward. A run
/// under way loses its claim, so it rolls back and runs again with what was committed since.
pub fn schedule_no_later(conn: &mut Conn<'_>, kind: &str, key: &str, due_at: i64, now: i64) -> DbResult<()> {
    backend!(conn, c => {
        let this = t::table.filter(t::kind.eq(kind)).filter(t::job_key.eq(key));
        diesel::update(this.filter(t::due_at.gt(due_at)))
            .set(t::due_at.eq(due_at))
            .execute(c)?;
        diesel::update(this.filter(t::locked_by.is_not_null()))
            .set((t::claimed_until.eq(None::<i64>), t::locked_by.eq(None::<String>)))
            .execute(c)?;
        diesel::insert_into(t::table)
            .values(&NewJob::new(kind, key, due_at, now))
            .on_conflict_do_nothing()
            .execute(c)
    })?;
    Ok(())
}

/// Removes `kind`/`key` if it is scheduled.
pub fn cancel(conn: &mut Conn<'_>, kind: &str, key: &str) -> DbResult<()> {
    backend!(conn, c => diesel::delete(t::table.filter(t::kind.eq(kind)).filter(t::job_key.eq(key))).execute(c))?;
    Ok(())
}

/// The job `kind`/`key`, if scheduled.
pub fn find(conn: &mut Conn<'_>, kind: &str, key: &str) -> DbResult<Option<JobRow>> {
    Ok(backend!(conn, c => t::table
        .filter(t::kind.eq(kind))
        .filter(t::job_key.eq(key))
        .select(JobRow::as_select())
        .first(c)
        .optional())?)
}

/// The earliest due time among jobs that could be claimed at `now` (not given up, not held by
/// a live claim).
pub fn next_due(conn: &mut Conn<'_>, now: i64, max_attempts: i32) -> DbResult<Option<i64>> {
    Ok(backend!(conn, c => t::table
        .filter(t::attempts.lt(max_attempts))
        .filter(t::claimed_until.is_null().or(t::claimed_until.le(now)))
        .select(diesel::dsl::min(t::due_at))
        .first::<Option<i64>>(c))?)
}

/// Claims up to `limit` due jobs for `me` until `claimed_until`, oldest due first. Jobs held by
/// another live claim, or given up after `max_attempts`, are left alone.
pub fn claim(
    conn: &mut Conn<'_>,
    now: i64,
    me: &str,
    claimed_until: i64,
    limit: i64,
    max_attempts: i32,
) -> DbResult<Vec<JobRow>> {
    macro_rules! due {
        () => {
            t::table
                .filter(t::due_at.le(now))
                .filter(t::attempts.lt(max_attempts))
                .filter(t::claimed_until.is_null().or(t::claimed_until.le(now)))
                .order(t::due_at.asc())
                .limit(limit)
                .select(JobRow::as_select())
        };
    }
    let rows: Vec<JobRow> = match conn {
        // SQLite admits one writer at a time (the caller's `BEGIN IMMEDIATE`): nobody else can
        // claim between this read and the update below.
        Conn::Sqlite(c) => due!().load(&mut **c)?,
        // PostgreSQL: instances claim side by side; rows another instance is claiming right now
        // are skipped rather than waited for, and never claimed twice.
        Conn::Pg(c) => due!().for_update().skip_locked().load(&mut **c)?,
    };
    if rows.is_empty() {
        return Ok(rows);
    }
    // One statement for the batch (PostgreSQL binds the ids as one array: one shape, prepared).
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    backend!(conn, c => diesel::update(t::table.filter(t::id.eq_any(&ids)))
        .set((t::claimed_until.eq(claimed_until), t::locked_by.eq(me)))
        .execute(c))?;
    Ok(rows)
}

/// Removes a job `me` ran. False when the row is still there but no longer `me`'s claim (the
/// job was replaced, or claimed again after `me`'s claim ran out): the caller rolls its work
/// back. A row already gone (the run's own effect cancelled it, or a committed change did
/// before the run re-checked its state) counts as done.
pub fn complete(conn: &mut Conn<'_>, id: i64, me: &str) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::delete(t::table.find(id).filter(t::locked_by.eq(me))).execute(c))?;
    Ok(n == 1 || !exists(conn, id)?)
}

fn exists(conn: &mut Conn<'_>, id: i64) -> DbResult<bool> {
    Ok(backend!(conn, c => diesel::select(diesel::dsl::exists(t::table.find(id))).get_result::<bool>(c))?)
}

/// Lets a job `me` ran come back at `due_at` (a periodic job). False as for [`complete`].
pub fn reschedule(conn: &mut Conn<'_>, id: i64, me: &str, due_at: i64) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(t::table.find(id).filter(t::locked_by.eq(me)))
        .set(&Fresh::at(due_at))
        .execute(c))?;
    Ok(n == 1 || !exists(conn, id)?)
}

/// Records a failed run of a job `me` claimed and when to try again.
pub fn fail(conn: &mut Conn<'_>, id: i64, me: &str, error: &str, retry_at: i64) -> DbResult<bool> {
    let n = backend!(conn, c => diesel::update(t::table.find(id).filter(t::locked_by.eq(me)))
        .set((
            t::attempts.eq(t::attempts + 1),
            t::last_error.eq(error),
            t::due_at.eq(retry_at),
            t::claimed_until.eq(None::<i64>),
            t::locked_by.eq(None::<String>),
        ))
        .execute(c))?;
    Ok(n == 1)
}

/// Gives back every claim `me` holds (at shutdown, for jobs claimed but not run).
pub fn release(conn: &mut Conn<'_>, me: &str) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::update(t::table.filter(t::locked_by.eq(me)))
        .set((t::claimed_until.eq(None::<i64>), t::locked_by.eq(None::<String>)))
        .execute(c))?)
}
