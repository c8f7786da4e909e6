use crate::backend;
use crate::db::models::{Attendee, NewAttendee};
use crate::db::schema::attendees;
use crate::db::{Conn, DbResult};
use crate::domain::ids::*;
use diesel::prelude::*;

pub fn find(conn: &mut Conn<'_>, room_id: RoomId, actor_type: &str, actor_id: &str) -> DbResult<Option<Attendee>> {
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::room_id.eq(room_id))
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id))
        .select(Attendee::as_select())
        .first(c)
        .optional())?)
}

pub fn find_by_id(conn: &mut Conn<'_>, room_id: RoomId, attendee_id: AttendeeId) -> DbResult<Option<Attendee>> {
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::id.eq(attendee_id))
        .filter(attendees::room_id.eq(room_id))
        .select(Attendee::as_select())
        .first(c)
        .optional())?)
}

/// The attendees of one room in id order.
pub fn list(conn: &mut Conn<'_>, room_id: RoomId) -> DbResult<Vec<Attendee>> {
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::room_id.eq(room_id))
        .select(Attendee::as_select())
        .order(attendees::id.asc())
        .load(c))?)
}

/// The attendees of several rooms in one query, ordered by room then id.
pub fn list_for_rooms(conn: &mut Conn<'_>, room_ids: &[RoomId]) -> DbResult<Vec<Attendee>> {
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::room_id.eq_any(room_ids))
        .select(Attendee::as_select())
        .order((attendees::room_id.asc(), attendees::id.asc()))
        .load(c))?)
}

/// One actor's attendee rows in the given rooms.
pub fn find_actor_in_rooms(
    conn: &mut Conn<'_>,
    room_ids: &[RoomId],
    actor_type: &str,
    actor_id: &str,
) -> DbResult<Vec<Attendee>> {
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::room_id.eq_any(room_ids))
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id))
        .select(Attendee::as_select())
        .order(attendees::room_id.asc())
        .load(c))?)
}

/// Every attendee row of an actor, across all rooms.
pub fn for_actor(conn: &mut Conn<'_>, actor_type: &str, actor_id: &str) -> DbResult<Vec<Attendee>> {
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id))
        .select(Attendee::as_select())
        .order(attendees::id.asc())
        .load(c))?)
}

pub fn insert(conn: &mut Conn<'_>, attendee: &NewAttendee) -> DbResult<Attendee> {
    Ok(backend!(conn, c => diesel::insert_into(attendees::table)
        .values(attendee)
        .returning(Attendee::as_returning())
        .get_result(c))?)
}

super::bulk_insert!(
    InsertAttendees,
    NewAttendee,
    attendees {
        room_id,
        actor_type,
        actor_id,
        display_name,
        participant_type,
        permissions,
        last_read_message,
    }
);

pub fn set_participant_type(
    conn: &mut Conn<'_>,
    attendee_ids: &[AttendeeId],
    participant_type: ParticipantType,
) -> DbResult<()> {
    backend!(conn, c => diesel::update(attendees::table.filter(attendees::id.eq_any(attendee_ids)))
        .set(attendees::participant_type.eq(participant_type))
        .execute(c))?;
    Ok(())
}

pub fn set_permissions(conn: &mut Conn<'_>, attendee_id: AttendeeId, permissions: i32) -> DbResult<()> {
    backend!(conn, c => diesel::update(attendees::table.find(attendee_id)).set(attendees::permissions.eq(permissions)).execute(c))?;
    Ok(())
}

/// Per-attendee preferences a participant sets for themself (`favorite`, `notify`, `notify-calls`).
#[derive(Debug, Clone, Copy)]
pub enum Preference {
    Favorite(bool),
    NotificationLevel(NotificationLevel),
    NotificationCalls(NotificationCalls),
}

pub fn set_preference(conn: &mut Conn<'_>, attendee_id: AttendeeId, preference: Preference) -> DbResult<()> {
    let target = attendees::table.find(attendee_id);
    backend!(conn, c => match preference {
        Preference::Favorite(on) => diesel::update(target).set(attendees::favorite.eq(on)).execute(c),
        Preference::NotificationLevel(level) => diesel::update(target).set(attendees::notification_level.eq(level)).execute(c),
        Preference::NotificationCalls(level) => diesel::update(target).set(attendees::notification_calls.eq(level)).execute(c),
    })?;
    Ok(())
}

pub fn set_last_read(conn: &mut Conn<'_>, attendee_id: AttendeeId, message_id: i64) -> DbResult<()> {
    backend!(conn, c => diesel::update(attendees::table.find(attendee_id)).set(attendees::last_read_message.eq(message_id)).execute(c))?;
    Ok(())
}

