//! Channel-linked accounts (accounts.md §3, horn.md §3 #16 and the invitation rows): an account
//! the Horn face makes for one conversation's guest. It has a generated login name, the handle
//! as display name, no password that can log in, and is an ordinary user attendee (type 3) of
//! exactly its conversation and, when placed, of that conversation's breakout rooms. Its
//! invitation code is redeemed for app passwords; the code is kept as it is so the organiser
//! can read it again until it expires or is replaced. Nothing here knows HTTP.

use crate::db::models::{Attendee, LinkedUser, NewAppPassword, Room, User};
use crate::db::{store, Conn, WriteTx};
use crate::domain::access::{Channel, Manager};
use crate::domain::ids::{actor, AttendeeId, ParticipantType, RoomType};
use crate::domain::participant::{self, NewMember};
use crate::domain::rounds::find_user;
use crate::domain::{Refusal, Result};

/// Longest handle, in characters.
pub const MAX_HANDLE_CHARS: usize = 64;
/// Lifetime of an invitation when `ttl` is not given: seven days.
pub const DEFAULT_TTL_MS: i64 = 7 * DAY_MS;
/// Longest lifetime of an invitation: 365 days.
pub const MAX_TTL_MS: i64 = 365 * DAY_MS;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// Random characters of an invitation code (`[A-Za-z0-9]`, 5.95 bits each: 190 bits).
pub const CODE_LEN: usize = 32;
/// Random characters after the login-name prefix (`[a-z0-9]`: 82 bits, unique in practice;
/// a collision is refused by the primary key and the request fails instead of merging).
const LOGIN_SUFFIX_LEN: usize = 16;
/// What every generated login name starts with, so an admin tells linked accounts apart.
pub const LOGIN_PREFIX: &str = "linked-";

/// Trims and checks a handle: 1–64 characters, no control characters; not unique.
pub fn validate_handle(raw: &str) -> Result<String> {
    let handle = raw.trim();
    let chars = handle.chars().count();
    if chars == 0 || chars > MAX_HANDLE_CHARS {
        return Err(Refusal::invalid_input(format!(
            "handle must be 1 to {MAX_HANDLE_CHARS} characters"
        )));
    }
    if handle.chars().any(char::is_control) {
        return Err(Refusal::invalid_input("handle must not contain control characters"));
    }
    Ok(handle.to_owned())
}

/// Horn's `ttl`: a positive whole number and one unit (`s`, `m`, `h`, `d`, `w`), at most 365
/// days; absent means seven days. Returns milliseconds.
pub fn parse_ttl(raw: Option<&str>) -> Result<i64> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_TTL_MS);
    };
    let bad = || Refusal::invalid_input("ttl must be a whole number followed by s, m, h, d or w, at most 365 days");
    let unit_ms: i64 = match raw.chars().last() {
        Some('s') => 1000,
        Some('m') => 60 * 1000,
        Some('h') => 3600 * 1000,
        Some('d') => DAY_MS,
        Some('w') => 7 * DAY_MS,
        _ => return Err(bad()),
    };
    let digits = &raw[..raw.len() - 1];
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = digits.parse().map_err(|_| bad())?;
    let ttl = n.checked_mul(unit_ms).ok_or_else(bad)?;
    if !(1..=MAX_TTL_MS).contains(&ttl) {
        return Err(bad());
    }
    Ok(ttl)
}

/// A fresh invitation code from the OS's randomness.
pub fn new_code() -> String {
    crate::auth::token::random_token(CODE_LEN)
}

/// True if `code` has the shape of an invitation code (only those are looked up).
pub fn looks_like_code(code: &str) -> bool {
    code.len() == CODE_LEN && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn new_login_name() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rngs::OsRng;
    let suffix: String = (0..LOGIN_SUFFIX_LEN)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{LOGIN_PREFIX}{suffix}")
}

