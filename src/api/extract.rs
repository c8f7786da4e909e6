//! Extractors that mirror upstream's controller attributes, so a handler cannot forget a check:
//! `#[RequireLoggedInParticipant]` → [`RoomParticipant`], `#[RequireLoggedInModeratorParticipant]`
//! → [`ModeratorParticipant`]. Order as upstream: route requirement on `{token}` (998) → login
//! (997) → `OCS-APIRequest` (412) → room for the user (404) → moderator (403).

use crate::auth::throttle::Action;
use crate::auth::{client_ip, AuthUser};
use crate::db::models::{Attendee, Room};
use crate::domain::conversation::room_for_user;
use crate::domain::ids::{is_valid_token_syntax, ParticipantType};
use crate::domain::Error;
use crate::ocs::OcsError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

/// The `{token}` path placeholder, checked against upstream's route requirement `[a-z0-9]{4,30}`:
/// anything else is "no such route".
#[derive(Debug, Clone)]
pub struct RoomToken(pub String);

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
pub struct RoomParticipant {
    pub user: AuthUser,
    pub room: Room,
    pub attendee: Attendee,
}

impl RoomParticipant {
    pub fn is_moderator(&self) -> bool {
        ParticipantType::is_moderator(self.attendee.participant_type)
    }

    pub fn actor(&self) -> crate::domain::chat::Actor {
        crate::domain::chat::Actor::user(&self.user.user_id, &self.user.display_name)
    }
}

impl FromRequestParts<AppState> for RoomParticipant {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let RoomToken(token) = RoomToken::from_request_parts(parts, state).await?;
        let user = AuthUser::from_request_parts(parts, state).await?;
        let user_id = user.user_id.clone();
        let found = state.db.read(move |conn| room_for_user(conn, &token, &user_id)).await;
        match found {
            Ok((room, attendee)) => Ok(RoomParticipant { user, room, attendee }),
            Err(Error::Status(404)) => {
                // Upstream's `talkRoomToken` brute-force protection: guessing tokens costs time.
                let delay = state
                    .throttler
                    .register_failure(client_ip(parts), Action::RoomToken)
                    .await;
                tokio::time::sleep(delay).await;
                Err(OcsError::Status(404))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// A logged-in owner or moderator (types 1 and 2) of the room in the path; others get 403.
#[derive(Debug, Clone)]
pub struct ModeratorParticipant(pub RoomParticipant);

impl FromRequestParts<AppState> for ModeratorParticipant {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let p = RoomParticipant::from_request_parts(parts, state).await?;
        let t = p.attendee.participant_type;
        if t != ParticipantType::Owner as i32 && t != ParticipantType::Moderator as i32 {
            return Err(OcsError::Status(403));
        }
        Ok(ModeratorParticipant(p))
    }
}