/// Deletes attendee rows; their sessions go with them (foreign key cascade).
pub fn delete_many(conn: &mut Conn<'_>, attendee_ids: &[AttendeeId]) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::delete(attendees::table.filter(attendees::id.eq_any(attendee_ids))).execute(c))?)
}

/// The attendees of one room among the given actor ids (one query, any number of ids).
pub fn find_actors(
    conn: &mut Conn<'_>,
    room_id: RoomId,
    actor_type: &str,
    actor_ids: &[String],
) -> DbResult<Vec<Attendee>> {
    let mut found = Vec::with_capacity(actor_ids.len());
    for chunk in actor_ids.chunks(500) {
        let mut rows = backend!(conn, c => attendees::table
            .filter(attendees::room_id.eq(room_id))
            .filter(attendees::actor_type.eq(actor_type))
            .filter(attendees::actor_id.eq_any(chunk))
            .select(Attendee::as_select())
            .order(attendees::id.asc())
            .load(c))?;
        found.append(&mut rows);
    }
    found.sort_by_key(|a| a.id);
    Ok(found)
}

/// The lowest read marker among the users of a room (upstream's `lastCommonReadMessage`).
pub fn min_last_read(conn: &mut Conn<'_>, room_id: RoomId) -> DbResult<i64> {
    let min: Option<i64> = backend!(conn, c => attendees::table
        .filter(attendees::room_id.eq(room_id))
        .filter(attendees::actor_type.eq("users"))
        .select(diesel::dsl::min(attendees::last_read_message))
        .get_result(c))?;
    Ok(min.unwrap_or(0))
}

/// [`min_last_read`] for every room the actor is in, in one grouped query.
pub fn min_last_read_for_rooms_of(
    conn: &mut Conn<'_>,
    actor_type: &str,
    actor_id: &str,
) -> DbResult<Vec<(RoomId, i64)>> {
    let mine = diesel::alias!(attendees as mine);
    let rows: Vec<(RoomId, Option<i64>)> = backend!(conn, c => attendees::table
        .filter(
            attendees::room_id.eq_any(
                mine.filter(mine.field(attendees::actor_type).eq(actor_type))
                    .filter(mine.field(attendees::actor_id).eq(actor_id))
                    .select(mine.field(attendees::room_id)),
            ),
        )
        .filter(attendees::actor_type.eq("users"))
        .group_by(attendees::room_id)
        .select((attendees::room_id, diesel::dsl::min(attendees::last_read_message)))
        .load(c))?;
    Ok(rows.into_iter().map(|(room, min)| (room, min.unwrap_or(0))).collect())
}

/// Removes an actor from every room (account deletion); returns the rooms they were in.
pub fn delete_for_actor(conn: &mut Conn<'_>, actor_type: &str, actor_id: &str) -> DbResult<Vec<RoomId>> {
    let mut room_ids: Vec<RoomId> = backend!(conn, c => attendees::table
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id))
        .select(attendees::room_id)
        .load(c))?;
    room_ids.sort_unstable();
    room_ids.dedup();
    backend!(conn, c => diesel::delete(attendees::table
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id)))
        .execute(c))?;
    Ok(room_ids)
}

/// How many attendees of one actor type a room has.
pub fn count_of_type(conn: &mut Conn<'_>, room_id: RoomId, actor_type: &str) -> DbResult<i64> {
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::room_id.eq(room_id))
        .filter(attendees::actor_type.eq(actor_type))
        .count()
        .get_result(c))?)
}

/// The participant types that sit in a breakout room: everyone but its moderators (the one
/// moderator rule of `domain::access`), as the lowest and highest of them. They are one run of
/// upstream's numbers, so `BETWEEN` states them exactly, and a head count reads one range of
/// the index (room, actor type, participant type) instead of testing every row; a unit test
/// holds the run together. The Horn poll writes the same range into its statement.
pub fn seated_types() -> (ParticipantType, ParticipantType) {
    let seated = ParticipantType::ALL
        .iter()
        .copied()
        .filter(|t| !t.has_moderator_permissions_without_guests());
    let low = seated.clone().min_by_key(|t| t.value());
    let high = seated.max_by_key(|t| t.value());
    low.zip(high).expect("some participant types are not moderators")
}

/// How many users sit in a room as non-moderators ([`seated_types`]): a breakout room's head
/// count, for its capacity.
pub fn count_seated_users(conn: &mut Conn<'_>, room_id: RoomId) -> DbResult<i64> {
    let (low, high) = seated_types();
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::room_id.eq(room_id))
        .filter(attendees::actor_type.eq(actor::USERS))
        .filter(attendees::participant_type.between(low, high))
        .count()
        .get_result(c))?)
}

