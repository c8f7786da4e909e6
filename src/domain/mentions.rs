//! Mentions in chat comments, as upstream finds, shows and counts them.
//!
//! - **Finding** follows nextcloud/server's `Comment::getMentions`: an `@` that does not follow a
//!   letter, digit or `_` (so `alice@example.com` is no mention), and whose previous character,
//!   if any, is `-`, `@`, `.`, `'` or white space; then, tried in this order, `"guest/<hex>"`,
//!   `"group/…"` (also `team/`, `user/` and their `federated_` forms, where spaces, `/` and `:` are
//!   allowed), any other quoted id of `[a-z0-9_-@.' ]`, or a bare id of `[a-z0-9_-@.']`; case
//!   does not matter. PHP matches bytes there, so any non-ASCII character ends a bare id. Each
//!   distinct match counts once, longest first.
//! - **Showing** follows spreed's `Chat\Parser\UserMention`: each mention that resolves becomes
//!   `{mention-<type><n>}` in the text and a rich object parameter; a user who does not exist, and
//!   `@all` in a message whose author could not mention everybody, stay plain text.
//! - **Counting** follows spreed's `Chat\Notifier` and `ParticipantService::markUsersAsMentioned`:
//!   who a message mentions (directly, through a group or `@all`, or as the author of the message
//!   replied to) gets the attendee's `last_mention_message`, and `last_mention_direct` for
//!   direct mentions and replies; the room views compare them with the read marker.

use crate::db::models::{Attendee, Message, Room};
use crate::db::{store, Conn, DbResult};
use crate::domain::access::held_by_lobby;
use crate::domain::ids::{actor, NotificationLevel, RoomId, RoomType};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// What a mention names, after the prefix of its id (`Comment::getMentions`' types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A user id, including `all`.
    User,
    /// `guest/<actor id>`: the id keeps its prefix, as upstream's.
    Guest,
    Group,
    Team,
    FederatedUser,
    FederatedGroup,
    FederatedTeam,
}

impl Kind {
    /// Upstream's type name, which also names the message parameter (`_` becomes `-`).
    fn name(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Guest => "guest",
            Kind::Group => "group",
            Kind::Team => "team",
            Kind::FederatedUser => "federated_user",
            Kind::FederatedGroup => "federated_group",
            Kind::FederatedTeam => "federated_team",
        }
    }
}

/// One mention: its kind and the id after the kind's prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub kind: Kind,
    pub id: String,
}

/// The user id that stands for everybody in the conversation.
pub const ALL: &str = "all";

/// A byte allowed in a bare mention id (and, with space, in a quoted one), case-insensitive.
fn id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'@' | b'.' | b'\'')
}

/// PCRE's `\s` on bytes.
fn space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Whether an `@` at `at` may start a mention, judged by the byte before it.
fn may_start(text: &[u8], at: usize) -> bool {
    let Some(&before) = at.checked_sub(1).and_then(|i| text.get(i)) else {
        return true;
    };
    // `\B` before the `@` (no letter, digit or `_` before it), then the look-behind's list.
    !(before.is_ascii_alphanumeric() || before == b'_') && (id_byte(before) || space_byte(before))
}

/// The length of a run of bytes from `from` satisfying `ok`.
fn run(text: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    text[from.min(text.len())..].iter().take_while(|&&b| ok(b)).count()
}

/// A quoted id at `from` (just after the `@`): `"`, at least one byte of `ok`, `"`. Returns the
/// length including both quotes.
fn quoted(text: &[u8], from: usize, prefix_len: usize, ok: impl Fn(u8) -> bool) -> Option<usize> {
    let body = from + 1 + prefix_len;
    let n = run(text, body, ok);
    (n > 0 && text.get(body + n) == Some(&b'"')).then_some(1 + prefix_len + n + 1)
}

