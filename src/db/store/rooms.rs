use crate::backend;
use crate::db::models::{Attendee, Message, NewRoom, Room, Session};
use crate::db::schema::{app_config, attendees, messages, rooms, sessions};
use crate::db::store::messages::unexpired;
use crate::db::{Conn, DbResult};
use crate::domain::ids::*;
use crate::domain::settings::BREAKOUT_ROOMS;
use diesel::prelude::*;

/// The `objectType` that marks a breakout room; its `objectId` is the parent's token.
pub const BREAKOUT_OBJECT_TYPE: &str = "room";

pub fn find_by_token(conn: &mut Conn<'_>, token: &str) -> DbResult<Option<Room>> {
    Ok(backend!(conn, c => rooms::table.filter(rooms::token.eq(token)).select(Room::as_select()).first(c).optional())?)
}

/// The room `token` and the actor's attendee row in it, in one statement (a left join); `None`
/// when there is no such room.
pub fn find_with_attendee(
    conn: &mut Conn<'_>,
    token: &str,
    actor_type: &str,
    actor_id: &str,
) -> DbResult<Option<(Room, Option<Attendee>)>> {
    // Owned: diesel's nullable selection of the joined row needs a query that borrows nothing.
    let (actor_type, actor_id, token) = (actor_type.to_owned(), actor_id.to_owned(), token.to_owned());
    Ok(backend!(conn, c => rooms::table
        .left_join(
            attendees::table.on(attendees::room_id
                .eq(rooms::id)
                .and(attendees::actor_type.eq(actor_type.clone()))
                .and(attendees::actor_id.eq(actor_id.clone()))),
        )
        .filter(rooms::token.eq(token.clone()))
        .select((Room::as_select(), Option::<Attendee>::as_select()))
        .first(c)
        .optional())?)
}

/// A room as one user sees it: what `GET /room/{token}` shows, read in one statement.
#[derive(Debug, Clone)]
pub struct RoomView {
    pub room: Room,
    /// The viewer's attendee row; without it the extras below mean nothing.
    pub attendee: Option<Attendee>,
    /// Comments after the viewer's read marker, not expired at `now` ([`super::messages::unread_count`]).
    pub unread: i64,
    /// The row `rooms.last_message_id` points at, if any; the caller decides whether to show it.
    pub last_message: Option<Message>,
    /// The viewer's newest session ([`super::sessions::for_attendee`]'s last).
    pub session: Option<Session>,
    /// The lowest read marker among the room's users ([`super::attendees::min_last_read`]).
    pub last_common_read: i64,
    /// The stored value of [`BREAKOUT_ROOMS`] ([`crate::domain::settings::TalkSettings::from_stored`]).
    pub breakout_rooms_setting: Option<String>,
}

/// [`RoomView`] of the room `token` for one actor, or `None` when there is no such room. One
/// statement, and so one round trip on PostgreSQL: the attendee, last message and newest session
/// are left joins, the counts and the setting scalar subqueries; each has exactly the
/// conditions of the store function its field names.
impl RoomView {
    /// A row of [`room_view_select!`]: absent counts are 0.
    fn of(
        room: Room,
        attendee: Option<Attendee>,
        unread: Option<i64>,
        last_message: Option<Message>,
        session: Option<Session>,
        last_common_read: Option<i64>,
        breakout_rooms_setting: Option<String>,
    ) -> RoomView {
        RoomView {
            room,
            attendee,
            unread: unread.unwrap_or(0),
            last_message,
            session,
            last_common_read: last_common_read.unwrap_or(0),
            breakout_rooms_setting,
        }
    }
}

/// The newest session of the joined attendee (none of the attendee's sessions has a higher id),
/// as the join condition of [`view`] and [`list_views_for_actor`].
macro_rules! newest_session {
    ($newer:ident) => {
        sessions::table.on(sessions::attendee_id
            .eq(attendees::id)
            .and(diesel::dsl::not(diesel::dsl::exists(
                $newer
                    .filter($newer.field(sessions::attendee_id).eq(sessions::attendee_id))
                    .filter($newer.field(sessions::id).gt(sessions::id)),
            ))))
    };
}

