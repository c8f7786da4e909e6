//! Why the domain refuses a request. Each variant says what went wrong, not how a face shows
//! it: the Talk face maps every variant once to its OCS status and `error` key
//! (`src/ocs/refusal.rs`), the Horn face to its `{message, error}` body.
//!
//! Variants are listed in the order upstream checks them (who is asking → what was sent →
//! the state of the conversation), so the first check that fails decides the answer the same
//! way on every face. Several variants share an upstream `error` key on the Talk face (upstream
//! throws `InvalidArgumentException('room')` for three different reasons); keeping them apart
//! here lets the other face tell them apart.
//!
//! Breakout sessions (`domain::rounds`, served by the Horn face) refuse with the same type:
//! their variants sit beside Talk's, and the Talk face maps them too, although no Talk endpoint
//! runs a session operation today.

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    // ── who is asking ───────────────────────────────────────────────────────────────────────
    /// No conversation has this token (or id).
    #[error("conversation not found")]
    RoomNotFound,
    /// The conversation exists, but the caller is not one of its attendees.
    #[error("not a participant")]
    NotParticipant,
    /// The caller is an attendee without moderator permissions.
    #[error("not a moderator")]
    NotModerator,
    /// A plain guest asked for something only users may see.
    #[error("guests may not do this")]
    GuestNotAllowed,
    /// The lobby holds the caller back (non-moderator without "ignore lobby").
    #[error("lobby closed")]
    LobbyClosed,
    /// The conversation is read-only.
    #[error("conversation is read-only")]
    ReadOnly,
    /// The caller's effective permissions lack the bit this action needs.
    #[error("missing permission")]
    MissingPermission,
    /// The message is somebody else's, and the caller may not act on others' messages here
    /// (not a moderator, or a one-to-one conversation).
    #[error("not the author of the message")]
    NotMessageAuthor,
    /// Creating a breakout room by hand needs moderator permissions in the parent.
    #[error("no permission for the parent conversation")]
    NoParentPermission,
    /// The caller's account may not create conversations (a channel-linked account belongs to
    /// its one conversation; upstream's `isNotAllowedToCreateConversations`).
    #[error("not allowed to create conversations")]
    NotAllowedToCreateConversations,
    /// Only the conversation's owner (or an admin) may do this: turning breakout sessions on or
    /// off for a conversation.
    #[error("not the owner")]
    NotOwner,

    // ── what was sent ───────────────────────────────────────────────────────────────────────
    /// A required parameter was not sent at all.
    #[error("missing parameter")]
    MissingParameter,
    /// A field failed validation; the key is upstream's `error` key (the field's name).
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    /// A text field is longer than allowed; the key names the field.
    #[error("field {0} too long")]
    TooLong(&'static str),
    /// Malformed or out-of-range input that has no single upstream key (a body that is not a
    /// JSON object, a wrong type, a value out of range, a state word that is neither `enable`
    /// nor `disable`); the text names the field and says what is wrong with it.
    #[error("{0}")]
    InvalidInput(String),
    /// What a field names does not exist (a user, group or attendee to act on).
    #[error("{0} not found")]
    FieldTargetNotFound(&'static str),
    /// The field names something the caller may not use (themself as invitee, the owner).
    #[error("{0} not allowed")]
    FieldTargetNotAllowed(&'static str),
    /// The attendee to act on does not exist in this conversation.
    #[error("attendee not found")]
    AttendeeNotFound,
    /// No breakout session with this id in the conversation.
    #[error("breakout session not found")]
    SessionNotFound,
    /// No room with this id in the breakout session.
    #[error("breakout room not found")]
    SessionRoomNotFound,
    /// No invitation for this code, or the user named has none (an ordinary account).
    #[error("invitation not found")]
    InvitationNotFound,
    /// The invitation exists but its lifetime is over.
    #[error("the invitation has expired")]
    InvitationExpired,
    /// No message with this id in the conversation.
    #[error("message not found")]
    MessageNotFound,
    /// The message is of a kind the action does not apply to (system messages, deleted ones).
    #[error("not applicable to this message")]
    MessageKindNotAllowed,
    /// The message exists but cannot be reacted to: in another conversation, or not a comment.
    #[error("message cannot be reacted to")]
    MessageNotReactable,
    /// A reaction that is not a single emoji.
    #[error("not a single emoji")]
    InvalidReaction,
    /// The caller has not reacted to the message with this emoji.
    #[error("reaction not found")]
    ReactionNotFound,
    /// A moderator tried to change their own moderator state.
    #[error("cannot change oneself")]
    SelfNotAllowed,
    /// The action does not apply to this target (promoting a group, deleting a one-to-one
    /// conversation, a type change that is no change).
    #[error("not applicable")]
    NotApplicable,

    // ── the state of the conversation ───────────────────────────────────────────────────────
    /// Breakout rooms are switched off: server-wide (app config `spreed/breakout_rooms`) or for
    /// this conversation (the Horn face's enable/disable).
    #[error("breakout rooms are disabled")]
    BreakoutRoomsDisabled,
    /// Breakout rooms are configured already.
    #[error("breakout rooms already configured")]
    AlreadyConfigured,
    /// Only group conversations that are not themselves breakout rooms can have breakout rooms.
    #[error("this conversation cannot have breakout rooms")]
    CannotHaveBreakoutRooms,
    /// Breakout rooms are not configured on this parent.
    #[error("breakout rooms not configured")]
    NotConfigured,
    /// Switching rooms is only for free mode.
    #[error("not in free mode")]
    NotFreeMode,
    /// Breakout rooms are configured but not started.
    #[error("breakout rooms not started")]
    NotStarted,
    /// Assistance can only be requested in a breakout room that is open.
    #[error("not an open breakout room")]
    NotAnOpenBreakoutRoom,
    /// The setting is fixed for breakout rooms (and for parents with breakout rooms).
    #[error("locked for breakout rooms")]
    LockedForBreakoutRooms,
    /// The conversation's type does not allow this (one-to-one rooms keep their name ...);
    /// the key is upstream's (`type` or `room-type`).
    #[error("wrong conversation type ({0})")]
    WrongRoomType(&'static str),
    /// Moderators stay in every breakout room: they cannot be moved or switch.
    #[error("moderators cannot be moved")]
    ModeratorCannotMove,
    /// The only moderator cannot leave while other users remain.
    #[error("last moderator")]
    LastModerator,
    /// The breakout session runs, and this change is not allowed while it runs (also: turning
    /// breakout sessions off while a session or Talk's breakout rooms run).
    #[error("the breakout session is active")]
    SessionActive,
    /// The breakout session is history: it cannot change any more.
    #[error("the breakout session is completed")]
    SessionCompleted,
    /// Starting a session while another one (or Talk's own breakout rooms) runs.
    #[error("another breakout session is active")]
    AnotherSessionActive,
    /// Stopping when no session runs.
    #[error("no breakout session is active")]
    NoActiveSession,
    /// The participant already has a room in this session.
    #[error("the participant is already assigned to another breakout room")]
    AlreadyAssigned,
    /// A Talk-made session (Talk's own configuration) is planned on the Talk face; `field`
    /// names what was to be changed, when one field was.
    #[error("{}a Talk-made session is edited on the Talk face", .field.map(|f| format!("{f}: ")).unwrap_or_default())]
    TalkMadeSession { field: Option<&'static str> },
    /// Starting a session that has no rooms.
    #[error("the breakout session has no rooms")]
    NoSessionRooms,
    /// Only group and public conversations that are not breakout rooms take channel-linked
    /// users (a one-to-one conversation has exactly its two users; a breakout room's users come
    /// from its parent).
    #[error("channel-linked users can only join group conversations")]
    CannotHaveLinkedUsers,
    /// A session has as many rooms as it may have.
    #[error("too many breakout rooms")]
    TooManySessionRooms,
    /// The breakout room has no seat left: its capacity is reached (a room of a Horn session
    /// with a capacity, which Talk's free-mode switch honours too; our extension, horn.md §6), or
    /// the participants outnumber the seats of all rooms.
    #[error("the breakout room is full")]
    BreakoutRoomFull,

    /// A failure underneath: the database is unreachable or a query failed.
    #[error(transparent)]
    Storage(#[from] DbError),
}

impl Refusal {
    /// Malformed or out-of-range input, with the text that names the field.
    pub fn invalid_input(message: impl Into<String>) -> Refusal {
        Refusal::InvalidInput(message.into())
    }
}

/// Lets transactions whose closures return a refusal end with diesel's own error.
impl From<diesel::result::Error> for Refusal {
    fn from(e: diesel::result::Error) -> Self {
        DbError::from(e).into()
    }
}

/// One value of every variant (two for `Storage`: an outage and a failure), for the tests of
/// each face's mapping. Built as a chain through an exhaustive `match`, so a new variant does
/// not compile until it is linked in here, and then every face's test sees it.
#[cfg(test)]
pub(crate) fn every_refusal() -> Vec<Refusal> {
    std::iter::successors(next_sample(None), |r| next_sample(Some(r))).collect()
}

#[cfg(test)]
fn next_sample(previous: Option<&Refusal>) -> Option<Refusal> {
    use Refusal::*;
    match previous {
        None => Some(RoomNotFound),
        Some(RoomNotFound) => Some(NotParticipant),
        Some(NotParticipant) => Some(NotModerator),
        Some(NotModerator) => Some(GuestNotAllowed),
        Some(GuestNotAllowed) => Some(LobbyClosed),
        Some(LobbyClosed) => Some(ReadOnly),
        Some(ReadOnly) => Some(MissingPermission),
        Some(MissingPermission) => Some(NotMessageAuthor),
        Some(NotMessageAuthor) => Some(NoParentPermission),
        Some(NoParentPermission) => Some(NotAllowedToCreateConversations),
        Some(NotAllowedToCreateConversations) => Some(NotOwner),
        Some(NotOwner) => Some(MissingParameter),
        Some(MissingParameter) => Some(InvalidField("attendeeMap")),
        Some(InvalidField(_)) => Some(TooLong("message")),
        Some(TooLong(_)) => Some(InvalidInput("limit must be between 1 and 500".into())),
        Some(InvalidInput(_)) => Some(FieldTargetNotFound("new-participant")),
        Some(FieldTargetNotFound(_)) => Some(FieldTargetNotAllowed("owner")),
        Some(FieldTargetNotAllowed(_)) => Some(AttendeeNotFound),
        Some(AttendeeNotFound) => Some(SessionNotFound),
        Some(SessionNotFound) => Some(SessionRoomNotFound),
        Some(SessionRoomNotFound) => Some(InvitationNotFound),
        Some(InvitationNotFound) => Some(InvitationExpired),
        Some(InvitationExpired) => Some(MessageNotFound),
        Some(MessageNotFound) => Some(MessageKindNotAllowed),
        Some(MessageKindNotAllowed) => Some(MessageNotReactable),
        Some(MessageNotReactable) => Some(InvalidReaction),
        Some(InvalidReaction) => Some(ReactionNotFound),
        Some(ReactionNotFound) => Some(SelfNotAllowed),
        Some(SelfNotAllowed) => Some(NotApplicable),
        Some(NotApplicable) => Some(BreakoutRoomsDisabled),
        Some(BreakoutRoomsDisabled) => Some(AlreadyConfigured),
        Some(AlreadyConfigured) => Some(CannotHaveBreakoutRooms),
        Some(CannotHaveBreakoutRooms) => Some(NotConfigured),
        Some(NotConfigured) => Some(NotFreeMode),
        Some(NotFreeMode) => Some(NotStarted),
        Some(NotStarted) => Some(NotAnOpenBreakoutRoom),
        Some(NotAnOpenBreakoutRoom) => Some(LockedForBreakoutRooms),
        Some(LockedForBreakoutRooms) => Some(WrongRoomType("room-type")),
        Some(WrongRoomType(_)) => Some(ModeratorCannotMove),
        Some(ModeratorCannotMove) => Some(LastModerator),
        Some(LastModerator) => Some(SessionActive),
        Some(SessionActive) => Some(SessionCompleted),
        Some(SessionCompleted) => Some(AnotherSessionActive),
        Some(AnotherSessionActive) => Some(NoActiveSession),
        Some(NoActiveSession) => Some(AlreadyAssigned),
        Some(AlreadyAssigned) => Some(TalkMadeSession { field: Some("name") }),
        Some(TalkMadeSession { .. }) => Some(NoSessionRooms),
        Some(NoSessionRooms) => Some(CannotHaveLinkedUsers),
        Some(CannotHaveLinkedUsers) => Some(TooManySessionRooms),
        Some(TooManySessionRooms) => Some(BreakoutRoomFull),
        Some(BreakoutRoomFull) => Some(Storage(DbError::Unavailable("down".into()))),
        Some(Storage(DbError::Unavailable(_))) => Some(Storage(DbError::Internal("bug".into()))),
        Some(Storage(_)) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_chain_visits_each_variant_once() {
        let all = every_refusal();
        let kinds: std::collections::HashSet<_> = all.iter().map(std::mem::discriminant).collect();
        // Storage appears twice (outage and failure); every other variant once.
        assert_eq!(kinds.len() + 1, all.len());
    }
}
