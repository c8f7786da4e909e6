//! Horn's channel-linked users (horn.md §3 #16, #17, the invitation rows, unlinking and
//! `POST /auth/invitation`; accounts.md §3) over HTTP on both backends: every endpoint and
//! refusal, with Talk's own endpoints showing that refused requests changed nothing.

use crate::common::{horn_refused, manual_clock, Resp, TestApp};
use serde_json::{json, Value};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";
const API: &str = "/api/v1_0";

/// participant1 owns a group conversation with participant2 and participant3; participant4 is
/// outside.
async fn class(app: &TestApp) -> String {
    let token = app
        .class_with_students("participant1", "class room", &["participant2", "participant3"])
        .await;
    app.create_user("participant4").await;
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
        horn_refused(&list(app, "participant1", &token, query).await, 400, "BAD_REQUEST");
    }
    // The role is checked before the query.
    horn_refused(
        &list(app, "participant2", &token, "?limit=0").await,
        403,
        "ACCESS_FORBIDDEN",
    );
    horn_refused(&list(app, "participant2", &token, "").await, 403, "ACCESS_FORBIDDEN");
    horn_refused(&list(app, "participant4", &token, "").await, 404, "CHANNEL_NOT_FOUND");
    horn_refused(
        &list(app, "participant1", "nosuchroom", "").await,
        404,
        "CHANNEL_NOT_FOUND",
    );
    assert_eq!(talk_users(app, &token).await, before);
}

both_backends!(lists_user_participants_with_paging, refusals_change_nothing);

const DAY_MS: i64 = 24 * 3600 * 1000;

async fn horn(app: &TestApp, user: &str, method: &str, path: &str, body: Value) -> Resp {
    app.as_user(user).json(method, &format!("{API}{path}"), &body).await
}

/// #16: a channel-linked user with `handle`; returns its attendee id.
async fn link(app: &TestApp, token: &str, handle: &str) -> i64 {
    let r = horn(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/linked/users/new"),
        json!({ "handle": handle }),
    )
    .await;
    r.assert_status(200);
    let body = r.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "{}", r.body);
    body["id"].as_i64().expect("numeric id")
}

async fn invitation(app: &TestApp, user: &str, token: &str, id: i64) -> Resp {
    horn(
        app,
        user,
        "GET",
        &format!("/channels/{token}/linked/users/{id}/invitation"),
        Value::Null,
    )
    .await
}

async fn renew(app: &TestApp, token: &str, id: i64, query: &str) -> Resp {
    app.as_user("participant1")
        .send_query(
            "POST",
            &format!("{API}/channels/{token}/linked/users/{id}/invitation{query}"),
        )
        .await
}

async fn redeem(app: &TestApp, body: Value) -> Resp {
    app.anonymous()
        .json("POST", &format!("{API}/auth/invitation"), &body)
        .await
}

/// Talk's participant row of attendee `id`.
async fn talk_participant(app: &TestApp, token: &str, id: i64) -> Option<Value> {
    let r = app
        .as_user("participant1")
        .get(&format!("{V4}/room/{token}/participants"))
        .await;
    r.assert_status(200);
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["attendeeId"] == id)
        .cloned()
}

fn now_ms(app: &TestApp) -> i64 {
    app.clock().now_ms()
}

