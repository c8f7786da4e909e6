//! Breakout sessions (planned, running and finished rounds), their rooms, their assignments and
//! the per-conversation breakout switch.

use crate::backend;
use crate::db::schema::{breakout_assignments, breakout_session_rooms, breakout_sessions, breakout_settings};
use crate::db::types::IntegerLiteral;
use crate::db::{Conn, DbResult};
use crate::domain::ids::{AttendeeId, BreakoutRoomMode, Origin, ParticipantType, RoomId, SessionState};
use diesel::prelude::*;

/// The session states as the statements' text writes them (see [`IntegerLiteral`]: compared
/// with a bound value, SQLite could not use the partial index of the active session).
const PENDING: IntegerLiteral<{ SessionState::Pending.value() }> = IntegerLiteral;
const ACTIVE: IntegerLiteral<{ SessionState::Active.value() }> = IntegerLiteral;
const COMPLETED: IntegerLiteral<{ SessionState::Completed.value() }> = IntegerLiteral;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = breakout_sessions)]
pub struct SessionRow {
    pub id: i64,
    pub parent_id: RoomId,
    pub name: String,
    pub duration: i64,
    pub state: SessionState,
    pub origin: Origin,
    pub mode: BreakoutRoomMode,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub deadline: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = breakout_sessions)]
pub struct NewSession {
    pub parent_id: RoomId,
    pub name: String,
    pub duration: i64,
    pub state: SessionState,
    pub origin: Origin,
    pub mode: BreakoutRoomMode,
    pub created_at: i64,
    pub started_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = breakout_session_rooms)]
pub struct SessionRoomRow {
    pub id: i64,
    pub session_id: i64,
    pub name: String,
    pub capacity: Option<i32>,
    pub room_token: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = breakout_session_rooms)]
pub struct NewSessionRoom {
    pub session_id: i64,
    pub name: String,
    pub capacity: Option<i32>,
    pub room_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = breakout_assignments)]
pub struct AssignmentRow {
    pub session_id: i64,
    pub session_room_id: i64,
    pub attendee_id: AttendeeId,
    pub actor_id: String,
    pub display_name: String,
}

// --- sessions -------------------------------------------------------------------------------

pub fn insert(conn: &mut Conn<'_>, row: &NewSession) -> DbResult<SessionRow> {
    Ok(backend!(conn, c => diesel::insert_into(breakout_sessions::table)
        .values(row)
        .returning(SessionRow::as_returning())
        .get_result(c))?)
}

pub fn find(conn: &mut Conn<'_>, parent_id: RoomId, id: i64) -> DbResult<Option<SessionRow>> {
    Ok(backend!(conn, c => breakout_sessions::table
        .filter(breakout_sessions::id.eq(id))
        .filter(breakout_sessions::parent_id.eq(parent_id))
        .select(SessionRow::as_select())
        .first(c)
        .optional())?)
}

pub fn find_by_id(conn: &mut Conn<'_>, id: i64) -> DbResult<Option<SessionRow>> {
    Ok(backend!(conn, c => breakout_sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(c)
        .optional())?)
}

