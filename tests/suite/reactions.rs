//! Reactions to chat messages (spreed `ReactionController`), with the request shapes the
//! clients send: JSON bodies (web client, nc_py_api), query strings (Android), form bodies on
//! DELETE (nextcloud_async). Every refusal also checks that the reactions and the chat stayed
//! as they were.

use crate::common::{eventually, find_message, manual_clock, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";

/// A group conversation of participant1 (owner) with participant2 and participant3 (users).
async fn group(app: &TestApp, name: &str) -> String {
    app.class_with_students("participant1", name, &["participant2", "participant3"])
        .await
}

fn entry(user: &str) -> Value {
    json!({"actorType": "users", "actorId": user, "actorDisplayName": format!("{user}-displayname")})
}

/// The reaction lists without their timestamps (checked apart).
fn without_time(data: &Value) -> Value {
    let mut data = data.clone();
    for list in data.as_object_mut().expect("object").values_mut() {
        for reaction in list.as_array_mut().expect("list") {
            assert!(reaction["timestamp"].as_i64().unwrap() > 0);
            reaction.as_object_mut().unwrap().remove("timestamp");
        }
    }
    data
}

async fn reactions_are_added_listed_and_revoked(app: &TestApp) {
    let token = group(app, "room").await;
    let message = app.post_message("participant2", &token, "hello").await;
    let path = format!("{V1}/reaction/{token}/{message}");

    // The web client: JSON. A new reaction answers 201 with all reactions of the message.
    let r = app
        .as_user("participant1")
        .json("POST", &path, &json!({"reaction": "👍"}))
        .await;
    r.assert_status(201);
    assert_eq!(without_time(&r.data()), json!({"👍": [entry("participant1")]}));
    // The same again: 200, nothing added.
    let r = app
        .as_user("participant1")
        .json("POST", &path, &json!({"reaction": "👍"}))
        .await;
    r.assert_status(200);
    assert_eq!(without_time(&r.data()), json!({"👍": [entry("participant1")]}));
    // Android: query string; nextcloud_async: form body.
    let r = app
        .as_user("participant3")
        .send_query("POST", &format!("{path}?reaction=%F0%9F%91%8D"))
        .await;
    r.assert_status(201);
    let r = app.as_user("participant3").post(&path, &[("reaction", "🧑🏽‍💻")]).await;
    r.assert_status(201);
    assert_eq!(
        without_time(&r.data()),
        json!({"👍": [entry("participant1"), entry("participant3")], "🧑🏽‍💻": [entry("participant3")]})
    );

    // Listing: all, or one emoji.
    let r = app.as_user("participant2").get(&path).await;
    r.assert_status(200);
    assert_eq!(
        without_time(&r.data()),
        json!({"👍": [entry("participant1"), entry("participant3")], "🧑🏽‍💻": [entry("participant3")]})
    );
    let r = app
        .as_user("participant2")
        .get(&format!("{path}?reaction=%F0%9F%91%8D"))
        .await;
    r.assert_status(200);
    assert_eq!(
        without_time(&r.data()),
        json!({"👍": [entry("participant1"), entry("participant3")]})
    );
    let r = app
        .as_user("participant2")
        .get(&format!("{path}?reaction=%F0%9F%8E%89"))
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["ocs"]["data"], json!({}));

    // The chat: counts for everybody, `reactionsSelf` only where the reader reacted.
    let seen = app.chat("participant3", &token).await;
    let m = find_message(&seen, message);
    assert_eq!(m["reactions"], json!({"👍": 2, "🧑🏽‍💻": 1}));
    assert_eq!(m["reactionsSelf"], json!(["👍", "🧑🏽‍💻"]));
    let seen = app.chat("participant2", &token).await;
    assert!(find_message(&seen, message).get("reactionsSelf").is_none());
    assert_eq!(find_message(&seen, message)["reactions"], json!({"👍": 2, "🧑🏽‍💻": 1}));
    // Each reaction is a system message `reaction` replying to the message, as upstream's.
    let reactions: Vec<&Value> = seen.iter().filter(|m| m["systemMessage"] == "reaction").collect();
    assert_eq!(reactions.len(), 3);
    assert_eq!(reactions[0]["message"], "🧑🏽‍💻");
    assert_eq!(reactions[0]["messageType"], "system");
    assert_eq!(reactions[0]["actorId"], "participant3");
    assert_eq!(reactions[0]["messageParameters"], json!([]));
    assert_eq!(reactions[0]["parent"]["id"], message);
    assert_eq!(reactions[0]["parent"]["reactions"], json!({"👍": 2, "🧑🏽‍💻": 1}));
    // Reactions are neither the conversation's last message nor unread.
    let room = app
        .as_user("participant2")
        .get(&format!("{V4}/room/{token}"))
        .await
        .data();
    assert_eq!(room["lastMessage"]["id"], message);
    assert_eq!(room["lastMessage"]["reactions"], json!({"👍": 2, "🧑🏽‍💻": 1}));
    assert_eq!(room["unreadMessages"], 0);

    // Revoking (nextcloud_async: form body on DELETE) answers the remaining reactions.
    let r = app.as_user("participant3").delete(&path, &[("reaction", "👍")]).await;
    r.assert_status(200);
    assert_eq!(
        without_time(&r.data()),
        json!({"👍": [entry("participant1")], "🧑🏽‍💻": [entry("participant3")]})
    );
    // The web client: JSON body on DELETE.
    let r = app
        .as_user("participant3")
        .json("DELETE", &path, &json!({"reaction": "🧑🏽‍💻"}))
        .await;
    r.assert_status(200);
    assert_eq!(without_time(&r.data()), json!({"👍": [entry("participant1")]}));

    let mine = app.chat("participant3", &token).await;
    assert_eq!(mine[0]["systemMessage"], "reaction_revoked");
    assert_eq!(mine[0]["message"], "You deleted a reaction");
    assert_eq!(mine[0]["parent"]["id"], message);
    assert_eq!(mine[0]["parent"]["reactions"], json!({"👍": 1}));
    assert!(mine[0]["parent"].get("reactionsSelf").is_none());
    let theirs = app.chat("participant1", &token).await;
    assert_eq!(theirs[0]["message"], "{actor} deleted a reaction");
    assert_eq!(theirs[0]["messageParameters"]["actor"]["id"], "participant3");
    assert_eq!(find_message(&theirs, message)["reactionsSelf"], json!(["👍"]));
    // The revoked reactions' own messages stay as `reaction_deleted`.
    let deleted: Vec<&Value> = theirs
        .iter()
        .filter(|m| m["systemMessage"] == "reaction_deleted")
        .collect();
    assert_eq!(deleted.len(), 2);
    assert_eq!(deleted[0]["message"], "Reaction deleted by author");
    assert_eq!(theirs[0]["messageParameters"].get("message"), None);
    let room = app
        .as_user("participant2")
        .get(&format!("{V4}/room/{token}"))
        .await
        .data();
    assert_eq!(room["lastMessage"]["id"], message);

    // Reacting again after revoking is a new reaction.
    let r = app.as_user("participant3").post(&path, &[("reaction", "👍")]).await;
    r.assert_status(201);
}

