//! A conversation's settings and a participant's own preferences (spreed `RoomController`:
//! description, read-only, favorites, notification levels), with the request shapes the clients
//! send: JSON bodies (web client, nc_py_api), query strings (Android), form bodies.
//! Every refusal also checks that nothing changed.

use crate::common::TestApp;
use serde_json::{json, Value};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";

/// A group conversation of participant1 (owner) with participant2 (user).
async fn group(app: &TestApp) -> String {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let room = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "room")])
        .await
        .data();
    let token = room["token"].as_str().unwrap().to_owned();
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", "participant2"), ("source", "users")],
        )
        .await
        .assert_status(200);
    token
}

async fn room(app: &TestApp, user: &str, token: &str) -> Value {
    let r = app.as_user(user).get(&format!("{V4}/room/{token}")).await;
    r.assert_status(200);
    r.data()
}

/// The system message keys of the conversation, newest first.
async fn system_messages(app: &TestApp, token: &str) -> Vec<String> {
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/{token}?lookIntoFuture=0&limit=200"))
        .await;
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["systemMessage"].as_str().filter(|k| !k.is_empty()).map(str::to_owned))
        .collect()
}

async fn description_is_set_and_removed(app: &TestApp) {
    let token = group(app).await;
    let path = format!("{V4}/room/{token}/description");
    // The web client sends JSON.
    let set = app
        .as_user("participant1")
        .json("PUT", &path, &json!({"description": "  Weekly sync  "}))
        .await;
    set.assert_status(200);
    assert_eq!(set.data()["description"], "Weekly sync", "trimmed");
    assert_eq!(room(app, "participant2", &token).await["description"], "Weekly sync");
    assert_eq!(system_messages(app, &token).await[0], "description_set");

    // The same text again changes nothing and posts nothing.
    let before = system_messages(app, &token).await.len();
    app.as_user("participant1")
        .put(&path, &[("description", "Weekly sync")])
        .await
        .assert_status(200);
    assert_eq!(system_messages(app, &token).await.len(), before);

    // Refusals: a plain participant (403), too long (400 `value`), missing parameter (400).
    let r = app.as_user("participant2").put(&path, &[("description", "mine")]).await;
    r.assert_status(403);
    let r = app
        .as_user("participant1")
        .put(&path, &[("description", &"x".repeat(2001))])
        .await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "value"}));
    app.as_user("participant1").put(&path, &[]).await.assert_status(400);
    assert_eq!(room(app, "participant1", &token).await["description"], "Weekly sync");
    assert_eq!(system_messages(app, &token).await.len(), before);

    // Exactly the limit is fine (characters, not bytes); an empty text removes it.
    app.as_user("participant1")
        .put(&path, &[("description", &"é".repeat(2000))])
        .await
        .assert_status(200);
    let removed = app.as_user("participant1").put(&path, &[("description", "")]).await;
    removed.assert_status(200);
    assert_eq!(removed.data()["description"], "");
    assert_eq!(system_messages(app, &token).await[0], "description_removed");
}

async fn one_to_one_conversations_have_no_description_and_cannot_be_read_only(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let room = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await
        .data();
    let token = room["token"].as_str().unwrap();
    let r = app
        .as_user("participant1")
        .put(&format!("{V4}/room/{token}/description"), &[("description", "hi")])
        .await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "type"}));
    let r = app
        .as_user("participant1")
        .put(&format!("{V4}/room/{token}/read-only"), &[("state", "1")])
        .await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "type"}));
    let after = app
        .as_user("participant1")
        .get(&format!("{V4}/room/{token}"))
        .await
        .data();
    assert_eq!(
        (after["description"].clone(), after["readOnly"].clone()),
        (json!(""), json!(0))
    );
}