async fn creates_linked_users_in_the_conversation(app: &TestApp) {
    let token = class(app).await;
    let ada = link(app, &token, "  Ada L.  ").await;
    // Handles may repeat (they are display names, not logins); #16 also without `/new`.
    let r = horn(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/linked/users"),
        json!({ "handle": "Ada L." }),
    )
    .await;
    r.assert_status(200);
    let twin = r.json()["id"].as_i64().unwrap();
    assert_ne!(ada, twin);

    // Talk sees ordinary user attendees of type 3 with the handle as display name and a
    // generated login name.
    let row = talk_participant(app, &token, ada)
        .await
        .expect("Talk lists the linked user");
    assert_eq!(row["actorType"], "users");
    assert_eq!(row["participantType"], 3);
    assert_eq!(row["displayName"], "Ada L.");
    let login = row["actorId"].as_str().unwrap().to_owned();
    assert!(login.starts_with("linked-"), "{login}");
    let twin_login = talk_participant(app, &token, twin).await.unwrap()["actorId"].clone();
    assert_ne!(twin_login, login);
    // Talk's `user_added` system message, by the organiser.
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/{token}?lookIntoFuture=0&limit=3"))
        .await;
    r.assert_status(200);
    assert!(
        r.data()
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["systemMessage"] == "user_added" && m["messageParameters"]["user"]["id"] == login.as_str()),
        "{}",
        r.body
    );

    // #17 lists them as Horn's linked users.
    let r = list(app, "participant1", &token, "").await;
    r.assert_status(200);
    let users = r.json();
    let user = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == ada)
        .unwrap()
        .clone();
    assert_eq!(user["handle"], "Ada L.");
    assert_eq!(user["fullName"], "Ada L.");
    assert_eq!(user["kind"], "linked");
    assert_eq!(user["unregistered"], true);
    assert_eq!(user["urlHandle"], "Ada%20L.");
    assert!(user.get("authKind").is_none(), "{user}");
    assert_eq!(users.as_array().unwrap().len(), 5);
    let ordinary = &users[0];
    assert_eq!(ordinary["kind"], "user");
    assert_eq!(ordinary["clientId"], user["clientId"]);

    // Placed in a Horn session's room like any user; #9 shows the same User object.
    let channel = format!("/channels/{token}/breakout/sessions");
    let bs = app.horn_session("participant1", &token, &json!({})).await;
    let r = horn(app, "participant1", "POST", &format!("{channel}/{bs}/rooms"), json!({})).await;
    let br = r.json()["id"].as_str().unwrap().to_owned();
    let room = format!("{channel}/{bs}/rooms/{br}/participants");
    horn(app, "participant1", "POST", &format!("{room}/{ada}"), Value::Null)
        .await
        .assert_status(200);
    let r = horn(app, "participant1", "GET", &room, Value::Null).await;
    r.assert_status(200);
    assert_eq!(r.json(), json!([user]));
}

async fn invitations_are_shown_and_replaced(app: &TestApp) {
    let token = class(app).await;
    let ada = link(app, &token, "Ada").await;
    let created = now_ms(app);

    let r = invitation(app, "participant1", &token, ada).await;
    r.assert_status(200);
    let first = r.json();
    assert_eq!(first.as_object().unwrap().len(), 3, "{first}");
    let code = first["code"].as_str().unwrap().to_owned();
    assert!(
        code.len() >= 22 && code.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{code}"
    );
    assert_eq!(first["expires"].as_i64().unwrap(), created + 7 * DAY_MS);
    assert_eq!(first["url"], app.url(&format!("/login/invitation/{code}")));
    // Read again: the same code until it is replaced.
    assert_eq!(invitation(app, "participant1", &token, ada).await.json(), first);

    // POST replaces it, with its own ttl.
    let r = renew(app, &token, ada, "?ttl=2h").await;
    r.assert_status(200);
    let second = r.json();
    assert_ne!(second["code"], first["code"]);
    assert_eq!(second["expires"].as_i64().unwrap(), now_ms(app) + 2 * 3600 * 1000);
    assert_eq!(invitation(app, "participant1", &token, ada).await.json(), second);
    let r = renew(app, &token, ada, "").await;
    r.assert_status(200);
    assert_eq!(r.json()["expires"].as_i64().unwrap(), now_ms(app) + 7 * DAY_MS);

    // After expiry GET still answers, with `expires` in the past.
    let r = renew(app, &token, ada, "?ttl=30s").await;
    r.assert_status(200);
    let short = r.json();
    app.clock().advance(std::time::Duration::from_secs(31));
    let r = invitation(app, "participant1", &token, ada).await;
    r.assert_status(200);
    assert_eq!(r.json(), short);
    assert!(short["expires"].as_i64().unwrap() < now_ms(app));

    // An admin who is not a participant manages every channel.
    invitation(app, "admin", &token, ada).await.assert_status(200);
}

