//! Talk's chat use cases (spreed `ChatController`): post, edit and delete a message, and read
//! a page of the conversation (waiting for newer messages when asked to). Writes run in one
//! write transaction; a page is read in one snapshot.

use crate::db::models::Message;
use crate::db::store;
use crate::db::Db;
use crate::domain::access::Member;
use crate::domain::autocomplete;
use crate::domain::chat::{self, NewComment};
use crate::domain::ids::actor;
use crate::domain::mentions::{self, Names};
use crate::domain::{Refusal, Result};
use crate::shutdown::Stopping;
use std::time::{Duration, Instant};

/// What a member sends to post a comment; `text` is `None` when the parameter was not sent.
#[derive(Debug, Clone)]
pub struct Post {
    pub text: Option<String>,
    pub reference_id: String,
    /// The message replied to, or 0.
    pub reply_to: i64,
    pub silent: bool,
}

/// Posts a comment, after upstream's middleware checks (read-only, lobby, chat permission),
/// then the parameter and its text. Returns the stored message with the names its mentions need.
pub async fn post(db: &Db, me: Member, post: Post, now: i64) -> Result<(Message, Names)> {
    me.check_may_write_chat()?;
    let text = post.text.ok_or(Refusal::MissingParameter)?;
    chat::check_comment_text(&text)?;
    db.run(move |conn| {
        conn.write_tx(|tx| {
            let comment = NewComment {
                text: &text,
                reference_id: &post.reference_id,
                parent_id: post.reply_to,
                silent: post.silent,
                // Decided from the member's rights when posting.
                can_mention_all: false,
            };
            let stored = chat::post_by_member(tx, &me, &comment, now)?;
            let names = mentions::names_for(tx, me.room(), me.user_id().as_str(), [&stored])?;
            Ok((stored, names))
        })
    })
    .await
}

/// Edits a message; returns the `message_edited` system message and the edited message, with
/// the names the edited text's mentions need.
pub async fn edit(
    db: &Db,
    me: Member,
    message_id: i64,
    text: Option<String>,
    now: i64,
) -> Result<((Message, Message), Names)> {
    me.check_may_write_chat()?;
    let text = text.ok_or(Refusal::MissingParameter)?;
    db.run(move |conn| {
        conn.write_tx(|tx| {
            let (system, edited) = chat::edit_message(tx, &me, message_id, &text, now)?;
            let names = mentions::names_for(tx, me.room(), me.user_id().as_str(), [&edited])?;
            Ok(((system, edited), names))
        })
    })
    .await
}

/// Deletes a message; returns the `message_deleted` system message and the placeholder.
pub async fn delete(db: &Db, me: Member, message_id: i64, now: i64) -> Result<(Message, Message)> {
    me.check_may_write_chat()?;
    db.run(move |conn| conn.write_tx(|tx| chat::delete_message(tx, &me, message_id, now)))
        .await
}

/// The mention suggestions for `search` (`ChatController::mentions`): upstream's middleware
/// checks of a chat write first (read-only, lobby, chat permission), then the required
/// `search` parameter, then one read snapshot.
pub async fn mentions(db: &Db, me: Member, search: Option<String>) -> Result<Vec<autocomplete::Suggestion>> {
    me.check_may_write_chat()?;
    let search = search.ok_or(Refusal::MissingParameter)?;
    db.read(move |conn| autocomplete::for_member(conn, &me, &search)).await
}

/// Upstream caps long-polling at 30 seconds and a page at 200 messages.
pub const MAX_TIMEOUT_SECONDS: i64 = 30;
pub const MAX_LIMIT: i64 = 200;

/// Which page to read (`ChatController::receiveMessages`' parameters, already clamped).
#[derive(Debug, Clone, Copy)]
pub struct PageQuery {
    /// Newer messages, oldest first (waiting for them); else history, newest first. Required:
    /// `None` when not sent.
    pub look_into_future: Option<bool>,
    pub limit: i64,
    pub last_known: i64,
    pub include_last_known: bool,
    /// How long to wait for newer messages, in seconds.
    pub timeout: i64,
    pub set_read_marker: bool,
}

/// A page of messages with the messages they reply to (a deleted one as its placeholder).
pub struct Page {
    pub messages: Vec<Message>,
    pub parents: Vec<Message>,
    /// The reader's own reactions to the page and its parents: (message id, emoji).
    pub own_reactions: Vec<(i64, String)>,
    /// The names the mentions of the page and its parents need.
    pub names: Names,
}

/// Reads a page (not while the lobby holds the member back). Looking into the future waits,
/// polling once a second and never busy, up to the query's timeout for newer messages; a
/// shutdown ends the wait at once. `None`: nothing (new).
pub async fn receive(db: &Db, stopping: &Stopping, me: Member, query: PageQuery, now: i64) -> Result<Option<Page>> {
    // The lobby is checked before the parameters, as upstream's middleware runs first.
    me.check_lobby()?;
    let future = query.look_into_future.ok_or(Refusal::MissingParameter)?;
    let deadline = Instant::now() + Duration::from_secs(query.timeout.max(0) as u64);
    loop {
        let page = read_page(db, me.clone(), future, query, now).await?;
        if !page.messages.is_empty() {
            return Ok(Some(page));
        }
        if !future || Instant::now() >= deadline || stopping.is_stopping() {
            return Ok(None);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stopping.wait() => {}
        }
    }
}

/// One read of a page. Reading newer messages may first move the member's read marker to what
/// they already know, in the same transaction as the read.
async fn read_page(db: &Db, me: Member, future: bool, q: PageQuery, now: i64) -> Result<Page> {
    let room_id = me.room().id;
    let room = me.room().clone();
    let viewer = me.user_id().clone();
    let read = move |conn: &mut crate::db::Conn<'_>| -> Result<Page> {
        let messages = if future {
            let after = if q.include_last_known {
                q.last_known - 1
            } else {
                q.last_known
            };
            store::messages::newer(conn, room_id, after, q.limit, now)?
        } else {
            let before = if q.include_last_known && q.last_known > 0 {
                q.last_known + 1
            } else {
                q.last_known
            };
            store::messages::history(conn, room_id, before, q.limit, now)?
        };
        // Replies carry the message they answer, read in one query for the page.
        let ids: Vec<i64> = messages.iter().map(|m| m.parent_id).filter(|id| *id > 0).collect();
        let parents = store::messages::find_many(conn, room_id, &ids, now)?;
        // The reader's own reactions to the page and its parents, in one range query.
        let shown = messages.iter().chain(parents.iter()).map(|m| m.id);
        let own_reactions = match (shown.clone().min(), shown.max()) {
            (Some(from), Some(to)) => {
                store::reactions::by_actor_between(conn, room_id, (actor::USERS, viewer.as_str()), from, to)?
            }
            _ => Vec::new(),
        };
        let names = mentions::names_for(conn, &room, viewer.as_str(), messages.iter().chain(parents.iter()))?;
        Ok(Page {
            messages,
            parents,
            own_reactions,
            names,
        })
    };
    if future && q.set_read_marker && q.last_known > me.attendee().last_read_message {
        let attendee_id = me.attendee().id;
        db.run(move |conn| {
            conn.write_tx(|tx| {
                store::attendees::set_last_read(tx, attendee_id, q.last_known)?;
                read(tx)
            })
        })
        .await
    } else {
        db.read(read).await
    }
}
