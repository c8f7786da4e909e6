//! Who is calling the Horn face. Credentials are read from `Authorization`: HTTP Basic with an
//! account's login and password, or a Bearer token. Missing or wrong credentials answer 401
//! `UNAUTHORIZED`; wrong ones are throttled like every failed login (the same per-address
//! record as the Talk face), and an address past the maximum delay gets 429.

use super::error::HornError;
use crate::auth::throttle::Action;
use crate::auth::{client_ip, Login};
use crate::domain::rounds::Caller;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use base64::Engine;
use std::net::IpAddr;

/// What a request presents.
#[derive(Clone)]
pub enum Credential {
    Basic {
        login: String,
        password: String,
    },
    /// An app password sent as a token.
    Bearer(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Basic { login, .. } => write!(f, "Basic({login}, ***)"),
            Credential::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

/// Reads the credential of a request; `None` when there is none (or it cannot be decoded).
pub fn credential(headers: &HeaderMap) -> Option<Credential> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return (!rest.is_empty()).then(|| Credential::Bearer(rest.to_owned()));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(rest).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (login, password) = decoded.split_once(':')?;
    Some(Credential::Basic {
        login: login.to_owned(),
        password: password.to_owned(),
    })
}

/// Verifies a credential against the account store and the address's brute-force record.
pub async fn authenticate(state: &AppState, ip: IpAddr, credential: Credential) -> Result<Login, HornError> {
    match credential {
        Credential::Basic { login, password } => crate::auth::verify_credentials(state, ip, login, password)
            .await
            .map_err(|e| {
                tracing::error!(error = ?e, "credential check failed");
                HornError::new(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "Service unavailable",
                )
            }),
        // App passwords are not issued yet: no token is valid.
        Credential::Bearer(_) => Ok(Login::Invalid),
    }
}

/// The authenticated caller of a Horn endpoint.
#[derive(Debug, Clone)]
pub struct HornCaller(pub Caller);

impl FromRequestParts<AppState> for HornCaller {
    type Rejection = HornError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(credential) = credential(&parts.headers) else {
            return Err(HornError::unauthorized());
        };
        let ip = client_ip(parts);
        match authenticate(state, ip, credential).await? {
            Login::Valid { user, clear_record } => {
                if clear_record {
                    state.throttler.reset(ip, Action::Login).await;
                }
                Ok(HornCaller(Caller {
                    user_id: user.user_id,
                    display_name: user.display_name,
                    is_admin: user.is_admin,
                }))
            }
            Login::Throttled => Err(HornError::too_many_requests()),
            Login::Invalid => {
                let delay = state.throttler.register_failure(ip, Action::Login).await;
                tokio::time::sleep(delay).await;
                Err(HornError::unauthorized())
            }
            // The right password of a disabled account: refused, but no guess.
            Login::Disabled => Err(HornError::unauthorized()),
        }
    }
}
