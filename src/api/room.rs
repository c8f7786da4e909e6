//! spreed `RoomController` (API v4): conversations, participants, lobby and the settings that
//! breakout rooms lock, plus the breakout listings that live in this controller upstream.

use crate::api::capabilities::config_hash;
use crate::api::extract::{BaseUrl, ModeratorParticipant, RoomParticipant};
use crate::api::present::{present_room, present_rooms, present_view, present_views};
use crate::api::wire::{format_participant, format_room_for_outsider, ParticipantEntry, RoomObject};
use crate::app::conversation::{self as conversations, Seen};
use crate::app::participants::{self, Roster};
use crate::app::{breakout, conversation_settings};
use crate::auth::{AuthUser, MaybeUser};
use crate::db::models::{Attendee, Room};
use crate::db::store::rooms::RoomIntField;
use crate::db::Conn;
use crate::domain::access::{Caller, Member, Moderator};
use crate::domain::conversation::{self, CreateRequest};
use crate::domain::ids::{AttendeeId, RoomToken, RoomType};
use crate::domain::participant::OwnSetting;
use crate::domain::Refusal;
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
        .route(
            &format!("{base}/{{token}}/mention-permissions"),
            put(set_mention_permissions),
        )
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
async fn get_rooms(
    State(s): State<AppState>,
    user: AuthUser,
    now: Now,
    BaseUrl(base): BaseUrl,
    params: Params,
) -> OcsResult<Vec<RoomObject>> {
    let modified_before = now.secs();
    let modified_since = params.int("modifiedSince").unwrap_or(0);
    let include_last_message = params.bool("includeLastMessage").unwrap_or(true);
    let viewer = user.user_id.clone();
    let listed = conversations::list(&s.db, user, modified_since, now.secs()).await?;
    let settings = listed.settings;
    let rooms = present_views(
        &viewer,
        listed.views,
        include_last_message,
        listed.user_names,
        listed.names,
        now.ms(),
        &base,
    );
    Ok(Ocs::ok(rooms)
        .header("x-nextcloud-talk-hash", config_hash(&settings))
        .header("x-nextcloud-talk-modified-before", modified_before.to_string()))
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room (RoomController::createRoom)
async fn create_room(
    State(s): State<AppState>,
    user: AuthUser,
    now: Now,
    BaseUrl(base): BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    let req = CreateRequest {
        room_type: params.int("roomType").unwrap_or(RoomType::Group.value().into()),
        room_name: params.string("roomName").unwrap_or_default(),
        object_type: params.string("objectType").unwrap_or_default(),
        object_id: params.string("objectId").unwrap_or_default(),
        invite: params.string("invite").unwrap_or_default(),
        source: params.string("source").unwrap_or_default(),
    };
    let present = move |conn: &mut Conn<'_>, caller: &Caller, room: &Room, me: &Attendee| {
        Ok(present_room(
            conn,
            &caller.user_id,
            room,
            Some(me),
            true,
            now.ms(),
            &base,
        )?)
    };
    let (room, is_new) = conversations::create(&s.db, user, req, now.secs(), present).await?;
    Ok(if is_new { Ocs::created(room) } else { Ocs::ok(room) })
}

/// # GET /ocs/v2.php/apps/spreed/api/v4/room/{token} (RoomController::getSingleRoom)
async fn get_single_room(
    State(s): State<AppState>,
    token: RoomToken,
    MaybeUser(user): MaybeUser,
    now: Now,
    BaseUrl(base): BaseUrl,
) -> OcsResult<RoomObject> {
    let (seen, settings) = conversations::find(&s.db, token, user.map(|u| u.user_id), now.ms()).await?;
    let object = match seen {
        Seen::Attendee {
            viewer,
            view,
            user_names,
            names,
        } => present_view(&viewer, *view, user_names, names, now.ms(), &base),
        Seen::Outsider(room) => format_room_for_outsider(&room),
    };
    Ok(Ocs::ok(object).header("x-nextcloud-talk-hash", config_hash(&settings)))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token} (RoomController::deleteRoom)
async fn delete_room(State(s): State<AppState>, ModeratorParticipant(p): ModeratorParticipant) -> OcsResult<Value> {
    conversations::delete(&s.db, p).await?;
    Ok(Ocs::ok(Value::Null))
}

