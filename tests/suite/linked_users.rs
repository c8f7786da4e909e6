//! Horn's user list of a channel (horn.md §3 #17) over HTTP on both backends.

use crate::common::{Resp, TestApp};
use serde_json::Value;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const API: &str = "/api/v1_0";

/// participant1 owns a group conversation with participant2 and participant3; participant4 is
/// outside.
async fn class(app: &TestApp) -> String {
    for i in 1..=4 {
        app.create_user(&format!("participant{i}")).await;
    }
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "class room")])
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    for i in 2..=3 {
        app.as_user("participant1")
            .post(
                &format!("{V4}/room/{token}/participants"),
                &[("newParticipant", &format!("participant{i}")), ("source", "users")],
            )
            .await
            .assert_status(200);
    }
    token
}

async fn list(app: &TestApp, user: &str, token: &str, query: &str) -> Resp {
    app.as_user(user)
        .raw(
            "GET",
            &format!("{API}/channels/{token}/linked/users{query}"),
            "application/json",
            Vec::new(),
        )
        .await
}

/// Talk's view of the conversation's users, to check that a refused request changed nothing.
async fn talk_users(app: &TestApp, token: &str) -> Vec<(String, i64)> {
    let r = app
        .as_user("participant1")
        .get(&format!("{V4}/room/{token}/participants"))
        .await;
    r.assert_status(200);
    let mut users: Vec<(String, i64)> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["actorType"] == "users")
        .map(|p| {
            (
                p["actorId"].as_str().unwrap().to_owned(),
                p["attendeeId"].as_i64().unwrap(),
            )
        })
        .collect();
    users.sort_by_key(|u| u.1);
    users
}

#[track_caller]
fn refused(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "body: {}", r.body);
    let body = r.json();
    assert_eq!(body["error"], code, "body: {}", r.body);
    assert_eq!(body.as_object().unwrap().len(), 2, "{}", r.body);
}

fn handles(body: &Value) -> Vec<(String, i64)> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|u| (u["handle"].as_str().unwrap().to_owned(), u["id"].as_i64().unwrap()))
        .collect()
}

async fn lists_user_participants_with_paging(app: &TestApp) {
    let token = class(app).await;
    let talk = talk_users(app, &token).await;
    assert_eq!(talk.len(), 3);

    let r = list(app, "participant1", &token, "?imgSize=64").await;
    r.assert_status(200);
    let body = r.json();
    assert_eq!(handles(&body), talk);
    let first = &body[0];
    assert_eq!(first["kind"], "user");
    assert_eq!(first["unregistered"], false);
    assert_eq!(first["authKind"], "password");
    assert_eq!(first["urlHandle"], first["handle"]);
    assert_eq!(first["fullName"].as_str().map(str::is_empty), Some(false));

    let r = list(app, "participant1", &token, "?limit=1&offset=1").await;
    r.assert_status(200);
    assert_eq!(handles(&r.json()), talk[1..2].to_vec());
    let r = list(app, "participant1", &token, "?offset=3").await;
    r.assert_status(200);
    assert_eq!(handles(&r.json()), Vec::new());
}

async fn refusals_change_nothing(app: &TestApp) {
    let token = class(app).await;
    let before = talk_users(app, &token).await;
    for query in ["?limit=0", "?limit=501", "?limit=x", "?offset=-1"] {
        refused(&list(app, "participant1", &token, query).await, 400, "BAD_REQUEST");
    }
    // The role is checked before the query.
    refused(
        &list(app, "participant2", &token, "?limit=0").await,
        403,
        "ACCESS_FORBIDDEN",
    );
    refused(&list(app, "participant2", &token, "").await, 403, "ACCESS_FORBIDDEN");
    refused(&list(app, "participant4", &token, "").await, 404, "CHANNEL_NOT_FOUND");
    refused(
        &list(app, "participant1", "nosuchroom", "").await,
        404,
        "CHANNEL_NOT_FOUND",
    );
    assert_eq!(talk_users(app, &token).await, before);
}

both_backends!(lists_user_participants_with_paging, refusals_change_nothing);
