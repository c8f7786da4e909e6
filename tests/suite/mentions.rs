//! Mentions in chat messages (spreed `Chat\Parser\UserMention`, `Chat\Notifier`,
//! `ChatManager::sendMessage`/`editMessage`, the room formatter's `unreadMention` and
//! `unreadMentionDirect`; the syntax of nextcloud/server's `Comment::getMentions`), with the
//! request shapes the clients send: JSON (web client, nc_py_api), form bodies (upstream's
//! harness, nextcloud_async) and query strings (Android).

use crate::common::TestApp;
use serde_json::{json, Value};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";

/// A group conversation "room" of participant1 (owner) with participant2 and participant3.
async fn group(app: &TestApp) -> String {
    for user in ["participant1", "participant2", "participant3"] {
        app.create_user(user).await;
    }
    let room = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "room")])
        .await
        .data();
    let token = room["token"].as_str().unwrap().to_owned();
    for user in ["participant2", "participant3"] {
        app.as_user("participant1")
            .post(
                &format!("{V4}/room/{token}/participants"),
                &[("newParticipant", user), ("source", "users")],
            )
            .await
            .assert_status(200);
    }
    token
}

/// Posts as the web client does (JSON body); returns the answer's data.
async fn post_json(app: &TestApp, user: &str, token: &str, text: &str) -> Value {
    let r = app
        .as_user(user)
        .json("POST", &format!("{V1}/chat/{token}"), &json!({"message": text}))
        .await;
    r.assert_status(201);
    r.data()
}

/// The chat as `user` reads it (history, newest first), without moving their read marker.
async fn chat(app: &TestApp, user: &str, token: &str) -> Vec<Value> {
    let r = app
        .as_user(user)
        .get(&format!("{V1}/chat/{token}?lookIntoFuture=0&limit=200&setReadMarker=0"))
        .await;
    r.assert_status(200);
    r.data().as_array().unwrap().clone()
}

fn find(chat: &[Value], id: &Value) -> Value {
    chat.iter().find(|m| &m["id"] == id).expect("message in chat").clone()
}

/// `user`'s (`unreadMention`, `unreadMentionDirect`) for `token` in their room list, checked
/// against the single-room view.
async fn flags(app: &TestApp, user: &str, token: &str) -> (bool, bool) {
    let list = app.as_user(user).get(&format!("{V4}/room")).await.data();
    let room = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["token"] == token)
        .expect("room listed")
        .clone();
    let single = app.as_user(user).get(&format!("{V4}/room/{token}")).await.data();
    let listed = (
        room["unreadMention"].as_bool().unwrap(),
        room["unreadMentionDirect"].as_bool().unwrap(),
    );
    let seen = (
        single["unreadMention"].as_bool().unwrap(),
        single["unreadMentionDirect"].as_bool().unwrap(),
    );
    assert_eq!(listed, seen, "room list and room view agree for {user}");
    listed
}

/// Reads everything up to `last` as the clients do: a poll for newer messages from there.
async fn read_up_to(app: &TestApp, user: &str, token: &str, last: &Value) {
    let r = app
        .as_user(user)
        .get(&format!(
            "{V1}/chat/{token}?lookIntoFuture=1&lastKnownMessageId={last}&timeout=0&setReadMarker=1"
        ))
        .await;
    assert!(r.status == 200 || r.status == 304, "read: {}", r.status);
}

async fn a_user_mention_becomes_a_parameter(app: &TestApp) {
    let token = group(app).await;
    let sent = post_json(app, "participant1", &token, "hi @participant2, how are you?").await;
    assert_eq!(sent["message"], "hi {mention-user1}, how are you?");
    assert_eq!(
        sent["messageParameters"],
        json!({"mention-user1": {
            "type": "user",
            "id": "participant2",
            "name": "participant2-displayname",
            "mention-id": "participant2",
        }})
    );
    // The same for every reader, and for the room list's last message.
    let seen = find(&chat(app, "participant3", &token).await, &sent["id"]);
    assert_eq!(seen["message"], sent["message"]);
    assert_eq!(seen["messageParameters"], sent["messageParameters"]);
    let room = app
        .as_user("participant3")
        .get(&format!("{V4}/room/{token}"))
        .await
        .data();
    assert_eq!(room["lastMessage"]["message"], sent["message"]);
    assert_eq!(room["lastMessage"]["messageParameters"], sent["messageParameters"]);
    // A display name changed later shows in the parameter, as upstream resolves it on reading.
    app.db()
        .run(|conn| talk_breakout::db::store::users::set_display_name(conn, "participant2", "Renamed"))
        .await
        .unwrap();
    let seen = find(&chat(app, "participant3", &token).await, &sent["id"]);
    assert_eq!(seen["messageParameters"]["mention-user1"]["name"], "Renamed");
}

