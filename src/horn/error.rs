//! The Horn face's one error mapping: every refusal becomes an HTTP status and a body
//! `{"message": "<human text>", "error": "<UPPER_SNAKE_CODE>"}` (Horn's errors reference). Never
//! an OCS envelope, never an empty 500.

use crate::db::DbError;
use crate::domain::rounds::RoundError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HornError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    message: &'a str,
    error: &'a str,
}

impl HornError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> HornError {
        HornError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> HornError {
        HornError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    pub fn unauthorized() -> HornError {
        HornError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Authentication required")
    }

    pub fn too_many_requests() -> HornError {
        HornError::new(StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS", "Too many requests")
    }

    pub fn route_not_found() -> HornError {
        HornError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found")
    }

    pub fn method_not_allowed() -> HornError {
        HornError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "Method not allowed",
        )
    }

    fn internal(e: &DbError) -> HornError {
        match e {
            DbError::Unavailable(_) => {
                tracing::error!(error = %e, "database unavailable");
                HornError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "Service unavailable",
                )
            }
            _ => {
                tracing::error!(error = %e, "request failed");
                HornError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    "Internal server error",
                )
            }
        }
    }
}

impl From<RoundError> for HornError {
    fn from(e: RoundError) -> Self {
        use StatusCode as S;
        let (status, code) = match &e {
            RoundError::ChannelNotFound => (S::NOT_FOUND, "CHANNEL_NOT_FOUND"),
            RoundError::Forbidden => (S::FORBIDDEN, "ACCESS_FORBIDDEN"),
            RoundError::SessionNotFound => (S::NOT_FOUND, "BREAKOUT_SESSION_NOT_FOUND"),
            RoundError::RoomNotFound => (S::NOT_FOUND, "BREAKOUT_ROOM_NOT_FOUND"),
            RoundError::UserNotFound => (S::NOT_FOUND, "USER_NOT_FOUND"),
            RoundError::InvitationNotFound => (S::NOT_FOUND, "INVITATION_NOT_FOUND"),
            RoundError::Invalid(_) => (S::BAD_REQUEST, "BAD_REQUEST"),
            RoundError::Disabled => (S::BAD_REQUEST, "BREAKOUT_DISABLED"),
            RoundError::Active => (S::BAD_REQUEST, "ACTIVE_BREAKOUT_SESSION"),
            RoundError::AnotherActive => (S::BAD_REQUEST, "ANOTHER_BREAKOUT_SESSION_IS_ACTIVE"),
            RoundError::AlreadyAssigned => (S::BAD_REQUEST, "BREAKOUT_ROOM_PARTICIPANT_ALREADY_ASSIGNED"),
            RoundError::Completed => (S::BAD_REQUEST, "COMPLETED_BREAKOUT_SESSION"),
            RoundError::NoActive => (S::BAD_REQUEST, "NO_ACTIVE_BREAKOUT_SESSION"),
            RoundError::TooManyRooms => (S::BAD_REQUEST, "TOO_MANY_BREAKOUT_ROOMS"),
            RoundError::RoomFull => (S::BAD_REQUEST, "BREAKOUT_ROOM_FULL"),
            RoundError::InvitationExpired => (S::BAD_REQUEST, "INVITATION_EXPIRED"),
            RoundError::Db(db) => return HornError::internal(db),
        };
        HornError::new(status, code, capitalise(&e.to_string()))
    }
}

impl From<DbError> for HornError {
    fn from(e: DbError) -> Self {
        HornError::internal(&e)
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl IntoResponse for HornError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&Body {
            message: &self.message,
            error: self.code,
        })
        .unwrap_or_default();
        let mut response = (self.status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

pub type HornResult<T> = Result<T, HornError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_status_and_code() {
        let table: Vec<(RoundError, u16, &str)> = vec![
            (RoundError::ChannelNotFound, 404, "CHANNEL_NOT_FOUND"),
            (RoundError::Forbidden, 403, "ACCESS_FORBIDDEN"),
            (RoundError::SessionNotFound, 404, "BREAKOUT_SESSION_NOT_FOUND"),
            (RoundError::RoomNotFound, 404, "BREAKOUT_ROOM_NOT_FOUND"),
            (RoundError::UserNotFound, 404, "USER_NOT_FOUND"),
            (RoundError::InvitationNotFound, 404, "INVITATION_NOT_FOUND"),
            (RoundError::InvitationExpired, 400, "INVITATION_EXPIRED"),
            (RoundError::Invalid("name is required".into()), 400, "BAD_REQUEST"),
            (RoundError::Disabled, 400, "BREAKOUT_DISABLED"),
            (RoundError::Active, 400, "ACTIVE_BREAKOUT_SESSION"),
            (RoundError::AnotherActive, 400, "ANOTHER_BREAKOUT_SESSION_IS_ACTIVE"),
            (
                RoundError::AlreadyAssigned,
                400,
                "BREAKOUT_ROOM_PARTICIPANT_ALREADY_ASSIGNED",
            ),
            (RoundError::Completed, 400, "COMPLETED_BREAKOUT_SESSION"),
            (RoundError::NoActive, 400, "NO_ACTIVE_BREAKOUT_SESSION"),
            (RoundError::TooManyRooms, 400, "TOO_MANY_BREAKOUT_ROOMS"),
            (RoundError::RoomFull, 400, "BREAKOUT_ROOM_FULL"),
            (RoundError::Db(DbError::Internal("x".into())), 500, "INTERNAL_ERROR"),
            (
                RoundError::Db(DbError::Unavailable("x".into())),
                503,
                "SERVICE_UNAVAILABLE",
            ),
        ];
        for (refusal, status, code) in table {
            let e = HornError::from(refusal);
            assert_eq!((e.status.as_u16(), e.code), (status, code));
            assert!(!e.message.is_empty());
        }
        assert_eq!(
            HornError::from(RoundError::Invalid("name is required".into())).message,
            "Name is required"
        );
    }
}
