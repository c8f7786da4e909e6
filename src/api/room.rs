//! spreed `RoomController` (API v4): conversations, participants, lobby and the settings that
//! breakout rooms lock, plus the breakout listings that live in this controller upstream.

use crate::api::capabilities::config_hash;
use crate::api::extract::{ModeratorParticipant, RoomParticipant};
use crate::api::present::{present_room, present_rooms, present_view, present_views, view_partner};
use crate::api::wire::{format_participant, ParticipantEntry, RoomObject};
use crate::app::conversation_settings;
use crate::auth::{AuthUser, MaybeUser};
use crate::db::models::{NewSession, Room};
use crate::db::store;
use crate::db::store::rooms::{RoomIntField, RoomView};
use crate::domain::access::Member;
use crate::domain::access::Moderator;
use crate::domain::conversation::{self, CreateRequest};
use crate::domain::ids::{actor, AttendeeId, ParticipantType, RoomId, RoomToken, RoomType, UserId};
use crate::domain::participant::OwnSetting;
use crate::domain::settings::{TalkSettings, BREAKOUT_ROOMS};
use crate::domain::{breakout, participant, Refusal};
use crate::ocs::{Ocs, OcsResult, Params};
use crate::state::{AppState, Now};
use axum::extract::State;
use axum::routing::{delete, get, post, put};
use axum::Router;
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    let base = "/apps/spreed/api/v4/room";
    Router::new()
        .route(base, get(get_rooms).post(create_room))
        .route(
            &format!("{base}/{{token}}"),
            get(get_single_room).put(rename_room).delete(delete_room),
        )
        .route(
            &format!("{base}/{{token}}/participants"),
            get(get_participants).post(add_participant),
        )
        .route(&format!("{base}/{{token}}/participants/self"), delete(remove_self))
        .route(
            &format!("{base}/{{token}}/participants/active"),
            post(join_room).delete(leave_room),
        )
        .route(&format!("{base}/{{token}}/attendees"), delete(remove_attendee))
        .route(
            &format!("{base}/{{token}}/moderators"),
            post(promote_moderator).delete(demote_moderator),
        )
        .route(&format!("{base}/{{token}}/webinar/lobby"), put(set_lobby))
        .route(
            &format!("{base}/{{token}}/public"),
            post(make_public).delete(make_private),
        )
        .route(&format!("{base}/{{token}}/listable"), put(set_listable))
        .route(&format!("{base}/{{token}}/description"), put(set_description))
        .route(&format!("{base}/{{token}}/read-only"), put(set_read_only))
        .route(
            &format!("{base}/{{token}}/favorite"),
            post(add_to_favorites).delete(remove_from_favorites),
        )
        .route(&format!("{base}/{{token}}/notify"), post(set_notification_level))
        .route(&format!("{base}/{{token}}/notify-calls"), post(set_notification_calls))
        .route(&format!("{base}/{{token}}/password"), put(set_password))
        .route(
            &format!("{base}/{{token}}/message-expiration"),
            post(set_message_expiration),
        )
        .route(
            &format!("{base}/{{token}}/permissions/default"),
            put(set_default_permissions),
        )
        .route(&format!("{base}/{{token}}/breakout-rooms"), get(get_breakout_rooms))
        .route(
            &format!("{base}/{{token}}/breakout-rooms/participants"),
            get(get_breakout_room_participants),
        )
}