/// The select list of a [`RoomView`] row, one expression for [`view`] and
/// [`list_views_for_actor`] so the two statements cannot drift: the room, the caller's attendee
/// (`$attendee`: nullable in `view`, where the caller may be no attendee), the unread comments
/// after the caller's read marker, the last message, the newest session, the lowest read marker
/// among the room's users and the `spreed/breakout_rooms` setting.
macro_rules! room_view_select {
    ($attendee:expr, $now:expr, $readers:ident, $last:ident) => {
        (
            Room::as_select(),
            $attendee,
            messages::table
                .filter(messages::room_id.eq(rooms::id))
                // Nullable for `view`'s left join; the SQL is the same either way.
                .filter(messages::id.nullable().gt(attendees::last_read_message.nullable()))
                .filter(messages::verb.eq("comment"))
                .filter(unexpired!($now))
                .count()
                .single_value(),
            $last.fields(messages::all_columns).nullable(),
            Option::<Session>::as_select(),
            $readers
                .filter($readers.field(attendees::room_id).eq(rooms::id))
                .filter($readers.field(attendees::actor_type).eq("users"))
                .select(diesel::dsl::min($readers.field(attendees::last_read_message)))
                .single_value(),
            app_config::table
                .filter(app_config::app.eq(BREAKOUT_ROOMS.0))
                .filter(app_config::config_key.eq(BREAKOUT_ROOMS.1))
                .select(app_config::config_value)
                .single_value(),
        )
    };
}

pub fn view(
    conn: &mut Conn<'_>,
    token: &str,
    actor_type: &str,
    actor_id: &str,
    now: i64,
) -> DbResult<Option<RoomView>> {
    let readers = diesel::alias!(attendees as readers);
    let newer = diesel::alias!(sessions as newer);
    let last = diesel::alias!(messages as last_message);
    // Owned: diesel's nullable selections of the joined rows need a query that borrows nothing.
    let (actor_type, actor_id, token) = (actor_type.to_owned(), actor_id.to_owned(), token.to_owned());
    type Row = (
        Room,
        Option<Attendee>,
        Option<i64>,
        Option<Message>,
        Option<Session>,
        Option<i64>,
        Option<String>,
    );
    let row: Option<Row> = backend!(conn, c => rooms::table
        .left_join(
            attendees::table.on(attendees::room_id
                .eq(rooms::id)
                .and(attendees::actor_type.eq(actor_type.clone()))
                .and(attendees::actor_id.eq(actor_id.clone()))),
        )
        .left_join(last.on(last.field(messages::id).eq(rooms::last_message_id)))
        .left_join(newest_session!(newer))
        .filter(rooms::token.eq(token.clone()))
        .select(room_view_select!(Option::<Attendee>::as_select(), now, readers, last))
        .first::<Row>(c)
        .optional())?;
    Ok(row.map(
        |(room, attendee, unread, last_message, session, last_common_read, setting)| {
            RoomView::of(room, attendee, unread, last_message, session, last_common_read, setting)
        },
    ))
}

pub fn find_by_id(conn: &mut Conn<'_>, id: RoomId) -> DbResult<Option<Room>> {
    Ok(backend!(conn, c => rooms::table.find(id).select(Room::as_select()).first(c).optional())?)
}

pub fn insert(conn: &mut Conn<'_>, room: &NewRoom) -> DbResult<Room> {
    Ok(
        backend!(conn, c => diesel::insert_into(rooms::table).values(room).returning(Room::as_returning()).get_result(c))?,
    )
}

pub fn token_exists(conn: &mut Conn<'_>, token: &str) -> DbResult<bool> {
    let n: i64 = backend!(conn, c => rooms::table.filter(rooms::token.eq(token)).count().get_result(c))?;
    Ok(n > 0)
}