/// A page of a conversation's sessions in creation order; `completed_only` for history.
pub fn page(
    conn: &mut Conn<'_>,
    parent_id: RoomId,
    completed_only: bool,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<SessionRow>> {
    Ok(backend!(conn, c => {
        let mut q = breakout_sessions::table
            .filter(breakout_sessions::parent_id.eq(parent_id))
            .select(SessionRow::as_select())
            .order(breakout_sessions::id.asc())
            .limit(limit)
            .offset(offset)
            .into_boxed();
        if completed_only {
            q = q.filter(breakout_sessions::state.eq(COMPLETED));
        }
        q.load(c)
    })?)
}

/// Every session name of a conversation (for default names).
pub fn names(conn: &mut Conn<'_>, parent_id: RoomId) -> DbResult<Vec<String>> {
    Ok(backend!(conn, c => breakout_sessions::table
        .filter(breakout_sessions::parent_id.eq(parent_id))
        .select(breakout_sessions::name)
        .load(c))?)
}

/// The conversation's sessions in one state, oldest first.
pub fn in_state(conn: &mut Conn<'_>, parent_id: RoomId, state: SessionState) -> DbResult<Vec<SessionRow>> {
    match state {
        SessionState::Pending => sessions_in(conn, parent_id, PENDING),
        SessionState::Active => sessions_in(conn, parent_id, ACTIVE),
        SessionState::Completed => sessions_in(conn, parent_id, COMPLETED),
    }
}

fn sessions_in<const S: i32>(
    conn: &mut Conn<'_>,
    parent_id: RoomId,
    state: IntegerLiteral<S>,
) -> DbResult<Vec<SessionRow>> {
    Ok(backend!(conn, c => breakout_sessions::table
        .filter(breakout_sessions::parent_id.eq(parent_id))
        .filter(breakout_sessions::state.eq(state))
        .select(SessionRow::as_select())
        .order(breakout_sessions::id.asc())
        .load(c))?)
}

pub fn set_name(conn: &mut Conn<'_>, id: i64, name: &str) -> DbResult<()> {
    backend!(conn, c => diesel::update(breakout_sessions::table.find(id)).set(breakout_sessions::name.eq(name)).execute(c))?;
    Ok(())
}

pub fn set_mode(conn: &mut Conn<'_>, id: i64, mode: BreakoutRoomMode) -> DbResult<()> {
    backend!(conn, c => diesel::update(breakout_sessions::table.find(id)).set(breakout_sessions::mode.eq(mode)).execute(c))?;
    Ok(())
}

pub fn set_timing(conn: &mut Conn<'_>, id: i64, duration: i64, deadline: Option<i64>) -> DbResult<()> {
    backend!(conn, c => diesel::update(breakout_sessions::table.find(id))
        .set((breakout_sessions::duration.eq(duration), breakout_sessions::deadline.eq(deadline)))
        .execute(c))?;
    Ok(())
}

pub fn set_started(conn: &mut Conn<'_>, id: i64, started_at: i64, deadline: Option<i64>) -> DbResult<()> {
    backend!(conn, c => diesel::update(breakout_sessions::table.find(id))
        .set((
            breakout_sessions::state.eq(SessionState::Active),
            breakout_sessions::started_at.eq(Some(started_at)),
            breakout_sessions::deadline.eq(deadline),
        ))
        .execute(c))?;
    Ok(())
}

pub fn set_completed(conn: &mut Conn<'_>, id: i64, ended_at: i64) -> DbResult<()> {
    backend!(conn, c => diesel::update(breakout_sessions::table.find(id))
        .set((
            breakout_sessions::state.eq(SessionState::Completed),
            breakout_sessions::ended_at.eq(Some(ended_at)),
            breakout_sessions::deadline.eq(None::<i64>),
        ))
        .execute(c))?;
    Ok(())
}

pub fn delete(conn: &mut Conn<'_>, id: i64) -> DbResult<()> {
    backend!(conn, c => diesel::delete(breakout_sessions::table.find(id)).execute(c))?;
    Ok(())
}

// --- rooms ----------------------------------------------------------------------------------

pub fn insert_room(conn: &mut Conn<'_>, row: &NewSessionRoom) -> DbResult<SessionRoomRow> {
    Ok(backend!(conn, c => diesel::insert_into(breakout_session_rooms::table)
        .values(row)
        .returning(SessionRoomRow::as_returning())
        .get_result(c))?)
}

pub fn insert_rooms(conn: &mut Conn<'_>, rows: &[NewSessionRoom]) -> DbResult<()> {
    for chunk in rows.chunks(200) {
        backend!(conn, c => diesel::insert_into(breakout_session_rooms::table).values(chunk).execute(c))?;
    }
    Ok(())
}

/// A session's rooms in creation order.
pub fn rooms(conn: &mut Conn<'_>, session_id: i64) -> DbResult<Vec<SessionRoomRow>> {
    Ok(backend!(conn, c => breakout_session_rooms::table
        .filter(breakout_session_rooms::session_id.eq(session_id))
        .select(SessionRoomRow::as_select())
        .order(breakout_session_rooms::id.asc())
        .load(c))?)
}

pub fn find_room(conn: &mut Conn<'_>, session_id: i64, id: i64) -> DbResult<Option<SessionRoomRow>> {
    Ok(backend!(conn, c => breakout_session_rooms::table
        .filter(breakout_session_rooms::id.eq(id))
        .filter(breakout_session_rooms::session_id.eq(session_id))
        .select(SessionRoomRow::as_select())
        .first(c)
        .optional())?)
}

pub fn update_room(conn: &mut Conn<'_>, id: i64, name: &str, capacity: Option<i32>) -> DbResult<()> {
    backend!(conn, c => diesel::update(breakout_session_rooms::table.find(id))
        .set((breakout_session_rooms::name.eq(name), breakout_session_rooms::capacity.eq(capacity)))
        .execute(c))?;
    Ok(())
}

/// Sets the Talk room token of several session rooms (`(session room id, token)`) in one
/// statement: a round of 20 rooms starts with one update instead of twenty.
pub fn set_room_tokens(conn: &mut Conn<'_>, tokens: &[(i64, &str)]) -> DbResult<()> {
    use diesel::sql_types::Text;
    if tokens.is_empty() {
        return Ok(());
    }
    // Why raw SQL: the common DSL has no CASE, and the placeholder syntax differs per backend.
    // The ids are integers written into the text; the tokens are bound.
    let ids = tokens
        .iter()
        .map(|(id, _)| id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let cases = |placeholder: &dyn Fn(usize) -> String| -> String {
        tokens
            .iter()
            .enumerate()
            .map(|(i, (id, _))| format!(" WHEN {id} THEN {}", placeholder(i)))
            .collect()
    };
    let sql = |cases: String| {
        format!("UPDATE breakout_session_rooms SET room_token = CASE id{cases} END WHERE id IN ({ids})")
    };
    match conn {
        Conn::Sqlite(c) => {
            let mut query = diesel::sql_query(sql(cases(&|_| "?".to_owned()))).into_boxed::<diesel::sqlite::Sqlite>();
            for (_, token) in tokens {
                query = query.bind::<Text, _>(token.to_string());
            }
            query.execute(&mut **c)?;
        }
        Conn::Pg(c) => {
            let mut query = diesel::sql_query(sql(cases(&|i| format!("${}", i + 1)))).into_boxed::<diesel::pg::Pg>();
            for (_, token) in tokens {
                query = query.bind::<Text, _>(token.to_string());
            }
            query.execute(&mut **c)?;
        }
    }
    Ok(())
}

/// A session's rooms in creation order, each with the name of the Talk room its token names
/// (`None`: no token, or no such Talk room any more).
pub fn rooms_with_talk_names(conn: &mut Conn<'_>, session_id: i64) -> DbResult<Vec<(SessionRoomRow, Option<String>)>> {
    use crate::db::schema::rooms;
    Ok(backend!(conn, c => breakout_session_rooms::table
        .left_join(rooms::table.on(rooms::token.nullable().eq(breakout_session_rooms::room_token)))
        .filter(breakout_session_rooms::session_id.eq(session_id))
        .select((SessionRoomRow::as_select(), rooms::name.nullable()))
        .order(breakout_session_rooms::id.asc())
        .load(c))?)
}

pub fn set_room_name(conn: &mut Conn<'_>, id: i64, name: &str) -> DbResult<()> {
    backend!(conn, c => diesel::update(breakout_session_rooms::table.find(id))
        .set(breakout_session_rooms::name.eq(name))
        .execute(c))?;
    Ok(())
}

pub fn delete_room(conn: &mut Conn<'_>, id: i64) -> DbResult<()> {
    backend!(conn, c => diesel::delete(breakout_session_rooms::table.find(id)).execute(c))?;
    Ok(())
}

// --- assignments ----------------------------------------------------------------------------

/// A session's assignments, by attendee id.
pub fn assignments(conn: &mut Conn<'_>, session_id: i64) -> DbResult<Vec<AssignmentRow>> {
    Ok(backend!(conn, c => breakout_assignments::table
        .filter(breakout_assignments::session_id.eq(session_id))
        .select(AssignmentRow::as_select())
        .order(breakout_assignments::attendee_id.asc())
        .load(c))?)
}

pub fn room_assignments(conn: &mut Conn<'_>, session_room_id: i64) -> DbResult<Vec<AssignmentRow>> {
    Ok(backend!(conn, c => breakout_assignments::table
        .filter(breakout_assignments::session_room_id.eq(session_room_id))
        .select(AssignmentRow::as_select())
        .order(breakout_assignments::attendee_id.asc())
        .load(c))?)
}

pub fn assignment_of(conn: &mut Conn<'_>, session_id: i64, attendee_id: AttendeeId) -> DbResult<Option<AssignmentRow>> {
    Ok(backend!(conn, c => breakout_assignments::table
        .filter(breakout_assignments::session_id.eq(session_id))
        .filter(breakout_assignments::attendee_id.eq(attendee_id))
        .select(AssignmentRow::as_select())
        .first(c)
        .optional())?)
}

/// The final assignment of every completed session of a conversation (Horn- and Talk-started),
/// as `(session room id, actor id)` ordered by room: who shared a room in earlier rounds.
pub fn completed_assignments(conn: &mut Conn<'_>, parent_id: RoomId) -> DbResult<Vec<(i64, String)>> {
    Ok(backend!(conn, c => breakout_assignments::table
        .inner_join(breakout_sessions::table.on(breakout_sessions::id.eq(breakout_assignments::session_id)))
        .filter(breakout_sessions::parent_id.eq(parent_id))
        .filter(breakout_sessions::state.eq(COMPLETED))
        .select((breakout_assignments::session_room_id, breakout_assignments::actor_id))
        .order(breakout_assignments::session_room_id.asc())
        .load(c))?)
}

/// Who sits in the Talk rooms of session `session_id` (the rooms its rooms' tokens name): every
/// user attendee of a type not in `excluded`, as `(session room id, actor id)`, in the order of
/// the session's rooms (creation order), so the first row of a person is their first room.
///
/// Why this reads only the session's rooms, and the parent's attendees are matched in the
/// server: as one `INSERT … SELECT` joining the seats to the parent's attendees, the plan was
/// the planner's choice, and PostgreSQL without fresh statistics chose badly both ways round.
/// Driven from the parent, it reached every seat each person holds in *any* conversation
/// through `attendees_actor` (of a thousand sessions due at once, whose people sit in two
/// thousand conversations each, the last ended 36 s late); fenced into a CTE, it matched each of
/// a thousand seats against all thousand parent attendees. Here each statement has one obvious
/// entry (the session's rooms; the parent's attendees by `room_id`), and the match is a hash
/// lookup.
pub fn talk_seats(conn: &mut Conn<'_>, session_id: i64, excluded: &[ParticipantType]) -> DbResult<Vec<(i64, String)>> {
    use crate::db::schema::{attendees, rooms};
    use crate::domain::ids::actor;
    Ok(backend!(conn, c => breakout_session_rooms::table
        .inner_join(rooms::table.on(rooms::token.nullable().eq(breakout_session_rooms::room_token)))
        .inner_join(attendees::table.on(attendees::room_id.eq(rooms::id)))
        .filter(breakout_session_rooms::session_id.eq(session_id))
        .filter(attendees::actor_type.eq(actor::USERS))
        .filter(diesel::dsl::not(attendees::participant_type.eq_any(excluded)))
        .select((breakout_session_rooms::id, attendees::actor_id))
        .order((breakout_session_rooms::id.asc(), attendees::id.asc()))
        .load(c))?)
}

super::bulk_insert!(
    AssignmentValues,
    AssignmentRow,
    breakout_assignments {
        session_id,
        session_room_id,
        attendee_id,
        actor_id,
        display_name,
    }
);

pub fn insert_assignments(conn: &mut Conn<'_>, rows: &[AssignmentRow]) -> DbResult<()> {
    insert_many(conn, rows)?;
    Ok(())
}

pub fn delete_assignment(conn: &mut Conn<'_>, session_id: i64, attendee_id: AttendeeId) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::delete(breakout_assignments::table
        .filter(breakout_assignments::session_id.eq(session_id))
        .filter(breakout_assignments::attendee_id.eq(attendee_id)))
        .execute(c))?)
}

