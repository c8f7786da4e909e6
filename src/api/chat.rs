//! spreed `ChatController` (API v1): send and receive.

use crate::api::extract::RoomParticipant;
use crate::api::wire::{format_message, MessageObject};
use crate::db::store;
use crate::domain::ids::{actor, CHAT_MAX_LENGTH};
use crate::domain::{chat, Refusal};
use crate::ocs::{Ocs, OcsError, OcsResult, Params};
use crate::state::{AppState, Now};
use axum::extract::Path;
use axum::extract::State;
use axum::routing::{delete, get};
use axum::Router;
use std::time::{Duration, Instant};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/apps/spreed/api/v1/chat/{token}",
            get(receive_messages).post(send_message),
        )
        .route(
            "/apps/spreed/api/v1/chat/{token}/{message_id}",
            delete(delete_message).put(edit_message),
        )
}

/// The `{messageId}` placeholder, under upstream's route requirement `[0-9]+`: anything else is
/// "no such route", decided before login and membership as upstream's router does.
pub(crate) struct MessageId(pub(crate) i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for MessageId {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, OcsError> {
        let Path((_, raw)): Path<(String, String)> = Path::from_request_parts(parts, state)
            .await
            .map_err(|_| OcsError::RouteNotFound)?;
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(OcsError::RouteNotFound);
        }
        raw.parse().map(MessageId).map_err(|_| OcsError::RouteNotFound)
    }
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v1/chat/{token}/{messageId} (ChatController::deleteMessage)
///
/// Answers the `message_deleted` system message with the placeholder as its `parent`.
async fn delete_message(
    State(s): State<AppState>,
    MessageId(id): MessageId,
    RoomParticipant(p): RoomParticipant,
    now: Now,
) -> OcsResult<MessageObject> {
    p.check_may_write_chat()?;
    let object =
        s.db.run(move |conn| {
            conn.write_tx(|conn| -> Result<_, Refusal> {
                let (system, deleted) = chat::delete_message(conn, &p, id, now.secs())?;
                let viewer = Some(p.user_id().as_str());
                let mut object = format_message(p.room(), &system, viewer);
                object.parent = Some(Box::new(format_message(p.room(), &deleted, viewer)));
                Ok(object)
            })
        })
        .await?;
    Ok(Ocs::ok(object))
}

/// Upstream caps long-polling at 30 seconds and a page at 200 messages.
const MAX_TIMEOUT_SECONDS: i64 = 30;
const MAX_LIMIT: i64 = 200;

/// # POST /ocs/v2.php/apps/spreed/api/v1/chat/{token} (ChatController::sendMessage)
async fn send_message(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    params: Params,
) -> OcsResult<MessageObject> {
    p.check_may_write_chat()?;
    let Some(message) = params.string("message") else {
        return Err(Refusal::MissingParameter.into());
    };
    if message.trim().is_empty() {
        return Err(Refusal::InvalidField("message").into());
    }
    if message.chars().count() > CHAT_MAX_LENGTH {
        return Err(Refusal::TooLong("message").into());
    }
    let reference_id: String = params
        .string("referenceId")
        .unwrap_or_default()
        .trim()
        .chars()
        .take(64)
        .collect();
    let reply_to = params.int("replyTo").unwrap_or(0);
    let silent = params.bool("silent").unwrap_or(false);
    let caller = p.actor();
    let (room, attendee_id, viewer) = (p.room().clone(), p.attendee().id, p.user_id().clone());
    let object =
        s.db.run(move |conn| {
            conn.write_tx(|conn| -> Result<_, Refusal> {
                if reply_to != 0 {
                    let parent =
                        store::messages::find(conn, room.id, reply_to)?.ok_or(Refusal::InvalidField("reply-to"))?;
                    if parent.verb != chat::VERB_COMMENT {
                        return Err(Refusal::InvalidField("reply-to"));
                    }
                }
                let comment = chat::NewComment {
                    text: &message,
                    reference_id: &reference_id,
                    parent_id: reply_to,
                    silent,
                };
                let stored = chat::post_comment(conn, room.id, &caller, &comment, now.secs())?;
                // Sending marks everything up to one's own message as read.
                store::attendees::set_last_read(conn, attendee_id, stored.id)?;
                Ok(format_message(&room, &stored, Some(&viewer)))
            })
        })
        .await?;
    Ok(Ocs::created(object))
}

/// # GET /ocs/v2.php/apps/spreed/api/v1/chat/{token} (ChatController::receiveMessages)
///
/// History (`lookIntoFuture=0`) is newest first; `lookIntoFuture=1` waits (polling once a
/// second, never busy) up to `timeout` seconds for newer messages. Nothing → 304.
async fn receive_messages(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    params: Params,
) -> OcsResult<Vec<MessageObject>> {
    p.check_lobby()?;
    let Some(look_into_future) = params.int("lookIntoFuture") else {
        return Err(Refusal::MissingParameter.into());
    };
    let limit = params.int("limit").unwrap_or(100).clamp(1, MAX_LIMIT);
    let last_known = params.int("lastKnownMessageId").unwrap_or(0);
    let timeout = params
        .int("timeout")
        .unwrap_or(MAX_TIMEOUT_SECONDS)
        .clamp(0, MAX_TIMEOUT_SECONDS);
    let include_last_known = params.int("includeLastKnown").unwrap_or(0) == 1;
    let set_read_marker = params.int("setReadMarker").unwrap_or(1) == 1;
    let future = look_into_future == 1;
    let deadline = Instant::now() + Duration::from_secs(timeout as u64);
    let (room, attendee) = (p.room().clone(), p.attendee().clone());
    let viewer = p.user_id().clone();
    loop {
        let (room_c, attendee_c) = (room.clone(), attendee.clone());
        let viewer_c = viewer.clone();
        let (messages, parents, own) =
            s.db.run(move |conn| -> Result<_, Refusal> {
                let messages = if future {
                    let after = if include_last_known { last_known - 1 } else { last_known };
                    if set_read_marker && last_known > attendee_c.last_read_message {
                        store::attendees::set_last_read(conn, attendee_c.id, last_known)?;
                    }
                    store::messages::newer(conn, room_c.id, after, limit, now.secs())?
                } else {
                    let before = if include_last_known && last_known > 0 {
                        last_known + 1
                    } else {
                        last_known
                    };
                    store::messages::history(conn, room_c.id, before, limit, now.secs())?
                };
                // Replies carry the message they answer (a deleted one as its placeholder),
                // read in one query for the page.
                let ids: Vec<i64> = messages.iter().map(|m| m.parent_id).filter(|id| *id > 0).collect();
                let parents = store::messages::find_many(conn, room_c.id, &ids, now.secs())?;
                // The reader's own reactions to the page and its parents, in one range query.
                let shown = messages.iter().chain(parents.iter()).map(|m| m.id);
                let own = match (shown.clone().min(), shown.max()) {
                    (Some(from), Some(to)) => store::reactions::by_actor_between(
                        conn,
                        room_c.id,
                        (actor::USERS, viewer_c.as_str()),
                        from,
                        to,
                    )?,
                    _ => Vec::new(),
                };
                Ok((messages, parents, own))
            })
            .await?;
        if !messages.is_empty() {
            let last_given = messages.last().map(|m| m.id).unwrap_or(0);
            let objects: Vec<MessageObject> = messages
                .iter()
                .map(|m| {
                    let mut object = with_own_reactions(format_message(&room, m, Some(&viewer)), &own);
                    object.parent = parents
                        .iter()
                        .find(|p| p.id == m.parent_id)
                        .map(|p| Box::new(with_own_reactions(format_message(&room, p, Some(&viewer)), &own)));
                    object
                })
                .collect();
            return Ok(Ocs::ok(objects).header("x-chat-last-given", last_given.to_string()));
        }
        if !future || Instant::now() >= deadline || s.stopping.is_stopping() {
            return Ok(Ocs::with_status(304, Vec::new()));
        }
        // A shutdown ends the wait at once with the same "nothing new" answer.
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = s.stopping.wait() => {}
        }
    }
}

