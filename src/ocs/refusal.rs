//! The Talk face's one mapping of domain refusals to upstream's OCS answers: a status with an
//! empty payload (`data: []`), or a status with `{"error": key}`.

use super::OcsError;
use crate::domain::Refusal;

/// Upstream's answer for a refusal: the OCS status and, when upstream sends one, the `error` key.
pub fn status_and_key(refusal: &Refusal) -> (u16, Option<&'static str>) {
    use Refusal::*;
    match refusal {
        RoomNotFound | NotParticipant | AttendeeNotFound => (404, None),
        NotModerator
        | GuestNotAllowed
        | ReadOnly
        | MissingPermission
        | SelfNotAllowed
        | NotAllowedToCreateConversations
        | NotOwner => (403, None),
        LobbyClosed => (412, None),
        NoParentPermission => (400, Some("permissions")),
        MissingParameter | NotApplicable | MessageNotReactable | InvalidReaction => (400, None),
        ReactionNotFound => (404, None),
        // Breakout sessions: no Talk endpoint runs a session operation; if one ever does, these
        // are upstream's nearest answers (the breakout status problems as `status`, a room
        // count as configure's `amount`).
        InvalidInput(_)
        | InvitationExpired
        | AlreadyAssigned
        | TalkMadeSession { .. }
        | NoSessionRooms
        | CannotHaveLinkedUsers => (400, None),
        SessionNotFound | SessionRoomNotFound | InvitationNotFound => (404, None),
        SessionActive | SessionCompleted | AnotherSessionActive | NoActiveSession => (400, Some("status")),
        TooManySessionRooms => (400, Some("amount")),
        InvalidField(key) => (400, Some(key)),
        TooLong(key) => (413, Some(key)),
        FieldTargetNotFound(key) => (404, Some(key)),
        FieldTargetNotAllowed(key) => (403, Some(key)),
        BreakoutRoomsDisabled => (400, Some("config")),
        AlreadyConfigured | CannotHaveBreakoutRooms | NotAnOpenBreakoutRoom => (400, Some("room")),
        NotConfigured | NotFreeMode => (400, Some("mode")),
        NotStarted => (400, Some("status")),
        LockedForBreakoutRooms => (400, Some("breakout-room")),
        WrongRoomType(key) => (400, Some(key)),
        ModeratorCannotMove => (400, Some("moderator")),
        LastModerator => (400, Some("last-moderator")),
        BreakoutRoomFull => (400, Some("capacity")),
        NotMessageAuthor => (403, Some("permission")),
        MessageNotFound => (404, Some("message")),
        MessageKindNotAllowed => (405, Some("message")),
        // Not reached: `Storage` is mapped below, before the status table.
        Storage(_) => (500, None),
    }
}

impl From<Refusal> for OcsError {
    fn from(refusal: Refusal) -> Self {
        if let Refusal::Storage(e) = refusal {
            return e.into();
        }
        match status_and_key(&refusal) {
            (status, None) => OcsError::Status(status),
            (status, Some(key)) => OcsError::Keyed { status, key },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DbError;

    /// Every variant with its expected OCS answer. The `match` makes a new variant a compile
    /// error here until its answer is written down.
    fn expected(r: &Refusal) -> OcsError {
        use Refusal::*;
        match r {
            RoomNotFound => OcsError::Status(404),
            NotParticipant => OcsError::Status(404),
            NotModerator => OcsError::Status(403),
            GuestNotAllowed => OcsError::Status(403),
            LobbyClosed => OcsError::Status(412),
            ReadOnly => OcsError::Status(403),
            MissingPermission => OcsError::Status(403),
            NoParentPermission => OcsError::keyed(400, "permissions"),
            NotAllowedToCreateConversations => OcsError::Status(403),
            MissingParameter => OcsError::Status(400),
            InvalidField(k) => OcsError::keyed(400, k),
            TooLong(k) => OcsError::keyed(413, k),
            FieldTargetNotFound(k) => OcsError::keyed(404, k),
            FieldTargetNotAllowed(k) => OcsError::keyed(403, k),
            AttendeeNotFound => OcsError::Status(404),
            SelfNotAllowed => OcsError::Status(403),
            NotApplicable => OcsError::Status(400),
            BreakoutRoomsDisabled => OcsError::keyed(400, "config"),
            AlreadyConfigured => OcsError::keyed(400, "room"),
            CannotHaveBreakoutRooms => OcsError::keyed(400, "room"),
            NotConfigured => OcsError::keyed(400, "mode"),
            NotFreeMode => OcsError::keyed(400, "mode"),
            NotStarted => OcsError::keyed(400, "status"),
            NotAnOpenBreakoutRoom => OcsError::keyed(400, "room"),
            LockedForBreakoutRooms => OcsError::keyed(400, "breakout-room"),
            WrongRoomType(k) => OcsError::keyed(400, k),
            ModeratorCannotMove => OcsError::keyed(400, "moderator"),
            LastModerator => OcsError::keyed(400, "last-moderator"),
            BreakoutRoomFull => OcsError::keyed(400, "capacity"),
            NotMessageAuthor => OcsError::keyed(403, "permission"),
            MessageNotFound => OcsError::keyed(404, "message"),
            MessageKindNotAllowed => OcsError::keyed(405, "message"),
            MessageNotReactable => OcsError::Status(400),
            InvalidReaction => OcsError::Status(400),
            ReactionNotFound => OcsError::Status(404),
            NotOwner => OcsError::Status(403),
            InvalidInput(_) => OcsError::Status(400),
            SessionNotFound => OcsError::Status(404),
            SessionRoomNotFound => OcsError::Status(404),
            InvitationNotFound => OcsError::Status(404),
            InvitationExpired => OcsError::Status(400),
            SessionActive => OcsError::keyed(400, "status"),
            SessionCompleted => OcsError::keyed(400, "status"),
            AnotherSessionActive => OcsError::keyed(400, "status"),
            NoActiveSession => OcsError::keyed(400, "status"),
            AlreadyAssigned => OcsError::Status(400),
            TalkMadeSession { .. } => OcsError::Status(400),
            NoSessionRooms => OcsError::Status(400),
            CannotHaveLinkedUsers => OcsError::Status(400),
            TooManySessionRooms => OcsError::keyed(400, "amount"),
            Storage(DbError::Unavailable(m)) => OcsError::Unavailable(m.clone()),
            Storage(e) => OcsError::Internal(e.to_string()),
        }
    }

    #[test]
    fn every_refusal_has_upstreams_answer() {
        for refusal in crate::domain::refusal::every_refusal() {
            let want = format!("{:?}", expected(&refusal));
            let label = format!("{refusal:?}");
            assert_eq!(format!("{:?}", OcsError::from(refusal)), want, "{label}");
        }
    }
}
