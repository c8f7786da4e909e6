//! Upstream constants as types, with upstream's numeric values.

use rand::Rng;

/// Declares an upstream integer constant set as an enum with explicit discriminants, stored as
/// an `INTEGER` column (the diesel mapping is in `db::types`) and written as a number on the wire.
macro_rules! upstream_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Integer)]
        #[repr(i32)]
        pub enum $name {
            $($(#[$vmeta])* $variant = $value,)+
        }

        impl $name {
            /// Every value, in upstream's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Upstream's number for this value.
            pub const fn value(self) -> i32 {
                self as i32
            }

            /// The value behind upstream's number, if there is one.
            pub fn from_value(value: i64) -> Option<$name> {
                match value {
                    $($value => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        /// Upstream's number.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.value().fmt(f)
            }
        }

        /// Compares with upstream's number, as clients and tests know the values.
        impl PartialEq<i32> for $name {
            fn eq(&self, other: &i32) -> bool {
                self.value() == *other
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i32(self.value())
            }
        }
    };
}

upstream_enum! {
    /// Conversation types (`docs/constants.md`).
    pub enum RoomType {
        OneToOne = 1,
        /// Members only.
        Group = 2,
        /// Reachable by link, also for guests.
        Public = 3,
        /// Upstream's own update notes, one per user.
        Changelog = 4,
        /// A one-to-one conversation after one of the two accounts was deleted.
        FormerOneToOne = 5,
        NoteToSelf = 6,
    }
}

impl RoomType {
    /// One-to-one conversations, current or former: they keep their name and members.
    pub fn is_one_to_one(self) -> bool {
        matches!(self, RoomType::OneToOne | RoomType::FormerOneToOne)
    }
}

upstream_enum! {
    /// Attendee participant types. Who counts as a moderator is decided in `domain::access`.
    pub enum ParticipantType {
        Owner = 1,          // created the conversation; moderators cannot remove them
        Moderator = 2,      // promoted by a moderator
        User = 3,           // added by a moderator or through a group
        Guest = 4,          // not logged in, joined a public conversation by link
        UserSelfJoined = 5, // a user who joined a public conversation by themself
        GuestModerator = 6, // a guest promoted to moderator
    }
}

upstream_enum! {
    /// Breakout mode of a parent conversation.
    pub enum BreakoutRoomMode {
        NotConfigured = 0,
        Automatic = 1,
        Manual = 2,
        Free = 3,
    }
}

upstream_enum! {
    /// `breakoutRoomStatus`: on a parent 0 stopped / 1 started; on a breakout room 0 or 2.
    pub enum BreakoutStatus {
        Stopped = 0,
        Started = 1,
        /// Only on breakout rooms: a participant asked a moderator for help.
        AssistanceRequested = 2,
    }
}

upstream_enum! {
    /// Lobby states (upstream's `Webinary::LOBBY_*`).
    pub enum LobbyState {
        NoLobby = 0,
        NonModerators = 1,
    }
}

upstream_enum! {
    /// Upstream's `Participant::NOTIFY_*`: when a participant is notified of messages.
    pub enum NotificationLevel {
        /// Resolved per conversation type: always in one-to-one conversations, else on mention.
        Default = 0,
        Always = 1,
        Mention = 2,
        Never = 3,
    }
}

upstream_enum! {
    /// Upstream's `Participant::NOTIFY_CALLS_*`.
    pub enum NotificationCalls {
        Off = 0,
        On = 1,
    }
}

upstream_enum! {
    /// A conversation's `readOnly` (upstream's `Room::READ_WRITE` / `READ_ONLY`).
    pub enum ReadOnlyState {
        ReadWrite = 0,
        ReadOnly = 1,
    }
}

// Our own stored states, declared like upstream's constants so they are stored and compared as
// types (they never reach a Talk client).

upstream_enum! {
    /// A breakout session's life cycle (`domain::rounds`).
    pub enum SessionState {
        Pending = 0,
        Active = 1,
        Completed = 2,
    }
}

upstream_enum! {
    /// Which face made a breakout session. Talk-made rounds belong to the Talk face: their plan
    /// (names, rooms, assignment) is edited there.
    pub enum Origin {
        Horn = 0,
        Talk = 1,
    }
}

/// Declares an integer id as its own type, stored as `BIGINT` and written as a number.
macro_rules! int_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow, serde::Serialize,
        )]
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