/// # GET /ocs/v2.php/apps/spreed/api/v4/room/{token}/participants (RoomController::getParticipants)
async fn get_participants(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
) -> OcsResult<Vec<ParticipantEntry>> {
    let roster = participants::list(&s.db, p).await?;
    Ok(Ocs::ok(participant_entries(&roster)))
}

/// Participant entries of a roster, in room order then attendee id order.
fn participant_entries(roster: &Roster) -> Vec<ParticipantEntry> {
    let mut out = Vec::with_capacity(roster.attendees.len());
    for room in &roster.rooms {
        for a in roster.attendees.iter().filter(|a| a.room_id == room.id) {
            let mine: Vec<_> = roster.sessions.iter().filter(|s| s.attendee_id == a.id).collect();
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
    out
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
    participants::add(&s.db, p, new_participant, source, now.secs()).await?;
    Ok(Ocs::ok(crate::ocs::empty()))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/participants/self (RoomController::removeSelfFromRoom)
async fn remove_self(State(s): State<AppState>, RoomParticipant(p): RoomParticipant, now: Now) -> OcsResult<Value> {
    participants::leave(&s.db, p, now.secs()).await?;
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
    participants::remove(&s.db, p, attendee_id, now.secs()).await?;
    Ok(Ocs::ok(Value::Null))
}

async fn change_moderator(s: AppState, p: Moderator, now: Now, params: Params, promote: bool) -> OcsResult<Value> {
    let attendee_id = AttendeeId(params.int("attendeeId").unwrap_or(0));
    participants::change_moderator(&s.db, p, attendee_id, promote, now.secs()).await?;
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
async fn join_room(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    BaseUrl(base): BaseUrl,
) -> OcsResult<RoomObject> {
    let present = move |conn: &mut Conn<'_>, me: &Member| {
        Ok(present_room(
            conn,
            me.user_id(),
            me.room(),
            Some(me.attendee()),
            true,
            now.ms(),
            &base,
        )?)
    };
    let object = participants::join(&s.db, p, now.secs(), present).await?;
    Ok(Ocs::ok(object))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/participants/active (RoomController::leaveRoom)
async fn leave_room(State(s): State<AppState>, RoomParticipant(p): RoomParticipant) -> OcsResult<Value> {
    participants::end_sessions(&s.db, p).await?;
    Ok(Ocs::ok(Value::Null))
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token} (RoomController::renameRoom)
async fn rename_room(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    let name = params.string("roomName").unwrap_or_default();
    let room = conversation_settings::rename(&s.db, p, name, now.secs(), present_for(now, base)).await?;
    Ok(Ocs::ok(room))
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/webinar/lobby (RoomController::setLobby)
async fn set_lobby(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    let state = params.int("state").unwrap_or(-1);
    let timer = params.int("timer").unwrap_or(0);
    let room = conversation_settings::set_lobby(&s.db, p, state, timer, now.ms(), present_for(now, base)).await?;
    Ok(Ocs::ok(room))
}

async fn set_public_state(s: AppState, p: Moderator, public: bool, now: Now, base: BaseUrl) -> OcsResult<RoomObject> {
    let room = conversation_settings::set_public(&s.db, p, public, present_for(now, base)).await?;
    Ok(Ocs::ok(room))
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/public (RoomController::makePublic)
async fn make_public(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
) -> OcsResult<RoomObject> {
    set_public_state(s, p, true, now, base).await
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/public (RoomController::makePrivate)
async fn make_private(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
) -> OcsResult<RoomObject> {
    set_public_state(s, p, false, now, base).await
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/mention-permissions (RoomController::setMentionPermissions)
async fn set_mention_permissions(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    let value = params.int("mentionPermissions").unwrap_or(-1);
    let room = conversation_settings::set_mention_permissions(&s.db, p, value, present_for(now, base)).await?;
    Ok(Ocs::ok(room))
}

async fn set_setting(
    s: AppState,
    p: Moderator,
    field: RoomIntField,
    value: i64,
    max: i64,
    now: Now,
    base: BaseUrl,
) -> OcsResult<RoomObject> {
    let room = conversation_settings::set_locked_setting(&s.db, p, field, value, max, present_for(now, base)).await?;
    Ok(Ocs::ok(room))
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/listable (RoomController::setListable)
async fn set_listable(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    let scope = params.int("scope").unwrap_or(-1);
    set_setting(s, p, RoomIntField::Listable, scope, 2, now, base).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/message-expiration (RoomController::setMessageExpiration)
async fn set_message_expiration(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    let seconds = params.int("seconds").unwrap_or(-1);
    set_setting(
        s,
        p,
        RoomIntField::MessageExpiration,
        seconds,
        i32::MAX as i64,
        now,
        base,
    )
    .await
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/permissions/default (RoomController::setPermissions)
async fn set_default_permissions(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    let permissions = params.int("permissions").unwrap_or(-1);
    set_setting(s, p, RoomIntField::DefaultPermissions, permissions, 255, now, base).await
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/password (RoomController::setPassword)
async fn set_password(ModeratorParticipant(p): ModeratorParticipant) -> OcsResult<Value> {
    conversation::set_password(&p)?;
    Ok(Ocs::ok(Value::Null))
}

/// # GET /ocs/v2.php/apps/spreed/api/v4/room/{token}/breakout-rooms (RoomController::getBreakoutRooms)
async fn get_breakout_rooms(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
) -> OcsResult<Vec<RoomObject>> {
    let viewer = p.user_id().clone();
    let rooms = breakout::list(&s.db, p, move |conn, visible| {
        // The listing never carries `lastMessage`, so no address is needed for one.
        Ok(present_rooms(conn, &viewer, visible, false, now.ms(), "")?)
    })
    .await?;
    Ok(Ocs::ok(rooms))
}

/// # GET /ocs/v2.php/apps/spreed/api/v4/room/{token}/breakout-rooms/participants (RoomController::getBreakoutRoomParticipants)
async fn get_breakout_room_participants(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
) -> OcsResult<Vec<ParticipantEntry>> {
    let roster = participants::list_with_breakout_rooms(&s.db, p).await?;
    Ok(Ocs::ok(participant_entries(&roster)))
}

/// The room as the caller sees it after a settings change, from inside its transaction.
fn present_for(now: Now, base: BaseUrl) -> impl conversation_settings::Present<RoomObject> {
    move |conn, member: &Member, room: &Room, me: &Attendee| {
        Ok(present_room(
            conn,
            member.user_id(),
            room,
            Some(me),
            true,
            now.ms(),
            &base.0,
        )?)
    }
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/description (RoomController::setDescription)
async fn set_description(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    let Some(description) = params.string("description") else {
        return Err(Refusal::MissingParameter.into());
    };
    let room =
        conversation_settings::set_description(&s.db, p, description, now.secs(), present_for(now, base)).await?;
    Ok(Ocs::ok(room))
}

/// # PUT /ocs/v2.php/apps/spreed/api/v4/room/{token}/read-only (RoomController::setReadOnly)
async fn set_read_only(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    let Some(state) = params.int("state") else {
        return Err(Refusal::MissingParameter.into());
    };
    let room = conversation_settings::set_read_only(&s.db, p, state, now.secs(), present_for(now, base)).await?;
    Ok(Ocs::ok(room))
}

async fn set_own(s: AppState, p: Member, setting: OwnSetting, now: Now, base: BaseUrl) -> OcsResult<RoomObject> {
    let room = conversation_settings::set_own(&s.db, p, setting, present_for(now, base)).await?;
    Ok(Ocs::ok(room))
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/favorite (RoomController::addToFavorites)
async fn add_to_favorites(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    base: BaseUrl,
) -> OcsResult<RoomObject> {
    set_own(s, p, OwnSetting::Favorite(true), now, base).await
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v4/room/{token}/favorite (RoomController::removeFromFavorites)
async fn remove_from_favorites(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    base: BaseUrl,
) -> OcsResult<RoomObject> {
    set_own(s, p, OwnSetting::Favorite(false), now, base).await
}

/// `notify` and `notify-calls` read one required `level` and store it as the given setting.
async fn set_level(
    s: AppState,
    p: Member,
    params: Params,
    now: Now,
    base: BaseUrl,
    setting: fn(i64) -> OwnSetting,
) -> OcsResult<RoomObject> {
    let Some(level) = params.int("level") else {
        return Err(Refusal::MissingParameter.into());
    };
    set_own(s, p, setting(level), now, base).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/notify (RoomController::setNotificationLevel)
async fn set_notification_level(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    set_level(s, p, params, now, base, OwnSetting::NotificationLevel).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v4/room/{token}/notify-calls (RoomController::setNotificationCalls)
async fn set_notification_calls(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<RoomObject> {
    set_level(s, p, params, now, base, OwnSetting::NotificationCalls).await
}
