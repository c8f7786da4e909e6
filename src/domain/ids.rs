//! Upstream constants as types, with upstream's numeric values.

use rand::Rng;

/// Conversation types (`docs/constants.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum RoomType {
    OneToOne = 1,
    Group = 2,
    Public = 3,
    Changelog = 4,
    FormerOneToOne = 5,
    NoteToSelf = 6,
}

impl RoomType {
    pub fn from_i64(v: i64) -> Option<RoomType> {
        Some(match v {
            1 => RoomType::OneToOne,
            2 => RoomType::Group,
            3 => RoomType::Public,
            4 => RoomType::Changelog,
            5 => RoomType::FormerOneToOne,
            6 => RoomType::NoteToSelf,
            _ => return None,
        })
    }
}

/// Attendee participant types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ParticipantType {
    Owner = 1,
    Moderator = 2,
    User = 3,
    Guest = 4,
    UserSelfJoined = 5,
    GuestModerator = 6,
}

impl ParticipantType {
    /// Owners and moderators (and guest moderators) have moderator permissions.
    pub fn is_moderator(value: i32) -> bool {
        value == ParticipantType::Owner as i32
            || value == ParticipantType::Moderator as i32
            || value == ParticipantType::GuestModerator as i32
    }
}

/// Breakout mode of a parent conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum BreakoutRoomMode {
    NotConfigured = 0,
    Automatic = 1,
    Manual = 2,
    Free = 3,
}

/// `breakoutRoomStatus`: on a parent 0 stopped / 1 started; on a breakout room 0 or 2.
pub mod breakout_status {
    pub const STOPPED: i32 = 0;
    pub const STARTED: i32 = 1;
    /// Only on breakout rooms: a participant asked a moderator for help.
    pub const ASSISTANCE_REQUESTED: i32 = 2;
}

/// Lobby states.
pub mod lobby {
    pub const NONE: i32 = 0;
    pub const NON_MODERATORS: i32 = 1;
}

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
}

/// Upstream's token alphabet: lowercase letters and digits without the look-alikes `l`, `0`, `1`.
const TOKEN_ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";
pub const TOKEN_LENGTH: usize = 8;

/// A fresh conversation token from the OS-seeded CSPRNG (`rand::thread_rng` is ChaCha based).
pub fn generate_token() -> String {
    let mut rng = rand::thread_rng();
    (0..TOKEN_LENGTH)
        .map(|_| TOKEN_ALPHABET[rng.gen_range(0..TOKEN_ALPHABET.len())] as char)
        .collect()
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