pub fn delete_assignments(conn: &mut Conn<'_>, session_id: i64) -> DbResult<()> {
    backend!(conn, c => diesel::delete(breakout_assignments::table
        .filter(breakout_assignments::session_id.eq(session_id)))
        .execute(c))?;
    Ok(())
}

// --- per-conversation switch ----------------------------------------------------------------

/// Whether breakout sessions are enabled for a conversation (no row: enabled).
pub fn enabled(conn: &mut Conn<'_>, room_id: RoomId) -> DbResult<bool> {
    let stored: Option<bool> = backend!(conn, c => breakout_settings::table
        .find(room_id)
        .select(breakout_settings::enabled)
        .first(c)
        .optional())?;
    Ok(stored.unwrap_or(true))
}

pub fn set_enabled(conn: &mut Conn<'_>, room_id: RoomId, enabled: bool) -> DbResult<()> {
    backend!(conn, c => diesel::insert_into(breakout_settings::table)
        .values((breakout_settings::room_id.eq(room_id), breakout_settings::enabled.eq(enabled)))
        .on_conflict(breakout_settings::room_id)
        .do_update()
        .set(breakout_settings::enabled.eq(enabled))
        .execute(c))?;
    Ok(())
}

/// A conversation as a participant's client polls its running round (Horn #14): the caller's
/// participant type there (`None`: not an attendee), and the active session with the caller's
/// seat. Only these columns: the rows of the conversation and the caller would be most of what
/// the poll decodes.
#[derive(Debug)]
pub struct RoundPoll {
    pub my_type: Option<ParticipantType>,
    pub session: Option<PolledSession>,
}

