//! Capabilities follow the app config set through the provisioning API, and the
//! `X-Nextcloud-Talk-Hash` clients watch changes with them.

use crate::common::TestApp;
use serde_json::{json, Value};

const CONFIG: &str = "/ocs/v2.php/apps/provisioning_api/api/v1/config/apps/spreed/breakout_rooms";
const ROOMS: &str = "/ocs/v2.php/apps/spreed/api/v4/room";

async fn breakout_capability(app: &TestApp) -> Value {
    let r = app.as_user("participant1").get("/ocs/v2.php/cloud/capabilities").await;
    r.assert_status(200);
    r.data()["capabilities"]["spreed"]["config"]["call"]["breakout-rooms"].clone()
}

async fn talk_hash(app: &TestApp) -> String {
    let r = app.as_user("participant1").get(ROOMS).await;
    r.assert_status(200);
    r.header("x-nextcloud-talk-hash").expect("talk hash header")
}

async fn breakout_rooms_capability_follows_app_config(app: &TestApp) {
    app.create_user("participant1").await;
    let admin = app.as_user("admin");

    // Unset: enabled.
    assert_eq!(breakout_capability(app).await, json!(true));
    let hash_default = talk_hash(app).await;

    admin.post(CONFIG, &[("value", "no")]).await.assert_status(200);
    assert_eq!(breakout_capability(app).await, json!(false));
    let hash_no = talk_hash(app).await;
    assert_ne!(hash_no, hash_default);

    admin.post(CONFIG, &[("value", "yes")]).await.assert_status(200);
    assert_eq!(breakout_capability(app).await, json!(true));
    assert_eq!(talk_hash(app).await, hash_default);

    admin.post(CONFIG, &[("value", "no")]).await.assert_status(200);
    assert_eq!(talk_hash(app).await, hash_no);
    admin.delete(CONFIG, &[]).await.assert_status(200);
    assert_eq!(breakout_capability(app).await, json!(true));
    assert_eq!(talk_hash(app).await, hash_default);

    // A refused change leaves both alone.
    app.as_user("participant1")
        .post(CONFIG, &[("value", "no")])
        .await
        .assert_status(403);
    assert_eq!(breakout_capability(app).await, json!(true));
    assert_eq!(talk_hash(app).await, hash_default);
}

both_backends!(breakout_rooms_capability_follows_app_config);

const STATUS_BODY: &str = r#"{"installed":true,"maintenance":false,"needsDbUpgrade":false,"version":"32.0.0.13","versionstring":"32.0.0","edition":"","productname":"Nextcloud","extendedSupport":false}"#;

/// `status.php` is the same for everyone, with or without credentials (even wrong ones: it is
/// not an OCS route, so no login happens).
async fn status_php_full_body(app: &TestApp) {
    app.create_user("participant1").await;
    for client in [
        app.anonymous(),
        app.as_user("participant1"),
        app.with_credentials("participant1", "wrong"),
    ] {
        let r = client.header("OCS-APIRequest", None).get("/status.php").await;
        r.assert_status(200);
        assert_eq!(r.header("content-type").as_deref(), Some("application/json"));
        assert_eq!(r.header("access-control-allow-origin").as_deref(), Some("*"));
        assert_eq!(r.body, STATUS_BODY);
    }
}

