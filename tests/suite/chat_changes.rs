//! Deleting and editing chat messages (spreed `ChatController::deleteMessage`, `editMessage`),
//! with the request shapes the clients send: a bare DELETE and JSON bodies (web client,
//! nc_py_api), form bodies (nextcloud_async), query strings (Android).
//! Every refusal also checks that the message and the chat stayed as they were.

use crate::common::{find_message, manual_clock, TestApp};
use serde_json::json;
use std::time::Duration;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";

/// A group conversation of participant1 (owner) with participant2 and participant3 (users).
async fn group(app: &TestApp) -> String {
    app.class_with_students("participant1", "room", &["participant2", "participant3"])
        .await
}

async fn authors_and_moderators_delete_messages(app: &TestApp) {
    let token = group(app).await;
    let own = app.post_message("participant2", &token, "mine").await;
    let others = app.post_message("participant3", &token, "theirs").await;

    // The author deletes their own message (web client: bare DELETE).
    let r = app
        .as_user("participant2")
        .delete(&format!("{V1}/chat/{token}/{own}"), &[])
        .await;
    r.assert_status(200);
    let data = r.data();
    assert_eq!(data["systemMessage"], "message_deleted");
    assert_eq!(data["message"], "You deleted a message");
    assert_eq!(data["parent"]["id"], own);
    assert_eq!(data["parent"]["messageType"], "comment_deleted");
    assert_eq!(data["parent"]["message"], "Message deleted by you");
    assert_eq!(data["parent"]["isReplyable"], false);

    // A moderator deletes somebody else's (nextcloud_async: form body).
    let r = app
        .as_user("participant1")
        .delete(&format!("{V1}/chat/{token}/{others}"), &[("unused", "x")])
        .await;
    r.assert_status(200);
    assert_eq!(r.data()["parent"]["message"], "Message deleted by you");

    // The rows stay, as placeholders, for everybody; the system messages follow them.
    let seen = app.chat("participant3", &token).await;
    let mine = find_message(&seen, own);
    assert_eq!(mine["messageType"], "comment_deleted");
    assert_eq!(mine["message"], "Message deleted by author");
    let theirs = find_message(&seen, others);
    assert_eq!(theirs["message"], "Message deleted by {actor}");
    assert_eq!(theirs["messageParameters"]["actor"]["id"], "participant1");
    assert_eq!(seen[0]["systemMessage"], "message_deleted");
    assert_eq!(seen[0]["message"], "{actor} deleted a message");
    assert_eq!(seen[1]["systemMessage"], "message_deleted");
    assert!(seen.iter().all(|m| m["message"] != "mine" && m["message"] != "theirs"));
    // The system messages name the deleted message as their parent, shown as deleted.
    assert_eq!(seen[0]["parent"]["id"], others);
    assert_eq!(seen[0]["parent"]["messageType"], "comment_deleted");
    assert_eq!(seen[1]["parent"]["id"], own);
}

async fn deleting_is_refused_as_upstream(app: &TestApp) {
    let token = group(app).await;
    let theirs = app.post_message("participant3", &token, "theirs").await;
    let before = app.chat("participant1", &token).await;
    let system = before.iter().find(|m| m["systemMessage"] == "user_added").unwrap()["id"]
        .as_i64()
        .unwrap();

    // Somebody else's message, not a moderator: 403 permission.
    let r = app
        .as_user("participant2")
        .delete(&format!("{V1}/chat/{token}/{theirs}"), &[])
        .await;
    r.assert_status(403);
    assert_eq!(r.data(), json!({"error": "permission"}));
    // A system message, even for a moderator: 405 message.
    let r = app
        .as_user("participant1")
        .delete(&format!("{V1}/chat/{token}/{system}"), &[])
        .await;
    r.assert_status(405);
    assert_eq!(r.data(), json!({"error": "message"}));
    // No such message in this conversation: 404 message.
    let r = app
        .as_user("participant1")
        .delete(&format!("{V1}/chat/{token}/999999"), &[])
        .await;
    r.assert_status(404);
    assert_eq!(r.data(), json!({"error": "message"}));
    // Not a number: no such route.
    app.as_user("participant1")
        .delete(&format!("{V1}/chat/{token}/abc"), &[])
        .await
        .assert_status(404);
    // While the conversation is read-only nobody deletes (403), the author included.
    app.as_user("participant1")
        .put(&format!("{V4}/room/{token}/read-only"), &[("state", "1")])
        .await
        .assert_status(200);
    let r = app
        .as_user("participant3")
        .delete(&format!("{V1}/chat/{token}/{theirs}"), &[])
        .await;
    r.assert_status(403);
    app.as_user("participant1")
        .put(&format!("{V4}/room/{token}/read-only"), &[("state", "0")])
        .await
        .assert_status(200);

    let after = app.chat("participant1", &token).await;
    assert_eq!(find_message(&after, theirs)["message"], "theirs");
    assert_eq!(find_message(&after, theirs)["messageType"], "comment");
    assert!(!after.iter().any(|m| m["systemMessage"] == "message_deleted"));
    // A deleted message cannot be deleted again (it is no comment any more).
    app.as_user("participant3")
        .delete(&format!("{V1}/chat/{token}/{theirs}"), &[])
        .await
        .assert_status(200);
    let r = app
        .as_user("participant3")
        .delete(&format!("{V1}/chat/{token}/{theirs}"), &[])
        .await;
    r.assert_status(405);
}