async fn reactions_are_refused_as_upstream(app: &TestApp) {
    let token = group(app, "room").await;
    let other = group_of(app, "participant1").await;
    let message = app.post_message("participant2", &token, "hello").await;
    let elsewhere = app.post_message("participant1", &other, "elsewhere").await;
    let path = format!("{V1}/reaction/{token}/{message}");
    app.as_user("participant1")
        .post(&path, &[("reaction", "👍")])
        .await
        .assert_status(201);
    let system = app
        .chat("participant1", &token)
        .await
        .iter()
        .find(|m| m["systemMessage"] == "user_added")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let before = app.chat("participant1", &token).await;
    let reactions_before = app.as_user("participant1").get(&path).await.data();

    let me = app.as_user("participant2");
    // Not a single emoji: 400 without a key.
    for bad in ["a", "1", "👍👍", "👍 x", ""] {
        let r = me.post(&path, &[("reaction", bad)]).await;
        r.assert_status(400);
        assert_eq!(r.data(), json!([]), "{bad:?}");
    }
    // No reaction at all: 400.
    me.post(&path, &[]).await.assert_status(400);
    me.delete(&path, &[]).await.assert_status(400);
    // An unknown message: 404 on every method.
    let missing = format!("{V1}/reaction/{token}/999999");
    let r = me.post(&missing, &[("reaction", "👍")]).await;
    r.assert_status(404);
    assert_eq!(r.data(), json!([]));
    me.delete(&missing, &[("reaction", "👍")]).await.assert_status(404);
    me.get(&missing).await.assert_status(404);
    // A system message, or another conversation's message: 400 to react, 404 otherwise.
    for id in [system, elsewhere] {
        let p = format!("{V1}/reaction/{token}/{id}");
        let r = me.post(&p, &[("reaction", "👍")]).await;
        r.assert_status(400);
        assert_eq!(r.data(), json!([]));
        me.delete(&p, &[("reaction", "👍")]).await.assert_status(404);
        me.get(&p).await.assert_status(404);
    }
    // Revoking a reaction one never gave: 404.
    let r = me.delete(&path, &[("reaction", "👍")]).await;
    r.assert_status(404);
    assert_eq!(r.data(), json!([]));
    // Not a participant: 404; a message id that is no number: no such route.
    let outsider = app.as_user("participant3");
    outsider
        .post(&format!("{V1}/reaction/{other}/{elsewhere}"), &[("reaction", "👍")])
        .await
        .assert_status(404);
    let r = me
        .post(&format!("{V1}/reaction/{token}/abc"), &[("reaction", "👍")])
        .await;
    r.assert_status(404);
    assert!(r.body.contains("<statuscode>998</statuscode>"), "{}", r.body);

    // A read-only conversation: 403 to react or revoke, listing still works.
    app.as_user("participant1")
        .put(&format!("{V4}/room/{token}/read-only"), &[("state", "1")])
        .await
        .assert_status(200);
    me.post(&path, &[("reaction", "🎉")]).await.assert_status(403);
    app.as_user("participant1")
        .delete(&path, &[("reaction", "👍")])
        .await
        .assert_status(403);
    me.get(&path).await.assert_status(200);
    app.as_user("participant1")
        .put(&format!("{V4}/room/{token}/read-only"), &[("state", "0")])
        .await
        .assert_status(200);
    // The lobby holds users back: 412 for every method.
    app.as_user("participant1")
        .put(&format!("{V4}/room/{token}/webinar/lobby"), &[("state", "1")])
        .await
        .assert_status(200);
    me.post(&path, &[("reaction", "🎉")]).await.assert_status(412);
    me.get(&path).await.assert_status(412);
    app.as_user("participant1")
        .put(&format!("{V4}/room/{token}/webinar/lobby"), &[("state", "0")])
        .await
        .assert_status(200);

    // Nothing changed.
    let after = app.chat("participant1", &token).await;
    let strip = |c: &[Value]| -> Vec<Value> {
        c.iter()
            .filter(|m| {
                !["read_only", "read_only_off", "lobby_none", "lobby_non_moderators"]
                    .contains(&m["systemMessage"].as_str().unwrap_or(""))
            })
            .cloned()
            .collect()
    };
    assert_eq!(strip(&after), strip(&before));
    assert_eq!(app.as_user("participant1").get(&path).await.data(), reactions_before);
}

