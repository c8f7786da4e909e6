//! The HTTP surface: one module per upstream controller. Handlers translate between the wire
//! and `domain`; they hold no rules of their own.

pub mod app_password;
pub mod breakout_room;
pub mod capabilities;
pub mod chat;
pub mod extract;
pub mod invitation_page;
pub mod login_flow;
pub mod present;
pub mod provisioning;
pub mod reaction;
pub mod room;
pub mod status;
pub mod wire;

use crate::ocs;
use crate::ocs::OcsError;
use crate::state::AppState;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::time::Duration;

/// The Nextcloud server version we present (clients require major ≥ 26).
pub const NEXTCLOUD_VERSION: (u32, u32, u32, u32) = (32, 0, 0, 13);
/// The Talk version we present in the capabilities.
pub const TALK_VERSION: &str = "22.0.0";

/// Routes under `/ocs/v1.php` and `/ocs/v2.php` (paths here are relative to that prefix).
fn ocs_routes(enable_test_reset: bool) -> Router<AppState> {
    Router::new()
        .merge(capabilities::routes())
        .merge(app_password::routes())
        .merge(provisioning::routes(enable_test_reset))
        .merge(room::routes())
        .merge(chat::routes())
        .merge(reaction::routes())
        .merge(breakout_room::routes())
}

/// Upper bound for one request. Chat long-polling may legitimately wait up to 60 s.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// Answers 503 in the envelope when a request runs past [`REQUEST_TIMEOUT`]; the work is
/// dropped, and with it any open transaction, which rolls back.
async fn request_timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => OcsError::Unavailable("request timed out".to_owned()).into_response(),
    }
}

/// The whole application. Tests call this to serve the real router on an ephemeral port.
pub fn router(state: AppState) -> Router {
    let ocs = ocs_routes(state.settings.enable_test_reset)
        // The bare script (`/ocs/v2.php`, `/ocs/v2.php/`) is no route either: upstream's front
        // script answers it with 998 for every method, like any unknown path.
        .route("/", axum::routing::any(ocs::not_found_fallback))
        .fallback(ocs::not_found_fallback)
        .layer(middleware::from_fn(request_timeout))
        .layer(middleware::from_fn_with_state(state.clone(), crate::auth::front_login))
        .layer(middleware::from_fn_with_state(ocs::BODY_LIMIT_BYTES, ocs::layer));
    // `nest` does not reach `/ocs/v2.php/` itself (nothing after the slash): those two paths
    // get the same stack directly, where only the 998 fallback matches.
    let bare = ocs.clone().with_state(state.clone());
    Router::new()
        .merge(status::routes())
        .merge(login_flow::routes())
        .merge(invitation_page::routes())
        .route_service("/ocs/v1.php/", bare.clone())
        .route_service("/ocs/v2.php/", bare)
        .nest("/ocs/v1.php", ocs.clone())
        .nest("/ocs/v2.php", ocs)
        .nest("/api/v1_0", crate::horn::router())
        .layer(middleware::from_fn(crate::telemetry::log_request))
        .with_state(state)
}