#[derive(Debug)]
pub struct PolledSession {
    pub row: SessionRow,
    /// The first session room (creation order) whose Talk room seats the caller as a
    /// non-moderator, with that Talk room's name and its non-moderator user count.
    pub seat: Option<PolledSeat>,
}

#[derive(Debug)]
pub struct PolledSeat {
    pub room: SessionRoomRow,
    pub live_name: String,
    pub participant_count: i64,
}

/// [`RoundPoll`] of the conversation `token` for the user `user_id`, in one statement: every
/// participant's client polls this while a round runs, so it reads one row (not one per
/// session room, nor the conversation and the caller apart), finds the caller's seat by a
/// subquery, counts only that room's heads, and needs no transaction around it. A started
/// session's rooms all name their Talk rooms (start sets every token), so the seat is looked
/// for among the live rooms only. The statement is [`PollStatement`].
pub fn poll(conn: &mut Conn<'_>, token: &str, user_id: &str) -> DbResult<Option<RoundPoll>> {
    let statement = PollStatement { token, user_id };
    let row: Option<PollRow> = backend!(conn, c => statement.get_result(c).optional())?;
    Ok(row.map(|(my_type, session, seat, live_name, head_count)| {
        let session = session.map(|row| PolledSession {
            row,
            seat: seat.zip(live_name).map(|(room, live_name)| PolledSeat {
                room,
                live_name,
                participant_count: head_count.unwrap_or(0),
            }),
        });
        RoundPoll { my_type, session }
    }))
}

