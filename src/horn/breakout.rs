//! Horn's breakout endpoints (horn.md §3, #1–#15): sessions, rooms, participants, start, stop,
//! current session, and the conversation's breakout switch.

use super::auth::HornCaller;
use super::error::HornResult;
use super::input::{self, JsonBody};
use super::wire::{BreakoutRoom, BreakoutRoomWithParticipants, BreakoutSession, Created, Empty, User};
use super::{path_param, uuid};
use crate::app::rounds as app;
use crate::domain::Refusal;
use crate::state::{AppState, Now};
use axum::extract::{RawPathParams, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    let base = "/channels/{uuid}/breakout";
    Router::new()
        .route(&format!("{base}/sessions"), post(create_session).get(list_sessions))
        .route(
            &format!("{base}/sessions/{{bs}}"),
            post(update_session).delete(delete_session),
        )
        .route(&format!("{base}/sessions/{{bs}}/rooms"), post(add_room).get(list_rooms))
        .route(&format!("{base}/sessions/{{bs}}/assign"), post(assign_all))
        .route(
            &format!("{base}/sessions/{{bs}}/rooms/{{br}}"),
            post(update_room).delete(delete_room),
        )
        .route(
            &format!("{base}/sessions/{{bs}}/rooms/{{br}}/participants"),
            get(participants),
        )
        .route(
            &format!("{base}/sessions/{{bs}}/rooms/{{br}}/participants/{{user}}"),
            post(assign).delete(unassign),
        )
        .route(&format!("{base}/session/start"), post(start))
        .route(&format!("{base}/session/stop"), post(stop))
        .route(&format!("{base}/session"), get(current))
        .route("/channels/{uuid}/settings/event/room/{state}", post(set_enabled))
}

fn session_and_room(p: &RawPathParams) -> (String, String) {
    (path_param(p, "bs"), path_param(p, "br"))
}

/// # POST /api/v1_0/channels/{uuid}/breakout/sessions (#1)
async fn create_session(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
    body: JsonBody,
) -> HornResult<Json<Created>> {
    let input = input::session_input(body);
    let view = app::create_session(&s.db, uuid(&p), caller, input, now.ms()).await?;
    Ok(Json(Created {
        id: view.row.id.to_string(),
    }))
}

/// # GET /api/v1_0/channels/{uuid}/breakout/sessions (#2)
async fn list_sessions(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    RawQuery(query): RawQuery,
) -> HornResult<Json<Vec<BreakoutSession>>> {
    let query = input::query_pairs(query.as_deref());
    let paging = input::paging(&query);
    // `sessionId` names a live meeting in Horn, which we do not model: history only.
    let completed_only = input::last(&query, "sessionId").is_some();
    let views = app::list_sessions(&s.db, uuid(&p), caller, paging, completed_only).await?;
    Ok(Json(views.into_iter().map(BreakoutSession::from).collect()))
}

/// # POST /api/v1_0/channels/{uuid}/breakout/sessions/{bs} (#3)
async fn update_session(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
    body: JsonBody,
) -> HornResult<Json<BreakoutSession>> {
    let input = input::session_input(body);
    let view = app::update_session(&s.db, uuid(&p), caller, path_param(&p, "bs"), input, now.ms()).await?;
    Ok(Json(view.into()))
}

/// # DELETE /api/v1_0/channels/{uuid}/breakout/sessions/{bs} (#4)
async fn delete_session(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
) -> HornResult<Json<Empty>> {
    app::delete_session(&s.db, uuid(&p), caller, path_param(&p, "bs"), now.ms()).await?;
    Ok(Json(Empty {}))
}

/// # POST /api/v1_0/channels/{uuid}/breakout/sessions/{bs}/rooms (#5)
async fn add_room(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    body: JsonBody,
) -> HornResult<Json<Created>> {
    let input = input::room_input(body);
    let view = app::add_room(&s.db, uuid(&p), caller, path_param(&p, "bs"), input).await?;
    Ok(Json(Created {
        id: view.row.id.to_string(),
    }))
}

/// # POST /api/v1_0/channels/{uuid}/breakout/sessions/{bs}/assign (extension, horn.md §6)
async fn assign_all(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    body: JsonBody,
) -> HornResult<Json<Vec<BreakoutRoomWithParticipants>>> {
    let input = input::assign_input(body);
    let (rooms, context) = app::assign_all(&s.db, uuid(&p), caller, path_param(&p, "bs"), input).await?;
    Ok(Json(
        rooms
            .into_iter()
            .map(|r| BreakoutRoomWithParticipants::new(r, &context))
            .collect(),
    ))
}

