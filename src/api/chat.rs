//! spreed `ChatController` (API v1): send and receive.

use crate::api::extract::{BaseUrl, ParticipantMessage, RoomParticipant};
use crate::api::wire::{format_message, MentionSuggestion, MessageContext, MessageObject};
use crate::app::chat::{self, PageQuery, Post, MAX_LIMIT, MAX_TIMEOUT_SECONDS};
use crate::db::models::{Message, Room};
use crate::domain::mentions::Names;
use crate::ocs::{Ocs, OcsResult, Params};
use crate::state::{AppState, Now};
use axum::extract::State;
use axum::routing::{delete, get};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/apps/spreed/api/v1/chat/{token}",
            get(receive_messages).post(send_message),
        )
        // A static segment: matched before `{message_id}` (which only takes digits anyway).
        .route("/apps/spreed/api/v1/chat/{token}/mentions", get(mentions))
        .route(
            "/apps/spreed/api/v1/chat/{token}/{message_id}",
            delete(delete_message).put(edit_message),
        )
}

/// A system message answering a change, with the message it changed as its `parent`.
fn present_change(room: &Room, ctx: &MessageContext<'_>, (system, changed): (Message, Message)) -> MessageObject {
    let mut object = format_message(room, &system, ctx);
    object.parent = Some(Box::new(format_message(room, &changed, ctx)));
    object
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v1/chat/{token}/{messageId} (ChatController::deleteMessage)
///
/// Answers the `message_deleted` system message with the placeholder as its `parent`.
async fn delete_message(
    State(s): State<AppState>,
    ParticipantMessage(p, id): ParticipantMessage,
    now: Now,
    BaseUrl(base): BaseUrl,
) -> OcsResult<MessageObject> {
    let (room, viewer) = (p.room().clone(), p.user_id().clone());
    let change = chat::delete(&s.db, p, id, now.secs()).await?;
    let names = Names::default();
    let ctx = MessageContext {
        viewer: Some(&viewer),
        names: &names,
        base_url: &base,
    };
    Ok(Ocs::ok(present_change(&room, &ctx, change)))
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/chat/{token} (ChatController::sendMessage)
async fn send_message(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    BaseUrl(base): BaseUrl,
    params: Params,
) -> OcsResult<MessageObject> {
    let post = Post {
        text: params.string("message"),
        reference_id: params
            .string("referenceId")
            .unwrap_or_default()
            .trim()
            .chars()
            .take(64)
            .collect(),
        reply_to: params.int("replyTo").unwrap_or(0),
        silent: params.bool("silent").unwrap_or(false),
    };
    let (room, viewer) = (p.room().clone(), p.user_id().clone());
    let (stored, names) = chat::post(&s.db, p, post, now.secs()).await?;
    let ctx = MessageContext {
        viewer: Some(&viewer),
        names: &names,
        base_url: &base,
    };
    Ok(Ocs::created(format_message(&room, &stored, &ctx)))
}

/// # GET /ocs/v2.php/apps/spreed/api/v1/chat/{token} (ChatController::receiveMessages)
///
/// History (`lookIntoFuture=0`) is newest first; `lookIntoFuture=1` waits up to `timeout`
/// seconds for newer messages. Nothing → 304.
async fn receive_messages(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    now: Now,
    BaseUrl(base): BaseUrl,
    params: Params,
) -> OcsResult<Vec<MessageObject>> {
    let query = PageQuery {
        look_into_future: params.int("lookIntoFuture").map(|v| v == 1),
        limit: params.int("limit").unwrap_or(100).clamp(1, MAX_LIMIT),
        last_known: params.int("lastKnownMessageId").unwrap_or(0),
        include_last_known: params.int("includeLastKnown").unwrap_or(0) == 1,
        timeout: params
            .int("timeout")
            .unwrap_or(MAX_TIMEOUT_SECONDS)
            .clamp(0, MAX_TIMEOUT_SECONDS),
        set_read_marker: params.int("setReadMarker").unwrap_or(1) == 1,
    };
    let (room, viewer) = (p.room().clone(), p.user_id().clone());
    let Some(page) = chat::receive(&s.db, &s.stopping, p, query, now.secs()).await? else {
        return Ok(Ocs::with_status(304, Vec::new()));
    };
    let last_given = page.messages.last().map(|m| m.id).unwrap_or(0);
    let ctx = MessageContext {
        viewer: Some(&viewer),
        names: &page.names,
        base_url: &base,
    };
    let objects: Vec<MessageObject> = page
        .messages
        .iter()
        .map(|m| {
            let mut object = with_own_reactions(format_message(&room, m, &ctx), &page.own_reactions);
            object.parent = page
                .parents
                .iter()
                .find(|p| p.id == m.parent_id)
                .map(|p| Box::new(with_own_reactions(format_message(&room, p, &ctx), &page.own_reactions)));
            object
        })
        .collect();
    Ok(Ocs::ok(objects).header("x-chat-last-given", last_given.to_string()))
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
    ParticipantMessage(p, id): ParticipantMessage,
    now: Now,
    BaseUrl(base): BaseUrl,
    params: Params,
) -> OcsResult<MessageObject> {
    let (room, viewer) = (p.room().clone(), p.user_id().clone());
    let (change, names) = chat::edit(&s.db, p, id, params.string("message"), now.secs()).await?;
    let ctx = MessageContext {
        viewer: Some(&viewer),
        names: &names,
        base_url: &base,
    };
    Ok(Ocs::ok(present_change(&room, &ctx, change)))
}

/// # GET /ocs/v2.php/apps/spreed/api/v1/chat/{token}/mentions (ChatController::mentions)
///
/// `search` is required; `limit` (default 20) and `includeStatus` are read by upstream but
/// change nothing there without a user-status app and a search plugin that honours the limit,
/// so they are not read here.
async fn mentions(
    State(s): State<AppState>,
    RoomParticipant(p): RoomParticipant,
    params: Params,
) -> OcsResult<Vec<MentionSuggestion>> {
    let found = chat::mentions(&s.db, p, params.string("search")).await?;
    Ok(Ocs::ok(found.into_iter().map(MentionSuggestion::from).collect()))
}