async fn a_quoted_mention_may_hold_spaces(app: &TestApp) {
    let token = group(app).await;
    app.create_user_named("user with space", "Spacey").await;
    // Upstream's harness: form body.
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V1}/chat/{token}"),
            &[("message", "@\"user with space\" and @\"participant3\" hello")],
        )
        .await;
    r.assert_status(201);
    let data = r.data();
    assert_eq!(data["message"], "{mention-user1} and {mention-user2} hello");
    assert_eq!(
        data["messageParameters"],
        json!({
            "mention-user1": {"type": "user", "id": "user with space", "name": "Spacey", "mention-id": "user with space"},
            "mention-user2": {"type": "user", "id": "participant3", "name": "participant3-displayname", "mention-id": "participant3"},
        })
    );
}

async fn mention_all_names_the_conversation(app: &TestApp) {
    let token = group(app).await;
    let room = app
        .as_user("participant2")
        .get(&format!("{V4}/room/{token}"))
        .await
        .data();
    // Android: every parameter in the query string.
    let r = app
        .as_user("participant2")
        .send_query("POST", &format!("{V1}/chat/{token}?message=%40all%20meeting%20now"))
        .await;
    r.assert_status(201);
    let data = r.data();
    assert_eq!(data["message"], "{mention-call1} meeting now");
    let icon = app.url(&format!(
        "{V1}/room/{token}/avatar?v={}",
        room["avatarVersion"].as_str().unwrap()
    ));
    assert_eq!(
        data["messageParameters"],
        json!({"mention-call1": {
            "type": "call",
            "id": token,
            "name": "room",
            "call-type": "group",
            "icon-url": icon,
            "mention-id": "all",
        }})
    );
    // Everybody else was mentioned, nobody directly; the author not at all.
    assert_eq!(flags(app, "participant1", &token).await, (true, false));
    assert_eq!(flags(app, "participant3", &token).await, (true, false));
    assert_eq!(flags(app, "participant2", &token).await, (false, false));
}

async fn unknown_users_and_email_addresses_stay_text(app: &TestApp) {
    let token = group(app).await;
    for text in [
        "hello @nobody",
        "write to participant2@example.com",
        "(@participant2)",
        // The dot belongs to a bare id, and no user is called "participant2.".
        "thanks @participant2.",
    ] {
        let sent = post_json(app, "participant1", &token, text).await;
        assert_eq!(sent["message"], text);
        assert_eq!(sent["messageParameters"], json!([]), "{text}");
    }
    assert_eq!(flags(app, "participant2", &token).await, (false, false));
    // A leading `//` loses one slash, as upstream shows escaped commands.
    let sent = post_json(app, "participant1", &token, "//help").await;
    assert_eq!(sent["message"], "/help");
}