async fn invitation_refusals_change_nothing(app: &TestApp) {
    let token = class(app).await;
    let ada = link(app, &token, "Ada").await;
    let before = invitation(app, "participant1", &token, ada).await.json();
    let p2 = talk_users(app, &token).await[1].1;

    horn_refused(
        &invitation(app, "participant1", &token, p2).await,
        404,
        "INVITATION_NOT_FOUND",
    );
    horn_refused(&renew(app, &token, p2, "").await, 404, "INVITATION_NOT_FOUND");
    for unknown in ["999999", "x", "-1"] {
        let r = horn(
            app,
            "participant1",
            "GET",
            &format!("/channels/{token}/linked/users/{unknown}/invitation"),
            Value::Null,
        )
        .await;
        horn_refused(&r, 404, "USER_NOT_FOUND");
    }
    horn_refused(
        &invitation(app, "participant2", &token, ada).await,
        403,
        "ACCESS_FORBIDDEN",
    );
    horn_refused(
        &invitation(app, "participant4", &token, ada).await,
        404,
        "CHANNEL_NOT_FOUND",
    );
    horn_refused(
        &invitation(app, "participant1", "nosuchroom", ada).await,
        404,
        "CHANNEL_NOT_FOUND",
    );
    for bad in ["?ttl=0s", "?ttl=366d", "?ttl=60", "?ttl=x", "?ttl=1.5h", "?ttl="] {
        horn_refused(&renew(app, &token, ada, bad).await, 400, "BAD_REQUEST");
    }
    // Another channel's linked user is not a user of this one.
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "other")])
        .await;
    let other = r.data()["token"].as_str().unwrap().to_owned();
    horn_refused(
        &invitation(app, "participant1", &other, ada).await,
        404,
        "USER_NOT_FOUND",
    );
    assert_eq!(invitation(app, "participant1", &token, ada).await.json(), before);
}

async fn create_refusals_change_nothing(app: &TestApp) {
    let token = class(app).await;
    let before = talk_users(app, &token).await;
    let path = format!("/channels/{token}/linked/users/new");
    for body in [
        json!({}),
        json!({ "handle": "" }),
        json!({ "handle": "   " }),
        json!({ "handle": "x".repeat(65) }),
        json!({ "handle": "bell\u{7}" }),
        json!({ "handle": "tab\there" }),
        json!({ "handle": 5 }),
        json!([]),
    ] {
        horn_refused(
            &horn(app, "participant1", "POST", &path, body).await,
            400,
            "BAD_REQUEST",
        );
    }
    let r = app
        .as_user("participant1")
        .raw("POST", &format!("{API}{path}"), "application/json", b"{".to_vec())
        .await;
    horn_refused(&r, 400, "BAD_REQUEST");
    for ttl in ["0s", "366d", "53w", "60", "1y", "-1d"] {
        let r = horn(
            app,
            "participant1",
            "POST",
            &format!("{path}?ttl={ttl}"),
            json!({ "handle": "Ada" }),
        )
        .await;
        horn_refused(&r, 400, "BAD_REQUEST");
    }
    let ada = json!({ "handle": "Ada" });
    horn_refused(
        &horn(app, "participant2", "POST", &path, ada.clone()).await,
        403,
        "ACCESS_FORBIDDEN",
    );
    // The role is checked before the body.
    horn_refused(
        &horn(app, "participant2", "POST", &path, json!({})).await,
        403,
        "ACCESS_FORBIDDEN",
    );
    horn_refused(
        &horn(app, "participant4", "POST", &path, ada.clone()).await,
        404,
        "CHANNEL_NOT_FOUND",
    );
    let r = app.anonymous().json("POST", &format!("{API}{path}"), &ada).await;
    horn_refused(&r, 401, "UNAUTHORIZED");
    assert_eq!(talk_users(app, &token).await, before);

    // Only group and public conversations take linked users.
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await;
    let one_to_one = r.data()["token"].as_str().unwrap().to_owned();
    let r = horn(
        app,
        "participant1",
        "POST",
        &format!("/channels/{one_to_one}/linked/users/new"),
        ada.clone(),
    )
    .await;
    horn_refused(&r, 400, "BAD_REQUEST");
    assert_eq!(talk_users(app, &one_to_one).await.len(), 2);
}