/// [`RoomView`] of every room the actor is an attendee of, in room id order: what
/// `GET /room` lists, in one statement whatever the number of rooms (the joins and scalar
/// subqueries of [`view`], each with the same conditions, per listed room). Served by the
/// `attendees_actor` index: the cost follows the actor's rooms, not the table.
pub fn list_views_for_actor(
    conn: &mut Conn<'_>,
    actor_type: &str,
    actor_id: &str,
    now: i64,
) -> DbResult<Vec<RoomView>> {
    let readers = diesel::alias!(attendees as readers);
    let newer = diesel::alias!(sessions as newer);
    let last = diesel::alias!(messages as last_message);
    // Owned: diesel's nullable selections of the joined rows need a query that borrows nothing.
    let (actor_type, actor_id) = (actor_type.to_owned(), actor_id.to_owned());
    type Row = (
        Room,
        Attendee,
        Option<i64>,
        Option<Message>,
        Option<Session>,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = backend!(conn, c => attendees::table
        .inner_join(rooms::table)
        .left_join(last.on(last.field(messages::id).eq(rooms::last_message_id)))
        .left_join(newest_session!(newer))
        .filter(attendees::actor_type.eq(actor_type.clone()))
        .filter(attendees::actor_id.eq(actor_id.clone()))
        .select(room_view_select!(Attendee::as_select(), now, readers, last))
        .order(rooms::id.asc())
        .load::<Row>(c))?;
    Ok(rows
        .into_iter()
        .map(
            |(room, attendee, unread, last_message, session, last_common_read, setting)| {
                RoomView::of(
                    room,
                    Some(attendee),
                    unread,
                    last_message,
                    session,
                    last_common_read,
                    setting,
                )
            },
        )
        .collect())
}

/// Every room the actor is an attendee of, with that attendee row, in room id order.
/// Served by the `attendees_actor` index: the cost follows the actor's rooms, not the table.
pub fn list_for_actor(conn: &mut Conn<'_>, actor_type: &str, actor_id: &str) -> DbResult<Vec<(Room, Attendee)>> {
    Ok(backend!(conn, c => attendees::table
        .inner_join(rooms::table)
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id))
        .select((Room::as_select(), Attendee::as_select()))
        .order(rooms::id.asc())
        .load(c))?)
}

/// The breakout rooms of a parent, by ascending id (upstream's room numbering order).
pub fn breakout_rooms_of(conn: &mut Conn<'_>, parent_token: &str) -> DbResult<Vec<Room>> {
    Ok(backend!(conn, c => rooms::table
        .filter(rooms::object_type.eq(BREAKOUT_OBJECT_TYPE))
        .filter(rooms::object_id.eq(parent_token))
        .select(Room::as_select())
        .order(rooms::id.asc())
        .load(c))?)
}

/// The room `parent_id` (token `parent_token`) and its breakout rooms, in id order: what
/// [`find_by_id`] and [`breakout_rooms_of`] answer, in one statement.
pub fn with_breakout_rooms(conn: &mut Conn<'_>, parent_id: RoomId, parent_token: &str) -> DbResult<Vec<Room>> {
    Ok(backend!(conn, c => rooms::table
        .filter(
            rooms::id
                .eq(parent_id)
                .or(rooms::object_type.eq(BREAKOUT_OBJECT_TYPE).and(rooms::object_id.eq(parent_token))),
        )
        .select(Room::as_select())
        .order(rooms::id.asc())
        .load(c))?)
}

pub fn set_name(conn: &mut Conn<'_>, room_id: RoomId, name: &str) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id)).set(rooms::name.eq(name)).execute(c))?;
    Ok(())
}

pub fn set_description(conn: &mut Conn<'_>, room_id: RoomId, description: &str) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id)).set(rooms::description.eq(description)).execute(c))?;
    Ok(())
}

pub fn set_lobby(conn: &mut Conn<'_>, room_id: RoomId, state: LobbyState, timer: i64) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id))
        .set((rooms::lobby_state.eq(state), rooms::lobby_timer.eq(timer)))
        .execute(c))?;
    Ok(())
}

/// Sets the lobby of many rooms at once (breakout start/stop).
pub fn set_lobby_many(conn: &mut Conn<'_>, room_ids: &[RoomId], state: LobbyState) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.filter(rooms::id.eq_any(room_ids)))
        .set((rooms::lobby_state.eq(state), rooms::lobby_timer.eq(0i64)))
        .execute(c))?;
    Ok(())
}

pub fn set_breakout(
    conn: &mut Conn<'_>,
    room_id: RoomId,
    mode: BreakoutRoomMode,
    status: BreakoutStatus,
) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id))
        .set((rooms::breakout_room_mode.eq(mode), rooms::breakout_room_status.eq(status)))
        .execute(c))?;
    Ok(())
}

