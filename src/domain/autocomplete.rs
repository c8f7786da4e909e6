//! Mention suggestions while a participant types `@` (spreed `ChatController::mentions` with
//! `Chat\AutoComplete\SearchPlugin`, `Chat\AutoComplete\Sorter` and
//! `ChatManager::addConversationNotify`, as of the Talk 22 branch point).
//!
//! What upstream does, and so we:
//! - Candidates are the conversation's attendees: users (the caller included, since Talk 22
//!   suggests mentioning yourself), groups, and guests that still have a session. In a
//!   one-to-one conversation they are the two users its name lists, whether they still attend
//!   or not, named by their account.
//! - A candidate matches when the search is empty, or is contained in its id or its name
//!   (guests: name only), ASCII case-insensitively (PHP's `stripos`); equality makes it an
//!   "exact" match, which goes before the other matches of its kind. Groups without a name are
//!   never suggested.
//! - Kinds in upstream's order: users, groups, guests. Users are then sorted by upstream's
//!   sorter: the caller last; when something was searched, names starting with it first; then
//!   those who posted a comment in the conversation, the most recent first; the others after,
//!   in their order before sorting.
//! - `@all` comes last, labelled with the conversation's name: never in one-to-one
//!   conversations, only for members who may mention everybody, and only when the search is
//!   empty, is part of the conversation's name, or starts `all` or `here`.
//! - `limit` is accepted but limits nothing (upstream hands it to its search plugin, which
//!   ignores it), and without a user-status app `includeStatus` adds nothing.

use crate::db::{store, Conn};
use crate::domain::access::Member;
use crate::domain::ids::{actor, RoomType};
use crate::domain::Result;
use std::collections::HashMap;

/// Where a suggestion comes from (upstream's `source`: the search result type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Users,
    Groups,
    Guests,
    /// The `@all` entry.
    Calls,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Users => "users",
            Source::Groups => "groups",
            Source::Guests => "guests",
            Source::Calls => "calls",
        }
    }
}

/// One suggestion, as upstream's `ChatMentionSuggestion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The user id, `group/<id>`, `guest/<id>` or `all`.
    pub id: String,
    pub label: String,
    pub source: Source,
    /// What a client writes after `@` (the same as `id` for every source served here).
    pub mention_id: String,
    /// `@all` only: "All N participants" when more than one user attends.
    pub details: Option<String>,
}

/// The conversation's attendees as mention candidates, in attendee order.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// (user id, display name)
    pub users: Vec<(String, String)>,
    /// (group id, display name)
    pub groups: Vec<(String, String)>,
    /// (guest actor id, display name; empty when the guest set none)
    pub guests: Vec<(String, String)>,
}

/// What decides the order and the `@all` entry besides the candidates.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub room_type: RoomType,
    /// The conversation's name: `@all`'s label.
    pub room_name: &'a str,
    /// The caller's user id: sorted last among users.
    pub me: &'a str,
    /// Whether the caller may mention everybody (mention permissions).
    pub may_mention_all: bool,
    /// When each user last posted a comment here (seconds).
    pub last_comment: &'a HashMap<String, i64>,
    /// Upstream's `getNumberOfUsers` for `@all`'s details.
    pub user_count: i64,
}

/// Upstream's `searchUsers` etc.: `Some(true)` for an exact match, `Some(false)` for a partial
/// one, `None` for none. `id` is `None` where upstream matches the name only (guests); an
/// empty name is then no longer compared.
fn match_of(search: &str, id: Option<&str>, name: &str) -> Option<bool> {
    if search.is_empty() {
        return Some(false);
    }
    if let Some(id) = id {
        if id.eq_ignore_ascii_case(search) {
            return Some(true);
        }
        if contains_ignore_ascii_case(id, search) {
            return Some(false);
        }
        if name.is_empty() {
            return None;
        }
    }
    if name.eq_ignore_ascii_case(search) {
        return Some(true);
    }
    contains_ignore_ascii_case(name, search).then_some(false)
}

/// PHP's `stripos(...) !== false`: byte-wise, ASCII letters folded.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.len() <= h.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// PHP's `stripos(...) === 0`.
fn starts_with_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.len() <= h.len() && h[..n.len()].eq_ignore_ascii_case(n)
}

