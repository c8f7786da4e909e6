//! `AppConfigController`: app settings, read and changed by admins.

use super::{refusal, soft};
use crate::app::app_config;
use crate::auth::{AdminUser, AuthUser};
use crate::domain::accounts::AccountRefusal as R;
use crate::ocs::{empty, Ocs, OcsError, OcsResult, Params, Path};
use crate::state::AppState;
use axum::extract::State;
use serde_json::{json, Value};

/// Upstream answers these refusals with 403 and the message inside `data`.
fn map(r: R) -> OcsError {
    let refused = |message: &str| OcsError::custom(403, "", json!({ "data": { "message": message } }));
    refusal(r, |r| match r {
        R::InvalidAppId => Some(refused("Invalid app id given")),
        R::ProtectedSetting => Some(refused("The given key can not be set")),
        // An extension's own check (e.g. the webhook endpoints): refused before anything is
        // stored.
        R::InvalidSettingValue(what) => Some(OcsError::custom(
            400,
            "",
            json!({ "data": { "message": format!("The value must be {what}") } }),
        )),
        _ => None,
    })
}

/// # GET /apps/provisioning_api/api/v1/config/apps (AppConfigController::getApps)
pub async fn apps(State(s): State<AppState>, _admin: AdminUser) -> OcsResult<Value> {
    let apps = app_config::apps(&s.db).await.map_err(map)?;
    Ok(Ocs::ok(json!({ "data": apps })))
}

/// # GET …/config/apps/{app} (AppConfigController::getKeys)
pub async fn keys(State(s): State<AppState>, _admin: AdminUser, Path(app): Path<String>) -> OcsResult<Value> {
    let keys = app_config::keys(&s.db, app).await.map_err(map)?;
    Ok(Ocs::ok(json!({ "data": keys })))
}

/// # GET …/config/apps/{app}/{key} (AppConfigController::getValue)
pub async fn value(
    State(s): State<AppState>,
    _admin: AdminUser,
    Path((app, key)): Path<(String, String)>,
    params: Params,
) -> OcsResult<Value> {
    let default = params.string("defaultValue").unwrap_or_default();
    let value = app_config::value(&s.db, app, key).await.map_err(map)?;
    Ok(Ocs::ok(json!({ "data": value.unwrap_or(default) })))
}

/// # POST …/config/apps/{app}/{key} (AppConfigController::setValue)
pub async fn set(
    State(s): State<AppState>,
    caller: AuthUser,
    Path((app, key)): Path<(String, String)>,
    params: Params,
) -> OcsResult<Value> {
    // Upstream's order: the authorization attribute, then the required parameter, then the
    // app id and key checks.
    if !caller.is_admin {
        return Err(soft(
            403,
            "Logged in account must be an administrator or have authorization to edit this setting.",
        ));
    }
    let Some(value) = params.string("value") else {
        return Err(OcsError::Status(400));
    };
    app_config::set(&s.db, app, key, value).await.map_err(map)?;
    Ok(Ocs::ok(empty()))
}

/// # DELETE …/config/apps/{app}/{key} (AppConfigController::deleteKey)
pub async fn reset(
    State(s): State<AppState>,
    _admin: AdminUser,
    Path((app, key)): Path<(String, String)>,
) -> OcsResult<Value> {
    app_config::reset(&s.db, app, key).await.map_err(map)?;
    Ok(Ocs::ok(empty()))
}
