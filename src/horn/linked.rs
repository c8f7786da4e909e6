//! Horn's channel-linked users (horn.md §3 #16, #17, the invitation rows and unlinking) and the
//! redemption of invitation codes (`POST /auth/invitation`).

use super::auth::HornCaller;
use super::error::{HornError, HornResult};
use super::input::{self, JsonBody};
use super::wire::{self, Empty, User};
use super::{path_param, uuid};
use crate::app::linked as app;
use crate::app::rounds as rounds_app;
use crate::auth::client_ip;
use crate::auth::invitation::{self, RedeemFailure};
use crate::domain::linked::{self, Invitation};
use crate::domain::{self, Refusal};
use crate::state::{AppState, Now};
use axum::extract::{RawPathParams, RawQuery, State};
use axum::http::request::Parts;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    let base = "/channels/{uuid}/linked/users";
    Router::new()
        .route(base, get(list).post(create))
        .route(&format!("{base}/new"), post(create))
        .route(&format!("{base}/{{user}}"), delete(unlink))
        .route(
            &format!("{base}/{{user}}/invitation"),
            get(show_invitation).post(renew_invitation),
        )
        .route("/auth/invitation", post(redeem))
}

/// The `ttl` query parameter (`<n>s/m/h/d/w`).
fn ttl(query: Option<&str>) -> domain::Result<i64> {
    let query = input::query_pairs(query);
    linked::parse_ttl(input::last(&query, "ttl"))
}

/// `{handle}` of #16.
fn handle(body: JsonBody) -> domain::Result<String> {
    let map = body.0.map_err(Refusal::InvalidInput)?;
    match input::string(&map, "handle").map_err(Refusal::InvalidInput)? {
        Some(h) => linked::validate_handle(&h),
        None => Err(Refusal::invalid_input("handle is required")),
    }
}

#[derive(Debug, Serialize)]
struct CreatedUser {
    id: i64,
}

/// # POST /api/v1_0/channels/{uuid}/linked/users/new?ttl= (#16; also without `/new`)
async fn create(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
    RawQuery(query): RawQuery,
    body: JsonBody,
) -> HornResult<Json<CreatedUser>> {
    let id = app::create(&s.db, uuid(&p), caller, handle(body), ttl(query.as_deref()), now.ms()).await?;
    Ok(Json(CreatedUser { id: id.0 }))
}

/// # GET /api/v1_0/channels/{uuid}/linked/users (#17)
///
/// `imgSize` is accepted and ignored (no avatars).
async fn list(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    RawQuery(query): RawQuery,
) -> HornResult<Json<Vec<User>>> {
    let paging = input::paging(&input::query_pairs(query.as_deref()));
    let (members, context) = rounds_app::linked_users(&s.db, uuid(&p), caller, paging).await?;
    Ok(Json(members.into_iter().map(|m| User::of(m, &context)).collect()))
}

/// The invitation as Horn shows it, with the page that redeems it.
fn present(s: &AppState, parts: &Parts, invitation: Invitation) -> wire::Invitation {
    let base = crate::api::login_flow::base_url(s, &parts.headers);
    wire::Invitation {
        url: format!("{base}/login/invitation/{}", invitation.code),
        code: invitation.code,
        expires: invitation.expires,
    }
}

/// # GET /api/v1_0/channels/{uuid}/linked/users/{userId}/invitation
async fn show_invitation(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    parts: Parts,
) -> HornResult<Json<wire::Invitation>> {
    let invitation = app::invitation(&s.db, uuid(&p), caller, path_param(&p, "user")).await?;
    Ok(Json(present(&s, &parts, invitation)))
}

/// # POST /api/v1_0/channels/{uuid}/linked/users/{userId}/invitation?ttl=
async fn renew_invitation(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
    parts: Parts,
) -> HornResult<Json<wire::Invitation>> {
    let ttl = ttl(parts.uri.query());
    let invitation = app::renew_invitation(&s.db, uuid(&p), caller, path_param(&p, "user"), ttl, now.ms()).await?;
    Ok(Json(present(&s, &parts, invitation)))
}

/// # DELETE /api/v1_0/channels/{uuid}/linked/users/{userId}
///
/// A channel-linked account is deleted; an ordinary user leaves the conversation.
async fn unlink(
    State(s): State<AppState>,
    HornCaller(caller): HornCaller,
    p: RawPathParams,
    now: Now,
) -> HornResult<Json<Empty>> {
    if app::unlink(&s.db, uuid(&p), caller, path_param(&p, "user"), now.ms()).await? {
        // Its app passwords stop working here at once (elsewhere within a second).
        s.credentials.user_data_changed();
    }
    Ok(Json(Empty {}))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Redemption {
    token: String,
    user_id: i64,
    handle: String,
    login_name: String,
}

impl From<RedeemFailure> for HornError {
    fn from(e: RedeemFailure) -> Self {
        match e {
            RedeemFailure::TooManyRequests => HornError::too_many_requests(),
            RedeemFailure::Refused(refusal) => refusal.into(),
        }
    }
}

/// # POST /api/v1_0/auth/invitation `{code}`
///
/// No credentials needed: the code is the credential, throttled like a login.
async fn redeem(State(s): State<AppState>, parts: Parts, now: Now, body: JsonBody) -> HornResult<Json<Redemption>> {
    let map = body.0.map_err(HornError::bad_request)?;
    let code = input::string(&map, "code")
        .map_err(HornError::bad_request)?
        .ok_or_else(|| HornError::bad_request("code is required"))?;
    let device = crate::api::app_password::device_name(&parts.headers);
    let (redeemed, password) = invitation::redeem(&s, client_ip(&parts), code, device, now.ms()).await?;
    Ok(Json(Redemption {
        token: password,
        user_id: redeemed.attendee_id.0,
        handle: redeemed.handle,
        login_name: redeemed.login_name,
    }))
}
