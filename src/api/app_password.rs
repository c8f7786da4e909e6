//! Nextcloud's app passwords (`core` `AppPasswordController`): create one with the account
//! password, revoke or rotate the one in use. Only the keyed hash is stored (`auth::token`).

use crate::auth::throttle::{Action, Verdict};
use crate::auth::token::{self, Purpose};
use crate::auth::{AppPasswordUse, AuthUser};
use crate::db::models::NewAppPassword;
use crate::db::store;
use crate::ocs::{empty, Ocs, OcsError, OcsResult};
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::routing::{delete, get, post, put};
use axum::Router;
use serde::Serialize;
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/core/getapppassword", get(get_app_password))
        .route("/core/apppassword", delete(delete_app_password))
        .route("/core/apppassword/rotate", post(rotate_app_password))
        .route("/core/apppassword/confirm", put(confirm_user_password))
}

/// The app password the request authenticated with, if it did with one.
pub struct UsedAppPassword(pub Option<AppPasswordUse>);

impl FromRequestParts<AppState> for UsedAppPassword {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(UsedAppPassword(parts.extensions.get::<AppPasswordUse>().cloned()))
    }
}

#[derive(Serialize)]
struct AppPasswordAnswer {
    apppassword: String,
}

/// The device name stored with an app password: the client's `User-Agent`, as upstream.
pub fn device_name(headers: &HeaderMap) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim();
    // Bounded so a hostile client cannot store megabytes per token.
    agent.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// Creates an app password for `user_id` named `name` and returns it; only its hash is kept.
pub async fn issue(state: &AppState, user_id: String, name: String) -> Result<String, OcsError> {
    let password = token::generate_app_password();
    let hash = state.tokens.hash_hex(Purpose::AppPassword, &password);
    state
        .db
        .run(move |conn| {
            conn.write_tx(|conn| {
                store::app_passwords::insert(
                    conn,
                    &NewAppPassword {
                        user_id: &user_id,
                        login_name: &user_id,
                        token_hash: &hash,
                        name: &name,
                        created_at: crate::domain::now(),
                    },
                )
            })
        })
        .await?;
    Ok(password)
}

async fn get_app_password(
    State(s): State<AppState>,
    caller: AuthUser,
    UsedAppPassword(used): UsedAppPassword,
    headers: HeaderMap,
) -> OcsResult<AppPasswordAnswer> {
    if used.is_some() {
        return Err(OcsError::custom(
            403,
            "You cannot request an new apppassword with an apppassword",
            empty(),
        ));
    }
    let apppassword = issue(&s, caller.user_id.0, device_name(&headers)).await?;
    Ok(Ocs::ok(AppPasswordAnswer { apppassword }))
}

async fn delete_app_password(
    State(s): State<AppState>,
    _caller: AuthUser,
    UsedAppPassword(used): UsedAppPassword,
) -> OcsResult<Value> {
    let Some(used) = used else {
        return Err(OcsError::custom(403, "no app password in use", empty()));
    };
    let id = used.id;
    let removed =
        s.db.run(move |conn| conn.write_tx(|conn| store::app_passwords::delete(conn, id)))
            .await?;
    s.credentials.forget_token(&used.digest);
    if !removed {
        return Err(OcsError::custom(403, "could not remove apptoken", empty()));
    }
    Ok(Ocs::ok(empty()))
}

/// Replaces the app password in use by a new one (same account and name).
async fn rotate_app_password(
    State(s): State<AppState>,
    _caller: AuthUser,
    UsedAppPassword(used): UsedAppPassword,
) -> OcsResult<AppPasswordAnswer> {
    let Some(used) = used else {
        return Err(OcsError::custom(403, "no app password in use", empty()));
    };
    let password = token::generate_app_password();
    let hash = s.tokens.hash_hex(Purpose::AppPassword, &password);
    let id = used.id;
    let rotated =
        s.db.run(move |conn| conn.write_tx(|conn| store::app_passwords::set_hash(conn, id, &hash)))
            .await?;
    s.credentials.forget_token(&used.digest);
    if !rotated {
        return Err(OcsError::custom(403, "could not rotate apptoken", empty()));
    }
    Ok(Ocs::ok(AppPasswordAnswer { apppassword: password }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Confirmed {
    last_login: i64,
}

/// # PUT /ocs/v2.php/core/apppassword/confirm (AppPasswordController::confirmUserPassword)
///
/// Confirms the account password (`password`) of the caller, as Nextcloud asks before
/// sensitive changes: 200 `{lastLogin: now}`, 403 `[]` for a wrong one (an app password is no
/// account password). Brute-force protected under upstream's action `sudo`: failures are
/// counted and delayed, past the maximum delay the address gets 429 without a check, and a
/// right password clears the record.
async fn confirm_user_password(
    State(s): State<AppState>,
    caller: AuthUser,
    parts: Parts,
    params: crate::ocs::Params,
) -> OcsResult<Confirmed> {
    let ip = crate::auth::client_ip(&parts);
    let attempts = s.throttler.attempts(ip, Action::Sudo).await;
    if Verdict::for_attempts(attempts) == Verdict::TooManyRequests {
        return Err(OcsError::Status(429));
    }
    let password = params.string("password").unwrap_or_default();
    if !crate::auth::is_account_password(&s, caller.user_id.0.clone(), password).await? {
        let delay = s.throttler.register_failure(ip, Action::Sudo).await;
        tokio::time::sleep(delay).await;
        return Err(OcsError::Status(403));
    }
    if attempts > 0 {
        s.throttler.reset(ip, Action::Sudo).await;
    }
    Ok(Ocs::ok(Confirmed {
        last_login: crate::domain::now(),
    }))
}