/// Renames an actor in every room (an account's display name changed).
pub fn set_display_name_for_actor(
    conn: &mut Conn<'_>,
    actor_type: &str,
    actor_id: &str,
    display_name: &str,
) -> DbResult<usize> {
    Ok(backend!(conn, c => diesel::update(attendees::table
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq(actor_id)))
        .set(attendees::display_name.eq(display_name))
        .execute(c))?)
}

/// Display names of the attendees of these rooms with this actor type and these ids.
pub fn display_names_of(
    conn: &mut Conn<'_>,
    room_ids: &[RoomId],
    actor_type: &str,
    actor_ids: &[String],
) -> DbResult<Vec<(String, String)>> {
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::room_id.eq_any(room_ids))
        .filter(attendees::actor_type.eq(actor_type))
        .filter(attendees::actor_id.eq_any(actor_ids))
        .select((attendees::actor_id, attendees::display_name))
        .load(c))?)
}

/// Upstream's `ParticipantService::markUsersAsMentioned` for user attendees: message
/// `message_id` becomes the last mention of `user_ids` and the last direct mention of `direct`,
/// never moving a marker back (an edit of an older message leaves a newer mention).
pub fn mark_mentioned(
    conn: &mut Conn<'_>,
    room_id: RoomId,
    user_ids: &[String],
    direct: &[String],
    message_id: i64,
) -> DbResult<()> {
    backend!(conn, c => diesel::update(attendees::table
        .filter(attendees::room_id.eq(room_id))
        .filter(attendees::actor_type.eq(actor::USERS))
        .filter(attendees::actor_id.eq_any(user_ids))
        .filter(attendees::last_mention_message.lt(message_id)))
        .set(attendees::last_mention_message.eq(message_id))
        .execute(c))?;
    if !direct.is_empty() {
        backend!(conn, c => diesel::update(attendees::table
            .filter(attendees::room_id.eq(room_id))
            .filter(attendees::actor_type.eq(actor::USERS))
            .filter(attendees::actor_id.eq_any(direct))
            .filter(attendees::last_mention_direct.lt(message_id)))
            .set(attendees::last_mention_direct.eq(message_id))
            .execute(c))?;
    }
    Ok(())
}

/// Upstream's `ParticipantService::getNumberOfUsers`: attendees that are neither groups nor
/// teams, as owner, moderator or user (guests and self-joined users do not count).
pub fn count_users(conn: &mut Conn<'_>, room_id: RoomId) -> DbResult<i64> {
    Ok(backend!(conn, c => attendees::table
        .filter(attendees::room_id.eq(room_id))
        .filter(attendees::actor_type.ne(actor::GROUPS))
        .filter(attendees::participant_type.eq_any([
            ParticipantType::Owner,
            ParticipantType::Moderator,
            ParticipantType::User,
        ]))
        .count()
        .get_result(c))?)
}

/// Ids of a room's attendees that have at least one session, in id order.
pub fn with_session(conn: &mut Conn<'_>, room_id: RoomId) -> DbResult<Vec<AttendeeId>> {
    use crate::db::schema::sessions;
    Ok(backend!(conn, c => attendees::table
        .inner_join(sessions::table)
        .filter(attendees::room_id.eq(room_id))
        .select(attendees::id)
        .distinct()
        .order(attendees::id.asc())
        .load(c))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `BETWEEN low AND high` means exactly the types that sit in a room: every number in the
    /// run is a participant type, and none of them is a moderator's.
    #[test]
    fn the_seated_types_are_one_run() {
        let (low, high) = seated_types();
        for value in low.value()..=high.value() {
            let t = ParticipantType::from_value(value.into()).expect("no gap in the run");
            assert!(
                !t.has_moderator_permissions_without_guests(),
                "{t:?} is a moderator type"
            );
        }
        for t in ParticipantType::ALL {
            let seated = !t.has_moderator_permissions_without_guests();
            assert_eq!(seated, (low.value()..=high.value()).contains(&t.value()), "{t:?}");
        }
    }

    /// A statement names its columns once and binds each row's fields in the same order, one
    /// parenthesised group per row.
    #[test]
    fn attendees_are_inserted_in_rows_of_one_statement() {
        let row = |id: &str| NewAttendee {
            room_id: RoomId(7),
            actor_type: "users".into(),
            actor_id: id.into(),
            display_name: id.to_uppercase(),
            participant_type: ParticipantType::User,
            permissions: 0,
            last_read_message: 42,
        };
        let rows = [row("ann"), row("bo")];
        let sql = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&InsertAttendees(&rows)).to_string();
        assert_eq!(
            sql,
            "INSERT INTO attendees (room_id, actor_type, actor_id, display_name, participant_type, \
             permissions, last_read_message) VALUES (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?) -- binds: \
             [RoomId(7), \"users\", \"ann\", \"ANN\", User, 0, 42, RoomId(7), \"users\", \"bo\", \"BO\", User, \
             0, 42]"
        );
    }
}
