//! Reactions to chat messages, as upstream's `ReactionManager` and Nextcloud's comments manager
//! keep them. A reaction is a chat message of its own (verb `reaction`, the emoji as text, the
//! message reacted to as parent, expiring with it) plus a row in the `reactions` table; the
//! message reacted to caches its counts. Revoking turns the reaction's message into
//! `reaction_deleted` and posts a `reaction_revoked` system message replying to the message.

use crate::db::models::{Message, NewMessage};
use crate::db::store;
use crate::db::store::reactions::NewReaction;
use crate::db::{Conn, WriteTx};
use crate::domain::access::Member;
use crate::domain::chat::{self, VERB_COMMENT};
use crate::domain::{Refusal, Result};
use serde_json::{json, Map, Value};
use unicode_properties::UnicodeEmoji;
use unicode_segmentation::UnicodeSegmentation;

pub const VERB_REACTION: &str = "reaction";
pub const VERB_REACTION_DELETED: &str = "reaction_deleted";

/// Nextcloud's `EmojiHelper::isValidSingleEmoji`: one user-perceived character (grapheme
/// cluster) of more than one byte, every code point of which is an emoji or an emoji component
/// (joiner, variation selector, skin tone, keycap, tag). Plain ASCII such as `1` or `#` has the
/// Emoji property but is refused, as upstream does.
pub fn is_single_emoji(text: &str) -> bool {
    text.len() >= 2 && text.graphemes(true).count() == 1 && text.chars().all(|c| c.is_emoji_char_or_emoji_component())
}

/// The message to react to, as upstream's `getCommentToReact`: found by id (else 404 as
/// `MessageNotFound`), in this conversation and a comment (else `MessageNotReactable`).
/// A message past its expiry is gone, as everywhere else.
fn reactable(conn: &mut Conn<'_>, member: &Member, message_id: i64, now: i64) -> Result<Message> {
    let message = store::messages::find_by_id(conn, message_id)?
        .filter(|m| m.expires_at == 0 || m.expires_at > now)
        .ok_or(Refusal::MessageNotFound)?;
    if message.room_id != member.room().id || message.verb != VERB_COMMENT {
        return Err(Refusal::MessageNotReactable);
    }
    Ok(message)
}

/// Recounts a message's reactions into its cached counts.
fn refresh_counts(conn: &mut Conn<'_>, message_id: i64) -> Result<()> {
    let counts: Map<String, Value> = store::reactions::counts(conn, message_id)?
        .into_iter()
        .map(|(reaction, count)| (reaction, Value::from(count)))
        .collect();
    store::messages::set_reactions(conn, message_id, &Value::Object(counts).to_string())?;
    Ok(())
}

/// Whether a reaction was added or was there already (upstream answers 201 or 200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reacted {
    Added,
    AlreadyThere,
}

/// Adds the member's reaction to a message (`ReactionManager::addReactionMessage`): the message
/// is looked up first, then an existing identical reaction answers "already there", and only
/// then is the emoji checked (`InvalidReaction`), as the comments manager checks it on save.
/// The reaction's message does not become the conversation's last message and is not unread.
pub fn react(tx: &mut WriteTx<'_, '_>, member: &Member, message_id: i64, reaction: &str, now: i64) -> Result<Reacted> {
    tx.lock_room(member.room().id)?;
    let parent = reactable(tx, member, message_id, now)?;
    let by = member.actor();
    if store::reactions::find(tx, parent.id, &by.actor_type, &by.actor_id, reaction)?.is_some() {
        return Ok(Reacted::AlreadyThere);
    }
    if !is_single_emoji(reaction) {
        return Err(Refusal::InvalidReaction);
    }
    let row = NewMessage {
        room_id: parent.room_id,
        actor_type: by.actor_type.clone(),
        actor_id: by.actor_id.clone(),
        actor_display_name: by.display_name.clone(),
        verb: VERB_REACTION.to_owned(),
        message: reaction.to_owned(),
        reference_id: String::new(),
        parent_id: parent.id,
        silent: false,
        created_at: now,
        expires_at: parent.expires_at,
        can_mention_all: false,
    };
    let stored = store::messages::insert(tx, &row)?;
    store::reactions::insert(
        tx,
        &NewReaction {
            room_id: parent.room_id,
            parent_id: parent.id,
            message_id: stored.id,
            actor_type: &by.actor_type,
            actor_id: &by.actor_id,
            reaction,
        },
    )?;
    refresh_counts(tx, parent.id)?;
    Ok(Reacted::Added)
}