pub fn set_breakout_status(conn: &mut Conn<'_>, room_id: RoomId, status: BreakoutStatus) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id)).set(rooms::breakout_room_status.eq(status)).execute(c))?;
    Ok(())
}

/// Closes the lobbies of the given rooms (lobby for non-moderators) and resets "assistance
/// requested" (2) to 0 in them, in one statement: as [`set_lobby_many`] for the rooms whose
/// lobby was open (their timer goes to 0; a closed lobby keeps its timer), and the rooms'
/// breakout status from 2 to 0.
pub fn close_lobbies(conn: &mut Conn<'_>, room_ids: &[RoomId]) -> DbResult<()> {
    use diesel::dsl::case_when;
    let closed = LobbyState::NonModerators;
    backend!(conn, c => diesel::update(rooms::table.filter(rooms::id.eq_any(room_ids)))
        .set((
            rooms::lobby_state.eq(closed),
            rooms::lobby_timer.eq(case_when(rooms::lobby_state.eq(closed), rooms::lobby_timer).otherwise(0i64)),
            rooms::breakout_room_status.eq(
                case_when(
                    rooms::breakout_room_status.eq(BreakoutStatus::AssistanceRequested),
                    BreakoutStatus::Stopped.into_sql::<diesel::sql_types::Integer>(),
                )
                .otherwise(rooms::breakout_room_status),
            ),
        ))
        .execute(c))?;
    Ok(())
}

pub fn set_last_activity(conn: &mut Conn<'_>, room_id: RoomId, at: i64) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id)).set(rooms::last_activity.eq(at)).execute(c))?;
    Ok(())
}

pub fn set_last_message(conn: &mut Conn<'_>, room_id: RoomId, message_id: i64, at: i64) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id))
        .set((rooms::last_message_id.eq(message_id), rooms::last_activity.eq(at)))
        .execute(c))?;
    Ok(())
}

pub fn set_int_field(conn: &mut Conn<'_>, room_id: RoomId, field: RoomIntField, value: i32) -> DbResult<()> {
    let target = rooms::table.find(room_id);
    backend!(conn, c => match field {
        RoomIntField::Listable => diesel::update(target).set(rooms::listable.eq(value)).execute(c),
        RoomIntField::DefaultPermissions => diesel::update(target).set(rooms::default_permissions.eq(value)).execute(c),
        RoomIntField::MessageExpiration => diesel::update(target).set(rooms::message_expiration.eq(value)).execute(c),
        RoomIntField::RecordingConsent => diesel::update(target).set(rooms::recording_consent.eq(value)).execute(c),
        RoomIntField::MentionPermissions => diesel::update(target).set(rooms::mention_permissions.eq(value)).execute(c),
        RoomIntField::SipEnabled => diesel::update(target).set(rooms::sip_enabled.eq(value)).execute(c),
    })?;
    Ok(())
}

/// Integer room settings that endpoints change one at a time.
#[derive(Debug, Clone, Copy)]
pub enum RoomIntField {
    Listable,
    DefaultPermissions,
    MessageExpiration,
    RecordingConsent,
    MentionPermissions,
    SipEnabled,
}

pub fn set_read_only(conn: &mut Conn<'_>, room_id: RoomId, state: ReadOnlyState) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id)).set(rooms::read_only.eq(state)).execute(c))?;
    Ok(())
}

pub fn set_room_type(conn: &mut Conn<'_>, room_id: RoomId, room_type: RoomType) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id)).set(rooms::room_type.eq(room_type)).execute(c))?;
    Ok(())
}

pub fn set_password(conn: &mut Conn<'_>, room_id: RoomId, password_hash: &str) -> DbResult<()> {
    backend!(conn, c => diesel::update(rooms::table.find(room_id)).set(rooms::password.eq(password_hash)).execute(c))?;
    Ok(())
}

/// Deletes rooms; their attendees, sessions and messages go with them (foreign key cascade).
pub fn delete_many(conn: &mut Conn<'_>, room_ids: &[RoomId]) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::delete(rooms::table.filter(rooms::id.eq_any(room_ids))).execute(c))?)
}

/// Wipes every conversation (the test-reset route); cascades to attendees, sessions, messages.
pub fn delete_all(conn: &mut Conn<'_>) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::delete(rooms::table).execute(c))?)
}

