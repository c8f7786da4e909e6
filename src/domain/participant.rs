//! Attendees: adding, removing and changing them, with the system messages upstream posts.
//! Every function runs inside the caller's write transaction.

use crate::db::models::{Attendee, NewAttendee, NewSession, Room, Session};
use crate::db::store;
use crate::db::{Conn, DbResult, WriteTx};
use crate::domain::access::{Caller, Member, Moderator};
use crate::domain::chat::{post_system_message, post_system_messages, Actor, NamedUser, SystemMessage};
use crate::domain::ids::{actor, AttendeeId, NotificationCalls, NotificationLevel, ParticipantType};

/// A user to add, with the type they get in the room.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub user_id: String,
    pub display_name: String,
    pub participant_type: ParticipantType,
}

impl NewMember {
    /// The caller as the owner of a conversation they create.
    pub fn owner(caller: &Caller) -> NewMember {
        NewMember {
            user_id: caller.user_id.to_string(),
            display_name: caller.display_name.clone(),
            participant_type: ParticipantType::Owner,
        }
    }

    /// An attendee of one conversation joining another with the same type.
    pub fn like(attendee: &Attendee) -> NewMember {
        NewMember {
            user_id: attendee.actor_id.clone(),
            display_name: attendee.display_name.clone(),
            participant_type: attendee.participant_type,
        }
    }
}

/// Adds users who are not attendees yet (one multi-row insert) and returns the new rows.
/// `user_added` is posted for each, except for the actor adding themself with a type other than
/// "user" (so a moderator creating rooms gets no message about themself), and not at all when
/// there is no actor (fixtures).
pub fn add_users(
    conn: &mut Conn<'_>,
    room: &Room,
    members: &[NewMember],
    by: Option<&Actor>,
    now: i64,
) -> DbResult<Vec<Attendee>> {
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = members.iter().map(|m| m.user_id.clone()).collect();
    let existing = store::attendees::find_actors(conn, room.id, actor::USERS, &ids)?;
    let mut seen: std::collections::HashSet<&str> = existing.iter().map(|a| a.actor_id.as_str()).collect();
    let new_members: Vec<NewMember> = members
        .iter()
        .filter(|m| seen.insert(m.user_id.as_str()))
        .cloned()
        .collect();
    if new_members.is_empty() {
        return Ok(Vec::new());
    }
    insert_members(conn, room, &new_members, by, now)?;
    let new_ids: Vec<String> = new_members.iter().map(|m| m.user_id.clone()).collect();
    store::attendees::find_actors(conn, room.id, actor::USERS, &new_ids)
}

/// The writing half of [`add_users`], for callers that know none of `members` is in the room yet
/// and have no use for the new rows (configuring breakout rooms fills fresh rooms): one batch
/// insert of attendees and one of `user_added` messages, nothing read.
pub fn insert_members(
    conn: &mut Conn<'_>,
    room: &Room,
    members: &[NewMember],
    by: Option<&Actor>,
    now: i64,
) -> DbResult<()> {
    insert_members_into_rooms(conn, &[(room, members)], by, now)
}

