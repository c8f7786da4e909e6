//! spreed `BreakoutRoomController` (API v1): configure, remove, start, stop, broadcast,
//! reorganize, request/reset assistance, switch.

use crate::api::extract::{BaseUrl, ModeratorParticipant, RoomParticipant};
use crate::api::present::present_rooms;
use crate::api::wire::{format_room, CallerView, RoomObject};
use crate::app;
use crate::db::models::Room;
use crate::db::{store, Conn};
use crate::domain::access::Member;
use crate::domain::ids::{actor, RoomId};
use crate::domain::{breakout, Refusal};
use crate::ocs::{Ocs, OcsError, OcsResult, Params};
use crate::state::{AppState, Now};
use axum::extract::State;
use axum::routing::post;
use axum::Router;

pub fn routes() -> Router<AppState> {
    let base = "/apps/spreed/api/v1/breakout-rooms/{token}";
    Router::new()
        .route(base, post(configure).delete(remove))
        .route(&format!("{base}/rooms"), post(start).delete(stop))
        .route(&format!("{base}/broadcast"), post(broadcast))
        .route(&format!("{base}/attendees"), post(reorganize))
        .route(
            &format!("{base}/request-assistance"),
            post(request_assistance).delete(reset_assistance),
        )
        .route(&format!("{base}/switch"), post(switch))
}

/// Rooms formatted for the member who acted, as at the request's `now`; rooms in which they have
/// no attendee are left out.
fn list_for(
    now: Now,
    base: BaseUrl,
) -> impl FnOnce(&mut Conn<'_>, &Member, Vec<Room>) -> Result<Vec<RoomObject>, Refusal> + Send {
    move |conn, me, rooms| list_at(conn, me, rooms, now, &base.0)
}

fn list_at(
    conn: &mut Conn<'_>,
    me: &Member,
    rooms: Vec<Room>,
    now: Now,
    base: &str,
) -> Result<Vec<RoomObject>, Refusal> {
    let viewer = me.user_id().as_str();
    let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let mine = store::attendees::find_actor_in_rooms(conn, &ids, actor::USERS, viewer)?;
    let with_me: Vec<(Room, Option<_>)> = rooms
        .into_iter()
        .filter_map(|r| mine.iter().find(|a| a.room_id == r.id).cloned().map(|a| (r, Some(a))))
        .collect();
    Ok(present_rooms(conn, viewer, &with_me, true, now.ms(), base)?)
}

/// The one room an operation answers with, formatted for the member who acted.
fn one_for(
    now: Now,
    base: BaseUrl,
) -> impl FnOnce(&mut Conn<'_>, &Member, Vec<Room>) -> Result<RoomObject, Refusal> + Send {
    move |conn, me, rooms| {
        list_at(conn, me, rooms, now, &base.0)?
            .pop()
            .ok_or(Refusal::RoomNotFound)
    }
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token} (BreakoutRoomController::configureBreakoutRooms)
async fn configure(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<Vec<RoomObject>> {
    let req = breakout::ConfigureRequest {
        mode: params.int("mode"),
        amount: params.int("amount"),
        attendee_map: params.string("attendeeMap").unwrap_or_else(|| "[]".to_owned()),
    };
    Ok(Ocs::ok(
        app::breakout::configure(&s.db, p, req, now.ms(), list_for(now, base)).await?,
    ))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token} (BreakoutRoomController::removeBreakoutRooms)
async fn remove(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
) -> OcsResult<RoomObject> {
    Ok(Ocs::ok(
        app::breakout::remove(&s.db, p, now.ms(), one_for(now, base)).await?,
    ))
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/rooms (BreakoutRoomController::startBreakoutRooms)
async fn start(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
) -> OcsResult<Vec<RoomObject>> {
    Ok(Ocs::ok(
        app::breakout::start(&s.db, p, now.ms(), list_for(now, base)).await?,
    ))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/rooms (BreakoutRoomController::stopBreakoutRooms)
async fn stop(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
) -> OcsResult<Vec<RoomObject>> {
    Ok(Ocs::ok(
        app::breakout::stop(&s.db, p, now.ms(), list_for(now, base)).await?,
    ))
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/broadcast (BreakoutRoomController::broadcastChatMessage)
async fn broadcast(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<Vec<RoomObject>> {
    let message = params.string("message");
    Ok(Ocs::created(
        app::breakout::broadcast(&s.db, p, message, now.secs(), list_for(now, base)).await?,
    ))
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/attendees (BreakoutRoomController::applyAttendeeMap)
async fn reorganize(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    now: Now,
    base: BaseUrl,
    params: Params,
) -> OcsResult<Vec<RoomObject>> {
    // A required parameter upstream: missing it is the framework's bare 400.
    let Some(attendee_map) = params.string("attendeeMap") else {
        return Err(OcsError::Status(400));
    };
    Ok(Ocs::ok(
        app::breakout::reorganize(&s.db, p, attendee_map, now.secs(), list_for(now, base)).await?,
    ))
}

async fn assistance(
    s: AppState,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    base: BaseUrl,
    requested: bool,
) -> OcsResult<RoomObject> {
    Ok(Ocs::ok(
        app::breakout::set_assistance(&s.db, p, requested, now.ms(), one_for(now, base)).await?,
    ))
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/request-assistance (BreakoutRoomController::requestAssistance)
async fn request_assistance(
    State(s): State<AppState>,
    p: RoomParticipant,
    now: Now,
    base: BaseUrl,
) -> OcsResult<RoomObject> {
    assistance(s, p, now, base, true).await
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/request-assistance (BreakoutRoomController::resetRequestForAssistance)
async fn reset_assistance(
    State(s): State<AppState>,
    p: RoomParticipant,
    now: Now,
    base: BaseUrl,
) -> OcsResult<RoomObject> {
    assistance(s, p, now, base, false).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/switch (BreakoutRoomController::switchBreakoutRoom)
async fn switch(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    params: Params,
) -> OcsResult<RoomObject> {
    let target = params.string("target").unwrap_or_default();
    let (room, parent_attendee, me) = app::breakout::switch(&s.db, p, target, now.secs()).await?;
    // Upstream formats the target with the caller's parent membership.
    Ok(Ocs::ok(format_room(
        &room,
        &CallerView {
            attendee: Some(&parent_attendee),
            viewer: Some(me.user_id()),
            ..Default::default()
        },
    )))
}
