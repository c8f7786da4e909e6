//! Who is calling the Horn face. Credentials are read from `Authorization`: HTTP Basic with an
//! account's login and password, or a Bearer token. Missing or wrong credentials answer 401
//! `UNAUTHORIZED`; wrong ones are throttled like every failed login (the same per-address
//! record as the Talk face), and an address past the maximum delay gets 429.

use super::error::HornError;
use crate::auth::{authenticate, client_ip, AuthFailure, Authenticated};
use crate::domain::access::Caller;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The authenticated caller of a Horn endpoint: `auth::authenticate`, shared with every face
/// (account password or app password over Basic, app password over Bearer), answered in Horn's
/// shape.
#[derive(Debug, Clone)]
pub struct HornCaller(pub Caller);

impl FromRequestParts<AppState> for HornCaller {
    type Rejection = HornError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts);
        match authenticate(state, &parts.headers, ip).await {
            Ok(Some(Authenticated { user, .. })) => Ok(HornCaller(user)),
            Ok(None) | Err(AuthFailure::Rejected(_)) => Err(HornError::unauthorized()),
            Err(AuthFailure::TooManyRequests) => Err(HornError::too_many_requests()),
            Err(AuthFailure::Db(e)) => Err(e.into()),
        }
    }
}