async fn mentions_mark_the_room_until_read(app: &TestApp) {
    let token = group(app).await;
    let sent = post_json(app, "participant1", &token, "@participant2 please look").await;
    assert_eq!(flags(app, "participant2", &token).await, (true, true));
    assert_eq!(flags(app, "participant3", &token).await, (false, false));
    assert_eq!(flags(app, "participant1", &token).await, (false, false));
    read_up_to(app, "participant2", &token, &sent["id"]).await;
    assert_eq!(flags(app, "participant2", &token).await, (false, false));
    // A reply mentions the author of the message replied to directly.
    let own = post_json(app, "participant3", &token, "a question").await;
    let r = app
        .as_user("participant1")
        .json(
            "POST",
            &format!("{V1}/chat/{token}"),
            &json!({"message": "an answer", "replyTo": own["id"]}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(flags(app, "participant3", &token).await, (true, true));
    // Mentioning oneself marks nothing.
    post_json(app, "participant2", &token, "note to @participant2").await;
    assert_eq!(flags(app, "participant2", &token).await, (false, false));
}

async fn group_mentions_reach_members_of_an_attending_group(app: &TestApp) {
    let token = group(app).await;
    app.create_user("participant4").await;
    app.create_group("attendees", &["participant4"]).await;
    app.create_group("strangers", &["participant3"]).await;
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", "attendees"), ("source", "groups")],
        )
        .await
        .assert_status(200);
    let sent = post_json(
        app,
        "participant1",
        &token,
        "@\"group/attendees\" and @\"group/strangers\" and @\"group/none\"",
    )
    .await;
    assert_eq!(
        sent["message"],
        "{mention-group1} and {mention-group2} and {mention-group3}"
    );
    assert_eq!(
        sent["messageParameters"]["mention-group1"],
        json!({"type": "user-group", "id": "attendees", "name": "attendees", "mention-id": "group/attendees"})
    );
    // A group that does not exist is shown by its id.
    assert_eq!(sent["messageParameters"]["mention-group3"]["name"], "none");
    // Only members of a group that attends are mentioned, and not directly.
    assert_eq!(flags(app, "participant4", &token).await, (true, false));
    assert_eq!(flags(app, "participant3", &token).await, (false, false));
}

async fn edits_add_and_remove_mentions(app: &TestApp) {
    let token = group(app).await;
    let sent = post_json(app, "participant1", &token, "hello").await;
    let id = &sent["id"];
    // The web client edits with a JSON body.
    let r = app
        .as_user("participant1")
        .json(
            "PUT",
            &format!("{V1}/chat/{token}/{id}"),
            &json!({"message": "hello @participant2"}),
        )
        .await;
    r.assert_status(200);
    let parent = &r.data()["parent"];
    assert_eq!(parent["message"], "hello {mention-user1}");
    assert_eq!(parent["messageParameters"]["mention-user1"]["id"], "participant2");
    assert_eq!(flags(app, "participant2", &token).await, (true, true));
    // nextcloud_async edits with a form body; removing the mention leaves the marker, as
    // upstream only withdraws the notification.
    let r = app
        .as_user("participant1")
        .put(&format!("{V1}/chat/{token}/{id}"), &[("message", "hello again")])
        .await;
    r.assert_status(200);
    assert_eq!(r.data()["parent"]["message"], "hello again");
    assert_eq!(r.data()["parent"]["messageParameters"], json!([]));
    let seen = find(&chat(app, "participant2", &token).await, id);
    assert_eq!(seen["message"], "hello again");
    assert_eq!(seen["messageParameters"], json!([]));
    assert_eq!(flags(app, "participant2", &token).await, (true, true));
    // Reading clears it; the edit's system message is the newest.
    let newest = chat(app, "participant2", &token).await[0]["id"].clone();
    read_up_to(app, "participant2", &token, &newest).await;
    assert_eq!(flags(app, "participant2", &token).await, (false, false));
}

async fn mention_permissions_decide_who_may_mention_all(app: &TestApp) {
    let token = group(app).await;
    // The web client sends JSON.
    let r = app
        .as_user("participant1")
        .json(
            "PUT",
            &format!("{V4}/room/{token}/mention-permissions"),
            &json!({"mentionPermissions": 1}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.data()["mentionPermissions"], 1);
    // A participant's `@all` stays text and mentions nobody.
    let sent = post_json(app, "participant2", &token, "@all hello").await;
    assert_eq!(sent["message"], "@all hello");
    assert_eq!(sent["messageParameters"], json!([]));
    assert_eq!(flags(app, "participant3", &token).await, (false, false));
    // A moderator's is a mention.
    let sent = post_json(app, "participant1", &token, "@all hello").await;
    assert_eq!(sent["message"], "{mention-call1} hello");
    assert_eq!(flags(app, "participant3", &token).await, (true, false));
    assert_eq!(flags(app, "participant2", &token).await, (true, false));

    // Refusals, in upstream's order (form bodies, as upstream's harness).
    let path = format!("{V4}/room/{token}/mention-permissions");
    let r = app
        .as_user("participant2")
        .put(&path, &[("mentionPermissions", "0")])
        .await;
    r.assert_status(403);
    let r = app
        .as_user("participant1")
        .put(&path, &[("mentionPermissions", "2")])
        .await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "value"}));
    // The same value again is no change, whatever else holds.
    app.as_user("participant1")
        .put(&path, &[("mentionPermissions", "1")])
        .await
        .assert_status(200);
    let one = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await
        .data();
    let one_token = one["token"].as_str().unwrap();
    let r = app
        .as_user("participant1")
        .put(
            &format!("{V4}/room/{one_token}/mention-permissions"),
            &[("mentionPermissions", "1")],
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "type"}));
}

async fn mention_all_in_a_one_to_one_conversation_names_the_other_user(app: &TestApp) {
    for user in ["participant1", "participant2"] {
        app.create_user(user).await;
    }
    let one = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await
        .data();
    let token = one["token"].as_str().unwrap().to_owned();
    let sent = post_json(app, "participant1", &token, "@all").await;
    assert_eq!(sent["message"], "{mention-call1}");
    assert_eq!(
        sent["messageParameters"]["mention-call1"]["name"],
        "participant2-displayname"
    );
    assert_eq!(sent["messageParameters"]["mention-call1"]["call-type"], "one2one");
    // Each reader sees the conversation by its name for them.
    let seen = find(&chat(app, "participant2", &token).await, &sent["id"]);
    assert_eq!(
        seen["messageParameters"]["mention-call1"]["name"],
        "participant1-displayname"
    );
    let list = app.as_user("participant2").get(&format!("{V4}/room")).await.data();
    let room = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["token"] == token)
        .unwrap()
        .clone();
    assert_eq!(
        room["lastMessage"]["messageParameters"]["mention-call1"]["name"],
        "participant1-displayname"
    );
    assert_eq!(flags(app, "participant2", &token).await, (true, false));
}

both_backends!(
    mention_permissions_decide_who_may_mention_all,
    mention_all_in_a_one_to_one_conversation_names_the_other_user,
    a_user_mention_becomes_a_parameter,
    a_quoted_mention_may_hold_spaces,
    mention_all_names_the_conversation,
    unknown_users_and_email_addresses_stay_text,
    mentions_mark_the_room_until_read,
    group_mentions_reach_members_of_an_attending_group,
    edits_add_and_remove_mentions,
);