/// Declares a string id as its own type, stored as `TEXT` and written as a string.
macro_rules! text_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow, serde::Serialize,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> $name {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name(s.to_owned())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

int_id!(
    /// A conversation's numeric id (`rooms.id`).
    RoomId
);
int_id!(
    /// An attendee's id (`attendees.id`), unique across all conversations.
    AttendeeId
);
text_id!(
    /// A conversation's token, the id clients use in paths.
    RoomToken
);
text_id!(
    /// An account's user id (login name).
    UserId
);

/// Attendee permission bits.
pub mod permissions {
    pub const DEFAULT: i32 = 0;
    pub const CUSTOM: i32 = 1;
    pub const START_CALL: i32 = 2;
    pub const JOIN_CALL: i32 = 4;
    pub const LOBBY_IGNORE: i32 = 8;
    pub const PUBLISH_AUDIO: i32 = 16;
    pub const PUBLISH_VIDEO: i32 = 32;
    pub const PUBLISH_SCREEN: i32 = 64;
    pub const CHAT: i32 = 128;
    /// Everything a moderator may do (all bits but CUSTOM).
    pub const MAX_DEFAULT: i32 =
        START_CALL | JOIN_CALL | LOBBY_IGNORE | PUBLISH_AUDIO | PUBLISH_VIDEO | PUBLISH_SCREEN | CHAT;
    /// The server default for users: everything except ignoring the lobby.
    pub const SERVER_DEFAULT: i32 = MAX_DEFAULT & !LOBBY_IGNORE;
}

/// Actor types of attendees and messages.
pub mod actor {
    pub const USERS: &str = "users";
    pub const GROUPS: &str = "groups";
    pub const GUESTS: &str = "guests";
    /// Type and id that replace a deleted account on its messages (upstream's
    /// `ICommentsManager::DELETED_USER`).
    pub const DELETED_USERS: &str = "deleted_users";
}

/// Upstream's token alphabet: lowercase letters and digits without the look-alikes `l`, `0`, `1`.
const TOKEN_ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";
pub const TOKEN_LENGTH: usize = 8;

/// A fresh conversation token from the OS-seeded CSPRNG (`rand::thread_rng` is ChaCha based).
pub fn generate_token() -> RoomToken {
    let mut rng = rand::thread_rng();
    RoomToken(
        (0..TOKEN_LENGTH)
            .map(|_| TOKEN_ALPHABET[rng.gen_range(0..TOKEN_ALPHABET.len())] as char)
            .collect(),
    )
}

/// Longest chat message, in characters (`config.chat.max-length`).
pub const CHAT_MAX_LENGTH: usize = 32_000;

/// The route requirement upstream puts on `{token}`.
pub fn is_valid_token_syntax(token: &str) -> bool {
    (4..=30).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_upstream_shape() {
        for _ in 0..100 {
            let t = generate_token();
            assert_eq!(t.len(), 8);
            assert!(t.bytes().all(|b| TOKEN_ALPHABET.contains(&b)));
            assert!(is_valid_token_syntax(&t));
        }
        assert!(!is_valid_token_syntax("ABCDEFGH"));
        assert!(!is_valid_token_syntax("abc"));
        assert!(!is_valid_token_syntax(&"a".repeat(31)));
        assert_eq!(permissions::MAX_DEFAULT, 254);
        assert_eq!(permissions::SERVER_DEFAULT, 246);
    }
}