/// The poll's row: the caller's type, the active session, the seat, its Talk room's name and
/// head count.
type PollRow = (
    Option<ParticipantType>,
    Option<SessionRow>,
    Option<SessionRoomRow>,
    Option<String>,
    Option<i64>,
);

/// The poll's statement, written out as SQL that both backends read alike. It is the hottest
/// read of the server (every client of a running round polls it), and as a diesel query tree
/// of five joins, two subqueries and eighteen columns, diesel walked that tree three times per
/// execution (for the cache's safety check, the cache key and the binds): a tenth of the CPU
/// time of the whole request in the profile. Written out, a walk is four strings and three
/// binds, and the prepared statement is still cached (the id is static).
///
/// What the statement reads:
/// - the conversation by token, and the caller's attendee row there (`me`, if any);
/// - its active session (at most one: `breakout_sessions_one_active` is unique);
/// - the seat: the first session room, in creation order, whose Talk room seats the caller as
///   a non-moderator (the subquery walks the session's rooms in id order and stops at the first);
/// - that Talk room's name and its non-moderator users.
///
/// The columns of `session` and `seat` are those of [`SessionRow`] and [`SessionRoomRow`] in
/// table order (the rows are decoded by position); the tests of the Horn poll on both backends
/// decode every one.
#[derive(Debug, Clone, Copy)]
struct PollStatement<'a> {
    token: &'a str,
    user_id: &'a str,
}