async fn one_to_one_partners_delete_only_their_own(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await;
    let token = r.data()["token"].as_str().unwrap().to_owned();
    let theirs = app.post_message("participant2", &token, "hello").await;
    // The owner of a one-to-one conversation is no moderator of the other's messages.
    let r = app
        .as_user("participant1")
        .delete(&format!("{V1}/chat/{token}/{theirs}"), &[])
        .await;
    r.assert_status(403);
    assert_eq!(
        find_message(&app.chat("participant1", &token).await, theirs)["message"],
        "hello"
    );
    app.as_user("participant2")
        .delete(&format!("{V1}/chat/{token}/{theirs}"), &[])
        .await
        .assert_status(200);
}

async fn authors_and_moderators_edit_messages(app: &TestApp) {
    let token = group(app).await;
    let own = app.post_message("participant2", &token, "first").await;
    let path = format!("{V1}/chat/{token}/{own}");

    // The author edits (web client: JSON).
    let r = app
        .as_user("participant2")
        .json("PUT", &path, &json!({"message": "second"}))
        .await;
    r.assert_status(200);
    let data = r.data();
    assert_eq!(data["systemMessage"], "message_edited");
    assert_eq!(data["message"], "You edited a message");
    assert_eq!(data["parent"]["id"], own);
    assert_eq!(data["parent"]["message"], "second");
    assert_eq!(data["parent"]["lastEditActorId"], "participant2");
    assert_eq!(data["parent"]["lastEditActorType"], "users");
    assert!(data["parent"]["lastEditTimestamp"].as_i64().unwrap() > 0);

    // A moderator edits somebody else's (Android: query string).
    let r = app
        .as_user("participant1")
        .send_query("PUT", &format!("{path}?message=third"))
        .await;
    r.assert_status(200);
    assert_eq!(r.data()["parent"]["lastEditActorId"], "participant1");

    let seen = app.chat("participant3", &token).await;
    assert_eq!(find_message(&seen, own)["message"], "third");
    assert_eq!(seen[0]["systemMessage"], "message_edited");
    assert_eq!(seen[0]["message"], "{actor} edited a message");
    // Messages never edited carry no edit fields.
    assert!(seen[1].get("lastEditTimestamp").is_none() || seen[1]["id"] == own);

    // Refusals change nothing (nextcloud_async: form bodies).
    let r = app.as_user("participant3").put(&path, &[("message", "mine now")]).await;
    r.assert_status(403);
    assert_eq!(r.data(), json!({"error": "permission"}));
    let r = app.as_user("participant2").put(&path, &[("message", "   ")]).await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "message"}));
    let long = "x".repeat(32001);
    let r = app.as_user("participant2").put(&path, &[("message", &long)]).await;
    r.assert_status(413);
    assert_eq!(r.data(), json!({"error": "message"}));
    let r = app
        .as_user("participant2")
        .put(&format!("{V1}/chat/{token}/999999"), &[("message", "x")])
        .await;
    r.assert_status(404);
    assert_eq!(r.data(), json!({"error": "message"}));
    let after = app.chat("participant3", &token).await;
    assert_eq!(find_message(&after, own)["message"], "third");
    assert_eq!(after.len(), seen.len());
}

/// Upstream allows editing for a day.
async fn editing_ends_after_a_day(app: &TestApp) {
    let token = group(app).await;
    let own = app.post_message("participant2", &token, "old").await;
    app.clock().advance(Duration::from_secs(24 * 60 * 60 + 1));
    let r = app
        .as_user("participant2")
        .put(&format!("{V1}/chat/{token}/{own}"), &[("message", "new")])
        .await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "age"}));
    assert_eq!(
        find_message(&app.chat("participant2", &token).await, own)["message"],
        "old"
    );
    // Deleting has no age limit.
    app.as_user("participant2")
        .delete(&format!("{V1}/chat/{token}/{own}"), &[])
        .await
        .assert_status(200);
}

both_backends_with!(manual_clock; editing_ends_after_a_day);

both_backends!(
    authors_and_moderators_edit_messages,
    authors_and_moderators_delete_messages,
    deleting_is_refused_as_upstream,
    one_to_one_partners_delete_only_their_own
);