/// Whether `text[from..]` starts with `prefix`, ignoring ASCII case.
fn starts_with_ignore_case(text: &[u8], from: usize, prefix: &str) -> bool {
    text.get(from..from + prefix.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// The length of the mention body at `from` (just after the `@`), trying upstream's
/// alternatives in order.
fn body_at(text: &[u8], from: usize) -> Option<usize> {
    if text.get(from) == Some(&b'"') {
        if starts_with_ignore_case(text, from + 1, "guest/") {
            if let Some(n) = quoted(text, from, 6, |b| b.is_ascii_hexdigit()) {
                return Some(n);
            }
        }
        let after_federated = if starts_with_ignore_case(text, from + 1, "federated_") {
            10
        } else {
            0
        };
        for kind in ["group/", "team/", "user/"] {
            let prefix = after_federated + kind.len();
            if starts_with_ignore_case(text, from + 1 + after_federated, kind) {
                let ok = |b: u8| id_byte(b) || matches!(b, b' ' | b'/' | b':');
                if let Some(n) = quoted(text, from, prefix, ok) {
                    return Some(n);
                }
            }
        }
        if let Some(n) = quoted(text, from, 0, |b| id_byte(b) || b == b' ') {
            return Some(n);
        }
    }
    let n = run(text, from, id_byte);
    (n > 0).then_some(n)
}

/// Every mention in `text`, each distinct one once, longest (as written) first.
pub fn extract(text: &str) -> Vec<Mention> {
    let bytes = text.as_bytes();
    let mut found: Vec<&str> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'@' && may_start(bytes, at) {
            if let Some(n) = body_at(bytes, at + 1) {
                // The match is ASCII only, so these are character boundaries.
                let whole = &text[at..at + 1 + n];
                if !found.contains(&whole) {
                    found.push(whole);
                }
                at += 1 + n;
                continue;
            }
        }
        at += 1;
    }
    // Stable, as PHP's sort: equally long matches keep their order.
    found.sort_by_key(|m| std::cmp::Reverse(m.len()));
    found
        .into_iter()
        .map(|whole| {
            let id = whole[1..].trim_matches('"');
            classify(id)
        })
        .collect()
}

fn classify(id: &str) -> Mention {
    let prefixed = [
        ("federated_group/", Kind::FederatedGroup),
        ("group/", Kind::Group),
        ("federated_team/", Kind::FederatedTeam),
        ("team/", Kind::Team),
        ("federated_user/", Kind::FederatedUser),
    ];
    if id.starts_with("guest/") {
        return Mention {
            kind: Kind::Guest,
            id: id.to_owned(),
        };
    }
    for (prefix, kind) in prefixed {
        if let Some(rest) = id.strip_prefix(prefix) {
            return Mention {
                kind,
                id: rest.to_owned(),
            };
        }
    }
    Mention {
        kind: Kind::User,
        id: id.to_owned(),
    }
}

/// The names a page of messages needs to show its mentions, read once for the page.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Display names of the mentioned users that exist.
    pub users: HashMap<String, String>,
    /// Display names of the mentioned groups that exist.
    pub groups: HashMap<String, String>,
    /// Display names of the mentioned guests of the conversation, by `guest/<actor id>`.
    pub guests: HashMap<String, String>,
}

/// The ids a set of comments mentions, to read their names in one query each.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    pub users: Vec<String>,
    pub groups: Vec<String>,
    pub guests: Vec<String>,
    /// Some comment has `@all` (whose name in a one-to-one conversation is the other user's).
    pub all: bool,
}

impl Wanted {
    /// Adds the mentions of one comment.
    pub fn add(&mut self, text: &str) {
        if !text.contains('@') {
            return;
        }
        for m in extract(text) {
            let list = match m.kind {
                Kind::User if m.id == ALL => {
                    self.all = true;
                    continue;
                }
                Kind::User => &mut self.users,
                Kind::Group => &mut self.groups,
                Kind::Guest => &mut self.guests,
                _ => continue,
            };
            if !list.contains(&m.id) {
                list.push(m.id);
            }
        }
    }

    /// The mentions of the comments among `messages`.
    pub fn of<'a>(messages: impl IntoIterator<Item = &'a Message>) -> Wanted {
        let mut wanted = Wanted::default();
        for m in messages {
            if m.verb == crate::domain::chat::VERB_COMMENT {
                wanted.add(&m.message);
            }
        }
        wanted
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty() && self.guests.is_empty() && !self.all
    }

    /// Also the other user of a one-to-one conversation, when `@all` names the conversation.
    pub fn with_partner(mut self, room: &Room, viewer: &str) -> Wanted {
        if self.all && room.room_type == RoomType::OneToOne {
            if let Some(partner) = crate::domain::conversation::one_to_one_partner(room, viewer) {
                if !self.users.contains(&partner) {
                    self.users.push(partner);
                }
            }
        }
        self
    }
}

