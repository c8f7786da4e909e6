//! Who may act, as types. A [`Caller`] is an authenticated account; a [`Member`] is a caller
//! together with a conversation they are an attendee of; a [`Moderator`] is a member with
//! moderator permissions there. Each is built in exactly one place below, so an operation that
//! takes a `&Moderator` cannot run for anybody else. The Horn face sees a conversation as a
//! [`Channel`]: an attendee or an admin, with Horn's manager and owner checks built on the same
//! moderator check.
//!
//! Upstream has two named moderator checks (`Participant::hasModeratorPermissions()` with and
//! without guest moderators); both are here, side by side, and nowhere else.

use crate::db::models::{Attendee, Room};
use crate::db::{store, Conn, WriteTx};
use crate::domain::chat::Actor;
use crate::domain::ids::{actor, permissions, LobbyState, ParticipantType, ReadOnlyState, RoomToken, UserId};
use crate::domain::{Refusal, Result};

impl ParticipantType {
    /// Upstream's `Participant::hasModeratorPermissions()` (guest moderators allowed): owners,
    /// moderators and guest moderators. Decides what a participant sees (permissions, lobby,
    /// listings) and who the breakout cascade treats as a moderator.
    pub fn has_moderator_permissions(self) -> bool {
        matches!(
            self,
            ParticipantType::Owner | ParticipantType::Moderator | ParticipantType::GuestModerator
        )
    }

    /// Upstream's `Participant::hasModeratorPermissions(false)`: owners and moderators only.
    /// What `#[RequireLoggedInModeratorParticipant]` checks, and who counts as a moderator when
    /// breakout rooms are filled or the last moderator wants to leave.
    pub fn has_moderator_permissions_without_guests(self) -> bool {
        matches!(self, ParticipantType::Owner | ParticipantType::Moderator)
    }
}

/// The effective permissions of an attendee (spreed `Participant::getPermissions`): moderators
/// get everything; others their custom bits, else the room default, else the server default.
pub fn effective_permissions(room: &Room, attendee: &Attendee) -> i32 {
    if attendee.participant_type.has_moderator_permissions() {
        return permissions::MAX_DEFAULT;
    }
    if attendee.permissions & permissions::CUSTOM != 0 {
        return attendee.permissions;
    }
    if room.default_permissions != permissions::DEFAULT {
        return room.default_permissions;
    }
    permissions::SERVER_DEFAULT
}

/// True when the lobby holds this attendee back (non-moderator without "ignore lobby").
pub fn held_by_lobby(room: &Room, attendee: &Attendee) -> bool {
    room.lobby_state != LobbyState::NoLobby
        && !attendee.participant_type.has_moderator_permissions()
        && effective_permissions(room, attendee) & permissions::LOBBY_IGNORE == 0
}

/// An authenticated account: whoever the credentials of a request (or a job acting for a user)
/// belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub display_name: String,
    /// Member of the `admin` group.
    pub is_admin: bool,
}

impl Caller {
    /// The caller as the actor of what they do (attendee rows, messages).
    pub fn actor(&self) -> Actor {
        Actor::user(self.user_id.as_str(), &self.display_name)
    }
}

/// A caller who is an attendee of a conversation, with the rows as they were read.
#[derive(Debug, Clone)]
pub struct Member {
    caller: Caller,
    room: Room,
    attendee: Attendee,
}

impl Member {
    /// The one place that decides membership: the room behind `token`, then the caller's
    /// attendee row in it. Both failures look alike to the caller (404), as upstream hides
    /// group conversations from non-members. The room is seen as at `now_ms` (a lobby whose
    /// timer passed is open).
    pub fn find(conn: &mut Conn<'_>, caller: Caller, token: &RoomToken, now_ms: i64) -> Result<Member> {
        // One statement: the room and the caller's row in it.
        let (room, attendee) = store::rooms::find_with_attendee(conn, token, actor::USERS, caller.user_id.as_str())?
            .ok_or(Refusal::RoomNotFound)?;
        let room = crate::domain::conversation::as_seen_at(room, now_ms);
        let attendee = attendee.ok_or(Refusal::NotParticipant)?;
        Ok(Member { caller, room, attendee })
    }

    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    pub fn room(&self) -> &Room {
        &self.room
    }

    pub fn attendee(&self) -> &Attendee {
        &self.attendee
    }

    pub fn actor(&self) -> Actor {
        self.caller.actor()
    }

    pub fn user_id(&self) -> &UserId {
        &self.caller.user_id
    }

    /// Upstream's `hasModeratorPermissions()`, guest moderators included.
    pub fn has_moderator_permissions(&self) -> bool {
        self.attendee.participant_type.has_moderator_permissions()
    }

    /// The member's effective permission bits in the room.
    pub fn permissions(&self) -> i32 {
        effective_permissions(&self.room, &self.attendee)
    }

    /// Upstream's lobby check for participants: non-moderators without "ignore lobby" wait
    /// while the lobby is closed (412 on the Talk face).
    pub fn check_lobby(&self) -> Result<()> {
        if held_by_lobby(&self.room, &self.attendee) {
            Err(Refusal::LobbyClosed)
        } else {
            Ok(())
        }
    }

