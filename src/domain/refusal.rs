//! Why the domain refuses a request. Each variant says what went wrong, not how a face shows
//! it: the Talk face maps every variant once to its OCS status and `error` key
//! (`src/ocs/refusal.rs`), the Horn face to its `{message, error}` body.
//!
//! Variants are listed in the order upstream checks them (who is asking → what was sent →
//! the state of the conversation), so the first check that fails decides the answer the same
//! way on every face. Several variants share an upstream `error` key on the Talk face (upstream
//! throws `InvalidArgumentException('room')` for three different reasons); keeping them apart
//! here lets the other face tell them apart.

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
    /// What a field names does not exist (a user, group or attendee to act on).
    #[error("{0} not found")]
    FieldTargetNotFound(&'static str),
    /// The field names something the caller may not use (themself as invitee, the owner).
    #[error("{0} not allowed")]
    FieldTargetNotAllowed(&'static str),
    /// The attendee to act on does not exist in this conversation.
    #[error("attendee not found")]
    AttendeeNotFound,
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
    /// The server-wide breakout room switch is off.
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
    /// The breakout room is at its capacity (our extension, horn.md §6: a room of a running
    /// Horn session with a capacity, which Talk's free-mode switch honours).
    #[error("the breakout room is full")]
    BreakoutRoomFull,

    /// A failure underneath: the database is unreachable or a query failed.
    #[error(transparent)]
    Storage(#[from] DbError),
}

/// Lets transactions whose closures return a refusal end with diesel's own error.
impl From<diesel::result::Error> for Refusal {
    fn from(e: diesel::result::Error) -> Self {
        DbError::from(e).into()
    }
}