/// Reads the names of what `wanted` mentions in the rooms `room_ids` (guests are theirs); no
/// query for a kind nobody mentions.
pub fn load_names(conn: &mut Conn<'_>, room_ids: &[RoomId], wanted: &Wanted) -> DbResult<Names> {
    let mut names = Names::default();
    if !wanted.users.is_empty() {
        names.users = store::users::display_names(conn, &wanted.users)?.into_iter().collect();
    }
    if !wanted.groups.is_empty() {
        names.groups = store::groups::display_names(conn, &wanted.groups)?
            .into_iter()
            .collect();
    }
    if !wanted.guests.is_empty() {
        let ids: Vec<String> = wanted
            .guests
            .iter()
            .map(|g| g.trim_start_matches("guest/").to_owned())
            .collect();
        names.guests = store::attendees::display_names_of(conn, room_ids, actor::GUESTS, &ids)?
            .into_iter()
            .map(|(id, name)| (format!("guest/{id}"), name))
            .collect();
    }
    Ok(names)
}

/// The names the mentions of `messages` (of `room`, read by `viewer`) need; no query when they
/// mention nothing.
pub fn names_for<'a>(
    conn: &mut Conn<'_>,
    room: &Room,
    viewer: &str,
    messages: impl IntoIterator<Item = &'a Message>,
) -> DbResult<Names> {
    let wanted = Wanted::of(messages).with_partner(room, viewer);
    if wanted.is_empty() {
        return Ok(Names::default());
    }
    load_names(conn, &[room.id], &wanted)
}

/// What `@all` shows: the conversation as the viewer sees it.
#[derive(Debug, Clone)]
pub struct CallTarget {
    pub token: String,
    /// The conversation's name for the viewer (the other user's, in one-to-one conversations).
    pub name: String,
    pub icon_url: String,
    pub room_type: RoomType,
}

/// Upstream's `call-type` of a conversation.
fn call_type(room_type: RoomType) -> &'static str {
    match room_type {
        RoomType::OneToOne | RoomType::FormerOneToOne | RoomType::NoteToSelf => "one2one",
        RoomType::Public => "public",
        _ => "group",
    }
}