/// Adds `reactionsSelf` where the reader reacted: their emojis, in the order given.
fn with_own_reactions(mut object: MessageObject, own: &[(i64, String)]) -> MessageObject {
    let mine: Vec<String> = own
        .iter()
        .filter(|(id, _)| *id == object.id)
        .map(|(_, reaction)| reaction.clone())
        .collect();
    if !mine.is_empty() {
        object.reactions_self = Some(mine);
    }
    object
}

/// # PUT /ocs/v2.php/apps/spreed/api/v1/chat/{token}/{messageId} (ChatController::editMessage)
///
/// Answers the `message_edited` system message with the edited message as its `parent`.
async fn edit_message(
    State(s): State<AppState>,
    MessageId(id): MessageId,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    params: Params,
) -> OcsResult<MessageObject> {
    p.check_may_write_chat()?;
    let Some(text) = params.string("message") else {
        return Err(Refusal::MissingParameter.into());
    };
    let object =
        s.db.run(move |conn| {
            conn.write_tx(|conn| -> Result<_, Refusal> {
                let (system, edited) = chat::edit_message(conn, &p, id, &text, now.secs())?;
                let viewer = Some(p.user_id().as_str());
                let mut object = format_message(p.room(), &system, viewer);
                object.parent = Some(Box::new(format_message(p.room(), &edited, viewer)));
                Ok(object)
            })
        })
        .await?;
    Ok(Ocs::ok(object))
}
