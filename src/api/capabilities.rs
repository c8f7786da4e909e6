//! `GET /cloud/capabilities` (core `OCSController::getCapabilities` + spreed `Capabilities`)
//! and the `X-Nextcloud-Talk-Hash` that tells clients when to fetch them again.

use super::{NEXTCLOUD_VERSION, TALK_VERSION};
use crate::auth::throttle::Action;
use crate::auth::{client_ip, MaybeUser};
use crate::domain::settings::TalkSettings;
use crate::ocs::{Ocs, OcsError, OcsResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

pub fn routes() -> Router<AppState> {
    Router::new().route("/cloud/capabilities", get(get_capabilities))
}

/// The Talk features this server implements. Clients call the endpoints behind every feature
/// listed, so a feature is added here only together with its endpoints.
pub const FEATURES: &[&str] = &[
    "conversation-v4",
    "chat-v2",
    "breakout-rooms-v1",
    "empty-group-room",
    "multi-room-users",
    "last-room-activity",
    "no-ping",
    "system-messages",
    "mention-flag",
    "locked-one-to-one-rooms",
    "webinary-lobby",
    "chat-reference-id",
    "silent-send",
    "favorites",
    "notification-levels",
    // `unreadMentionDirect` in room objects.
    "direct-mention-flag",
    "notification-calls",
    "read-only-rooms",
    "room-description",
    "delete-messages",
    // Deleting has no age limit here, as in upstream's current `ChatController::deleteMessage`.
    "delete-messages-unlimited",
    "edit-messages",
    "mention-permissions",
    "reactions",
];

/// Nextcloud's link-reference pattern, advertised in the `core` block.
const REFERENCE_REGEX: &str =
    r"(\s|\n|^)(https?:\/\/)([-A-Z0-9+_.]+(?::[0-9]+)?(?:\/[-A-Z0-9+&@#%?=~_|!:,.;()]*)*)(\s|\n|$)";

/// Upstream's `Capabilities::LOCAL_FEATURES`, sent as is: the features whose presence a client
/// looks up in this server's own `features` even inside a federated conversation. The list says
/// where to look, not what exists, so upstream sends all of it whatever `features` holds.
pub const FEATURES_LOCAL: &[&str] = &[
    "favorites",
    "chat-read-status",
    "listable-rooms",
    "phonebook-search",
    "temp-user-avatar-api",
    "unified-search",
    "avatar",
    "remind-me-later",
    "note-to-self",
    "archived-conversations-v2",
    "chat-summary-api",
    "call-notification-state-api",
    "schedule-meeting",
    "conversation-creation-all",
    "important-conversations",
    "sip-direct-dialin",
    "dashboard-event-rooms",
    "mutual-calendar-events",
    "upcoming-reminders",
    "sensitive-conversations",
];

/// `X-Nextcloud-Talk-Hash`: changes whenever a setting that clients cache changes.
pub fn config_hash(settings: &TalkSettings) -> String {
    let mut h = Sha1::new();
    h.update(TALK_VERSION.as_bytes());
    h.update(format!("{NEXTCLOUD_VERSION:?}").as_bytes());
    h.update(if settings.breakout_rooms_enabled {
        b"breakout:yes"
    } else {
        b"breakout:no "
    });
    h.update(FEATURES.join(",").as_bytes());
    hex::encode(h.finalize())
}
/// Upstream's `Capabilities::LOCAL_CONFIGS`, sent as is: the config keys that are this server's
/// own (not the hosting server's) in a federated conversation. `hello-v2-token-key` is listed
/// although only servers with an external signaling server send that key.
pub fn config_local() -> Value {
    json!({
        "attachments": ["allowed", "folder"],
        "call": ["predefined-backgrounds", "predefined-backgrounds-v2", "can-upload-background", "start-without-media", "blur-virtual-background"],
        "chat": ["read-privacy", "has-translation-providers", "has-translation-task-providers", "typing-privacy", "summary-threshold"],
        "conversations": ["can-create", "list-style", "description-length"],
        "federation": ["enabled", "incoming-enabled", "outgoing-enabled", "only-trusted-servers"],
        "previews": ["max-gif-size"],
        "signaling": ["session-ping-limit", "hello-v2-token-key"],
        "experiments": ["enabled"]
    })
}

/// Advertised after [`FEATURES`] when this server runs background jobs: upstream lists it only
/// with cron background jobs (`Capabilities.php`), which is what removes expired messages.
pub const MESSAGE_EXPIRATION: &str = "message-expiration";

/// The `spreed` capability block.
pub fn spreed_capabilities(config: &TalkSettings, logged_in: bool, background_jobs: bool) -> Value {
    let mut features = FEATURES.to_vec();
    if background_jobs {
        features.push(MESSAGE_EXPIRATION);
    }
    json!({
        "features": features,
        "features-local": FEATURES_LOCAL,
        "config": {
            "attachments": {"allowed": logged_in, "folder": if logged_in { "/Talk" } else { "" }},
            "call": {
                "enabled": true,
                "breakout-rooms": config.breakout_rooms_enabled,
                "recording": false,
                "recording-consent": 0,
                "supported-reactions": ["❤️", "🎉", "👏", "👋", "👍", "👎", "🔥", "😂", "🤩", "🤔", "😲", "😥"],
                "predefined-backgrounds": [],
                "predefined-backgrounds-v2": [],
                "can-upload-background": false,
                "sip-enabled": false,
                "sip-dialout-enabled": false,
                "can-enable-sip": false,
                "start-without-media": false,
                "max-duration": 0,
                "blur-virtual-background": false,
                "end-to-end-encryption": false,
                "live-transcription": false
            },
            "chat": {
                "max-length": crate::domain::ids::CHAT_MAX_LENGTH,
                "read-privacy": 0,
                "has-translation-providers": false,
                "has-translation-task-providers": false,
                "typing-privacy": 0,
                "summary-threshold": 100
            },
            "conversations": {
                "can-create": logged_in,
                "force-passwords": false,
                "list-style": "two-lines",
                "description-length": 2000,
                "retention-event": 28,
                "retention-phone": 7,
                "retention-instant-meetings": 1
            },
            "federation": {"enabled": false, "incoming-enabled": false, "outgoing-enabled": false, "only-trusted-servers": true},
            "previews": {"max-gif-size": 3145728},
            "signaling": {"session-ping-limit": 200},
            "experiments": {"enabled": 0}
        },
        "config-local": config_local(),
        "version": TALK_VERSION
    })
}

/// # GET /ocs/v2.php/cloud/capabilities (OCSController::getCapabilities)
///
/// Public: wrong credentials are ignored and the caller is served as anonymous.
async fn get_capabilities(State(state): State<AppState>, MaybeUser(user): MaybeUser, parts: Parts) -> OcsResult<Value> {
    let brute_force_delay_ms = state
        .throttler
        .delay(client_ip(&parts), Action::Login)
        .await
        .as_millis() as u64;
    let config = state.db.read_one(TalkSettings::load).await.map_err(OcsError::from)?;
    let (major, minor, micro, _) = NEXTCLOUD_VERSION;
    let data = json!({
        "version": {
            "major": major,
            "minor": minor,
            "micro": micro,
            "string": format!("{major}.{minor}.{micro}"),
            "edition": "",
            "extendedSupport": false
        },
        "capabilities": {
            "core": {
                "pollinterval": 60,
                "webdav-root": "remote.php/webdav",
                "reference-api": true,
                "reference-regex": REFERENCE_REGEX,
                "mod-rewrite-working": false
            },
            "bruteforce": {"delay": brute_force_delay_ms, "allow-listed": false},
            "spreed": spreed_capabilities(&config, user.is_some(), state.settings.background_jobs)
        }
    });
    let etag = format!("\"{}\"", hex::encode(md5::Md5::digest(crate::ocs::to_php_json(&data))));
    Ok(Ocs::ok(data).header("etag", etag))
}