/// Exact matches first, then the others, each in candidate order.
fn search_kind(
    candidates: &[(String, String)],
    mut make: impl FnMut(&str, &str) -> Option<(Suggestion, Option<bool>)>,
) -> Vec<Suggestion> {
    let (mut exact, mut other) = (Vec::new(), Vec::new());
    for (id, name) in candidates {
        match make(id, name) {
            Some((s, Some(true))) => exact.push(s),
            Some((s, Some(false))) => other.push(s),
            _ => {}
        }
    }
    exact.extend(other);
    exact
}

fn suggestion(id: String, label: &str, source: Source) -> Suggestion {
    Suggestion {
        mention_id: id.clone(),
        id,
        label: label.to_owned(),
        source,
        details: None,
    }
}

/// The suggestions for `search`, in upstream's order.
pub fn suggest(search: &str, candidates: &Candidates, ctx: &Context<'_>) -> Vec<Suggestion> {
    let mut users = search_kind(&candidates.users, |id, name| {
        let m = match_of(search, Some(id), name);
        Some((suggestion(id.to_owned(), name, Source::Users), m))
    });
    sort_users(&mut users, search, ctx);
    let groups = search_kind(&candidates.groups, |id, name| {
        // Upstream skips groups without a name before anything else.
        if name.is_empty() {
            return None;
        }
        let m = match_of(search, Some(id), name);
        Some((suggestion(format!("group/{id}"), name, Source::Groups), m))
    });
    let guests = search_kind(&candidates.guests, |id, name| {
        let name = if name.is_empty() { "Guest" } else { name };
        let m = match_of(search, None, name);
        Some((suggestion(format!("guest/{id}"), name, Source::Guests), m))
    });
    let mut all = users;
    all.extend(groups);
    all.extend(guests);
    if let Some(entry) = mention_all(search, ctx) {
        all.push(entry);
    }
    all
}

/// Upstream's `Sorter` (`talk_chat_participants`) on the users, as a stable sort: the caller
/// last; with a search (PHP truthiness: not `""`, not `"0"`), labels starting with it first;
/// then authors of comments here, the most recent first; the rest keep their order.
fn sort_users(users: &mut [Suggestion], search: &str, ctx: &Context<'_>) {
    let searched = !search.is_empty() && search != "0";
    users.sort_by_key(|s| {
        let last = ctx.last_comment.get(&s.id).copied();
        (
            s.id == ctx.me,
            searched && !starts_with_ignore_ascii_case(&s.label, search),
            last.is_none(),
            std::cmp::Reverse(last.unwrap_or(0)),
        )
    });
}

/// Upstream's `addConversationNotify`.
fn mention_all(search: &str, ctx: &Context<'_>) -> Option<Suggestion> {
    if ctx.room_type == RoomType::OneToOne || !ctx.may_mention_all {
        return None;
    }
    let name = ctx.room_name;
    // `str_starts_with('all', $search)`: case-sensitive, unlike the name's check.
    let offered = search.is_empty()
        || contains_ignore_ascii_case(name, search)
        || "all".starts_with(search)
        || "here".starts_with(search);
    offered.then(|| Suggestion {
        details: (ctx.user_count > 1).then(|| format!("All {} participants", ctx.user_count)),
        ..suggestion("all".to_owned(), name, Source::Calls)
    })
}