/// The whole capabilities payload as upstream orders it; `logged_in` switches the per-user values.
fn expected_capabilities(logged_in: bool, breakout_rooms: bool) -> Value {
    use talk_breakout::api::capabilities::FEATURES;
    // `message-expiration` comes last, as upstream appends it when background jobs run.
    let features: Vec<&str> = FEATURES.iter().copied().chain(["message-expiration"]).collect();
    json!({
        "version": {"major": 32, "minor": 0, "micro": 0, "string": "32.0.0", "edition": "", "extendedSupport": false},
        "capabilities": {
            "core": {
                "pollinterval": 60,
                "webdav-root": "remote.php/webdav",
                "reference-api": true,
                "reference-regex": r"(\s|\n|^)(https?:\/\/)([-A-Z0-9+_.]+(?::[0-9]+)?(?:\/[-A-Z0-9+&@#%?=~_|!:,.;()]*)*)(\s|\n|$)",
                "mod-rewrite-working": false
            },
            "bruteforce": {"delay": 0, "allow-listed": false},
            "spreed": {
                "features": features,
                "features-local": [
                    "favorites", "chat-read-status", "listable-rooms", "phonebook-search", "temp-user-avatar-api",
                    "unified-search", "avatar", "remind-me-later", "note-to-self", "archived-conversations-v2",
                    "chat-summary-api", "call-notification-state-api", "schedule-meeting", "conversation-creation-all",
                    "important-conversations", "sip-direct-dialin", "dashboard-event-rooms", "mutual-calendar-events",
                    "upcoming-reminders", "sensitive-conversations"
                ],
                "config": {
                    "attachments": {"allowed": logged_in, "folder": if logged_in { "/Talk" } else { "" }},
                    "call": {
                        "enabled": true,
                        "breakout-rooms": breakout_rooms,
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
                        "max-length": 32000,
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
                "config-local": {
                    "attachments": ["allowed", "folder"],
                    "call": ["predefined-backgrounds", "predefined-backgrounds-v2", "can-upload-background", "start-without-media", "blur-virtual-background"],
                    "chat": ["read-privacy", "has-translation-providers", "has-translation-task-providers", "typing-privacy", "summary-threshold"],
                    "conversations": ["can-create", "list-style", "description-length"],
                    "federation": ["enabled", "incoming-enabled", "outgoing-enabled", "only-trusted-servers"],
                    "previews": ["max-gif-size"],
                    "signaling": ["session-ping-limit", "hello-v2-token-key"],
                    "experiments": ["enabled"]
                },
                "version": "22.0.0"
            }
        }
    })
}

/// The `data` part of a v2 JSON answer, as bytes on the wire.
fn data_bytes(body: &str) -> &str {
    body.strip_prefix(r#"{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":"#)
        .and_then(|rest| rest.strip_suffix("}}"))
        .unwrap_or_else(|| panic!("not a v2 success: {body}"))
}

/// Full body for guests and users, in key order and PHP's escaping; the ETag is the quoted md5
/// of the payload and changes with it.
async fn capabilities_full_body(app: &TestApp) {
    use md5::Digest;
    app.create_user("participant1").await;
    let anonymous = app.anonymous().get("/ocs/v2.php/cloud/capabilities").await;
    let user = app.as_user("participant1").get("/ocs/v2.php/cloud/capabilities").await;
    let mut etags = Vec::new();
    for (r, logged_in) in [(&anonymous, false), (&user, true)] {
        r.assert_status(200);
        let expected = talk_breakout::ocs::to_php_json(&expected_capabilities(logged_in, true));
        assert_eq!(data_bytes(&r.body), String::from_utf8(expected).unwrap());
        let etag = r.header("etag").expect("ETag");
        assert_eq!(
            etag,
            format!("\"{}\"", hex::encode(md5::Md5::digest(data_bytes(&r.body))))
        );
        etags.push(etag);
    }
    assert_ne!(etags[0], etags[1]);
    // PHP's escaping on the wire.
    assert!(user.body.contains(r#""webdav-root":"remote.php\/webdav""#));
    assert!(user
        .body
        .contains(r#""supported-reactions":["\u2764\ufe0f","\ud83c\udf89","#));
    assert!(user.body.contains(r#""folder":"\/Talk""#));

    // The same request answers the same ETag; a config change changes it.
    let again = app.as_user("participant1").get("/ocs/v2.php/cloud/capabilities").await;
    assert_eq!(again.header("etag"), user.header("etag"));
    app.as_user("admin")
        .post(CONFIG, &[("value", "no")])
        .await
        .assert_status(200);
    let changed = app.as_user("participant1").get("/ocs/v2.php/cloud/capabilities").await;
    assert_ne!(changed.header("etag"), user.header("etag"));
    let expected = talk_breakout::ocs::to_php_json(&expected_capabilities(true, false));
    assert_eq!(data_bytes(&changed.body), String::from_utf8(expected).unwrap());

    // v1, as nc_py_api and iOS ask for it: statuscode 100, the same payload.
    let v1 = app
        .anonymous()
        .header("Accept", None)
        .get("/ocs/v1.php/cloud/capabilities?format=json")
        .await;
    v1.assert_status(200);
    let expected = talk_breakout::ocs::to_php_json(&expected_capabilities(false, false));
    assert_eq!(
        v1.body,
        format!(
            r#"{{"ocs":{{"meta":{{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""}},"data":{}}}}}"#,
            String::from_utf8(expected).unwrap()
        )
    );
}

/// Only the exact string `yes` (or no value) enables breakout rooms.
async fn breakout_rooms_flag_values(app: &TestApp) {
    app.create_user("participant1").await;
    let admin = app.as_user("admin");
    for (value, enabled) in [
        ("yes", true),
        ("no", false),
        ("0", false),
        ("1", false),
        ("true", false),
        ("false", false),
        ("YES", false),
        ("yes ", false),
        ("", false),
    ] {
        admin.post(CONFIG, &[("value", value)]).await.assert_status(200);
        assert_eq!(breakout_capability(app).await, json!(enabled), "value {value:?}");
        let anonymous = app.anonymous().get("/ocs/v2.php/cloud/capabilities").await;
        assert_eq!(
            anonymous.data()["capabilities"]["spreed"]["config"]["call"]["breakout-rooms"],
            json!(enabled)
        );
    }
    admin.delete(CONFIG, &[]).await.assert_status(200);
    assert_eq!(breakout_capability(app).await, json!(true));
}

both_backends!(status_php_full_body, capabilities_full_body, breakout_rooms_flag_values);