async fn invitations_are_redeemed_for_app_passwords(app: &TestApp) {
    let token = class(app).await;
    let ada = link(app, &token, "Ada").await;
    let first = invitation(app, "participant1", &token, ada).await.json();
    let code = first["code"].as_str().unwrap();

    let r = redeem(app, json!({ "code": code })).await;
    r.assert_status(200);
    let redeemed = r.json();
    assert_eq!(redeemed.as_object().unwrap().len(), 4, "{redeemed}");
    assert_eq!(redeemed["userId"], ada);
    assert_eq!(redeemed["handle"], "Ada");
    let login = redeemed["loginName"].as_str().unwrap().to_owned();
    assert_eq!(
        talk_participant(app, &token, ada).await.unwrap()["actorId"],
        login.as_str()
    );
    let password = redeemed["token"].as_str().unwrap().to_owned();
    assert_eq!(password.len(), 72);

    // The app password opens Talk (Basic with the login name) and Horn (Bearer).
    let r = app
        .with_credentials(&login, &password)
        .get(&format!("{V4}/room/{token}"))
        .await;
    r.assert_status(200);
    assert_eq!(r.data()["participantType"], 3);
    app.bearer_get(&password, &format!("{API}/channels/{token}/breakout/session"))
        .await
        .assert_status(204);
    // Each redemption issues another app password while the code is valid.
    let r = redeem(app, json!({ "code": code })).await;
    r.assert_status(200);
    assert_ne!(r.json()["token"], password.as_str());

    // A replaced code is unknown; the app passwords it gave stay valid.
    renew(app, &token, ada, "?ttl=1m").await.assert_status(200);
    horn_refused(&redeem(app, json!({ "code": code })).await, 404, "INVITATION_NOT_FOUND");
    app.with_credentials(&login, &password)
        .get(&format!("{V4}/room/{token}"))
        .await
        .assert_status(200);
    // An expired code is refused as expired; the app passwords stay valid.
    let current = invitation(app, "participant1", &token, ada).await.json();
    app.clock().advance(std::time::Duration::from_secs(61));
    horn_refused(
        &redeem(app, json!({ "code": current["code"] })).await,
        400,
        "INVITATION_EXPIRED",
    );
    app.with_credentials(&login, &password)
        .get(&format!("{V4}/room/{token}"))
        .await
        .assert_status(200);
    // The guest has no password that logs in.
    for guess in ["!", "Ada", "123456"] {
        let r = app
            .with_credentials(&login, guess)
            .get(&format!("{V4}/room/{token}"))
            .await;
        assert_eq!(r.status, 401, "{guess:?}: {}", r.body);
    }
}

async fn redemption_refusals(app: &TestApp) {
    let token = class(app).await;
    let ada = link(app, &token, "Ada").await;
    for body in [json!({}), json!({ "code": 5 }), json!([])] {
        horn_refused(&redeem(app, body).await, 400, "BAD_REQUEST");
    }
    let r = app
        .anonymous()
        .raw(
            "POST",
            &format!("{API}/auth/invitation"),
            "application/json",
            b"nope".to_vec(),
        )
        .await;
    horn_refused(&r, 400, "BAD_REQUEST");
    let code = invitation(app, "participant1", &token, ada).await.json()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut wrong = code.clone().into_bytes();
    wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
    let wrong = String::from_utf8(wrong).unwrap();
    for unknown in [wrong.as_str(), "", "short", &format!("{code}x")] {
        horn_refused(
            &redeem(app, json!({ "code": unknown })).await,
            404,
            "INVITATION_NOT_FOUND",
        );
    }
    let r = app.anonymous().get(&format!("{API}/auth/invitation")).await;
    horn_refused(&r, 405, "METHOD_NOT_ALLOWED");
}

