//! The Horn face: Horn's breakout API under `/api/v1_0` (`shared/spec/horn.md`), on the same
//! conversations as the Talk face. JSON in and out, `{message, error}` errors mapped once in
//! [`error`], callers authenticated by [`auth`], bodies read strictly by [`input`], objects
//! shaped in [`wire`]. Handlers translate only; the use cases are in `app::rounds`.
//!
//! Check order (horn.md §1): unknown route 404 / wrong method 405 (the router) → auth 401 (the
//! [`auth::HornCaller`] extractor) → channel 404 → role 403 → ids 404 → body 400 → channel kind →
//! switch → state (the use case, in that order; the body is read by an extractor that never
//! fails and is judged when its turn comes).

pub mod auth;
pub mod breakout;
pub mod error;
pub mod input;
pub mod linked;
pub mod wire;

use crate::state::AppState;
use axum::extract::{RawPathParams, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use error::HornError;

/// Routes under `/api/v1_0` (paths relative to it), one module per Horn area.
pub fn routes() -> Router<AppState> {
    Router::new().merge(breakout::routes()).merge(linked::routes())
}

/// The Horn face, ready to nest at `/api/v1_0`.
pub fn router() -> Router<AppState> {
    routes()
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(request_timeout))
}

async fn not_found() -> HornError {
    HornError::route_not_found()
}

async fn method_not_allowed() -> HornError {
    HornError::method_not_allowed()
}

async fn request_timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(crate::api::REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => HornError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "Request timed out",
        )
        .into_response(),
    }
}

/// The channel's `{uuid}` (every channel route has one).
pub fn uuid(params: &RawPathParams) -> String {
    path_param(params, "uuid")
}

/// A path placeholder's raw value (ids and tokens never need decoding; anything else simply
/// matches nothing).
pub fn path_param(params: &RawPathParams, name: &str) -> String {
    params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}