/// A channel-linked user's current invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub code: String,
    /// Epoch milliseconds; in the past once it expired.
    pub expires: i64,
}

impl From<&LinkedUser> for Invitation {
    fn from(row: &LinkedUser) -> Self {
        Invitation {
            code: row.invitation_code.clone(),
            expires: row.invitation_expires,
        }
    }
}

/// Only group and public conversations that are not breakout rooms take channel-linked users
/// (a one-to-one conversation has exactly its two users; a breakout room's users come from its
/// parent).
fn check_channel_kind(room: &Room) -> Result<()> {
    let kind_ok = matches!(room.room_type, RoomType::Group | RoomType::Public)
        && !crate::domain::conversation::is_breakout_room(room);
    if kind_ok {
        Ok(())
    } else {
        Err(Refusal::CannotHaveLinkedUsers)
    }
}

/// #16 `POST /linked/users/new`: a new channel-linked account joins the conversation as a user
/// participant (with Talk's `user_added` message); returns its attendee id.
pub fn create(
    tx: &mut WriteTx<'_, '_>,
    ch: &Manager<'_>,
    handle: Result<String>,
    ttl_ms: Result<i64>,
    now_ms: i64,
) -> Result<AttendeeId> {
    let handle = handle?;
    let ttl_ms = ttl_ms?;
    check_channel_kind(&ch.room)?;
    let login = new_login_name();
    let now = now_ms / 1000;
    store::users::insert(
        tx,
        &User {
            user_id: login.as_str().into(),
            display_name: handle.clone(),
            // Not a hash of anything: no password verifies against it.
            password_hash: "!".to_owned(),
            email: None,
            enabled: true,
            created_at: now,
            last_login: 0,
        },
    )?;
    store::linked_users::insert(
        tx,
        &LinkedUser {
            user_id: login.clone(),
            room_id: ch.room.id,
            handle: handle.clone(),
            invitation_code: new_code(),
            invitation_expires: now_ms.saturating_add(ttl_ms),
            created_at: now_ms,
        },
    )?;
    let member = NewMember {
        user_id: login.clone(),
        display_name: handle,
        participant_type: ParticipantType::User,
    };
    let added = participant::add_users(tx, &ch.room, &[member], Some(&ch.actor()), now)?;
    added.first().map(|a| a.id).ok_or_else(|| {
        Refusal::Storage(crate::db::DbError::Internal(
            "the new attendee was not found".to_owned(),
        ))
    })
}

/// The channel-linked account behind attendee `user` of this channel; ordinary users have no
/// invitation.
fn linked_member(conn: &mut Conn<'_>, ch: &Channel, user: &str) -> Result<(Attendee, LinkedUser)> {
    let attendee = find_user(conn, ch, user)?;
    let link = store::linked_users::find(conn, &attendee.actor_id)?
        .filter(|l| l.room_id == ch.room.id)
        .ok_or(Refusal::InvitationNotFound)?;
    Ok((attendee, link))
}

/// `GET /linked/users/{userId}/invitation`: the current code, also after it expired.
pub fn invitation(conn: &mut Conn<'_>, ch: &Manager<'_>, user: &str) -> Result<Invitation> {
    let (_, link) = linked_member(conn, ch, user)?;
    Ok(Invitation::from(&link))
}

/// `POST /linked/users/{userId}/invitation`: a new code replaces the old one. App passwords
/// already redeemed stay valid.
pub fn renew_invitation(
    tx: &mut WriteTx<'_, '_>,
    ch: &Manager<'_>,
    user: &str,
    ttl_ms: Result<i64>,
    now_ms: i64,
) -> Result<Invitation> {
    let (_, link) = linked_member(tx, ch, user)?;
    let ttl_ms = ttl_ms?;
    let fresh = Invitation {
        code: new_code(),
        expires: now_ms.saturating_add(ttl_ms),
    };
    store::linked_users::set_invitation(tx, &link.user_id, &fresh.code, fresh.expires)?;
    Ok(fresh)
}