/// A second conversation of `owner` alone.
async fn group_of(app: &TestApp, owner: &str) -> String {
    let room = app
        .as_user(owner)
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "other")])
        .await
        .data();
    room["token"].as_str().unwrap().to_owned()
}

/// A reaction expires with the message it reacts to.
async fn reactions_expire_with_their_message(app: &TestApp) {
    let token = group(app, "room").await;
    app.as_user("participant1")
        .post(&format!("{V4}/room/{token}/message-expiration"), &[("seconds", "3600")])
        .await
        .assert_status(200);
    let message = app.post_message("participant2", &token, "soon gone").await;
    let path = format!("{V1}/reaction/{token}/{message}");
    app.as_user("participant1")
        .post(&path, &[("reaction", "👍")])
        .await
        .assert_status(201);
    app.clock().advance(Duration::from_secs(3601));
    app.as_user("participant1").get(&path).await.assert_status(404);
    let seen = app.chat("participant1", &token).await;
    assert!(seen
        .iter()
        .all(|m| m["id"] != message && m["systemMessage"] != "reaction"));
    // Gone from the reactions table too, not only hidden with the message: no foreign key
    // removes them, the expiry job does (it runs right after the clock moves).
    eventually("the expired message's reactions removed", || async {
        let left = app
            .db()
            .run(move |conn| talk_breakout::db::store::reactions::counts(conn, message))
            .await
            .unwrap();
        left.is_empty().then_some(())
    })
    .await;
}

both_backends_with!(manual_clock; reactions_expire_with_their_message);

both_backends!(
    reactions_are_added_listed_and_revoked,
    reactions_are_refused_as_upstream
);
