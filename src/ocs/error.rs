//! The one error type of the HTTP edge. Every failure a request can meet ends here and is mapped
//! to upstream's answer in exactly one place ([`IntoResponse`] below).

use super::{empty, PendingReply, Producer};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Upstream's text for the front script's "no such route" answer (`ocs/v1.php`).
pub const ROUTE_NOT_FOUND_MESSAGE: &str = "Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n";

#[derive(Debug, thiserror::Error)]
pub enum OcsError {
    /// A Talk-style failure: status with `data: []` and an empty message (403, 404, 412 ...).
    #[error("status {0}")]
    Status(u16),
    /// A controller validation error: `{"error": key}`.
    #[error("{status} {key}")]
    Keyed { status: u16, key: &'static str },
    /// Any other payload and message, e.g. provisioning's soft codes (102 "User already exists").
    #[error("{status} {message}")]
    Custom { status: u16, message: String, data: Value },
    /// No credentials on an endpoint that needs a user (997 → HTTP 401).
    #[error("not logged in")]
    Unauthorized,
    /// Credentials were sent but are wrong (or the account is disabled): the front script's
    /// 997 `Unauthorised`, before routing, with `WWW-Authenticate`.
    #[error("login failed")]
    LoginFailed,
    /// Logged in, but the route needs an admin.
    #[error("admin required")]
    AdminRequired,
    /// The `OCS-APIRequest: true` header is missing: plain JSON 412, no envelope.
    #[error("CSRF check failed")]
    CsrfFailed,
    /// No route matched (or a placeholder failed its requirement): the front script's 998.
    #[error("route not found")]
    RouteNotFound,
    /// Brute-force protection: the address reached the maximum delay.
    #[error("too many requests")]
    TooManyRequests,
    /// The request body exceeds the limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// The database cannot be reached (pool exhausted or server down), or the request ran out
    /// of time.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A fault on our side. Logged once here; the client sees a generic 500 envelope.
    #[error("internal error: {0}")]
    Internal(String),
}

impl OcsError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        OcsError::Internal(e.to_string())
    }

    pub fn bad_request(key: &'static str) -> Self {
        OcsError::Keyed { status: 400, key }
    }

    pub fn keyed(status: u16, key: &'static str) -> Self {
        OcsError::Keyed { status, key }
    }

    pub fn custom(status: u16, message: impl Into<String>, data: Value) -> Self {
        OcsError::Custom {
            status,
            message: message.into(),
            data,
        }
    }
}

impl IntoResponse for OcsError {
    fn into_response(self) -> Response {
        let (status, message, data, producer) = match self {
            OcsError::Status(status) => (status, None, empty(), Producer::Controller),
            OcsError::Keyed { status, key } => (status, None, json!({ "error": key }), Producer::Controller),
            OcsError::Custom { status, message, data } => (status, Some(message), data, Producer::Controller),
            OcsError::Unauthorized => (
                997,
                Some("Current user is not logged in".to_owned()),
                empty(),
                Producer::Controller,
            ),
            OcsError::LoginFailed => (997, Some("Unauthorised".to_owned()), empty(), Producer::FrontScript),
            OcsError::AdminRequired => (
                403,
                Some("Logged in account must be an admin".to_owned()),
                empty(),
                Producer::Controller,
            ),
            OcsError::RouteNotFound => (
                998,
                Some(ROUTE_NOT_FOUND_MESSAGE.to_owned()),
                empty(),
                Producer::FrontScript,
            ),
            OcsError::PayloadTooLarge => (413, None, empty(), Producer::Controller),
            OcsError::TooManyRequests => (
                429,
                Some("Reached maximum delay".to_owned()),
                empty(),
                Producer::FrontScript,
            ),
            OcsError::Unavailable(reason) => {
                tracing::error!(error = %reason, "service unavailable");
                (
                    503,
                    Some("Service unavailable".to_owned()),
                    empty(),
                    Producer::Controller,
                )
            }
            OcsError::Internal(reason) => {
                tracing::error!(error = %reason, "internal error");
                // What the front script answers for an uncaught exception (996 → HTTP 500).
                (
                    996,
                    Some("Internal Server Error\n".to_owned()),
                    empty(),
                    Producer::FrontScript,
                )
            }
            OcsError::CsrfFailed => {
                let mut response =
                    (StatusCode::PRECONDITION_FAILED, r#"{"message":"CSRF check failed"}"#).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
                return response;
            }
        };
        PendingReply {
            status,
            message,
            data: super::ReplyData::new(data),
            producer,
        }
        .into_response_with(HeaderMap::new())
    }
}

impl From<crate::db::DbError> for OcsError {
    fn from(e: crate::db::DbError) -> Self {
        match e {
            crate::db::DbError::Unavailable(reason) => OcsError::Unavailable(reason),
            other => OcsError::Internal(other.to_string()),
        }
    }
}

/// Lets handlers run a transaction whose closure returns `OcsError` directly.
impl From<diesel::result::Error> for OcsError {
    fn from(e: diesel::result::Error) -> Self {
        OcsError::from(crate::db::DbError::from(e))
    }
}