/// Reads the candidates and the sorter's facts for `me`'s conversation and suggests.
pub fn for_member(conn: &mut Conn<'_>, me: &Member, search: &str) -> Result<Vec<Suggestion>> {
    let room = me.room();
    let mut candidates = Candidates::default();
    if room.room_type == RoomType::OneToOne {
        // Upstream adds both users of the name again, in case one of them left.
        let ids: Vec<String> = serde_json::from_str(&room.name).unwrap_or_default();
        let names: HashMap<String, String> = store::users::display_names(conn, &ids)?.into_iter().collect();
        candidates.users = ids
            .into_iter()
            .map(|id| {
                let name = names.get(&id).cloned().unwrap_or_else(|| id.clone());
                (id, name)
            })
            .collect();
    } else {
        let attendees = store::attendees::list(conn, room.id)?;
        let with_session = store::attendees::with_session(conn, room.id)?;
        let mut nameless = Vec::new();
        for a in attendees {
            match a.actor_type.as_str() {
                actor::USERS => {
                    if a.display_name.is_empty() {
                        nameless.push(a.actor_id.clone());
                    }
                    candidates.users.push((a.actor_id, a.display_name));
                }
                actor::GROUPS => candidates.groups.push((a.actor_id, a.display_name)),
                // A guest without a session comes back with a new id, so is not suggested.
                actor::GUESTS if with_session.contains(&a.id) => candidates.guests.push((a.actor_id, a.display_name)),
                _ => {}
            }
        }
        if !nameless.is_empty() {
            // Upstream's `createResult` names a user without an attendee name by the account.
            let names: HashMap<String, String> = store::users::display_names(conn, &nameless)?.into_iter().collect();
            for (id, name) in candidates.users.iter_mut().filter(|(_, n)| n.is_empty()) {
                *name = names.get(id).cloned().unwrap_or_else(|| id.clone());
            }
        }
    }
    let last_comment: HashMap<String, i64> = store::messages::last_comment_by_actor(conn, room.id, actor::USERS)?
        .into_iter()
        .collect();
    let may_mention_all = crate::domain::chat::may_mention_all(room, me.attendee());
    let user_count = if room.room_type != RoomType::OneToOne && may_mention_all {
        store::attendees::count_users(conn, room.id)?
    } else {
        0
    };
    let ctx = Context {
        room_type: room.room_type,
        room_name: &room.name,
        me: me.user_id().as_str(),
        may_mention_all,
        last_comment: &last_comment,
        user_count,
    };
    Ok(suggest(search, &candidates, &ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Candidates {
        Candidates {
            users: vec![
                ("alice".into(), "Alice Madani".into()),
                ("me".into(), "Myself".into()),
                ("dani".into(), "Daniel".into()),
                ("bob".into(), "Bob".into()),
            ],
            groups: vec![("staff".into(), "Staff".into()), ("nameless".into(), String::new())],
            guests: vec![("abc".into(), String::new()), ("def".into(), "Dana".into())],
        }
    }

    fn ids(found: &[Suggestion]) -> Vec<&str> {
        found.iter().map(|s| s.id.as_str()).collect()
    }

    fn suggest_in(search: &str, spoke: &[(&str, i64)], may_mention_all: bool) -> Vec<Suggestion> {
        let last_comment = spoke.iter().map(|(id, at)| ((*id).to_owned(), *at)).collect();
        let ctx = Context {
            room_type: RoomType::Group,
            room_name: "Room",
            me: "me",
            may_mention_all,
            last_comment: &last_comment,
            user_count: 4,
        };
        suggest(search, &people(), &ctx)
    }

    #[test]
    fn everybody_for_an_empty_search_caller_last_all_at_the_end() {
        let found = suggest_in("", &[], true);
        assert_eq!(
            ids(&found),
            [
                "alice",
                "dani",
                "bob",
                "me",
                "group/staff",
                "guest/abc",
                "guest/def",
                "all"
            ]
        );
        assert_eq!(found[5].label, "Guest");
        assert_eq!(found[7].details.as_deref(), Some("All 4 participants"));
        assert_eq!(found[7].label, "Room");
        assert_eq!(found[7].source, Source::Calls);
    }

    #[test]
    fn names_starting_with_the_search_first_then_recent_speakers() {
        // "dan" is inside Alice's name and starts Daniel's (upstream's own example); the
        // sorter orders users only, so the guest Dana stays after them.
        assert_eq!(
            ids(&suggest_in("DAN", &[("alice", 50)], false)),
            ["dani", "alice", "guest/def"]
        );
        // Without a search: the most recent speaker first, the silent keep their order.
        let found = suggest_in("", &[("bob", 10), ("dani", 20), ("me", 30)], false);
        assert_eq!(ids(&found)[..4], ["dani", "bob", "alice", "me"]);
    }

    #[test]
    fn matching_is_ascii_case_insensitive_on_id_and_name() {
        assert_eq!(ids(&suggest_in("BO", &[], false)), ["bob"]);
        assert_eq!(ids(&suggest_in("madani", &[], false)), ["alice"]);
        assert_eq!(ids(&suggest_in("sta", &[], false)), ["group/staff"]);
        // Guests by name only; the default name counts.
        assert_eq!(ids(&suggest_in("uest", &[], false)), ["guest/abc"]);
        assert_eq!(ids(&suggest_in("def", &[], false)), Vec::<&str>::new());
    }

    #[test]
    fn mention_all_offered_by_name_or_prefix_of_all_or_here() {
        for search in ["", "a", "al", "all", "he", "here", "oo", "ROOM"] {
            assert_eq!(
                suggest_in(search, &[], true).last().map(|s| s.id.as_str()),
                Some("all"),
                "{search}"
            );
        }
        for search in ["All", "alle", "x"] {
            assert!(suggest_in(search, &[], true).iter().all(|s| s.id != "all"), "{search}");
        }
        assert!(suggest_in("", &[], false).iter().all(|s| s.id != "all"));
    }
}