async fn read_only_locks_the_chat(app: &TestApp) {
    let token = group(app).await;
    let path = format!("{V4}/room/{token}/read-only");
    // Android sends parameters in the query string.
    let locked = app
        .as_user("participant1")
        .send_query("PUT", &format!("{path}?state=1"))
        .await;
    locked.assert_status(200);
    assert_eq!(locked.data()["readOnly"], 1);
    assert_eq!(system_messages(app, &token).await[0], "read_only");
    let before = system_messages(app, &token).await.len();

    // Posting is refused for everybody while the conversation is read-only.
    for user in ["participant1", "participant2"] {
        let r = app
            .as_user(user)
            .post(&format!("{V1}/chat/{token}"), &[("message", "hello")])
            .await;
        r.assert_status(403);
    }
    // Refusals change nothing: a plain participant, an unknown state.
    app.as_user("participant2")
        .put(&path, &[("state", "0")])
        .await
        .assert_status(403);
    let r = app.as_user("participant1").put(&path, &[("state", "2")]).await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "value"}));
    // The same state again is no change.
    app.as_user("participant1")
        .put(&path, &[("state", "1")])
        .await
        .assert_status(200);
    assert_eq!(room(app, "participant2", &token).await["readOnly"], 1);
    assert_eq!(system_messages(app, &token).await.len(), before);

    // Upstream's middleware checks read-only before the lobby: a participant held by the lobby
    // of a read-only conversation gets 403, not 412.
    let lobby = format!("{V4}/room/{token}/webinar/lobby");
    app.as_user("participant1")
        .put(&lobby, &[("state", "1")])
        .await
        .assert_status(200);
    app.as_user("participant2")
        .post(&format!("{V1}/chat/{token}"), &[("message", "hello")])
        .await
        .assert_status(403);

    let open = app.as_user("participant1").put(&path, &[("state", "0")]).await;
    open.assert_status(200);
    assert_eq!(open.data()["readOnly"], 0);
    assert_eq!(system_messages(app, &token).await[0], "read_only_off");
    // Writable again, the lobby decides (412) until it opens.
    app.as_user("participant2")
        .post(&format!("{V1}/chat/{token}"), &[("message", "hello")])
        .await
        .assert_status(412);
    app.as_user("participant1")
        .put(&lobby, &[("state", "0")])
        .await
        .assert_status(200);
    app.as_user("participant2")
        .post(&format!("{V1}/chat/{token}"), &[("message", "hello")])
        .await
        .assert_status(201);
}

async fn favorites_are_per_participant(app: &TestApp) {
    let token = group(app).await;
    let path = format!("{V4}/room/{token}/favorite");
    let fav = app.as_user("participant2").post(&path, &[]).await;
    fav.assert_status(200);
    assert_eq!(fav.data()["isFavorite"], true);
    assert_eq!(room(app, "participant2", &token).await["isFavorite"], true);
    assert_eq!(room(app, "participant1", &token).await["isFavorite"], false);
    // The list shows it too.
    let list = app.as_user("participant2").get(&format!("{V4}/room")).await.data();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["token"] == token.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["isFavorite"], true);

    // Outsiders cannot: 404, as for any conversation they are not in.
    app.create_user("participant3").await;
    app.as_user("participant3").post(&path, &[]).await.assert_status(404);

    let unfav = app.as_user("participant2").delete(&path, &[]).await;
    unfav.assert_status(200);
    assert_eq!(unfav.data()["isFavorite"], false);
    assert_eq!(room(app, "participant2", &token).await["isFavorite"], false);
}

async fn notification_levels(app: &TestApp) {
    let token = group(app).await;
    let notify = format!("{V4}/room/{token}/notify");
    let owners_level = room(app, "participant1", &token).await["notificationLevel"].clone();
    let set = app
        .as_user("participant2")
        .json("POST", &notify, &json!({"level": 3}))
        .await;
    set.assert_status(200);
    assert_eq!(set.data()["notificationLevel"], 3);
    // Only the caller's own level changes.
    assert_eq!(
        room(app, "participant1", &token).await["notificationLevel"],
        owners_level
    );

    // An unknown level is refused with `level` and changes nothing; so is a missing one.
    for bad in ["4", "-1"] {
        let r = app.as_user("participant2").post(&notify, &[("level", bad)]).await;
        r.assert_status(400);
        assert_eq!(r.data(), json!({"error": "level"}));
    }
    app.as_user("participant2").post(&notify, &[]).await.assert_status(400);
    assert_eq!(room(app, "participant2", &token).await["notificationLevel"], 3);

    let calls = format!("{V4}/room/{token}/notify-calls");
    let off = app.as_user("participant2").post(&calls, &[("level", "0")]).await;
    off.assert_status(200);
    assert_eq!(off.data()["notificationCalls"], 0);
    let r = app.as_user("participant2").post(&calls, &[("level", "2")]).await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "level"}));
    assert_eq!(room(app, "participant2", &token).await["notificationCalls"], 0);
}

both_backends!(
    description_is_set_and_removed,
    one_to_one_conversations_have_no_description_and_cannot_be_read_only,
    read_only_locks_the_chat,
    favorites_are_per_participant,
    notification_levels
);