both_backends_with!(
    manual_clock;
    creates_linked_users_in_the_conversation,
    invitations_are_shown_and_replaced,
    invitation_refusals_change_nothing,
    create_refusals_change_nothing,
    invitations_are_redeemed_for_app_passwords,
    redemption_refusals
);

/// A linked user "Ada" of `token`, with her login name and a redeemed app password.
async fn redeemed(app: &TestApp, token: &str) -> (i64, String, String) {
    let ada = link(app, token, "Ada").await;
    let code = invitation(app, "participant1", token, ada).await.json()["code"].clone();
    let r = redeem(app, json!({ "code": code })).await;
    r.assert_status(200);
    let v = r.json();
    (
        ada,
        v["loginName"].as_str().unwrap().to_owned(),
        v["token"].as_str().unwrap().to_owned(),
    )
}

async fn account_exists(app: &TestApp, login: &str) -> bool {
    let login = login.to_owned();
    app.db()
        .run(move |conn| talk_breakout::db::store::users::find(conn, &login))
        .await
        .unwrap()
        .is_some()
}

async fn app_passwords_of(app: &TestApp, login: &str) -> i64 {
    let login = login.to_owned();
    app.db()
        .run(move |conn| talk_breakout::db::store::app_passwords::count_for_user(conn, &login))
        .await
        .unwrap()
}

/// Talk's participants of every breakout room of `token`, as actor ids.
async fn breakout_members(app: &TestApp, token: &str) -> Vec<String> {
    let r = app
        .as_user("participant1")
        .get(&format!("{V4}/room/{token}/breakout-rooms"))
        .await;
    r.assert_status(200);
    let mut members = Vec::new();
    for room in r.data().as_array().unwrap() {
        let t = room["token"].as_str().unwrap();
        let r = app
            .as_user("participant1")
            .get(&format!("{V4}/room/{t}/participants"))
            .await;
        r.assert_status(200);
        for p in r.data().as_array().unwrap() {
            members.push(p["actorId"].as_str().unwrap().to_owned());
        }
    }
    members
}