    /// What upstream's middleware checks before a chat write (post, edit, delete), in its order:
    /// the conversation is not read-only (`RequireReadWriteConversation`, 403), the lobby does not
    /// hold the member back (`RequireModeratorOrNoLobby`, 412), the member may chat
    /// (`RequirePermission(CHAT)`, 403).
    pub fn check_may_write_chat(&self) -> Result<()> {
        if self.room.read_only == ReadOnlyState::ReadOnly {
            return Err(Refusal::ReadOnly);
        }
        self.check_lobby()?;
        if self.permissions() & permissions::CHAT == 0 {
            return Err(Refusal::MissingPermission);
        }
        Ok(())
    }

    /// The member as a moderator, if they are one by `#[RequireLoggedInModeratorParticipant]`
    /// (owners and moderators; guest moderators are not logged in).
    pub fn into_moderator(self) -> Result<Moderator> {
        if self
            .attendee
            .participant_type
            .has_moderator_permissions_without_guests()
        {
            Ok(Moderator(self))
        } else {
            Err(Refusal::NotModerator)
        }
    }
}

/// A member with moderator permissions (owner or moderator) in [`Member::room`]. Only
/// [`Member::into_moderator`] builds one.
#[derive(Debug, Clone)]
pub struct Moderator(Member);

impl std::ops::Deref for Moderator {
    type Target = Member;

    fn deref(&self) -> &Member {
        &self.0
    }
}

impl Moderator {
    pub fn member(&self) -> &Member {
        &self.0
    }
}

/// A conversation as the Horn face's caller sees it (horn.md §2): an attendee of it, or an
/// admin, who plays Horn's "API key" role for every channel. Built only by [`Channel::open`]
/// and [`Channel::open_locked`]; anybody else is refused as if the conversation did not exist.
#[derive(Debug, Clone)]
pub struct Channel {
    pub room: Room,
    /// The caller's attendee row; `None` for an admin who is not a participant.
    pub me: Option<Attendee>,
    pub caller: Caller,
}

impl Channel {
    /// Resolves `token` for `caller` to read it. Unknown and not-visible conversations are
    /// indistinguishable.
    pub fn open(conn: &mut Conn<'_>, token: &str, caller: &Caller) -> Result<Channel> {
        let (room, me) = store::rooms::find_with_attendee(conn, token, actor::USERS, caller.user_id.as_str())?
            .ok_or(Refusal::RoomNotFound)?;
        Channel::of_row(room, me, caller)
    }

    /// Resolves `token` for `caller` to change it: takes the conversation's write lock first and
    /// reads it again, so the checks that follow see what concurrent writers left.
    pub fn open_locked(tx: &mut WriteTx<'_, '_>, token: &str, caller: &Caller) -> Result<Channel> {
        let room = store::rooms::find_by_token(tx, token)?.ok_or(Refusal::RoomNotFound)?;
        let room = crate::domain::conversation::lock_and_reload(tx, room.id)?;
        Channel::of(tx, room, caller)
    }

    fn of(conn: &mut Conn<'_>, room: Room, caller: &Caller) -> Result<Channel> {
        let me = store::attendees::find(conn, room.id, actor::USERS, caller.user_id.as_str())?;
        Channel::of_row(room, me, caller)
    }

    /// The channel from its conversation and the caller's attendee row there, read together by
    /// the caller's statement.
    pub fn of_row(room: Room, me: Option<Attendee>, caller: &Caller) -> Result<Channel> {
        if me.is_none() && !caller.is_admin {
            return Err(Refusal::NotParticipant);
        }
        Ok(Channel {
            room,
            me,
            caller: caller.clone(),
        })
    }

    /// Owner or moderator (upstream's check without guest moderators), or an admin.
    pub fn may_manage(&self) -> bool {
        self.caller.is_admin
            || self
                .me
                .as_ref()
                .is_some_and(|a| a.participant_type.has_moderator_permissions_without_guests())
    }

    /// The conversation's owner, or an admin.
    pub fn is_owner(&self) -> bool {
        self.caller.is_admin
            || self
                .me
                .as_ref()
                .is_some_and(|a| a.participant_type == ParticipantType::Owner)
    }

    /// Management (every Horn endpoint but the three reads any participant may make).
    pub fn manager(&self) -> Result<Manager<'_>> {
        if self.may_manage() {
            Ok(Manager(self))
        } else {
            Err(Refusal::NotModerator)
        }
    }

    /// Turning breakout sessions on or off for the conversation.
    pub fn owner(&self) -> Result<Owner<'_>> {
        if self.is_owner() {
            Ok(Owner(self))
        } else {
            Err(Refusal::NotOwner)
        }
    }

    pub fn actor(&self) -> Actor {
        self.caller.actor()
    }
}

/// A [`Channel`] whose caller may manage it: its owner or a moderator (upstream's check without
/// guest moderators), or an admin. Every Horn operation that plans, runs or lists rounds and
/// linked users takes one, so none of them can run for a plain participant. Built only by
/// [`Channel::manager`].
#[derive(Debug, Clone, Copy)]
pub struct Manager<'a>(&'a Channel);

impl std::ops::Deref for Manager<'_> {
    type Target = Channel;
    fn deref(&self) -> &Channel {
        self.0
    }
}

/// A [`Channel`] whose caller is its owner, or an admin: the per-conversation breakout switch.
/// Built only by [`Channel::owner`].
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a>(&'a Channel);

impl std::ops::Deref for Owner<'_> {
    type Target = Channel;
    fn deref(&self) -> &Channel {
        self.0
    }
}
