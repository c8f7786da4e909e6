//! Conversations (spreed `RoomController`): the caller's list, one conversation, creating and
//! deleting one. Reads are one statement or run in one snapshot; a write runs in one write
//! transaction with the face's presenter inside it, so the answer shows the state it left.

use crate::db::models::{Attendee, Room};
use crate::db::store::rooms::RoomView;
use crate::db::{store, Conn, Db};
use crate::domain::access::{Caller, Moderator};
use crate::domain::conversation::{self, CreateRequest};
use crate::domain::ids::{actor, RoomToken, UserId};
use crate::domain::mentions::{self, Names, Wanted};
use crate::domain::settings::{TalkSettings, BREAKOUT_ROOMS};
use crate::domain::{Refusal, Result};
use std::collections::HashMap;

/// How a face turns rooms, each with the viewer's attendee row there (if any), into its answer.
pub trait PresentRooms<T>: FnOnce(&mut Conn<'_>, &[(Room, Option<Attendee>)]) -> Result<T> + Send + 'static {}
impl<T, F: FnOnce(&mut Conn<'_>, &[(Room, Option<Attendee>)]) -> Result<T> + Send + 'static> PresentRooms<T> for F {}

/// The caller's conversations, each with everything its object shows.
pub struct Listed {
    pub views: Vec<RoomView>,
    /// The display names of the other users of one-to-one conversations.
    pub user_names: HashMap<String, String>,
    /// The names the last messages' mentions need.
    pub names: Names,
    pub settings: TalkSettings,
}

/// `GET /room`: the caller's conversations with activity since `modified_since` (all of them
/// when it is 0 or less). One statement reads every room with the caller's attendee row, the
/// room's extras and the setting the config hash covers; the setting alone when there are no
/// rooms; the other users' names only when there are one-to-one conversations (a rename racing
/// with it is no different from a rename just after the request).
pub async fn list(db: &Db, caller: Caller, modified_since: i64, now: i64) -> Result<Listed> {
    let lookup = caller.user_id;
    let views: Vec<RoomView> = db
        .read_one(move |conn| store::rooms::list_views_for_actor(conn, actor::USERS, &lookup, now))
        .await?
        .into_iter()
        .filter(|v| modified_since <= 0 || v.room.last_activity >= modified_since)
        .collect();
    let breakout_rooms_setting = match views.first() {
        Some(view) => view.breakout_rooms_setting.clone(),
        None => {
            db.read_one(|conn| store::app_config::get(conn, BREAKOUT_ROOMS.0, BREAKOUT_ROOMS.1))
                .await?
        }
    };
    let settings = TalkSettings::from_stored(breakout_rooms_setting.as_deref());
    let partners: Vec<String> = views.iter().filter_map(conversation::view_partner).collect();
    let mut wanted = Wanted::of(
        views
            .iter()
            .filter(|v| v.attendee.is_some())
            .filter_map(|v| v.last_message.as_ref()),
    );
    if wanted.all {
        // `@all` in a one-to-one conversation is named after the other user.
        wanted.users.extend(partners.iter().cloned());
    }
    let user_names = if partners.is_empty() {
        HashMap::new()
    } else {
        db.read_one(move |conn| store::users::display_names(conn, &partners))
            .await?
            .into_iter()
            .collect()
    };
    let names = mention_names(db, &views, wanted).await?;
    Ok(Listed {
        views,
        user_names,
        names,
        settings,
    })
}

/// The names the mentions of the views' last messages need: one more statement, only when some
/// last message mentions anything.
async fn mention_names(db: &Db, views: &[RoomView], wanted: Wanted) -> Result<Names> {
    if wanted.is_empty() {
        return Ok(Names::default());
    }
    let room_ids: Vec<_> = views
        .iter()
        .filter(|v| v.last_message.is_some())
        .map(|v| v.room.id)
        .collect();
    Ok(db
        .read_one(move |conn| mentions::load_names(conn, &room_ids, &wanted))
        .await?)
}

/// One conversation as its viewer may see it.
pub enum Seen {
    /// The viewer is an attendee: the room with everything its object shows, and the display
    /// name of the other user of a one-to-one conversation.
    Attendee {
        viewer: UserId,
        view: Box<RoomView>,
        user_names: HashMap<String, String>,
        /// The names the last message's mentions need.
        names: Names,
    },
    /// The viewer is no attendee (or nobody is logged in) and the conversation is public or
    /// listable: the room as it is now, for the limited view.
    Outsider(Room),
}

/// `GET /room/{token}`: the conversation behind `token` for `viewer` (nobody when `None`), with
/// the Talk settings read alongside it.
pub async fn find(db: &Db, token: RoomToken, viewer: Option<UserId>, now_ms: i64) -> Result<(Seen, TalkSettings)> {
    let Some(viewer) = viewer else {
        // One snapshot: the room and the settings agree with each other.
        return db
            .read(move |conn| {
                let room = store::rooms::find_by_token(conn, &token)?.ok_or(Refusal::RoomNotFound)?;
                let seen = Seen::Outsider(seen_by_outsider(room, now_ms)?);
                Ok((seen, TalkSettings::load(conn)?))
            })
            .await;
    };
    // One statement: the room, the viewer's attendee row, the room's extras and the settings.
    let view = db
        .read_one({
            let viewer = viewer.clone();
            move |conn| store::rooms::view(conn, &token, actor::USERS, viewer.as_str(), now_ms.div_euclid(1000))
        })
        .await?
        .ok_or(Refusal::RoomNotFound)?;
    let settings = TalkSettings::from_stored(view.breakout_rooms_setting.as_deref());
    if view.attendee.is_none() {
        return Ok((Seen::Outsider(seen_by_outsider(view.room, now_ms)?), settings));
    }
    // A one-to-one conversation shows the other user's name: one more statement, for these only
    // (a rename racing with it is no different from a rename just after the request).
    let user_names = match conversation::view_partner(&view) {
        Some(partner) => db
            .read_one(move |conn| store::users::display_names(conn, &[partner]))
            .await?
            .into_iter()
            .collect(),
        None => HashMap::new(),
    };
    let wanted = Wanted::of(view.last_message.as_ref()).with_partner(&view.room, viewer.as_str());
    let names = mention_names(db, std::slice::from_ref(&view), wanted).await?;
    let seen = Seen::Attendee {
        viewer,
        view: Box::new(view),
        user_names,
        names,
    };
    Ok((seen, settings))
}

/// Outsiders see public and listable conversations only, as they are at `now_ms`.
fn seen_by_outsider(room: Room, now_ms: i64) -> Result<Room> {
    if !conversation::visible_to_outsiders(&room) {
        return Err(Refusal::NotParticipant);
    }
    Ok(conversation::as_seen_at(room, now_ms))
}

/// How a face turns a conversation just created (or found, for an existing one-to-one) and the
/// caller's attendee row in it into its answer.
pub trait PresentCreated<T>: FnOnce(&mut Conn<'_>, &Caller, &Room, &Attendee) -> Result<T> + Send + 'static {}
impl<T, F: FnOnce(&mut Conn<'_>, &Caller, &Room, &Attendee) -> Result<T> + Send + 'static> PresentCreated<T> for F {}

/// `POST /room`: creates a conversation (or finds the one-to-one conversation that exists).
/// Returns the presented room and whether it is new.
pub async fn create<T: Send + 'static>(
    db: &Db,
    caller: Caller,
    req: CreateRequest,
    now: i64,
    present: impl PresentCreated<T>,
) -> Result<(T, bool)> {
    db.run(move |conn| {
        conn.write_tx(|tx| {
            let created = conversation::create_conversation(tx, &caller, &req, now)?;
            let object = present(tx, &caller, &created.room, &created.attendee)?;
            Ok((object, created.is_new))
        })
    })
    .await
}

/// `DELETE /room/{token}`: a moderator deletes the conversation (and its breakout rooms).
pub async fn delete(db: &Db, by: Moderator) -> Result<()> {
    db.run(move |conn| conn.write_tx(|tx| conversation::delete_by_moderator(tx, &by)))
        .await
}