/// # GET /api/v1_0/channels/{uuid}/breakout/sessions/{bs}/rooms (#6)
async fn list_rooms(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
) -> HornResult<Json<Vec<BreakoutRoom>>> {
    let views = app::list_rooms(&s.db, uuid(&p), caller, path_param(&p, "bs")).await?;
    Ok(Json(views.into_iter().map(BreakoutRoom::from).collect()))
}

/// # POST /api/v1_0/channels/{uuid}/breakout/sessions/{bs}/rooms/{br} (#7)
async fn update_room(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
    body: JsonBody,
) -> HornResult<Json<Empty>> {
    let input = input::room_input(body);
    app::update_room(&s.db, uuid(&p), caller, session_and_room(&p), input, now.ms()).await?;
    Ok(Json(Empty {}))
}

/// # DELETE /api/v1_0/channels/{uuid}/breakout/sessions/{bs}/rooms/{br} (#8)
async fn delete_room(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
) -> HornResult<Json<Empty>> {
    app::delete_room(&s.db, uuid(&p), caller, session_and_room(&p)).await?;
    Ok(Json(Empty {}))
}

/// # GET /api/v1_0/channels/{uuid}/breakout/sessions/{bs}/rooms/{br}/participants (#9)
///
/// `imgSize` is accepted and ignored (no avatars).
async fn participants(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
) -> HornResult<Json<Vec<User>>> {
    let (members, context) = app::participants(&s.db, uuid(&p), caller, session_and_room(&p)).await?;
    Ok(Json(members.into_iter().map(|m| User::of(m, &context)).collect()))
}

fn session_room_user(p: &RawPathParams) -> (String, String, String) {
    (path_param(p, "bs"), path_param(p, "br"), path_param(p, "user"))
}

/// # POST /api/v1_0/channels/{uuid}/breakout/sessions/{bs}/rooms/{br}/participants/{userId} (#10)
async fn assign(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
) -> HornResult<Json<Empty>> {
    app::assign(&s.db, uuid(&p), caller, session_room_user(&p)).await?;
    Ok(Json(Empty {}))
}

/// # DELETE /api/v1_0/channels/{uuid}/breakout/sessions/{bs}/rooms/{br}/participants/{userId} (#11)
async fn unassign(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
) -> HornResult<Json<Empty>> {
    app::unassign(&s.db, uuid(&p), caller, session_room_user(&p)).await?;
    Ok(Json(Empty {}))
}

/// # POST /api/v1_0/channels/{uuid}/breakout/session/start (#12)
async fn start(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
    RawQuery(query): RawQuery,
    body: JsonBody,
) -> HornResult<Json<BreakoutSession>> {
    let query = input::query_pairs(query.as_deref());
    let input = input::start_input(body, &query);
    let view = app::start(&s.db, uuid(&p), caller, input, now.ms()).await?;
    Ok(Json(view.into()))
}

/// # POST /api/v1_0/channels/{uuid}/breakout/session/stop (#13)
async fn stop(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
) -> HornResult<Json<BreakoutSession>> {
    let view = app::stop(&s.db, uuid(&p), caller, now.ms()).await?;
    Ok(Json(view.into()))
}

/// # GET /api/v1_0/channels/{uuid}/breakout/session (#14)
///
/// 204 with an empty body when no session is active.
async fn current(State(s): State<AppState>, HornCaller(caller): HornCaller, p: RawPathParams) -> HornResult<Response> {
    Ok(match app::current(&s.db, uuid(&p), caller).await? {
        Some(view) => Json(BreakoutSession::from(view)).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// # POST /api/v1_0/channels/{uuid}/settings/event/room/{enable|disable} (#15)
async fn set_enabled(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
) -> HornResult<Json<Empty>> {
    let enabled = match path_param(&p, "state").as_str() {
        "enable" => Ok(true),
        "disable" => Ok(false),
        _ => Err(Refusal::invalid_input("the state must be enable or disable")),
    };
    app::set_enabled(&s.db, uuid(&p), caller, enabled, now.ms()).await?;
    Ok(Json(Empty {}))
}