/// # GET /ocs/v2.php/apps/spreed/api/v4/room (RoomController::getRooms)
async fn get_rooms(State(s): State<AppState>, user: AuthUser, now: Now, params: Params) -> OcsResult<Vec<RoomObject>> {
    let modified_before = now.secs();
    let modified_since = params.int("modifiedSince").unwrap_or(0);
    let include_last_message = params.bool("includeLastMessage").unwrap_or(true);
    let viewer = user.user_id.clone();
    // One statement: every room with the caller's attendee row, the room's extras and the
    // setting the config hash covers.
    let lookup = viewer.clone();
    let views: Vec<RoomView> =
        s.db.read_one(move |conn| store::rooms::list_views_for_actor(conn, actor::USERS, &lookup, now.secs()))
            .await?
            .into_iter()
            .filter(|v| modified_since <= 0 || v.room.last_activity >= modified_since)
            .collect();
    let breakout_rooms_setting = match views.first() {
        Some(view) => view.breakout_rooms_setting.clone(),
        // No rows to carry the setting: read it alone.
        None => {
            s.db.read_one(|conn| store::app_config::get(conn, BREAKOUT_ROOMS.0, BREAKOUT_ROOMS.1))
                .await?
        }
    };
    let hash = config_hash(&TalkSettings::from_stored(breakout_rooms_setting.as_deref()));
    // One-to-one conversations show the other user's name: one more statement, only when there
    // are any (a rename racing with it is no different from a rename just after the request).
    let partners: Vec<String> = views.iter().filter_map(view_partner).collect();
    let user_names = if partners.is_empty() {
        Default::default()
    } else {
        s.db.read_one(move |conn| store::users::display_names(conn, &partners))
            .await?
            .into_iter()
            .collect()
    };
    let rooms = present_views(&viewer, views, include_last_message, user_names, now.ms());
    Ok(Ocs::ok(rooms)
        .header("x-nextcloud-talk-hash", hash)
        .header("x-nextcloud-talk-modified-before", modified_before.to_string()))
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room (RoomController::createRoom)
async fn create_room(State(s): State<AppState>, user: AuthUser, now: Now, params: Params) -> OcsResult<RoomObject> {
    let req = CreateRequest {
        room_type: params.int("roomType").unwrap_or(RoomType::Group.value().into()),
        room_name: params.string("roomName").unwrap_or_default(),
        object_type: params.string("objectType").unwrap_or_default(),
        object_id: params.string("objectId").unwrap_or_default(),
        invite: params.string("invite").unwrap_or_default(),
        source: params.string("source").unwrap_or_default(),
    };
    let (room, is_new) =
        s.db.run(move |conn| {
            conn.write_tx(|conn| -> Result<_, Refusal> {
                let created = conversation::create_conversation(conn, &user, &req, now.secs())?;
                let object = present_room(
                    conn,
                    &user.user_id,
                    &created.room,
                    Some(&created.attendee),
                    true,
                    now.ms(),
                )?;
                Ok((object, created.is_new))
            })
        })
        .await?;
    Ok(if is_new { Ocs::created(room) } else { Ocs::ok(room) })
}

/// # GET /ocs/v2.php/apps/spreed/api/v4/room/{token} (RoomController::getSingleRoom)
async fn get_single_room(
    State(s): State<AppState>,
    token: RoomToken,
    MaybeUser(user): MaybeUser,
    now: Now,
) -> OcsResult<RoomObject> {
    let Some(viewer) = user.map(|u| u.user_id) else {
        return get_single_room_anonymously(s, token, now).await;
    };
    // One statement: the room, the caller's attendee row, the room's extras and the setting the
    // config hash covers, all from one snapshot.
    let lookup = viewer.clone();
    let view =
        s.db.read_one(move |conn| store::rooms::view(conn, &token, actor::USERS, &lookup, now.ms().div_euclid(1000)))
            .await?
            .ok_or(Refusal::RoomNotFound)?;
    let hash = config_hash(&TalkSettings::from_stored(view.breakout_rooms_setting.as_deref()));
    if view.attendee.is_none() {
        // Outsiders see public and listable conversations only, in the limited view.
        if view.room.room_type != RoomType::Public && view.room.listable == 0 {
            return Err(Refusal::NotParticipant.into());
        }
        let object = crate::api::wire::format_room_for_outsider(&conversation::as_seen_at(view.room, now.ms()));
        return Ok(Ocs::ok(object).header("x-nextcloud-talk-hash", hash));
    }
    // A one-to-one conversation shows the other user's name: one more statement, for these only
    // (a rename racing with it is no different from a rename just after the request).
    let user_names = match view_partner(&view) {
        Some(partner) => {
            s.db.read_one(move |conn| store::users::display_names(conn, &[partner]))
                .await?
                .into_iter()
                .collect()
        }
        None => Default::default(),
    };
    let object = present_view(&viewer, view, user_names, now.ms());
    Ok(Ocs::ok(object).header("x-nextcloud-talk-hash", hash))
}

/// `GET /room/{token}` without a logged-in caller: public and listable conversations only.
async fn get_single_room_anonymously(s: AppState, token: RoomToken, now: Now) -> OcsResult<RoomObject> {
    let (room, hash) =
        // One snapshot: the room and the config hash agree with each other.
        s.db.read(move |conn| -> Result<_, Refusal> {
            let room = store::rooms::find_by_token(conn, &token)?.ok_or(Refusal::RoomNotFound)?;
            if room.room_type != RoomType::Public && room.listable == 0 {
                return Err(Refusal::NotParticipant);
            }
            let object = crate::api::wire::format_room_for_outsider(&conversation::as_seen_at(room, now.ms()));
            Ok((object, config_hash(&TalkSettings::load(conn)?)))
        })
        .await?;
    Ok(Ocs::ok(room).header("x-nextcloud-talk-hash", hash))
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token} (RoomController::renameRoom)
async fn rename_room(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    let name = params.string("roomName").unwrap_or_default();
    let room =
        s.db.run(move |conn| {
            conn.write_tx(|conn| -> Result<_, Refusal> {
                let room = conversation::rename(conn, &p, &name, now.secs())?;
                let me = store::attendees::find(conn, room.id, actor::USERS, p.user_id())?;
                Ok(present_room(conn, p.user_id(), &room, me.as_ref(), true, now.ms())?)
            })
        })
        .await?;
    Ok(Ocs::ok(room))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token} (RoomController::deleteRoom)
async fn delete_room(State(s): State<AppState>, ModeratorParticipant(p): ModeratorParticipant) -> OcsResult<Value> {
    s.db.run(move |conn| conn.write_tx(|conn| conversation::delete_by_moderator(conn, &p)))
        .await?;
    Ok(Ocs::ok(Value::Null))
}

/// # GET /ocs/v2.php/apps/spreed/api/v4/room/{token}/participants (RoomController::getParticipants)
async fn get_participants(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
) -> OcsResult<Vec<ParticipantEntry>> {
    p.check_lobby()?;
    let room = p.room().clone();
    let entries = s.db.read(move |conn| participant_entries(conn, &[room])).await?;
    Ok(Ocs::ok(entries))
}

/// Participant entries of several rooms, in room order then attendee id order.
fn participant_entries(conn: &mut crate::db::Conn<'_>, rooms: &[Room]) -> Result<Vec<ParticipantEntry>, Refusal> {
    let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let attendees = store::attendees::list_for_rooms(conn, &ids)?;
    let sessions = store::sessions::for_rooms(conn, &ids)?;
    let mut out = Vec::with_capacity(attendees.len());
    for room in rooms {
        for a in attendees.iter().filter(|a| a.room_id == room.id) {
            let mine: Vec<_> = sessions.iter().filter(|s| s.attendee_id == a.id).collect();
            let in_call = mine.iter().fold(0, |acc, s| acc | s.in_call);
            let last_ping = mine.iter().map(|s| s.last_ping).max().unwrap_or(0);
            out.push(format_participant(
                room,
                a,
                mine.iter().map(|s| s.session_id.clone()).collect(),
                in_call,
                last_ping,
            ));
        }
    }
    Ok(out)
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/participants (RoomController::addParticipantToRoom)
async fn add_participant(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<Value> {
    let new_participant = params.string("newParticipant").unwrap_or_default();
    let source = params.non_empty_string("source").unwrap_or_else(|| "users".to_owned());
    s.db.run(move |conn| {
        conn.write_tx(|conn| participant::add_participant(conn, &p, &new_participant, &source, now.secs()))
    })
    .await?;
    Ok(Ocs::ok(crate::ocs::empty()))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/participants/self (RoomController::removeSelfFromRoom)
async fn remove_self(State(s): State<AppState>, RoomParticipant(p): RoomParticipant, now: Now) -> OcsResult<Value> {
    s.db.run(move |conn| conn.write_tx(|conn| participant::leave(conn, &p, now.secs())))
        .await?;
    Ok(Ocs::ok(Value::Null))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/attendees (RoomController::removeAttendeeFromRoom)
async fn remove_attendee(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<Value> {
    let attendee_id = AttendeeId(params.int("attendeeId").unwrap_or(0));
    s.db.run(move |conn| conn.write_tx(|conn| participant::remove_attendee(conn, &p, attendee_id, now.secs())))
        .await?;
    Ok(Ocs::ok(Value::Null))
}

async fn change_moderator(s: AppState, p: Moderator, now: Now, params: Params, promote: bool) -> OcsResult<Value> {
    let attendee_id = AttendeeId(params.int("attendeeId").unwrap_or(0));
    s.db.run(move |conn| {
        conn.write_tx(|conn| participant::change_moderator(conn, &p, attendee_id, promote, now.secs()))
    })
    .await?;
    Ok(Ocs::ok(Value::Null))
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/moderators (RoomController::promoteModerator)
async fn promote_moderator(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<Value> {
    change_moderator(s, p, now, params, true).await
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/moderators (RoomController::demoteModerator)
async fn demote_moderator(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<Value> {
    change_moderator(s, p, now, params, false).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/participants/active (RoomController::joinRoom)
///
/// Joining does not check the lobby. A new Talk session is returned in the room object.
async fn join_room(State(s): State<AppState>, RoomParticipant(p): RoomParticipant, now: Now) -> OcsResult<RoomObject> {
    let viewer = p.user_id().clone();
    let (room, attendee) = (p.room().clone(), p.attendee().clone());
    let object =
        s.db.run(move |conn| {
            conn.write_tx(|conn| -> Result<_, Refusal> {
                store::sessions::insert(
                    conn,
                    &NewSession {
                        attendee_id: attendee.id,
                        session_id: new_session_id(),
                        in_call: 0,
                        last_ping: now.secs(),
                    },
                )?;
                Ok(present_room(conn, &viewer, &room, Some(&attendee), true, now.ms())?)
            })
        })
        .await?;
    Ok(Ocs::ok(object))
}

/// Upstream's session ids are long random strings; 64 characters from a CSPRNG.
fn new_session_id() -> String {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(64)
        .map(char::from)
        .collect()
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/participants/active (RoomController::leaveRoom)
async fn leave_room(State(s): State<AppState>, RoomParticipant(p): RoomParticipant) -> OcsResult<Value> {
    let attendee_id = p.attendee().id;
    s.db.run(move |conn| conn.write_tx(|conn| store::sessions::delete_for_attendee(conn, attendee_id).map(|_| ())))
        .await?;
    Ok(Ocs::ok(Value::Null))
}

async fn respond_with_room(s: &AppState, viewer: UserId, room: Room, now: Now) -> OcsResult<RoomObject> {
    let object =
        s.db.run(move |conn| -> Result<_, Refusal> {
            let me = store::attendees::find(conn, room.id, actor::USERS, &viewer)?;
            Ok(present_room(conn, &viewer, &room, me.as_ref(), true, now.ms())?)
        })
        .await?;
    Ok(Ocs::ok(object))
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/webinar/lobby (RoomController::setLobby)
async fn set_lobby(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    let state = params.int("state").unwrap_or(-1);
    let timer = params.int("timer").unwrap_or(0);
    let viewer = p.user_id().clone();
    let room =
        s.db.run(move |conn| conn.write_tx(|conn| conversation::set_lobby(conn, &p, state, timer, now.ms())))
            .await?;
    respond_with_room(&s, viewer, room, now).await
}

async fn set_public_state(s: AppState, p: Moderator, public: bool, now: Now) -> OcsResult<RoomObject> {
    let viewer = p.user_id().clone();
    let room =
        s.db.run(move |conn| conn.write_tx(|conn| conversation::set_public(conn, &p, public)))
            .await?;
    respond_with_room(&s, viewer, room, now).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/public (RoomController::makePublic)
async fn make_public(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
) -> OcsResult<RoomObject> {
    set_public_state(s, p, true, now).await
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/public (RoomController::makePrivate)
async fn make_private(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
) -> OcsResult<RoomObject> {
    set_public_state(s, p, false, now).await
}

async fn set_setting(
    s: AppState,
    p: Moderator,
    field: RoomIntField,
    value: i64,
    max: i64,
    now: Now,
) -> OcsResult<RoomObject> {
    let viewer = p.user_id().clone();
    let room =
        s.db.run(move |conn| conn.write_tx(|conn| conversation::set_locked_setting(conn, &p, field, value, max)))
            .await?;
    respond_with_room(&s, viewer, room, now).await
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/listable (RoomController::setListable)
async fn set_listable(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    let scope = params.int("scope").unwrap_or(-1);
    set_setting(s, p, RoomIntField::Listable, scope, 2, now).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/message-expiration (RoomController::setMessageExpiration)
async fn set_message_expiration(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    let seconds = params.int("seconds").unwrap_or(-1);
    set_setting(s, p, RoomIntField::MessageExpiration, seconds, i32::MAX as i64, now).await
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/permissions/default (RoomController::setPermissions)
async fn set_default_permissions(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    let permissions = params.int("permissions").unwrap_or(-1);
    set_setting(s, p, RoomIntField::DefaultPermissions, permissions, 255, now).await
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/password (RoomController::setPassword)
///
/// Only public conversations have passwords; breakout rooms never are (400 `type`).
async fn set_password(ModeratorParticipant(p): ModeratorParticipant) -> OcsResult<Value> {
    if p.room().room_type != RoomType::Public {
        return Err(Refusal::WrongRoomType("type").into());
    }
    // Public conversations are not part of the breakout surface; passwords are not stored.
    Err(Refusal::InvalidField("password").into())
}

/// # GET /ocs/v2.php/apps/spreed/api/v4/room/{token}/breakout-rooms (RoomController::getBreakoutRooms)
async fn get_breakout_rooms(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
) -> OcsResult<Vec<RoomObject>> {
    let rooms =
        s.db.run(move |conn| -> Result<_, Refusal> {
            let visible = breakout::visible_rooms(conn, &p)?;
            // The listing never carries `lastMessage`.
            Ok(present_rooms(conn, p.user_id(), &visible, false, now.ms())?)
        })
        .await?;
    Ok(Ocs::ok(rooms))
}

/// # GET /ocs/v2.php/apps/spreed/api/v4/room/{token}/breakout-rooms/participants (RoomController::getBreakoutRoomParticipants)
async fn get_breakout_room_participants(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
) -> OcsResult<Vec<ParticipantEntry>> {
    p.check_lobby()?;
    if p.attendee().participant_type == ParticipantType::Guest {
        return Err(Refusal::GuestNotAllowed.into());
    }
    let entries =
        s.db.run(move |conn| -> Result<_, Refusal> {
            let mut rooms: Vec<Room> = breakout::visible_rooms(conn, &p)?.into_iter().map(|(r, _)| r).collect();
            rooms.push(p.room().clone());
            participant_entries(conn, &rooms)
        })
        .await?;
    Ok(Ocs::ok(entries))
}

/// The room as the caller sees it after a settings change, from inside its transaction.
fn present_for(now: Now) -> impl conversation_settings::Present<RoomObject> {
    move |conn, member: &Member, room: &Room, me: &crate::db::models::Attendee| {
        Ok(present_room(conn, member.user_id(), room, Some(me), true, now.ms())?)
    }
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/description (RoomController::setDescription)
async fn set_description(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    let Some(description) = params.string("description") else {
        return Err(Refusal::MissingParameter.into());
    };
    let room = conversation_settings::set_description(&s.db, p, description, now.secs(), present_for(now)).await?;
    Ok(Ocs::ok(room))
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/read-only (RoomController::setReadOnly)
async fn set_read_only(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    let Some(state) = params.int("state") else {
        return Err(Refusal::MissingParameter.into());
    };
    let room = conversation_settings::set_read_only(&s.db, p, state, now.secs(), present_for(now)).await?;
    Ok(Ocs::ok(room))
}

async fn set_own(s: AppState, p: Member, setting: OwnSetting, now: Now) -> OcsResult<RoomObject> {
    let room = conversation_settings::set_own(&s.db, p, setting, present_for(now)).await?;
    Ok(Ocs::ok(room))
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/favorite (RoomController::addToFavorites)
async fn add_to_favorites(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
) -> OcsResult<RoomObject> {
    set_own(s, p, OwnSetting::Favorite(true), now).await
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/favorite (RoomController::removeFromFavorites)
async fn remove_from_favorites(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
) -> OcsResult<RoomObject> {
    set_own(s, p, OwnSetting::Favorite(false), now).await
}

/// `notify` and `notify-calls` read one required `level` and store it as the given setting.
async fn set_level(
    s: AppState,
    p: Member,
    params: Params,
    now: Now,
    setting: fn(i64) -> OwnSetting,
) -> OcsResult<RoomObject> {
    let Some(level) = params.int("level") else {
        return Err(Refusal::MissingParameter.into());
    };
    set_own(s, p, setting(level), now).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/notify (RoomController::setNotificationLevel)
async fn set_notification_level(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    set_level(s, p, params, now, OwnSetting::NotificationLevel).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/notify-calls (RoomController::setNotificationCalls)
async fn set_notification_calls(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    set_level(s, p, params, now, OwnSetting::NotificationCalls).await
}