/// A comment as upstream shows it: mentions replaced by `{mention-<type><n>}` and described in
/// the parameters; a leading `//` loses one slash (escaped commands). `call` builds what `@all`
/// shows, only when the message has one its author could post.
pub fn render(
    text: &str,
    can_mention_all: bool,
    names: &Names,
    call: impl Fn() -> CallTarget,
) -> (String, Map<String, Value>) {
    let mut message = text.to_owned();
    let mut parameters = Map::new();
    if text.contains('@') {
        let mut mentions = extract(text);
        // `UserMention` sorts again by the id's length, longest first (stable).
        mentions.sort_by_key(|m| std::cmp::Reverse(m.id.chars().count()));
        let mut counts: HashMap<&'static str, usize> = HashMap::new();
        for mention in &mentions {
            let is_all = mention.kind == Kind::User && mention.id == ALL;
            if is_all && !can_mention_all {
                continue;
            }
            if mention.kind == Kind::User && !is_all && !names.users.contains_key(&mention.id) {
                continue;
            }
            let type_name = if is_all { "call" } else { mention.kind.name() };
            let n = counts.entry(type_name).or_insert(0);
            *n += 1;
            let key = format!("mention-{}{}", type_name.replace('_', "-"), n);
            let search = match mention.kind {
                Kind::Group | Kind::Team | Kind::FederatedUser => format!("{}/{}", mention.kind.name(), mention.id),
                _ => mention.id.clone(),
            };
            let placeholder = format!("{{{key}}}");
            message = message.replace(&format!("@\"{search}\""), &placeholder);
            let bare_allowed = !search.contains(' ')
                && !["guest/", "group/", "team/", "federated_user/"]
                    .iter()
                    .any(|p| search.starts_with(p));
            if bare_allowed {
                message = message.replace(&format!("@{search}"), &placeholder);
            }
            let object = if is_all {
                let target = call();
                json!({
                    "type": "call",
                    "id": target.token,
                    "name": target.name,
                    "call-type": call_type(target.room_type),
                    "icon-url": target.icon_url,
                    "mention-id": search,
                })
            } else {
                match mention.kind {
                    Kind::User => json!({
                        "type": "user",
                        "id": mention.id,
                        "name": names.users.get(&mention.id).cloned().unwrap_or_default(),
                        "mention-id": search,
                    }),
                    Kind::Guest => json!({
                        "type": "guest",
                        "id": mention.id,
                        "name": names.guests.get(&mention.id).filter(|n| !n.is_empty()).cloned().unwrap_or_else(|| "Guest".to_owned()),
                        "mention-id": search,
                    }),
                    Kind::Group => json!({
                        "type": "user-group",
                        "id": mention.id,
                        "name": names.groups.get(&mention.id).cloned().unwrap_or_else(|| mention.id.clone()),
                        "mention-id": search,
                    }),
                    // Without the Teams (circles) app upstream shows a team as a highlight.
                    Kind::Team => json!({"type": "highlight", "id": mention.id, "name": mention.id}),
                    // A cloud id is `user@remote`; one that is not resolves to nothing, and
                    // upstream then leaves the placeholder without a parameter. No federated
                    // attendees here, so the name is the cloud id, as upstream's fallback.
                    Kind::FederatedUser => match mention.id.rsplit_once('@') {
                        Some((user, remote)) if !user.is_empty() && !remote.is_empty() => json!({
                            "type": "user",
                            "id": user,
                            "name": mention.id,
                            "server": remote,
                            "mention-id": search,
                        }),
                        _ => continue,
                    },
                    // No display name resolver is registered for these: an empty name.
                    Kind::FederatedGroup | Kind::FederatedTeam => json!({
                        "type": mention.kind.name(),
                        "id": mention.id,
                        "name": "",
                        "mention-id": search,
                    }),
                }
            };
            parameters.insert(key, object);
        }
    }
    if message.starts_with("//") {
        message.remove(0);
    }
    (message, parameters)
}

/// Who a message mentions and is told about it (`Notifier::getUsersToNotify`): the mentioned
/// users, the members of mentioned groups that are attendees of the conversation, and every
/// user attendee for `@all` (when the room lets the author mention everybody); each once.
/// Returns user ids.
fn users_to_notify(
    conn: &mut Conn<'_>,
    room: &Room,
    mentions: &[Mention],
    author_may_mention_all: bool,
    attendees: &mut Option<Vec<Attendee>>,
) -> DbResult<Vec<String>> {
    let mut list: Vec<String> = mentions
        .iter()
        .filter(|m| m.kind == Kind::User)
        .map(|m| m.id.clone())
        .collect();
    for m in mentions.iter().filter(|m| m.kind == Kind::Group) {
        if store::groups::find(conn, &m.id)?.is_none()
            || store::attendees::find(conn, room.id, actor::GROUPS, &m.id)?.is_none()
        {
            continue;
        }
        for (member, _) in store::groups::members(conn, &m.id)? {
            if !list.contains(&member) {
                list.push(member);
            }
        }
    }
    if list.iter().any(|id| id == ALL) {
        // Upstream drops every `all` entry of the list, then adds the attendees.
        list.retain(|id| id != ALL);
        if author_may_mention_all {
            let rows = room_attendees(conn, room.id, attendees)?;
            for a in rows.iter().filter(|a| a.actor_type == actor::USERS) {
                if !list.contains(&a.actor_id) {
                    list.push(a.actor_id.clone());
                }
            }
        }
    }
    Ok(list)
}

fn room_attendees<'a>(
    conn: &mut Conn<'_>,
    room_id: RoomId,
    cache: &'a mut Option<Vec<Attendee>>,
) -> DbResult<&'a Vec<Attendee>> {
    if cache.is_none() {
        *cache = Some(store::attendees::list(conn, room_id)?);
    }
    Ok(cache.get_or_insert_with(Vec::new))
}