/// Points each room's last message at its newest message (after batch posting).
pub fn refresh_last_message(conn: &mut Conn<'_>, room_ids: &[RoomId], at: i64) -> DbResult<()> {
    use diesel::sql_types::BigInt;
    if room_ids.is_empty() {
        return Ok(());
    }
    // Why raw SQL: a correlated MAX with COALESCE is not expressible in the common DSL, and the
    // placeholder syntax differs per backend.
    let ids = room_ids.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(",");
    let body = "SET last_message_id = COALESCE((SELECT MAX(m.id) FROM messages m WHERE m.room_id = rooms.id), 0), last_activity = ";
    match conn {
        Conn::Sqlite(c) => diesel::sql_query(format!("UPDATE rooms {body}? WHERE id IN ({ids})"))
            .bind::<BigInt, _>(at)
            .execute(&mut **c)?,
        Conn::Pg(c) => diesel::sql_query(format!("UPDATE rooms {body}$1 WHERE id IN ({ids})"))
            .bind::<BigInt, _>(at)
            .execute(&mut **c)?,
    };
    Ok(())
}

/// Points the room's last message at its newest remaining message (after messages were removed),
/// leaving its last activity as it was.
pub fn reset_last_message(conn: &mut Conn<'_>, room_id: RoomId) -> DbResult<()> {
    use crate::db::schema::messages;
    let newest: Option<i64> = backend!(conn, c => messages::table
        .filter(messages::room_id.eq(room_id))
        .select(diesel::dsl::max(messages::id))
        .first::<Option<i64>>(c))?;
    backend!(conn, c => diesel::update(rooms::table.find(room_id))
        .set(rooms::last_message_id.eq(newest.unwrap_or(0)))
        .execute(c))?;
    Ok(())
}

/// A room's message expiration in seconds (0: off).
/// [`message_expiration`] of many rooms in one statement; rooms that do not exist are left out.
pub fn message_expirations(conn: &mut Conn<'_>, room_ids: &[RoomId]) -> DbResult<Vec<(RoomId, i32)>> {
    Ok(backend!(conn, c => rooms::table
        .filter(rooms::id.eq_any(room_ids))
        .select((rooms::id, rooms::message_expiration))
        .load(c))?)
}

/// Inserts many rooms with one multi-row statement; the new rows in no particular order.
pub fn insert_many(conn: &mut Conn<'_>, new_rooms: &[NewRoom]) -> DbResult<Vec<Room>> {
    Ok(backend!(conn, c => diesel::insert_into(rooms::table)
        .values(new_rooms)
        .returning(Room::as_returning())
        .get_results(c))?)
}

/// Which of `tokens` are taken, in one statement.
pub fn existing_tokens(conn: &mut Conn<'_>, tokens: &[RoomToken]) -> DbResult<Vec<RoomToken>> {
    Ok(backend!(conn, c => rooms::table.filter(rooms::token.eq_any(tokens)).select(rooms::token).load(c))?)
}

/// Rooms by token, in id order.
pub fn find_by_tokens(conn: &mut Conn<'_>, tokens: &[RoomToken]) -> DbResult<Vec<Room>> {
    Ok(backend!(conn, c => rooms::table
        .filter(rooms::token.eq_any(tokens))
        .select(Room::as_select())
        .order(rooms::id.asc())
        .load(c))?)
}

/// Rooms by id, in id order.
pub fn find_many(conn: &mut Conn<'_>, room_ids: &[RoomId]) -> DbResult<Vec<Room>> {
    Ok(backend!(conn, c => rooms::table
        .filter(rooms::id.eq_any(room_ids))
        .select(Room::as_select())
        .order(rooms::id.asc())
        .load(c))?)
}

pub fn message_expiration(conn: &mut Conn<'_>, room_id: RoomId) -> DbResult<i32> {
    Ok(backend!(conn, c => rooms::table
        .find(room_id)
        .select(rooms::message_expiration)
        .first::<i32>(c)
        .optional())?
    .unwrap_or(0))
}

/// Every room, by id (tests and diagnostics; never on a request path).
pub fn list_all(conn: &mut Conn<'_>) -> DbResult<Vec<Room>> {
    Ok(backend!(conn, c => rooms::table.select(Room::as_select()).order(rooms::id.asc()).load(c))?)
}
