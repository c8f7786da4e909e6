//! The Horn face's one error mapping: every refusal becomes an HTTP status and a body
//! `{"message": "<human text>", "error": "<UPPER_SNAKE_CODE>"}` (Horn's errors reference). Never
//! an OCS envelope, never an empty 500. The domain's [`Refusal`] is mapped here, once
//! ([`status_and_code`]); the Talk face maps the same type in `ocs::refusal`.

use crate::db::DbError;
use crate::domain::Refusal;
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

/// Horn's answer for a refusal: status, code and, where the face words it differently from the
/// domain (a conversation is a *channel* here, an attendee a *user*), its own message. Refusals
/// Horn has no code for are `BAD_REQUEST` with the domain's text (`Storage` never reaches this
/// table: it is answered as 500 or 503 by [`HornError::from`]).
pub fn status_and_code(refusal: &Refusal) -> (StatusCode, &'static str, Option<&'static str>) {
    use Refusal::*;
    use StatusCode as S;
    match refusal {
        // A conversation the caller may not see looks exactly like one that does not exist.
        RoomNotFound | NotParticipant => (S::NOT_FOUND, "CHANNEL_NOT_FOUND", Some("Channel not found")),
        NotModerator
        | NotOwner
        | GuestNotAllowed
        | LobbyClosed
        | ReadOnly
        | MissingPermission
        | NotMessageAuthor
        | NoParentPermission
        | NotAllowedToCreateConversations
        | SelfNotAllowed => (S::FORBIDDEN, "ACCESS_FORBIDDEN", Some("Access forbidden")),
        AttendeeNotFound => (S::NOT_FOUND, "USER_NOT_FOUND", Some("User not found")),
        SessionNotFound => (S::NOT_FOUND, "BREAKOUT_SESSION_NOT_FOUND", None),
        SessionRoomNotFound => (S::NOT_FOUND, "BREAKOUT_ROOM_NOT_FOUND", None),
        InvitationNotFound => (S::NOT_FOUND, "INVITATION_NOT_FOUND", None),
        InvitationExpired => (S::BAD_REQUEST, "INVITATION_EXPIRED", None),
        BreakoutRoomsDisabled => (
            S::BAD_REQUEST,
            "BREAKOUT_DISABLED",
            Some("Breakout rooms are disabled for this channel"),
        ),
        SessionActive => (S::BAD_REQUEST, "ACTIVE_BREAKOUT_SESSION", None),
        SessionCompleted => (S::BAD_REQUEST, "COMPLETED_BREAKOUT_SESSION", None),
        AnotherSessionActive => (S::BAD_REQUEST, "ANOTHER_BREAKOUT_SESSION_IS_ACTIVE", None),
        NoActiveSession | NotStarted => (
            S::BAD_REQUEST,
            "NO_ACTIVE_BREAKOUT_SESSION",
            Some("No breakout session is active"),
        ),
        AlreadyAssigned => (S::BAD_REQUEST, "BREAKOUT_ROOM_PARTICIPANT_ALREADY_ASSIGNED", None),
        TooManySessionRooms => (S::BAD_REQUEST, "TOO_MANY_BREAKOUT_ROOMS", None),
        BreakoutRoomFull => (S::BAD_REQUEST, "BREAKOUT_ROOM_FULL", None),
        CannotHaveBreakoutRooms => (
            S::BAD_REQUEST,
            "BAD_REQUEST",
            Some("This channel cannot host breakout sessions"),
        ),
        ModeratorCannotMove => (
            S::BAD_REQUEST,
            "BAD_REQUEST",
            Some("UserId: owners and moderators are in every breakout room"),
        ),
        FieldTargetNotAllowed("owner") => (
            S::BAD_REQUEST,
            "BAD_REQUEST",
            Some("The owner of the conversation cannot be removed"),
        ),
        InvalidInput(_)
        | TalkMadeSession { .. }
        | NoSessionRooms
        | CannotHaveLinkedUsers
        | MissingParameter
        | InvalidField(_)
        | TooLong(_)
        | FieldTargetNotFound(_)
        | FieldTargetNotAllowed(_)
        | MessageNotFound
        | MessageKindNotAllowed
        | MessageNotReactable
        | InvalidReaction
        | ReactionNotFound
        | NotApplicable
        | AlreadyConfigured
        | NotConfigured
        | NotFreeMode
        | NotAnOpenBreakoutRoom
        | LockedForBreakoutRooms
        | WrongRoomType(_)
        | LastModerator => (S::BAD_REQUEST, "BAD_REQUEST", None),
        Storage(_) => (
            S::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            Some("Internal server error"),
        ),
    }
}

