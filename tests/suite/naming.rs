//! How conversations are named for each viewer: one-to-one conversations after the other user,
//! legacy group invitations after the group.

use crate::common::TestApp;
use serde_json::{json, Value};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";

fn names(room: &Value) -> (Value, Value) {
    (room["name"].clone(), room["displayName"].clone())
}

/// The viewer's entry for `token` in `GET /room`.
async fn listed(app: &TestApp, user: &str, token: &str) -> Value {
    let r = app.as_user(user).get(&format!("{V4}/room")).await;
    r.assert_status(200);
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .find(|room| room["token"] == token)
        .cloned()
        .unwrap_or_else(|| panic!("{token} not listed for {user}"))
}

/// `name` is the other user's id and `displayName` their display name, for each of the two,
/// in every answer that carries the room; the stored name never leaks.
async fn one_to_one_is_named_after_the_other_user(app: &TestApp) {
    app.create_user_named("participant1", "Participant One").await;
    app.create_user_named("participant2", "Participant Two").await;
    // Android sends everything in the query string with an empty body.
    let created = app
        .as_user("participant1")
        .send_query("POST", &format!("{V4}/room?roomType=1&invite=participant2"))
        .await;
    created.assert_status(201);
    let room = created.data();
    let token = room["token"].as_str().unwrap().to_owned();
    assert_eq!(names(&room), (json!("participant2"), json!("Participant Two")));
    assert_eq!(room["type"], 1);

    // The same call again (JSON, as the web client) answers 200 with the same naming.
    let again = app
        .as_user("participant1")
        .json(
            "POST",
            &format!("{V4}/room"),
            &json!({"roomType": 1, "invite": "participant2"}),
        )
        .await;
    again.assert_status(200);
    assert_eq!(names(&again.data()), (json!("participant2"), json!("Participant Two")));

    for (viewer, other_id, other_name) in [
        ("participant1", "participant2", "Participant Two"),
        ("participant2", "participant1", "Participant One"),
    ] {
        let one = app.as_user(viewer).get(&format!("{V4}/room/{token}")).await;
        one.assert_status(200);
        assert_eq!(names(&one.data()), (json!(other_id), json!(other_name)), "{viewer}");
        let entry = listed(app, viewer, &token).await;
        assert_eq!(names(&entry), (json!(other_id), json!(other_name)), "{viewer}");
    }

    // A later display name change shows at once.
    app.as_user("admin")
        .put(
            "/ocs/v2.php/cloud/users/participant2",
            &[("key", "displayname"), ("value", "P. Two")],
        )
        .await
        .assert_status(200);
    let entry = listed(app, "participant1", &token).await;
    assert_eq!(names(&entry), (json!("participant2"), json!("P. Two")));

    // Group conversations keep their own name for everyone.
    let group = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "Team")])
        .await;
    group.assert_status(201);
    assert_eq!(names(&group.data()), (json!("Team"), json!("Team")));
}

/// `POST /room` with `roomType=2` and a group in `invite` (the legacy way) names the conversation
/// after the group's display name, whatever `roomName` says, and adds the group.
async fn legacy_group_invite_is_named_after_the_group(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let admin = app.as_user("admin");
    admin
        .post(
            "/ocs/v2.php/cloud/groups",
            &[("groupid", "group1"), ("displayname", "Group One")],
        )
        .await
        .assert_status(200);
    admin
        .post("/ocs/v2.php/cloud/users/participant2/groups", &[("groupid", "group1")])
        .await
        .assert_status(200);
    let me = app.as_user("participant1");
    let r = me
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("invite", "group1")])
        .await;
    r.assert_status(201);
    let room = r.data();
    assert_eq!(names(&room), (json!("Group One"), json!("Group One")));
    let token = room["token"].as_str().unwrap().to_owned();
    let member = listed(app, "participant2", &token).await;
    assert_eq!(names(&member), (json!("Group One"), json!("Group One")));

    // `roomName` is not used on this path (nor checked: blank is fine).
    for room_name in ["Something else", "   "] {
        let r = me
            .json(
                "POST",
                &format!("{V4}/room"),
                &json!({"roomType": 2, "invite": "group1", "roomName": room_name}),
            )
            .await;
        r.assert_status(201);
        assert_eq!(names(&r.data()), (json!("Group One"), json!("Group One")));
    }

    // A long group name is cut to 64 characters, as upstream prepares object names.
    let long = format!("  {}  ", "x".repeat(70));
    admin
        .post(
            "/ocs/v2.php/cloud/groups",
            &[("groupid", "group2"), ("displayname", long.as_str())],
        )
        .await
        .assert_status(200);
    let r = me
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("invite", "group2")])
        .await;
    r.assert_status(201);
    assert_eq!(r.data()["name"], "x".repeat(64));

    // An unknown group: 404 `invite`, nothing created.
    let before = me.get(&format!("{V4}/room")).await.data().as_array().unwrap().len();
    let r = me
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("invite", "nogroup")])
        .await;
    r.assert_status(404);
    assert_eq!(r.data(), json!({"error": "invite"}));
    assert_eq!(
        me.get(&format!("{V4}/room")).await.data().as_array().unwrap().len(),
        before
    );
}

both_backends!(
    one_to_one_is_named_after_the_other_user,
    legacy_group_invite_is_named_after_the_group
);
