//! spreed `BreakoutRoomController` (API v1): configure, remove, start, stop, broadcast,
//! reorganize, request/reset assistance, switch.

use crate::api::capabilities::TalkConfig;
use crate::api::extract::{ModeratorParticipant, RoomParticipant};
use crate::api::present::present_rooms;
use crate::api::wire::{format_room, CallerView, RoomObject};
use crate::db::models::Room;
use crate::db::{store, Conn, WriteTx};
use crate::domain::access::Moderator;
use crate::domain::ids::{actor, RoomId};
use crate::domain::{breakout, now, Refusal};
use crate::ocs::{Ocs, OcsError, OcsResult, Params};
use crate::state::AppState;
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

/// Rooms formatted for the caller; rooms in which the caller has no attendee are left out.
fn list_for(conn: &mut Conn<'_>, viewer: &str, rooms: Vec<Room>) -> Result<Vec<RoomObject>, Refusal> {
    let ids: Vec<RoomId> = rooms.iter().map(|r| r.id).collect();
    let mine = store::attendees::find_actor_in_rooms(conn, &ids, actor::USERS, viewer)?;
    let with_me: Vec<(Room, Option<_>)> = rooms
        .into_iter()
        .filter_map(|r| mine.iter().find(|a| a.room_id == r.id).cloned().map(|a| (r, Some(a))))
        .collect();
    Ok(present_rooms(conn, viewer, &with_me, true)?)
}

/// The server-wide switch and the conversation's own (set on the Horn face): configure and
/// reorganize answer `config` when either is off.
fn breakout_enabled(conn: &mut Conn<'_>, parent_id: RoomId) -> Result<bool, Refusal> {
    Ok(TalkConfig::load(conn)?.breakout_rooms_enabled && crate::domain::rounds::conversation_enabled(conn, parent_id)?)
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token} (BreakoutRoomController::configureBreakoutRooms)
async fn configure(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    params: Params,
) -> OcsResult<Vec<RoomObject>> {
    let req = breakout::ConfigureRequest {
        mode: params.int("mode"),
        amount: params.int("amount"),
        attendee_map: params.string("attendeeMap").unwrap_or_else(|| "[]".to_owned()),
    };
    let rooms = apply_and_list(&s, p, move |conn, by| {
        let enabled = breakout_enabled(conn, by.room().id)?;
        breakout::configure(conn, by, enabled, &req, now())
    })
    .await?;
    Ok(Ocs::ok(rooms))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token} (BreakoutRoomController::removeBreakoutRooms)
async fn remove(State(s): State<AppState>, ModeratorParticipant(p): ModeratorParticipant) -> OcsResult<RoomObject> {
    let mut rooms =
        s.db.run(move |conn| {
            conn.write_tx(|conn| {
                let parent = breakout::remove(conn, &p)?;
                list_for(conn, p.user_id(), vec![parent])
            })
        })
        .await?;
    let parent = rooms.pop().ok_or(Refusal::RoomNotFound)?;
    Ok(Ocs::ok(parent))
}

/// One write transaction: run `operation` on the parent, then list the rooms for the caller.
/// Every list-answering endpoint differs only in its operation.
async fn apply_and_list<F>(s: &AppState, p: Moderator, operation: F) -> Result<Vec<RoomObject>, OcsError>
where
    F: FnOnce(&mut WriteTx<'_, '_>, &Moderator) -> Result<Vec<Room>, Refusal> + Send + 'static,
{
    Ok(s.db
        .run(move |conn| {
            conn.write_tx(|conn| {
                let rooms = operation(conn, &p)?;
                list_for(conn, p.user_id(), rooms)
            })
        })
        .await?)
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/rooms (BreakoutRoomController::startBreakoutRooms)
async fn start(State(s): State<AppState>, ModeratorParticipant(p): ModeratorParticipant) -> OcsResult<Vec<RoomObject>> {
    Ok(Ocs::ok(
        apply_and_list(&s, p, |conn, by| breakout::start(conn, by, now())).await?,
    ))
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/rooms (BreakoutRoomController::stopBreakoutRooms)
async fn stop(State(s): State<AppState>, ModeratorParticipant(p): ModeratorParticipant) -> OcsResult<Vec<RoomObject>> {
    Ok(Ocs::ok(
        apply_and_list(&s, p, |conn, by| breakout::stop(conn, by, now())).await?,
    ))
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/broadcast (BreakoutRoomController::broadcastChatMessage)
async fn broadcast(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    params: Params,
) -> OcsResult<Vec<RoomObject>> {
    let message = params.string("message");
    let rooms = apply_and_list(&s, p, move |conn, by| {
        breakout::broadcast(conn, by, message.as_deref(), now())
    })
    .await?;
    Ok(Ocs::created(rooms))
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/attendees (BreakoutRoomController::applyAttendeeMap)
async fn reorganize(
    State(s): State<AppState>,
    ModeratorParticipant(p): ModeratorParticipant,
    params: Params,
) -> OcsResult<Vec<RoomObject>> {
    // A required parameter upstream: missing it is the framework's bare 400.
    let Some(attendee_map) = params.string("attendeeMap") else {
        return Err(crate::ocs::OcsError::Status(400));
    };
    let rooms = apply_and_list(&s, p, move |conn, by| {
        let enabled = breakout_enabled(conn, by.room().id)?;
        breakout::reorganize(conn, by, enabled, &attendee_map, now())
    })
    .await?;
    Ok(Ocs::ok(rooms))
}

async fn assistance(s: AppState, RoomParticipant(p): RoomParticipant, requested: bool) -> OcsResult<RoomObject> {
    let mut rooms =
        s.db.run(move |conn| {
            conn.write_tx(|conn| {
                let room = breakout::set_assistance(conn, &p, requested, now())?;
                list_for(conn, p.user_id(), vec![room])
            })
        })
        .await?;
    Ok(Ocs::ok(rooms.pop().ok_or(Refusal::RoomNotFound)?))
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/request-assistance (BreakoutRoomController::requestAssistance)
async fn request_assistance(State(s): State<AppState>, p: RoomParticipant) -> OcsResult<RoomObject> {
    assistance(s, p, true).await
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/request-assistance (BreakoutRoomController::resetRequestForAssistance)
async fn reset_assistance(State(s): State<AppState>, p: RoomParticipant) -> OcsResult<RoomObject> {
    assistance(s, p, false).await
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}/switch (BreakoutRoomController::switchBreakoutRoom)
async fn switch(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    params: Params,
) -> OcsResult<RoomObject> {
    let target = params.string("target").unwrap_or_default();
    let object =
        s.db.run(move |conn| {
            conn.write_tx(|conn| -> Result<_, Refusal> {
                let (room, parent_attendee) = breakout::switch(conn, &p, &target, now())?;
                // Upstream formats the target with the caller's parent membership.
                Ok(format_room(
                    &room,
                    &CallerView {
                        attendee: Some(&parent_attendee),
                        viewer: Some(p.user_id()),
                        ..Default::default()
                    },
                ))
            })
        })
        .await?;
    Ok(Ocs::ok(object))
}
