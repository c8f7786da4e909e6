//! The `spreedcheats` test-only reset route of upstream's integration suite.

use crate::app::test_reset;
use crate::ocs::{empty, Ocs, OcsError, OcsResult};
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use serde_json::Value;

/// An admin, without the `OCS-APIRequest` rule (the test-reset route is called by harnesses
/// that do not send it).
pub struct AdminNoCsrf;

impl FromRequestParts<AppState> for AdminNoCsrf {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        crate::auth::logged_in_admin(parts, OcsError::AdminRequired)?;
        Ok(AdminNoCsrf)
    }
}

/// # DELETE /ocs/v2.php/apps/spreedcheats/ (test-only reset)
///
/// Only routed when the server was started with `--enable-test-reset`.
pub async fn reset(State(s): State<AppState>, _admin: AdminNoCsrf) -> OcsResult<Value> {
    test_reset::wipe_conversations(&s.db).await.map_err(OcsError::from)?;
    Ok(Ocs::ok(empty()))
}