async fn unlinking_deletes_the_account(app: &TestApp) {
    let token = class(app).await;
    let (ada, login, password) = redeemed(app, &token).await;
    let guest = app.with_credentials(&login, &password);
    guest
        .post(&format!("{V1}/chat/{token}"), &[("message", "hello from Ada")])
        .await
        .assert_status(201);
    // Placed in a breakout room like any user (Talk's configure with an attendee map).
    app.as_user("participant1")
        .post(
            &format!("{V1}/breakout-rooms/{token}"),
            &[
                ("mode", "2"),
                ("amount", "2"),
                ("attendeeMap", &format!(r#"{{"{ada}":1}}"#)),
            ],
        )
        .await
        .assert_status(200);
    assert!(breakout_members(app, &token).await.contains(&login));

    // Refusals change nothing.
    let path = |id: &str| format!("/channels/{token}/linked/users/{id}");
    let owner = talk_users(app, &token).await[0].1;
    let before = talk_users(app, &token).await;
    horn_refused(
        &horn(app, "participant1", "DELETE", &path(&owner.to_string()), Value::Null).await,
        400,
        "BAD_REQUEST",
    );
    horn_refused(
        &horn(app, "participant1", "DELETE", &path("999999"), Value::Null).await,
        404,
        "USER_NOT_FOUND",
    );
    horn_refused(
        &horn(app, "participant2", "DELETE", &path(&ada.to_string()), Value::Null).await,
        403,
        "ACCESS_FORBIDDEN",
    );
    horn_refused(
        &horn(app, "participant4", "DELETE", &path(&ada.to_string()), Value::Null).await,
        404,
        "CHANNEL_NOT_FOUND",
    );
    assert_eq!(talk_users(app, &token).await, before);
    guest.get(&format!("{V4}/room/{token}")).await.assert_status(200);

    let r = horn(app, "participant1", "DELETE", &path(&ada.to_string()), Value::Null).await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({}));
    // Gone from the conversation and its breakout rooms, the account and its app passwords
    // deleted; the app password stops working at once.
    assert!(talk_participant(app, &token, ada).await.is_none());
    assert!(!breakout_members(app, &token).await.contains(&login));
    assert!(!account_exists(app, &login).await);
    assert_eq!(app_passwords_of(app, &login).await, 0);
    guest.get(&format!("{V4}/room/{token}")).await.assert_status(401);
    // Its messages stay.
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/{token}?lookIntoFuture=0&limit=100"))
        .await;
    r.assert_status(200);
    let messages = r.data();
    let hello = messages
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["message"] == "hello from Ada")
        .unwrap_or_else(|| panic!("{}", r.body));
    // As upstream shows a deleted user's messages.
    assert_eq!(hello["actorType"], "deleted_users");
    assert_eq!(hello["actorId"], "deleted_users");
    assert_eq!(hello["actorDisplayName"], "");
    horn_refused(
        &horn(app, "participant1", "DELETE", &path(&ada.to_string()), Value::Null).await,
        404,
        "USER_NOT_FOUND",
    );

    // An ordinary user leaves the conversation and keeps the account.
    let p3 = talk_users(app, &token).await[2].clone();
    assert_eq!(p3.0, "participant3");
    horn(app, "participant1", "DELETE", &path(&p3.1.to_string()), Value::Null)
        .await
        .assert_status(200);
    assert!(talk_participant(app, &token, p3.1).await.is_none());
    assert!(account_exists(app, "participant3").await);
    app.as_user("participant3")
        .get("/ocs/v2.php/cloud/user")
        .await
        .assert_status(200);
}

async fn deleting_the_conversation_deletes_its_linked_users(app: &TestApp) {
    let token = class(app).await;
    let (_, login, password) = redeemed(app, &token).await;
    app.as_user("participant1")
        .delete(&format!("{V4}/room/{token}"), &[])
        .await
        .assert_status(200);
    assert!(!account_exists(app, &login).await);
    assert_eq!(app_passwords_of(app, &login).await, 0);
    app.with_credentials(&login, &password)
        .get("/ocs/v2.php/cloud/user")
        .await
        .assert_status(401);
    assert!(account_exists(app, "participant2").await);
}

fn test_reset(settings: &mut talk_breakout::config::Settings) {
    settings.enable_test_reset = true;
}

async fn test_reset_deletes_linked_users(app: &TestApp) {
    let token = class(app).await;
    let (_, login, _) = redeemed(app, &token).await;
    app.as_user("admin")
        .delete("/ocs/v2.php/apps/spreedcheats/", &[])
        .await
        .assert_status(200);
    assert!(!account_exists(app, &login).await);
    assert!(account_exists(app, "participant1").await);
}

both_backends!(
    unlinking_deletes_the_account,
    deleting_the_conversation_deletes_its_linked_users
);
both_backends_with!(test_reset; test_reset_deletes_linked_users);

