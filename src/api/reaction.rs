//! spreed `ReactionController` (API v1): react to a message, revoke a reaction, list them.
//! Upstream answers its own refusals here without an `error` key: 404 when the message is
//! missing (and, on revoke and list, when it cannot be reacted to), 400 when reacting is not
//! possible (another conversation's message, a system message, not a single emoji).

use crate::api::extract::ParticipantMessage;
use crate::app::reactions::{self, Grouped};
use crate::domain::reactions::Reacted;
use crate::domain::Refusal;
use crate::ocs::{Ocs, OcsError, OcsResult, Params};
use crate::state::{AppState, Now};
use axum::extract::State;
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/apps/spreed/api/v1/reaction/{token}/{message_id}",
        get(get_reactions).post(react).delete(delete_reaction),
    )
}

/// Which of the reaction refusals upstream answers 404 for a method: a missing message always,
/// one that cannot be reacted to only when revoking and listing.
fn refused(refusal: Refusal, not_reactable_is_missing: bool) -> OcsError {
    match refusal {
        Refusal::MessageNotFound => OcsError::Status(404),
        Refusal::MessageNotReactable if not_reactable_is_missing => OcsError::Status(404),
        other => other.into(),
    }
}

/// # POST /ocs/v2.php/apps/spreed/api/v1/reaction/{token}/{messageId} (ReactionController::react)
///
/// 201 with the message's reactions when added, 200 when the caller had reacted so already.
async fn react(
    State(s): State<AppState>,
    ParticipantMessage(p, id): ParticipantMessage,
    now: Now,
    params: Params,
) -> OcsResult<Grouped> {
    p.check_may_write_chat()?;
    let reaction = params.string("reaction").ok_or(Refusal::MissingParameter)?;
    let (reacted, grouped) = reactions::react(&s.db, p, id, reaction, now.secs())
        .await
        .map_err(|r| refused(r, false))?;
    Ok(match reacted {
        Reacted::Added => Ocs::created(grouped),
        Reacted::AlreadyThere => Ocs::ok(grouped),
    })
}

/// # DELETE /ocs/v2.php/apps/spreed/api/v1/reaction/{token}/{messageId} (ReactionController::delete)
async fn delete_reaction(
    State(s): State<AppState>,
    ParticipantMessage(p, id): ParticipantMessage,
    now: Now,
    params: Params,
) -> OcsResult<Grouped> {
    p.check_may_write_chat()?;
    let reaction = params.string("reaction").ok_or(Refusal::MissingParameter)?;
    let grouped = reactions::unreact(&s.db, p, id, reaction, now.secs())
        .await
        .map_err(|r| refused(r, true))?;
    Ok(Ocs::ok(grouped))
}

/// # GET /ocs/v2.php/apps/spreed/api/v1/reaction/{token}/{messageId} (ReactionController::getReactions)
///
/// An optional `reaction` lists only that emoji (an empty one lists all, as PHP's truthiness).
async fn get_reactions(
    State(s): State<AppState>,
    ParticipantMessage(p, id): ParticipantMessage,
    now: Now,
    params: Params,
) -> OcsResult<Grouped> {
    p.check_lobby()?;
    let only = params.string("reaction").filter(|r| !r.is_empty());
    let grouped = reactions::list(&s.db, p, id, only, now.secs())
        .await
        .map_err(|r| refused(r, true))?;
    Ok(Ocs::ok(grouped))
}
