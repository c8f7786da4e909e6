//! Attendees: adding, removing and changing them, with the system messages upstream posts.
//! Every function runs inside the caller's write transaction.

use crate::db::models::{Attendee, NewAttendee, Room};
use crate::db::store;
use crate::db::{Conn, DbResult};
use crate::domain::chat::{post_system_message, post_system_messages, Actor, NamedUser, SystemMessage};
use crate::domain::ids::{actor, ParticipantType};

/// A user to add, with the type they get in the room.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub user_id: String,
    pub display_name: String,
    pub participant_type: i32,
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
    let mut rows = Vec::with_capacity(members.len());
    let mut added = Vec::with_capacity(members.len());
    for m in members {
        if !seen.insert(m.user_id.as_str()) {
            continue;
        }
        rows.push(NewAttendee {
            room_id: room.id,
            actor_type: actor::USERS.to_owned(),
            actor_id: m.user_id.clone(),
            display_name: m.display_name.clone(),
            participant_type: m.participant_type,
            permissions: 0,
            // Upstream marks everything before joining as read.
            last_read_message: room.last_message_id,
        });
        added.push(m);
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    store::attendees::insert_many(conn, &rows)?;
    if let Some(by) = by {
        let messages: Vec<SystemMessage> = added
            .iter()
            .filter(|m| {
                !(m.user_id == by.actor_id
                    && by.actor_type == actor::USERS
                    && m.participant_type != ParticipantType::User as i32)
            })
            .map(|m| SystemMessage {
                room_id: room.id,
                key: "user_added",
                user: Some(NamedUser {
                    id: m.user_id.clone(),
                    name: m.display_name.clone(),
                }),
            })
            .collect();
        post_system_messages(conn, by, &messages, now)?;
    }
    let new_ids: Vec<String> = added.iter().map(|m| m.user_id.clone()).collect();
    store::attendees::find_actors(conn, room.id, actor::USERS, &new_ids)
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
    let ids: Vec<i64> = attendees.iter().map(|a| a.id).collect();
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
    new_type: i32,
    by: &Actor,
    now: i64,
) -> DbResult<()> {
    store::attendees::set_participant_type(conn, &[attendee.id], new_type)?;
    let key = if new_type == ParticipantType::Moderator as i32
        && !ParticipantType::is_moderator(attendee.participant_type)
    {
        Some("moderator_promoted")
    } else if attendee.participant_type == ParticipantType::Moderator as i32 && new_type == ParticipantType::User as i32
    {
        Some("moderator_demoted")
    } else {
        None
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