async fn talk_refuses_linked_accounts_elsewhere(app: &TestApp) {
    let token = class(app).await;
    let (ada, login, password) = redeemed(app, &token).await;
    let guest = app.with_credentials(&login, &password);
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "other")])
        .await;
    let other = r.data()["token"].as_str().unwrap().to_owned();

    // Never a moderator: 400 `type`, nothing changed.
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/moderators"),
            &[("attendeeId", &ada.to_string())],
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({ "error": "type" }));
    assert_eq!(talk_participant(app, &token, ada).await.unwrap()["participantType"], 3);

    // Another conversation cannot take it: answered exactly as an unknown user.
    let add = |who: String| {
        let other = other.clone();
        async move {
            app.as_user("participant1")
                .post(
                    &format!("{V4}/room/{other}/participants"),
                    &[("newParticipant", who.as_str()), ("source", "users")],
                )
                .await
        }
    };
    let unknown = add("nosuchuser".to_owned()).await;
    unknown.assert_status(404);
    let r = add(login.clone()).await;
    assert_eq!((r.status, r.body.clone()), (unknown.status, unknown.body.clone()));
    let one_to_one = |who: String| async move {
        app.as_user("participant1")
            .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", who.as_str())])
            .await
    };
    let unknown = one_to_one("nosuchuser".to_owned()).await;
    let r = one_to_one(login.clone()).await;
    assert_eq!((r.status, r.body.clone()), (unknown.status, unknown.body.clone()));
    assert_eq!(talk_users(app, &other).await.len(), 1);

    // It creates no conversations, and sees no other one on either face.
    for form in [
        vec![("roomType", "2"), ("roomName", "mine")],
        vec![("roomType", "3"), ("roomName", "mine")],
        vec![("roomType", "1"), ("invite", "participant1")],
    ] {
        let r = guest.post(&format!("{V4}/room"), &form).await;
        r.assert_status(403);
        assert_eq!(r.data(), json!([]));
    }
    let r = guest.get(&format!("{V4}/room")).await;
    r.assert_status(200);
    let tokens: Vec<Value> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["token"].clone())
        .collect();
    assert_eq!(tokens, vec![json!(token)]);
    guest.get(&format!("{V4}/room/{other}")).await.assert_status(404);
    let r = app
        .bearer_get(&password, &format!("{API}/channels/{other}/breakout/session"))
        .await;
    horn_refused(&r, 404, "CHANNEL_NOT_FOUND");
}

async fn provisioning_refuses_linked_accounts(app: &TestApp) {
    let token = class(app).await;
    let (_, login, password) = redeemed(app, &token).await;
    let admin = app.as_user("admin");
    let users = admin.get("/ocs/v2.php/cloud/users").await;
    users.assert_status(200);
    assert!(
        users.data()["users"].as_array().unwrap().contains(&json!(login)),
        "{}",
        users.body
    );

    let user = format!("/cloud/users/{login}");
    let r = admin
        .put(
            &format!("/ocs/v2.php{user}"),
            &[("key", "password"), ("value", "A-new-secret-123")],
        )
        .await;
    r.assert_status(403);
    assert_eq!(r.meta()["statuscode"], 403);
    let r = admin
        .put(
            &format!("/ocs/v1.php{user}"),
            &[("key", "password"), ("value", "A-new-secret-123")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.meta()["statuscode"], 403);
    app.create_group("staff", &[]).await;
    for group in ["admin", "staff"] {
        let r = admin
            .post(&format!("/ocs/v2.php{user}/groups"), &[("groupid", group)])
            .await;
        r.assert_status(403);
    }
    // The guest cannot give itself a password either.
    let r = app
        .with_credentials(&login, &password)
        .put(
            &format!("/ocs/v2.php{user}"),
            &[("key", "password"), ("value", "A-new-secret-123")],
        )
        .await;
    r.assert_status(403);
    // Nothing changed: no password logs in, no group, still no admin.
    app.with_credentials(&login, "A-new-secret-123")
        .get("/ocs/v2.php/cloud/user")
        .await
        .assert_status(401);
    let r = admin.get(&format!("/ocs/v2.php{user}/groups")).await;
    r.assert_status(200);
    assert_eq!(r.data()["groups"], json!([]));
    app.with_credentials(&login, &password)
        .get("/ocs/v2.php/cloud/users")
        .await
        .assert_status(403);
}

both_backends!(
    talk_refuses_linked_accounts_elsewhere,
    provisioning_refuses_linked_accounts
);