/// Revokes the member's reaction (`ReactionManager::deleteReactionMessage`): the message is
/// looked up as for reacting, the member's reaction with this emoji must exist
/// (`ReactionNotFound`). The reaction's message stays as `reaction_deleted` naming who deleted
/// it; a `reaction_revoked` system message (parameter `message`: the reaction's message)
/// replies to the message without becoming the conversation's last message.
pub fn unreact(tx: &mut WriteTx<'_, '_>, member: &Member, message_id: i64, reaction: &str, now: i64) -> Result<()> {
    tx.lock_room(member.room().id)?;
    let parent = reactable(tx, member, message_id, now)?;
    let by = member.actor();
    let (row_id, reaction_message) = store::reactions::find(tx, parent.id, &by.actor_type, &by.actor_id, reaction)?
        .ok_or(Refusal::ReactionNotFound)?;
    let deleted = json!({
        "deleted_by_type": by.actor_type,
        "deleted_by_id": by.actor_id,
        "deleted_on": now,
    });
    store::messages::rewrite(tx, reaction_message, VERB_REACTION_DELETED, &deleted.to_string())?;
    store::reactions::delete(tx, row_id)?;
    refresh_counts(tx, parent.id)?;
    let mut parameters = Map::new();
    parameters.insert("message".into(), reaction_message.into());
    chat::post_reply_system_message(tx, &by, parent.room_id, "reaction_revoked", parameters, parent.id, now)?;
    Ok(())
}

/// One reaction as upstream lists it (`TalkReaction`).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactionEntry {
    pub actor_type: String,
    pub actor_id: String,
    pub actor_display_name: String,
    pub timestamp: i64,
}

/// The reactions to a message grouped by emoji (`retrieveReactionMessages`), in the order
/// they were given; `only` limits them to one emoji.
pub fn grouped(
    conn: &mut Conn<'_>,
    message_id: i64,
    only: Option<&str>,
) -> Result<indexmap::IndexMap<String, Vec<ReactionEntry>>> {
    let mut grouped: indexmap::IndexMap<String, Vec<ReactionEntry>> = indexmap::IndexMap::new();
    for row in store::reactions::list(conn, message_id, only)? {
        grouped.entry(row.reaction).or_default().push(ReactionEntry {
            actor_type: row.actor_type,
            actor_id: row.actor_id,
            actor_display_name: row.actor_display_name,
            timestamp: row.created_at,
        });
    }
    Ok(grouped)
}

/// The reactions to a message as the member may read them (`getReactions`): the message must
/// be a comment of this conversation.
pub fn list(
    conn: &mut Conn<'_>,
    member: &Member,
    message_id: i64,
    only: Option<&str>,
    now: i64,
) -> Result<indexmap::IndexMap<String, Vec<ReactionEntry>>> {
    let message = reactable(conn, member, message_id, now)?;
    grouped(conn, message.id, only)
}

#[cfg(test)]
mod tests {
    use super::is_single_emoji;

    #[test]
    fn single_emoji_as_nextcloud_checks_them() {
        for ok in ["👍", "❤️", "🧑🏽‍💻", "👨‍👩‍👧‍👦", "🇩🇪", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "😂"]
        {
            assert!(is_single_emoji(ok), "{ok}");
        }
        for bad in ["", "a", "1", "#", "ab", "👍👍", "👍 ", "é", "ß", "日", "👍a"] {
            assert!(!is_single_emoji(bad), "{bad:?}");
        }
    }
}