/// `Notifier::shouldMentionedUserBeNotified`: not the author, an attendee of the conversation
/// (which also means the account exists), not held back by the lobby, and not with
/// notifications off (the default is "always" in one-to-one conversations, else the server's
/// `default_group_notification`, "mention" unless set).
fn should_be_told(
    conn: &mut Conn<'_>,
    room: &Room,
    author: (&str, &str),
    user_id: &str,
    attendees: &mut Option<Vec<Attendee>>,
    group_default: &mut Option<NotificationLevel>,
) -> DbResult<bool> {
    if author.0 == actor::USERS && author.1 == user_id {
        return Ok(false);
    }
    let rows = room_attendees(conn, room.id, attendees)?;
    let Some(attendee) = rows
        .iter()
        .find(|a| a.actor_type == actor::USERS && a.actor_id == user_id)
        .cloned()
    else {
        return Ok(false);
    };
    if held_by_lobby(room, &attendee) {
        return Ok(false);
    }
    let level = match attendee.notification_level {
        NotificationLevel::Default if room.room_type == RoomType::OneToOne => NotificationLevel::Always,
        NotificationLevel::Default => match group_default {
            Some(level) => *level,
            None => {
                let stored = store::app_config::get(conn, "spreed", "default_group_notification")?;
                // Unset or not a level: upstream's default, on mention.
                let level = stored
                    .and_then(|v| v.trim().parse().ok())
                    .and_then(NotificationLevel::from_value)
                    .unwrap_or(NotificationLevel::Mention);
                *group_default = Some(level);
                level
            }
        },
        level => level,
    };
    Ok(level != NotificationLevel::Never)
}

/// The user ids directly mentioned (`Notifier::getMentionedUserIds`; `all` included, as
/// upstream's list, though no attendee has that id).
fn directly_mentioned(mentions: &[Mention]) -> Vec<String> {
    mentions
        .iter()
        .filter(|m| m.kind == Kind::User)
        .map(|m| m.id.clone())
        .collect()
}

/// Records the mentions of a comment just posted (`ChatManager::sendMessage`): the author of
/// the message replied to, when a user who would be told, counts as directly mentioned; then
/// everybody [`users_to_notify`] names who would be told. Silent messages count too, as
/// upstream only skips the notification itself.
pub fn record_posted(
    conn: &mut Conn<'_>,
    room: &Room,
    author: &Attendee,
    posted: &Message,
    replied_to: Option<&Message>,
) -> DbResult<()> {
    if !posted.message.contains('@') && replied_to.is_none() {
        return Ok(());
    }
    let author_ref = (author.actor_type.as_str(), author.actor_id.as_str());
    let mentions = extract(&posted.message);
    let mut attendees = None;
    let mut group_default = None;
    let mut direct = directly_mentioned(&mentions);
    let mut told: Vec<String> = Vec::new();
    if let Some(parent) = replied_to.filter(|p| p.actor_type == actor::USERS) {
        direct.push(parent.actor_id.clone());
        if should_be_told(
            conn,
            room,
            author_ref,
            &parent.actor_id,
            &mut attendees,
            &mut group_default,
        )? {
            told.push(parent.actor_id.clone());
        }
    }
    let may_mention_all = crate::domain::chat::may_mention_all(room, author);
    for user in users_to_notify(conn, room, &mentions, may_mention_all, &mut attendees)? {
        if told.contains(&user) {
            continue;
        }
        if should_be_told(conn, room, author_ref, &user, &mut attendees, &mut group_default)? {
            told.push(user);
        }
    }
    if !told.is_empty() {
        store::attendees::mark_mentioned(conn, room.id, &told, &direct, posted.id)?;
    }
    Ok(())
}

/// Records the mentions an edit adds (`ChatManager::editMessage`): nothing for silent
/// messages or when no mention was added; else everybody who would be told of the new text
/// (and everybody the old text named) gets the message as last mention, and the users directly
/// mentioned only now as last direct mention. Removing a mention leaves the markers, as
/// upstream only withdraws the notification. `@all` counts only where everybody may use it,
/// as upstream passes no participant here.
pub fn record_edited(
    conn: &mut Conn<'_>,
    room: &Room,
    message: &Message,
    old_text: &str,
    new_text: &str,
) -> DbResult<()> {
    if message.silent {
        return Ok(());
    }
    let before = extract(old_text);
    let after = extract(new_text);
    let added = after.iter().any(|m| !before.contains(m));
    if !added {
        return Ok(());
    }
    let may_mention_all = room.mention_permissions == 0;
    let mut attendees = None;
    let mut group_default = None;
    let before_users = users_to_notify(conn, room, &before, may_mention_all, &mut attendees)?;
    let direct_before = directly_mentioned(&before);
    let direct_added: Vec<String> = directly_mentioned(&after)
        .into_iter()
        .filter(|id| !direct_before.contains(id))
        .collect();
    // The comment's author decides who is "themself" for the notification check.
    let author_ref = (message.actor_type.as_str(), message.actor_id.as_str());
    let mut told = before_users;
    for user in users_to_notify(conn, room, &after, may_mention_all, &mut attendees)? {
        if told.contains(&user) {
            continue;
        }
        if should_be_told(conn, room, author_ref, &user, &mut attendees, &mut group_default)? {
            told.push(user);
        }
    }
    if !told.is_empty() {
        store::attendees::mark_mentioned(conn, room.id, &told, &direct_added, message.id)?;
    }
    Ok(())
}

