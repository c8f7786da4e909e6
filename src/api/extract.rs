//! Extractors that mirror upstream's controller attributes, so a handler cannot forget a check:
//! `#[RequireLoggedInParticipant]` → [`RoomParticipant`], `#[RequireLoggedInModeratorParticipant]`
//! → [`ModeratorParticipant`]. Order as upstream: route requirement on `{token}` (998) → login
//! (997) → `OCS-APIRequest` (412) → room for the user (404) → moderator (403). Who is a member
//! and who a moderator is decided in `domain::access`; these only run it for the request.

use crate::auth::throttle::Action;
use crate::auth::{client_ip, AuthUser};
use crate::domain::access::{Member, Moderator};
use crate::domain::ids::{is_valid_token_syntax, RoomToken};
use crate::domain::Refusal;
use crate::ocs::OcsError;
use crate::state::{AppState, Now};
use axum::extract::{FromRequestParts, Path, RawPathParams};
use axum::http::request::Parts;

/// The `{token}` path placeholder, checked against upstream's route requirement `[a-z0-9]{4,30}`:
/// anything else is "no such route".
impl<S: Send + Sync> FromRequestParts<S> for RoomToken {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| OcsError::RouteNotFound)?;
        let token = params
            .iter()
            .find(|(k, _)| *k == "token")
            .map(|(_, v)| v.to_owned())
            .ok_or(OcsError::RouteNotFound)?;
        if !is_valid_token_syntax(&token) {
            return Err(OcsError::RouteNotFound);
        }
        Ok(RoomToken(token))
    }
}

/// A logged-in user who is an attendee of the room in the path.
#[derive(Debug, Clone)]
pub struct RoomParticipant(pub Member);

impl FromRequestParts<AppState> for RoomParticipant {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = RoomToken::from_request_parts(parts, state).await?;
        let caller = AuthUser::from_request_parts(parts, state).await?;
        let Ok(now) = Now::from_request_parts(parts, state).await;
        // `Member::find` is one statement.
        let found = state
            .db
            .read_one(move |conn| Member::find(conn, caller, &token, now.ms()))
            .await;
        match found {
            Ok(member) => Ok(RoomParticipant(member)),
            Err(refusal @ (Refusal::RoomNotFound | Refusal::NotParticipant)) => {
                // Upstream's `talkRoomToken` brute-force protection: guessing tokens costs time.
                let delay = state
                    .throttler
                    .register_failure(client_ip(parts), Action::RoomToken)
                    .await;
                tokio::time::sleep(delay).await;
                Err(refusal.into())
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The `{messageId}` placeholder, under upstream's route requirement `[0-9]+`: anything else is
/// "no such route", decided before login and membership as upstream's router does.
pub struct MessageId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for MessageId {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Decoded, as the router matches upstream's requirement.
        let Path((_, raw)): Path<(String, String)> = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| OcsError::RouteNotFound)?;
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(OcsError::RouteNotFound);
        }
        raw.parse().map(MessageId).map_err(|_| OcsError::RouteNotFound)
    }
}

/// `{token}/{messageId}` (the message id's placeholder comes second) for a logged-in attendee (chat edit and delete, reactions): the message
/// id's route requirement first, then [`RoomParticipant`]'s checks.
pub struct ParticipantMessage(pub Member, pub i64);

impl FromRequestParts<AppState> for ParticipantMessage {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let MessageId(id) = MessageId::from_request_parts(parts, state).await?;
        let RoomParticipant(member) = RoomParticipant::from_request_parts(parts, state).await?;
        Ok(ParticipantMessage(member, id))
    }
}

/// A logged-in owner or moderator of the room in the path; other attendees get 403.
#[derive(Debug, Clone)]
pub struct ModeratorParticipant(pub Moderator);

impl FromRequestParts<AppState> for ModeratorParticipant {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let RoomParticipant(member) = RoomParticipant::from_request_parts(parts, state).await?;
        Ok(ModeratorParticipant(member.into_moderator()?))
    }
}

/// The server's address as clients reach it (`--public-url`, else the request's `Host`), for the
/// absolute links upstream puts in answers (the conversation's avatar where `@all` is shown).
#[derive(Debug, Clone)]
pub struct BaseUrl(pub String);

impl FromRequestParts<AppState> for BaseUrl {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(BaseUrl(crate::api::login_flow::base_url(state, &parts.headers)))
    }
}