/// The statement's text between its binds: the caller, the caller again, the conversation.
/// Built once: the numbers come from the enums, the seated types from
/// [`super::attendees::seated_types`].
fn poll_sql() -> &'static [String; 4] {
    static SQL: std::sync::LazyLock<[String; 4]> = std::sync::LazyLock::new(|| {
        let users = crate::domain::ids::actor::USERS;
        let active = SessionState::Active.value();
        let (low, high) = super::attendees::seated_types();
        let (low, high) = (low.value(), high.value());
        [
            format!(
                "SELECT me.participant_type, \
                 session.id, session.parent_id, session.name, session.duration, session.state, \
                 session.origin, session.mode, session.created_at, session.started_at, \
                 session.ended_at, session.deadline, \
                 seat.id, seat.session_id, seat.name, seat.capacity, seat.room_token, \
                 seat_room.name, \
                 (SELECT count(*) FROM attendees counted WHERE counted.room_id = seat_room.id \
                 AND counted.actor_type = '{users}' \
                 AND counted.participant_type BETWEEN {low} AND {high}) \
                 FROM rooms channel \
                 LEFT JOIN attendees me ON me.room_id = channel.id \
                 AND me.actor_type = '{users}' AND me.actor_id = "
            ),
            format!(
                " LEFT JOIN breakout_sessions session ON session.parent_id = channel.id \
                 AND session.state = {active} \
                 LEFT JOIN breakout_session_rooms seat ON seat.id = (\
                 SELECT searched.id FROM breakout_session_rooms searched \
                 JOIN rooms searched_room ON searched_room.token = searched.room_token \
                 JOIN attendees seated ON seated.room_id = searched_room.id \
                 AND seated.actor_type = '{users}' \
                 AND seated.participant_type BETWEEN {low} AND {high} \
                 AND seated.actor_id = "
            ),
            " WHERE searched.session_id = session.id ORDER BY searched.id LIMIT 1) \
             LEFT JOIN rooms seat_room ON seat_room.token = seat.room_token \
             WHERE channel.token = "
                .to_owned(),
            " LIMIT 1".to_owned(),
        ]
    });
    &SQL
}

impl diesel::query_builder::QueryId for PollStatement<'_> {
    type QueryId = PollStatement<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for PollStatement<'_> {
    type SqlType = (
        diesel::sql_types::Nullable<diesel::sql_types::Integer>,
        diesel::sql_types::Nullable<breakout_sessions::SqlType>,
        diesel::sql_types::Nullable<breakout_session_rooms::SqlType>,
        diesel::sql_types::Nullable<diesel::sql_types::Text>,
        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
    );
}

impl<DB> diesel::query_builder::QueryFragment<DB> for PollStatement<'_>
where
    DB: diesel::backend::Backend,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let [caller, caller_seated, channel, tail] = poll_sql();
        out.push_sql(caller);
        out.push_bind_param::<diesel::sql_types::Text, str>(self.user_id)?;
        out.push_sql(caller_seated);
        out.push_bind_param::<diesel::sql_types::Text, str>(self.user_id)?;
        out.push_sql(channel);
        out.push_bind_param::<diesel::sql_types::Text, str>(self.token)?;
        out.push_sql(tail);
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for PollStatement<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The states are in the statement's text, not bound: with a bound state SQLite cannot use
    /// the partial index of the active session.
    #[test]
    fn states_are_written_into_the_statement() {
        let query = breakout_sessions::table
            .filter(breakout_sessions::state.eq(ACTIVE))
            .or_filter(breakout_sessions::state.eq(COMPLETED))
            .or_filter(breakout_sessions::state.eq(PENDING))
            .select(breakout_sessions::id);
        let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&query).to_string();
        assert!(sql.contains("`breakout_sessions`.`state` = 1"), "{sql}");
        assert!(sql.contains("`breakout_sessions`.`state` = 2"), "{sql}");
        assert!(sql.contains("`breakout_sessions`.`state` = 0"), "{sql}");
        assert!(sql.ends_with("-- binds: []"), "{sql}");
        let pg = diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string();
        assert!(pg.contains("\"breakout_sessions\".\"state\" = 1"), "{pg}");
    }

    /// The poll binds the caller twice and the conversation once, in that order.
    #[test]
    fn the_poll_is_written_out() {
        let statement = PollStatement {
            token: "tok",
            user_id: "ann",
        };
        let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&statement).to_string();
        assert!(sql.ends_with(r#"-- binds: ["ann", "ann", "tok"]"#), "{sql}");
        assert!(sql.contains("BETWEEN 3 AND 6"), "{sql}");
        assert!(sql.contains("session.state = 1"), "{sql}");
        let pg = diesel::debug_query::<diesel::pg::Pg, _>(&statement).to_string();
        assert!(
            pg.contains("me.actor_id = $1") && pg.contains("channel.token = $3"),
            "{pg}"
        );
    }
}