/// The viewer's `unreadMention` and `unreadMentionDirect` (spreed `RoomFormatter`): a mention
/// after the read marker.
pub fn unread_flags(attendee: &Attendee) -> (bool, bool) {
    let read = attendee.last_read_message;
    (
        attendee.last_mention_message != 0 && read < attendee.last_mention_message,
        attendee.last_mention_direct != 0 && read < attendee.last_mention_direct,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<(Kind, String)> {
        extract(text).into_iter().map(|m| (m.kind, m.id)).collect()
    }

    #[test]
    fn finds_mentions_as_upstream() {
        assert_eq!(ids("hi @alice"), vec![(Kind::User, "alice".into())]);
        assert_eq!(ids("@alice, hi"), vec![(Kind::User, "alice".into())]);
        assert_eq!(ids("mail alice@example.com"), vec![]);
        assert_eq!(ids("(@alice)"), vec![]);
        assert_eq!(
            ids("@\"user with space\" x"),
            vec![(Kind::User, "user with space".into())]
        );
        assert_eq!(ids("@\"guest/0a1b\""), vec![(Kind::Guest, "guest/0a1b".into())]);
        assert_eq!(ids("@\"guest/xyz\""), vec![]);
        assert_eq!(ids("@\"group/the group\""), vec![(Kind::Group, "the group".into())]);
        assert_eq!(ids("@all"), vec![(Kind::User, "all".into())]);
        assert_eq!(ids("é@alice"), vec![]);
        // Longest first; duplicates once.
        assert_eq!(
            ids("@bob @alice2 @bob"),
            vec![(Kind::User, "alice2".into()), (Kind::User, "bob".into())]
        );
        // The trailing dot is part of a bare id.
        assert_eq!(ids("@alice."), vec![(Kind::User, "alice.".into())]);
    }

    fn names() -> Names {
        let mut names = Names::default();
        names.users.insert("alice".into(), "Alice A".into());
        names.users.insert("user with space".into(), "Spacey".into());
        names
    }

    fn call() -> CallTarget {
        CallTarget {
            token: "tok".into(),
            name: "room".into(),
            icon_url: "http://h/ocs/v2.php/apps/spreed/api/v1/room/tok/avatar".into(),
            room_type: RoomType::Group,
        }
    }

    #[test]
    fn renders_as_upstream() {
        let (text, params) = render("hi @alice and @bob", true, &names(), call);
        assert_eq!(text, "hi {mention-user1} and @bob");
        assert_eq!(
            Value::Object(params),
            json!({"mention-user1": {"type": "user", "id": "alice", "name": "Alice A", "mention-id": "alice"}})
        );
        let (text, params) = render("@\"user with space\" @all", true, &names(), call);
        assert_eq!(text, "{mention-user1} {mention-call1}");
        assert_eq!(params["mention-call1"]["call-type"], "group");
        assert_eq!(params["mention-call1"]["mention-id"], "all");
        let (text, params) = render("@all", false, &names(), call);
        assert_eq!(text, "@all");
        assert!(params.is_empty());
        let (text, _) = render("//hello", false, &names(), call);
        assert_eq!(text, "/hello");
        let (text, params) = render("@\"group/g1\"", false, &names(), call);
        assert_eq!(text, "{mention-group1}");
        assert_eq!(
            params["mention-group1"],
            json!({"type": "user-group", "id": "g1", "name": "g1", "mention-id": "group/g1"})
        );
    }
}
