//! `GET /status.php` (nextcloud/server `status.php`): readiness and version, no auth.

use super::NEXTCLOUD_VERSION;
use crate::ocs::to_php_json;
use crate::state::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new().route("/status.php", get(status))
}

/// # GET /status.php
async fn status() -> impl IntoResponse {
    let (major, minor, micro, build) = NEXTCLOUD_VERSION;
    let body = json!({
        "installed": true,
        "maintenance": false,
        "needsDbUpgrade": false,
        "version": format!("{major}.{minor}.{micro}.{build}"),
        "versionstring": format!("{major}.{minor}.{micro}"),
        "edition": "",
        "productname": "Nextcloud",
        "extendedSupport": false,
    });
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        to_php_json(&body),
    )
}