/// What the invitation page shows before the code is redeemed.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub handle: String,
    /// The conversation's name.
    pub conversation: String,
    pub expires: i64,
}

/// The invitation holding `code`, if any (expired ones included).
pub fn find_invitation(conn: &mut Conn<'_>, code: &str) -> Result<Option<InvitationView>> {
    if !looks_like_code(code) {
        return Ok(None);
    }
    let Some(link) = store::linked_users::find_by_code(conn, code)? else {
        return Ok(None);
    };
    let Some(room) = store::rooms::find_by_id(conn, link.room_id)? else {
        return Ok(None);
    };
    Ok(Some(InvitationView {
        handle: link.handle,
        conversation: room.name,
        expires: link.invitation_expires,
    }))
}

/// What redeeming an invitation gives the guest.
#[derive(Debug, Clone)]
pub struct Redeemed {
    pub attendee_id: AttendeeId,
    pub handle: String,
    pub login_name: String,
}

/// `POST /api/v1_0/auth/invitation`: a valid code becomes a new app password (of which only
/// `token_hash` is stored) for its account. Unknown codes are `InvitationNotFound`, expired
/// ones `InvitationExpired`.
pub fn redeem(tx: &mut WriteTx<'_, '_>, code: &str, token_hash: &str, device: &str, now_ms: i64) -> Result<Redeemed> {
    if !looks_like_code(code) {
        return Err(Refusal::InvitationNotFound);
    }
    let found = store::linked_users::find_by_code(tx, code)?.ok_or(Refusal::InvitationNotFound)?;
    // Under the conversation's lock, like unlinking and renewing: read again, so a code replaced
    // or an account unlinked meanwhile gives nothing.
    tx.lock_room(found.room_id)?;
    let link = store::linked_users::find_by_code(tx, code)?.ok_or(Refusal::InvitationNotFound)?;
    if link.invitation_expires <= now_ms {
        return Err(Refusal::InvitationExpired);
    }
    let attendee =
        store::attendees::find(tx, link.room_id, actor::USERS, &link.user_id)?.ok_or(Refusal::InvitationNotFound)?;
    store::app_passwords::insert(
        tx,
        &NewAppPassword {
            user_id: &link.user_id,
            login_name: &link.user_id,
            token_hash,
            name: device,
            created_at: now_ms / 1000,
        },
    )?;
    Ok(Redeemed {
        attendee_id: attendee.id,
        handle: link.handle,
        login_name: link.user_id,
    })
}

/// `DELETE /linked/users/{userId}`: the user leaves the conversation with Talk's cascade to its
/// breakout rooms and Talk's `user_removed` messages; a channel-linked account is then deleted
/// with its app passwords (its chat messages stay, by `deleted_users`, as upstream shows a
/// deleted user's). The owner cannot be removed. Returns whether an account was deleted.
pub fn unlink(tx: &mut WriteTx<'_, '_>, ch: &Manager<'_>, user: &str, now_ms: i64) -> Result<bool> {
    let target = find_user(tx, ch, user)?;
    if target.participant_type == ParticipantType::Owner {
        return Err(Refusal::FieldTargetNotAllowed("owner"));
    }
    let by = ch.actor();
    let now = now_ms / 1000;
    participant::remove_from_breakout_rooms(tx, &ch.room, actor::USERS, &target.actor_id, &by, now)?;
    let link = store::linked_users::find(tx, &target.actor_id)?.filter(|l| l.room_id == ch.room.id);
    participant::remove_attendees(tx, &ch.room, &[target], &by, now)?;
    let Some(link) = link else {
        return Ok(false);
    };
    // Whatever attendee rows are left (it joins only this conversation and its breakout rooms,
    // so none are expected) go too: no conversation keeps an attendee without an account.
    store::attendees::delete_for_actor(tx, actor::USERS, &link.user_id)?;
    // Its messages stay, shown as a deleted user's (it wrote only here and in the breakout
    // rooms, which are all of this conversation's).
    let mut rooms = vec![ch.room.id];
    rooms.extend(
        store::rooms::breakout_rooms_of(tx, &ch.room.token)?
            .into_iter()
            .map(|r| r.id),
    );
    store::linked_users::forget_author(tx, &rooms, &link.user_id)?;
    // Deleting the link deletes the account, and with it its app passwords (migration 000060).
    store::linked_users::delete(tx, &link.user_id)?;
    Ok(true)
}