/// [`insert_members`] for several fresh rooms at once: one batch insert of all their attendees
/// and one of all their `user_added` messages.
pub fn insert_members_into_rooms(
    conn: &mut Conn<'_>,
    rooms: &[(&Room, &[NewMember])],
    by: Option<&Actor>,
    now: i64,
) -> DbResult<()> {
    let rows: Vec<NewAttendee> = rooms
        .iter()
        .flat_map(|(room, members)| {
            members.iter().map(|m| NewAttendee {
                room_id: room.id,
                actor_type: actor::USERS.to_owned(),
                actor_id: m.user_id.clone(),
                display_name: m.display_name.clone(),
                participant_type: m.participant_type,
                permissions: 0,
                // Upstream marks everything before joining as read.
                last_read_message: room.last_message_id,
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    store::attendees::insert_many(conn, &rows)?;
    if let Some(by) = by {
        let messages: Vec<SystemMessage> = rooms
            .iter()
            .flat_map(|(room, members)| {
                members
                    .iter()
                    .filter(|m| {
                        !(m.user_id == by.actor_id
                            && by.actor_type == actor::USERS
                            && m.participant_type != ParticipantType::User)
                    })
                    .map(|m| SystemMessage {
                        room_id: room.id,
                        key: "user_added",
                        user: Some(NamedUser {
                            id: m.user_id.clone(),
                            name: m.display_name.clone(),
                        }),
                    })
            })
            .collect();
        post_system_messages(conn, by, &messages, now)?;
    }
    Ok(())
}

/// Removes attendees (their sessions go with them) and posts `user_removed` for users.
pub fn remove_attendees(
    conn: &mut Conn<'_>,
    room: &Room,
    attendees: &[Attendee],
    by: &Actor,
    now: i64,
) -> DbResult<()> {
    if attendees.is_empty() {
        return Ok(());
    }
    let ids: Vec<AttendeeId> = attendees.iter().map(|a| a.id).collect();
    store::attendees::delete_many(conn, &ids)?;
    let messages: Vec<SystemMessage> = attendees
        .iter()
        .filter(|a| a.actor_type == actor::USERS)
        .map(|a| SystemMessage {
            room_id: room.id,
            key: "user_removed",
            user: Some(NamedUser {
                id: a.actor_id.clone(),
                name: a.display_name.clone(),
            }),
        })
        .collect();
    post_system_messages(conn, by, &messages, now)
}

/// Changes an attendee's type; crossing the moderator boundary posts `moderator_promoted` (to 2)
/// or `moderator_demoted` (2 to 3), as upstream does.
pub fn set_participant_type(
    conn: &mut Conn<'_>,
    room: &Room,
    attendee: &Attendee,
    new_type: ParticipantType,
    by: &Actor,
    now: i64,
) -> DbResult<()> {
    store::attendees::set_participant_type(conn, &[attendee.id], new_type)?;
    let key = match (attendee.participant_type, new_type) {
        (old, ParticipantType::Moderator) if !old.has_moderator_permissions() => Some("moderator_promoted"),
        (ParticipantType::Moderator, ParticipantType::User) => Some("moderator_demoted"),
        _ => None,
    };
    if let (Some(key), true) = (key, attendee.actor_type == actor::USERS) {
        let user = NamedUser {
            id: attendee.actor_id.clone(),
            name: attendee.display_name.clone(),
        };
        post_system_message(
            conn,
            by,
            SystemMessage {
                room_id: room.id,
                key,
                user: Some(user),
            },
            now,
        )?;
    }
    Ok(())
}

use crate::db::models::NewAttendee as GroupRow;
use crate::domain::conversation::{delete_room, is_breakout_room, is_configured_parent, lock_and_reload, parent_token};
use crate::domain::ids::RoomType;
use crate::domain::{Refusal, Result};

/// Adds a group: its members as users (with `user_added`) and the group itself as an attendee.
pub fn add_group(
    conn: &mut Conn<'_>,
    room: &Room,
    group_id: &str,
    group_name: &str,
    by: &Actor,
    now: i64,
) -> DbResult<()> {
    let members: Vec<NewMember> = store::groups::members(conn, group_id)?
        .into_iter()
        .map(|(user_id, display_name)| NewMember {
            user_id,
            display_name,
            participant_type: ParticipantType::User,
        })
        .collect();
    add_users(conn, room, &members, Some(by), now)?;
    if store::attendees::find(conn, room.id, actor::GROUPS, group_id)?.is_none() {
        store::attendees::insert(
            conn,
            &GroupRow {
                room_id: room.id,
                actor_type: actor::GROUPS.to_owned(),
                actor_id: group_id.to_owned(),
                display_name: group_name.to_owned(),
                participant_type: ParticipantType::User,
                permissions: 0,
                last_read_message: room.last_message_id,
            },
        )?;
    }
    Ok(())
}

/// `POST /room/{token}/participants` (moderator), in upstream's check order.
pub fn add_participant(
    conn: &mut WriteTx<'_, '_>,
    by: &Moderator,
    new_participant: &str,
    source: &str,
    now: i64,
) -> Result<()> {
    let room = lock_and_reload(conn, by.room().id)?;
    let by = &by.actor();
    if matches!(
        room.room_type,
        RoomType::OneToOne | RoomType::FormerOneToOne | RoomType::NoteToSelf
    ) {
        return Err(Refusal::WrongRoomType("room-type"));
    }
    if is_breakout_room(&room) && source != "users" {
        return Err(Refusal::InvalidField("source"));
    }
    match source {
        "users" => {
            // A channel-linked account of another conversation is answered as an unknown user.
            let user = match store::users::find(conn, new_participant)? {
                Some(user) if crate::domain::linked::may_join(conn, new_participant, &room)? => user,
                _ => return Err(Refusal::FieldTargetNotFound("new-participant")),
            };
            let member = NewMember {
                user_id: user.user_id.to_string(),
                display_name: user.display_name.clone(),
                participant_type: ParticipantType::User,
            };
            if is_breakout_room(&room) {
                add_user_to_breakout_room(conn, &room, member, by, now)
            } else {
                add_users(conn, &room, &[member], Some(by), now)?;
                Ok(())
            }
        }
        "groups" => {
            let group =
                store::groups::find(conn, new_participant)?.ok_or(Refusal::FieldTargetNotFound("new-participant"))?;
            add_group(conn, &room, &group.group_id, &group.display_name, by, now)?;
            Ok(())
        }
        _ => Err(Refusal::InvalidField("source")),
    }
}

/// Upstream's direct add into a breakout room: make sure the user is in the parent, take them
/// out of every breakout room of that parent (moderators cannot be moved: `moderator`), then add
/// them here — unless they were already here, in which case they end up in none (upstream's
/// order of steps).
fn add_user_to_breakout_room(
    conn: &mut WriteTx<'_, '_>,
    room: &Room,
    member: NewMember,
    by: &Actor,
    now: i64,
) -> Result<()> {
    let already_here = store::attendees::find(conn, room.id, actor::USERS, &member.user_id)?.is_some();
    let parent = store::rooms::find_by_token(conn, &parent_token(room))?.ok_or(Refusal::RoomNotFound)?;
    conn.lock_room(parent.id)?;
    add_users(conn, &parent, std::slice::from_ref(&member), Some(by), now)?;
    let siblings = store::rooms::breakout_rooms_of(conn, &parent.token)?;
    let ids: Vec<_> = siblings.iter().map(|r| r.id).collect();
    let rows = store::attendees::find_actor_in_rooms(conn, &ids, actor::USERS, &member.user_id)?;
    if rows.iter().any(|a| a.participant_type.has_moderator_permissions()) {
        return Err(Refusal::ModeratorCannotMove);
    }
    for row in &rows {
        if let Some(r) = siblings.iter().find(|r| r.id == row.room_id) {
            remove_attendees(conn, r, std::slice::from_ref(row), by, now)?;
        }
    }
    if !already_here {
        add_users(conn, room, &[member], Some(by), now)?;
    }
    Ok(())
}

/// Removes an actor from every breakout room of a configured parent (upstream's cascade when
/// someone leaves or is removed from the parent).
pub fn remove_from_breakout_rooms(
    conn: &mut Conn<'_>,
    parent: &Room,
    actor_type: &str,
    actor_id: &str,
    by: &Actor,
    now: i64,
) -> DbResult<()> {
    if !is_configured_parent(parent) {
        return Ok(());
    }
    let rooms = store::rooms::breakout_rooms_of(conn, &parent.token)?;
    let ids: Vec<_> = rooms.iter().map(|r| r.id).collect();
    for row in store::attendees::find_actor_in_rooms(conn, &ids, actor_type, actor_id)? {
        if let Some(r) = rooms.iter().find(|r| r.id == row.room_id) {
            remove_attendees(conn, r, std::slice::from_ref(&row), by, now)?;
        }
    }
    Ok(())
}

/// `POST /room/{token}/participants/active`: a new session for the member (upstream's session
/// ids are long random strings: 64 characters from a CSPRNG).
pub fn start_session(conn: &mut WriteTx<'_, '_>, member: &Member, now: i64) -> DbResult<Session> {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    let session_id = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(64)
        .map(char::from)
        .collect();
    store::sessions::insert(
        conn,
        &NewSession {
            attendee_id: member.attendee().id,
            session_id,
            in_call: 0,
            last_ping: now,
        },
    )
}

/// `DELETE /room/{token}/participants/active`: the member's sessions end.
pub fn end_sessions(conn: &mut WriteTx<'_, '_>, member: &Member) -> DbResult<()> {
    store::sessions::delete_for_attendee(conn, member.attendee().id).map(|_| ())
}

/// `DELETE /room/{token}/participants/self`: leave; the last user leaving deletes the room, the
/// last moderator cannot leave while other users remain.
pub fn leave(conn: &mut WriteTx<'_, '_>, member: &Member, now: i64) -> Result<()> {
    let room = lock_and_reload(conn, member.room().id)?;
    let me = &member.actor();
    let attendee = store::attendees::find(conn, room.id, actor::USERS, &me.actor_id)?.ok_or(Refusal::NotParticipant)?;
    let users: Vec<Attendee> = store::attendees::list(conn, room.id)?
        .into_iter()
        .filter(|a| a.actor_type == actor::USERS)
        .collect();
    let others: Vec<&Attendee> = users.iter().filter(|a| a.id != attendee.id).collect();
    if others.is_empty() {
        delete_room(conn, &room)?;
        return Ok(());
    }
    let is_moderator = attendee.participant_type.has_moderator_permissions_without_guests();
    let other_moderators = others
        .iter()
        .any(|a| a.participant_type.has_moderator_permissions_without_guests());
    if is_moderator && !other_moderators && !is_breakout_room(&room) {
        return Err(Refusal::LastModerator);
    }
    remove_from_breakout_rooms(conn, &room, actor::USERS, &me.actor_id, me, now)?;
    remove_attendees(conn, &room, &[attendee], me, now)?;
    Ok(())
}

/// `DELETE /room/{token}/attendees` (moderator).
pub fn remove_attendee(
    conn: &mut WriteTx<'_, '_>,
    moderator: &Moderator,
    attendee_id: AttendeeId,
    now: i64,
) -> Result<()> {
    let room = lock_and_reload(conn, moderator.room().id)?;
    let by = &moderator.actor();
    let target =
        store::attendees::find_by_id(conn, room.id, attendee_id)?.ok_or(Refusal::FieldTargetNotFound("participant"))?;
    if room.room_type.is_one_to_one() {
        return Err(Refusal::WrongRoomType("room-type"));
    }
    if target.actor_type == actor::USERS && target.actor_id == by.actor_id {
        return leave(conn, moderator.member(), now);
    }
    if target.participant_type == ParticipantType::Owner {
        return Err(Refusal::FieldTargetNotAllowed("owner"));
    }
    remove_from_breakout_rooms(conn, &room, &target.actor_type, &target.actor_id, by, now)?;
    remove_attendees(conn, &room, &[target], by, now)?;
    Ok(())
}

/// `POST|DELETE /room/{token}/moderators` (moderator), with the breakout cascade of a
/// configured parent: a promoted user joins every breakout room as moderator, a demoted one
/// leaves them all.
pub fn change_moderator(
    conn: &mut WriteTx<'_, '_>,
    moderator: &Moderator,
    attendee_id: AttendeeId,
    promote: bool,
    now: i64,
) -> Result<()> {
    let room = lock_and_reload(conn, moderator.room().id)?;
    let by = &moderator.actor();
    let target = store::attendees::find_by_id(conn, room.id, attendee_id)?.ok_or(Refusal::AttendeeNotFound)?;
    if target.actor_type == actor::USERS && target.actor_id == by.actor_id {
        return Err(Refusal::SelfNotAllowed);
    }
    if target.actor_type == actor::GROUPS {
        return Err(Refusal::NotApplicable);
    }
    // A channel-linked account's type cannot change (it never moderates).
    if promote && target.actor_type == actor::USERS && crate::domain::linked::is_linked(conn, &target.actor_id)? {
        return Err(Refusal::InvalidField("type"));
    }
    use ParticipantType as P;
    let new_type = match (promote, target.participant_type) {
        (true, P::User | P::UserSelfJoined) => P::Moderator,
        (true, P::Guest) => P::GuestModerator,
        (false, P::Moderator) => P::User,
        (false, P::GuestModerator) => P::Guest,
        _ => return Err(Refusal::NotApplicable),
    };
    set_participant_type(conn, &room, &target, new_type, by, now)?;
    if target.actor_type == actor::USERS && is_configured_parent(&room) {
        if promote {
            let rooms = store::rooms::breakout_rooms_of(conn, &room.token)?;
            let ids: Vec<_> = rooms.iter().map(|r| r.id).collect();
            let rows = store::attendees::find_actor_in_rooms(conn, &ids, actor::USERS, &target.actor_id)?;
            for r in &rooms {
                match rows.iter().find(|a| a.room_id == r.id) {
                    Some(row) if !row.participant_type.has_moderator_permissions() => {
                        set_participant_type(conn, r, row, new_type, by, now)?;
                    }
                    Some(_) => {}
                    None => {
                        let member = NewMember {
                            user_id: target.actor_id.clone(),
                            display_name: target.display_name.clone(),
                            participant_type: new_type,
                        };
                        add_users(conn, r, &[member], Some(by), now)?;
                    }
                }
            }
        } else {
            remove_from_breakout_rooms(conn, &room, actor::USERS, &target.actor_id, by, now)?;
        }
    }
    Ok(())
}

/// What a participant sets for themself in a conversation (upstream's `addToFavorites`,
/// `removeFromFavorites`, `setNotificationLevel`, `setNotificationCalls`).
#[derive(Debug, Clone, Copy)]
pub enum OwnSetting {
    Favorite(bool),
    NotificationLevel(i64),
    NotificationCalls(i64),
}

/// Stores one of the member's own settings and returns their attendee row as it is now. An
/// unknown level is refused with upstream's `level` key and changes nothing.
pub fn set_own(conn: &mut WriteTx<'_, '_>, member: &Member, setting: OwnSetting) -> Result<Attendee> {
    use store::attendees::Preference;
    let preference = match setting {
        OwnSetting::Favorite(on) => Preference::Favorite(on),
        OwnSetting::NotificationLevel(level) => {
            Preference::NotificationLevel(NotificationLevel::from_value(level).ok_or(Refusal::InvalidField("level"))?)
        }
        OwnSetting::NotificationCalls(level) => {
            Preference::NotificationCalls(NotificationCalls::from_value(level).ok_or(Refusal::InvalidField("level"))?)
        }
    };
    conn.lock_room(member.room().id)?;
    let id = member.attendee().id;
    store::attendees::set_preference(conn, id, preference)?;
    store::attendees::find_by_id(conn, member.room().id, id)?.ok_or(Refusal::NotParticipant)
}