impl From<Refusal> for HornError {
    fn from(refusal: Refusal) -> Self {
        if let Refusal::Storage(db) = &refusal {
            return HornError::internal(db);
        }
        let (status, code, text) = status_and_code(&refusal);
        let message = match text {
            Some(text) => text.to_owned(),
            None => capitalise(&refusal.to_string()),
        };
        HornError::new(status, code, message)
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
    use crate::domain::refusal::every_refusal;

    /// Every variant with Horn's status and code. The `match` makes a new variant a compile
    /// error here until its answer is written down.
    fn expected(r: &Refusal) -> (u16, &'static str) {
        use Refusal::*;
        match r {
            RoomNotFound => (404, "CHANNEL_NOT_FOUND"),
            NotParticipant => (404, "CHANNEL_NOT_FOUND"),
            NotModerator => (403, "ACCESS_FORBIDDEN"),
            NotOwner => (403, "ACCESS_FORBIDDEN"),
            GuestNotAllowed => (403, "ACCESS_FORBIDDEN"),
            LobbyClosed => (403, "ACCESS_FORBIDDEN"),
            ReadOnly => (403, "ACCESS_FORBIDDEN"),
            MissingPermission => (403, "ACCESS_FORBIDDEN"),
            NotMessageAuthor => (403, "ACCESS_FORBIDDEN"),
            NoParentPermission => (403, "ACCESS_FORBIDDEN"),
            NotAllowedToCreateConversations => (403, "ACCESS_FORBIDDEN"),
            SelfNotAllowed => (403, "ACCESS_FORBIDDEN"),
            AttendeeNotFound => (404, "USER_NOT_FOUND"),
            SessionNotFound => (404, "BREAKOUT_SESSION_NOT_FOUND"),
            SessionRoomNotFound => (404, "BREAKOUT_ROOM_NOT_FOUND"),
            InvitationNotFound => (404, "INVITATION_NOT_FOUND"),
            InvitationExpired => (400, "INVITATION_EXPIRED"),
            BreakoutRoomsDisabled => (400, "BREAKOUT_DISABLED"),
            SessionActive => (400, "ACTIVE_BREAKOUT_SESSION"),
            SessionCompleted => (400, "COMPLETED_BREAKOUT_SESSION"),
            AnotherSessionActive => (400, "ANOTHER_BREAKOUT_SESSION_IS_ACTIVE"),
            NoActiveSession => (400, "NO_ACTIVE_BREAKOUT_SESSION"),
            NotStarted => (400, "NO_ACTIVE_BREAKOUT_SESSION"),
            AlreadyAssigned => (400, "BREAKOUT_ROOM_PARTICIPANT_ALREADY_ASSIGNED"),
            TooManySessionRooms => (400, "TOO_MANY_BREAKOUT_ROOMS"),
            BreakoutRoomFull => (400, "BREAKOUT_ROOM_FULL"),
            TalkMadeSession { .. } => (400, "BAD_REQUEST"),
            NoSessionRooms => (400, "BAD_REQUEST"),
            CannotHaveLinkedUsers => (400, "BAD_REQUEST"),
            InvalidInput(_) => (400, "BAD_REQUEST"),
            MissingParameter => (400, "BAD_REQUEST"),
            InvalidField(_) => (400, "BAD_REQUEST"),
            TooLong(_) => (400, "BAD_REQUEST"),
            FieldTargetNotFound(_) => (400, "BAD_REQUEST"),
            FieldTargetNotAllowed(_) => (400, "BAD_REQUEST"),
            MessageNotFound => (400, "BAD_REQUEST"),
            MessageKindNotAllowed => (400, "BAD_REQUEST"),
            MessageNotReactable => (400, "BAD_REQUEST"),
            InvalidReaction => (400, "BAD_REQUEST"),
            ReactionNotFound => (400, "BAD_REQUEST"),
            NotApplicable => (400, "BAD_REQUEST"),
            AlreadyConfigured => (400, "BAD_REQUEST"),
            CannotHaveBreakoutRooms => (400, "BAD_REQUEST"),
            NotConfigured => (400, "BAD_REQUEST"),
            NotFreeMode => (400, "BAD_REQUEST"),
            NotAnOpenBreakoutRoom => (400, "BAD_REQUEST"),
            LockedForBreakoutRooms => (400, "BAD_REQUEST"),
            WrongRoomType(_) => (400, "BAD_REQUEST"),
            ModeratorCannotMove => (400, "BAD_REQUEST"),
            LastModerator => (400, "BAD_REQUEST"),
            Storage(DbError::Unavailable(_)) => (503, "SERVICE_UNAVAILABLE"),
            Storage(_) => (500, "INTERNAL_ERROR"),
        }
    }

    #[test]
    fn every_refusal_has_its_status_and_code() {
        for refusal in every_refusal() {
            let want = expected(&refusal);
            let label = format!("{refusal:?}");
            let e = HornError::from(refusal);
            assert_eq!((e.status.as_u16(), e.code), want, "{label}");
            assert!(!e.message.is_empty(), "{label}");
        }
    }

    /// The messages Horn clients saw before the refusals moved into the domain.
    #[test]
    fn messages_stay_as_they_were() {
        use Refusal::*;
        for (refusal, message) in [
            (RoomNotFound, "Channel not found"),
            (NotParticipant, "Channel not found"),
            (NotModerator, "Access forbidden"),
            (NotOwner, "Access forbidden"),
            (SessionNotFound, "Breakout session not found"),
            (SessionRoomNotFound, "Breakout room not found"),
            (AttendeeNotFound, "User not found"),
            (InvitationNotFound, "Invitation not found"),
            (InvitationExpired, "The invitation has expired"),
            (InvalidInput("name is required".into()), "Name is required"),
            (BreakoutRoomsDisabled, "Breakout rooms are disabled for this channel"),
            (SessionActive, "The breakout session is active"),
            (AnotherSessionActive, "Another breakout session is active"),
            (
                AlreadyAssigned,
                "The participant is already assigned to another breakout room",
            ),
            (SessionCompleted, "The breakout session is completed"),
            (NoActiveSession, "No breakout session is active"),
            (TooManySessionRooms, "Too many breakout rooms"),
            (BreakoutRoomFull, "The breakout room is full"),
            (
                TalkMadeSession { field: Some("name") },
                "Name: a Talk-made session is edited on the Talk face",
            ),
            (
                TalkMadeSession { field: None },
                "A Talk-made session is edited on the Talk face",
            ),
            (NoSessionRooms, "The breakout session has no rooms"),
            (
                CannotHaveLinkedUsers,
                "Channel-linked users can only join group conversations",
            ),
            (CannotHaveBreakoutRooms, "This channel cannot host breakout sessions"),
            (
                ModeratorCannotMove,
                "UserId: owners and moderators are in every breakout room",
            ),
            (
                FieldTargetNotAllowed("owner"),
                "The owner of the conversation cannot be removed",
            ),
            (Storage(DbError::Internal("x".into())), "Internal server error"),
            (Storage(DbError::Unavailable("x".into())), "Service unavailable"),
        ] {
            assert_eq!(HornError::from(refusal).message, message);
        }
    }
}