/// Whether the account `user_id` may be added to `room`: a channel-linked account belongs to
/// its conversation and that conversation's breakout rooms only.
pub fn may_join(conn: &mut Conn<'_>, user_id: &str, room: &Room) -> crate::db::DbResult<bool> {
    let Some(link) = store::linked_users::find(conn, user_id)? else {
        return Ok(true);
    };
    if link.room_id == room.id {
        return Ok(true);
    }
    if !crate::domain::conversation::is_breakout_room(room) {
        return Ok(false);
    }
    let parent = store::rooms::find_by_token(conn, &crate::domain::conversation::parent_token(room))?;
    Ok(parent.is_some_and(|p| p.id == link.room_id))
}

/// Whether `user_id` is a channel-linked account.
pub fn is_linked(conn: &mut Conn<'_>, user_id: &str) -> crate::db::DbResult<bool> {
    Ok(store::linked_users::find(conn, user_id)?.is_some())
}

/// What Horn's User objects need besides the attendee: the deployment's client id and the
/// handles of the channel's linked accounts, by login name.
#[derive(Debug, Clone, Default)]
pub struct UserContext {
    pub client_id: String,
    pub handles: std::collections::HashMap<String, String>,
}

/// The handles of the conversation's channel-linked accounts, by login name.
pub fn handles(conn: &mut Conn<'_>, room: &Room) -> Result<std::collections::HashMap<String, String>> {
    Ok(store::linked_users::handles_of_room(conn, room.id)?
        .into_iter()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_has_one_unit_and_bounds() {
        assert_eq!(parse_ttl(None).unwrap(), 7 * DAY_MS);
        assert_eq!(parse_ttl(Some("30s")).unwrap(), 30_000);
        assert_eq!(parse_ttl(Some("2m")).unwrap(), 120_000);
        assert_eq!(parse_ttl(Some("1h")).unwrap(), 3_600_000);
        assert_eq!(parse_ttl(Some("365d")).unwrap(), MAX_TTL_MS);
        assert_eq!(parse_ttl(Some("52w")).unwrap(), 364 * DAY_MS);
        for bad in [
            "",
            "d",
            "0s",
            "366d",
            "53w",
            "60",
            "1.5h",
            "-1d",
            "1 d",
            "1D",
            "1y",
            "x",
            "99999999999999d",
            "1dd",
        ] {
            assert!(parse_ttl(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn handles_are_trimmed_and_bounded() {
        assert_eq!(validate_handle("  Ada L. ").unwrap(), "Ada L.");
        assert_eq!(validate_handle(&"é".repeat(64)).unwrap().chars().count(), 64);
        for bad in ["", "   ", "a\u{0}b", "tab\there", &"x".repeat(65)] {
            assert!(validate_handle(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn codes_and_logins_are_random_and_shaped() {
        let (a, b) = (new_code(), new_code());
        assert!(looks_like_code(&a) && looks_like_code(&b));
        assert_ne!(a, b);
        assert!(!looks_like_code(&a[1..]));
        let login = new_login_name();
        assert!(login.starts_with(LOGIN_PREFIX));
        assert_eq!(login.len(), LOGIN_PREFIX.len() + LOGIN_SUFFIX_LEN);
        assert_ne!(login, new_login_name());
    }
}
