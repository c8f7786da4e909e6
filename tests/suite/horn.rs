//! The Horn face (`/api/v1_0`, horn.md §1–§5) over HTTP on both backends: every endpoint, every
//! error with its exact body and nothing changed, and the interplay with the Talk face checked
//! through Talk's own endpoints.

use crate::common::{horn_refused, manual_clock, Resp, TestApp};
use serde_json::{json, Value};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";
const API: &str = "/api/v1_0";

/// participant1 owns a group conversation with participant2..4; participant5 is outside.
async fn class(app: &TestApp) -> String {
    for i in 1..=5 {
        app.create_user(&format!("participant{i}")).await;
    }
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "class room")])
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    for i in 2..=4 {
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

async fn call(app: &TestApp, user: &str, method: &str, path: &str, body: Option<Value>) -> Resp {
    let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
    app.as_user(user)
        .raw(method, &format!("{API}{path}"), "application/json", bytes)
        .await
}

async fn ok(app: &TestApp, user: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let r = call(app, user, method, path, body).await;
    r.assert_status(200);
    assert_eq!(r.header("content-type").as_deref(), Some("application/json"));
    r.json()
}

fn sessions(token: &str) -> String {
    format!("/channels/{token}/breakout/sessions")
}

/// Creates a session with rooms named `rooms`; returns (session id, room ids).
async fn planned(app: &TestApp, token: &str, body: Value, rooms: &[&str]) -> (String, Vec<String>) {
    let id = ok(app, "participant1", "POST", &sessions(token), Some(body)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut room_ids = Vec::new();
    for name in rooms {
        let r = ok(
            app,
            "participant1",
            "POST",
            &format!("{}/{id}/rooms", sessions(token)),
            Some(json!({ "name": name })),
        )
        .await;
        room_ids.push(r["id"].as_str().unwrap().to_owned());
    }
    (id, room_ids)
}

async fn assign(app: &TestApp, token: &str, session: &str, room: &str, attendee: i64) -> Resp {
    call(
        app,
        "participant1",
        "POST",
        &format!("{}/{session}/rooms/{room}/participants/{attendee}", sessions(token)),
        None,
    )
    .await
}

async fn list(app: &TestApp, user: &str, token: &str) -> Value {
    ok(app, user, "GET", &sessions(token), None).await
}

/// Everything the Horn and Talk faces show of a conversation, to compare before and after a
/// refused request.
async fn snapshot(app: &TestApp, token: &str) -> (Value, Value, Value) {
    let horn = list(app, "participant1", token).await;
    let mut rooms = Vec::new();
    for s in horn.as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let r = ok(
            app,
            "participant1",
            "GET",
            &format!("{}/{id}/rooms", sessions(token)),
            None,
        )
        .await;
        for room in r.as_array().unwrap() {
            let rid = room["id"].as_str().unwrap();
            let p = ok(
                app,
                "participant1",
                "GET",
                &format!("{}/{id}/rooms/{rid}/participants", sessions(token)),
                None,
            )
            .await;
            rooms.push(json!({"room": room, "participants": p}));
        }
    }
    let talk = app.as_user("participant1").get(&format!("{V4}/room")).await;
    talk.assert_status(200);
    let mut talk_rooms: Vec<Value> = talk
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!([
                r["token"],
                r["name"],
                r["lobbyState"],
                r["breakoutRoomMode"],
                r["breakoutRoomStatus"]
            ])
        })
        .collect();
    talk_rooms.sort_by_key(|r| r.to_string());
    (horn, Value::Array(rooms), Value::Array(talk_rooms))
}

/// (systemMessage, actorType, actorId) of a room's system messages, newest first.
async fn system_messages(app: &TestApp, user: &str, token: &str) -> Vec<(String, String, String)> {
    let r = app
        .as_user(user)
        .get(&format!("{V1}/chat/{token}?lookIntoFuture=0"))
        .await;
    r.assert_status(200);
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["systemMessage"] != "")
        .map(|m| {
            (
                m["systemMessage"].as_str().unwrap().to_owned(),
                m["actorType"].as_str().unwrap().to_owned(),
                m["actorId"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn talk_rooms(app: &TestApp, user: &str) -> Vec<Value> {
    let r = app.as_user(user).get(&format!("{V4}/room")).await;
    r.assert_status(200);
    let mut rooms = r.data().as_array().unwrap().clone();
    rooms.sort_by_key(|r| r["id"].as_i64().unwrap());
    rooms
}

fn strip_times(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        for key in ["started", "ended", "endsAt"] {
            if let Some(t) = o.get(key) {
                assert!(
                    t.as_i64().is_some_and(|t| t > 1_700_000_000_000),
                    "{key} is epoch ms: {t}"
                );
                o.insert(key.to_owned(), json!("<ms>"));
            }
        }
        if let Some(room) = o.get("breakoutRoom").cloned() {
            o.insert("breakoutRoom".into(), strip_tokens(room));
        }
    }
    v
}

fn strip_tokens(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        if o.contains_key("channelUuid") {
            o.insert("channelUuid".into(), json!("<token>"));
        }
    }
    v
}

// --- the walk-through ---------------------------------------------------------------------

async fn plan_start_and_stop_a_session(app: &TestApp) {
    let token = class(app).await;
    let p2 = app.attendee_id("participant1", &token, "participant2").await;
    let p3 = app.attendee_id("participant1", &token, "participant3").await;

    // #1 with defaults, #2 lists it.
    let created = ok(app, "participant1", "POST", &sessions(&token), None).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created, json!({ "id": id }));
    assert_eq!(
        list(app, "participant1", &token).await,
        json!([{"id": id, "name": "Breakout session 1", "channel": token, "duration": 0, "mode": "manual", "isActive": false, "isCompleted": false}])
    );
    // #3 renames and sets a duration.
    let updated = ok(
        app,
        "participant1",
        "POST",
        &format!("{}/{id}", sessions(&token)),
        Some(json!({"name": "  Group work ", "duration": 600000})),
    )
    .await;
    assert_eq!(
        updated,
        json!({"id": id, "name": "Group work", "channel": token, "duration": 600000, "mode": "manual", "isActive": false, "isCompleted": false})
    );
    // #5 with default and given names; #6 lists them.
    let r1 = ok(
        app,
        "participant1",
        "POST",
        &format!("{}/{id}/rooms", sessions(&token)),
        None,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r2 = ok(
        app,
        "participant1",
        "POST",
        &format!("{}/{id}/rooms", sessions(&token)),
        Some(json!({"name": "Lab"})),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // #10 assigns (again: idempotent); #9 lists.
    assign(app, &token, &id, &r1, p2).await.assert_status(200);
    let again = assign(app, &token, &id, &r1, p2).await;
    again.assert_status(200);
    assert_eq!(again.json(), json!({}));
    assign(app, &token, &id, &r2, p3).await.assert_status(200);
    assert_eq!(
        ok(
            app,
            "participant2",
            "GET",
            &format!("{}/{id}/rooms", sessions(&token)),
            None
        )
        .await,
        json!([
            {"id": r1, "name": "Room 1", "breakoutSession": id, "participantCount": 1},
            {"id": r2, "name": "Lab", "breakoutSession": id, "participantCount": 1}
        ])
    );
    let users = ok(
        app,
        "participant1",
        "GET",
        &format!("{}/{id}/rooms/{r1}/participants?imgSize=64", sessions(&token)),
        None,
    )
    .await;
    let client_id = users[0]["clientId"].as_str().unwrap().to_owned();
    assert!(!client_id.is_empty());
    assert_eq!(
        users,
        json!([{"id": p2, "handle": "participant2", "fullName": "participant2-displayname", "kind": "user",
                "unregistered": false, "authKind": "password", "urlHandle": "participant2", "reputation": 0,
                "followedBy": false, "following": false, "clientId": client_id}])
    );
    // The student sees their planned room in #2; Talk clients see nothing yet.
    let mine = list(app, "participant2", &token).await;
    assert_eq!(
        mine[0]["breakoutRoom"],
        json!({"id": r1, "name": "Room 1", "breakoutSession": id, "participantCount": 1})
    );
    assert_eq!(talk_rooms(app, "participant1").await.len(), 1);
    // #14: nothing active.
    let none = call(
        app,
        "participant2",
        "GET",
        &format!("/channels/{token}/breakout/session"),
        None,
    )
    .await;
    none.assert_status(204);
    assert_eq!(none.body, "");

    // #12 starts it.
    let started = ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/start"),
        Some(json!({"id": id})),
    )
    .await;
    assert_eq!(
        strip_times(started.clone()),
        json!({"id": id, "name": "Group work", "channel": token, "duration": 600000, "mode": "manual", "started": "<ms>",
               "isActive": true, "isCompleted": false, "endsAt": "<ms>"})
    );
    assert_eq!(
        started["endsAt"].as_i64().unwrap() - started["started"].as_i64().unwrap(),
        600000
    );
    // Talk clients see rooms started as if a moderator had configured and started them.
    let rooms = talk_rooms(app, "participant1").await;
    let names: Vec<&str> = rooms.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["class room", "Room 1", "Lab"]);
    assert_eq!(rooms[0]["breakoutRoomMode"], 2);
    assert_eq!(rooms[0]["breakoutRoomStatus"], 1);
    assert!(rooms[1..]
        .iter()
        .all(|r| r["lobbyState"] == 0 && r["objectType"] == "room"));
    let student: Vec<String> = talk_rooms(app, "participant2")
        .await
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(student, ["class room", "Room 1"]);
    let lab_token = rooms[2]["token"].as_str().unwrap().to_owned();
    let lab_messages = system_messages(app, "participant1", &lab_token).await;
    assert_eq!(
        lab_messages[0],
        ("breakout_rooms_started".into(), "users".into(), "participant1".into())
    );
    let bp = app
        .as_user("participant2")
        .get(&format!("{V4}/room/{token}/breakout-rooms/participants"))
        .await;
    bp.assert_status(200);
    assert_eq!(bp.data().as_array().unwrap().len(), 4 + 2, "{}", bp.body);
    // #14 for the student, with their room and its Talk token.
    let current = ok(
        app,
        "participant2",
        "GET",
        &format!("/channels/{token}/breakout/session"),
        None,
    )
    .await;
    assert_eq!(current["breakoutRoom"]["channelUuid"], rooms[1]["token"]);
    assert_eq!(current["breakoutRoom"]["name"], "Room 1");
    assert_eq!(current["breakoutRoom"]["participantCount"], 1);
    // #14 finds the room its own way (it is polled by every client while a round runs): it
    // agrees with the session as #2 shows it to the same student.
    let listed = ok(
        app,
        "participant2",
        "GET",
        &format!("/channels/{token}/breakout/sessions"),
        None,
    )
    .await;
    let listed = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == current["id"])
        .unwrap()
        .clone();
    assert_eq!(listed["breakoutRoom"], current["breakoutRoom"]);
    // Moderators are in every room, and have none of their own.
    let current = ok(
        app,
        "participant1",
        "GET",
        &format!("/channels/{token}/breakout/session"),
        None,
    )
    .await;
    assert!(current.get("breakoutRoom").is_none());

    // #13 stops it: Talk's stop ran, history keeps the tokens and the assignment.
    let stopped = ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/stop"),
        None,
    )
    .await;
    assert_eq!(
        strip_times(stopped.clone()),
        json!({"id": id, "name": "Group work", "channel": token, "duration": 600000, "mode": "manual", "started": "<ms>",
               "isActive": false, "isCompleted": true, "ended": "<ms>"})
    );
    let rooms = talk_rooms(app, "participant1").await;
    assert_eq!(rooms[0]["breakoutRoomStatus"], 0);
    assert!(rooms[1..].iter().all(|r| r["lobbyState"] == 1));
    assert_eq!(
        system_messages(app, "participant1", &lab_token).await[0],
        ("breakout_rooms_stopped".into(), "users".into(), "participant1".into())
    );
    let history = ok(
        app,
        "participant1",
        "GET",
        &format!("{}/{id}/rooms", sessions(&token)),
        None,
    )
    .await;
    assert_eq!(history[1]["channelUuid"], lab_token.as_str());
    assert_eq!(history[1]["participantCount"], 1);
    let users = ok(
        app,
        "participant1",
        "GET",
        &format!("{}/{id}/rooms/{r2}/participants", sessions(&token)),
        None,
    )
    .await;
    assert_eq!(users[0]["handle"], "participant3");
    assert_eq!(
        ok(
            app,
            "participant1",
            "GET",
            &format!("{}?sessionId=x", sessions(&token)),
            None
        )
        .await
        .as_array()
        .unwrap()
        .len(),
        1
    );
    none_active(app, &token).await;
    // A completed session can be deleted from history.
    let deleted = ok(
        app,
        "participant1",
        "DELETE",
        &format!("{}/{id}", sessions(&token)),
        None,
    )
    .await;
    assert_eq!(deleted, json!({}));
    assert_eq!(list(app, "participant1", &token).await, json!([]));
}

async fn none_active(app: &TestApp, token: &str) {
    call(
        app,
        "participant1",
        "GET",
        &format!("/channels/{token}/breakout/session"),
        None,
    )
    .await
    .assert_status(204);
}

// --- conventions and errors ---------------------------------------------------------------

async fn routes_auth_and_channels(app: &TestApp) {
    let token = class(app).await;
    let r = app.anonymous().get(&format!("{API}/nothing/here")).await;
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"message": "Not found", "error": "NOT_FOUND"}))
    );
    let r = app
        .as_user("participant1")
        .get(&format!("{API}/channels/{token}/breakout/session/stop"))
        .await;
    assert_eq!(
        (r.status, r.json()),
        (
            405,
            json!({"message": "Method not allowed", "error": "METHOD_NOT_ALLOWED"})
        )
    );
    let r = app.anonymous().get(&format!("{API}{}", sessions(&token))).await;
    assert_eq!(
        (r.status, r.json()),
        (
            401,
            json!({"message": "Authentication required", "error": "UNAUTHORIZED"})
        )
    );
    let r = app
        .with_credentials("participant1", "wrong")
        .get(&format!("{API}{}", sessions(&token)))
        .await;
    horn_refused(&r, 401, "UNAUTHORIZED");
    // Non-members and unknown channels look alike.
    let outsider = call(app, "participant5", "GET", &sessions(&token), None).await;
    let unknown = call(app, "participant1", "GET", &sessions("doesnotexist"), None).await;
    horn_refused(&outsider, 404, "CHANNEL_NOT_FOUND");
    assert_eq!(
        (outsider.status, outsider.body.clone()),
        (unknown.status, unknown.body.clone())
    );
    // Students read, but do not manage.
    assert_eq!(list(app, "participant2", &token).await, json!([]));
    horn_refused(
        &call(app, "participant2", "POST", &sessions(&token), None).await,
        403,
        "ACCESS_FORBIDDEN",
    );
    horn_refused(
        &call(
            app,
            "participant2",
            "POST",
            &format!("/channels/{token}/breakout/session/stop"),
            None,
        )
        .await,
        403,
        "ACCESS_FORBIDDEN",
    );
    // Admins manage every channel without being participants.
    let r = ok(
        app,
        "admin",
        "POST",
        &sessions(&token),
        Some(json!({"name": "By admin"})),
    )
    .await;
    assert!(r["id"].is_string());
    // Only group conversations host sessions.
    let one_to_one = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await;
    let dm = one_to_one.data()["token"].as_str().unwrap().to_owned();
    horn_refused(
        &call(app, "participant1", "POST", &sessions(&dm), None).await,
        400,
        "BAD_REQUEST",
    );
    assert_eq!(list(app, "participant1", &dm).await, json!([]));
}

async fn bad_input_changes_nothing(app: &TestApp) {
    let token = class(app).await;
    let (id, rooms) = planned(app, &token, json!({"name": "Plan"}), &["A"]).await;
    // Another channel of the same owner, with its own session and room.
    let other = {
        let r = app
            .as_user("participant1")
            .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "other")])
            .await;
        r.data()["token"].as_str().unwrap().to_owned()
    };
    let (other_id, other_rooms) = planned(app, &other, json!({}), &["B"]).await;
    let before = snapshot(app, &token).await;
    let path = format!("{}/{id}", sessions(&token));
    for (body, field) in [
        ("{", "not valid JSON"),
        ("[1]", "JSON object"),
        ("\"x\"", "JSON object"),
        (r#"{"duration":"60000"}"#, "duration"),
        (r#"{"duration":1.5}"#, "duration"),
        (r#"{"duration":-1}"#, "duration"),
        (r#"{"duration":315360000001}"#, "duration"),
        (r#"{"duration":99999999999999999999999}"#, "duration"),
        (r#"{"name":12}"#, "name"),
        (r#"{"name":"   "}"#, "name"),
        (r#"{"name":"a\u0007b"}"#, "name"),
    ] {
        for target in [sessions(&token), path.clone()] {
            let r = app
                .as_user("participant1")
                .raw(
                    "POST",
                    &format!("{API}{target}"),
                    "application/json",
                    body.as_bytes().to_vec(),
                )
                .await;
            horn_refused(&r, 400, "BAD_REQUEST");
            assert!(
                r.json()["message"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains(&field.to_lowercase()),
                "{body}: {}",
                r.body
            );
        }
    }
    for query in [
        "limit=0",
        "limit=501",
        "limit=-1",
        "limit=x",
        "offset=-1",
        "offset=1.5",
        "limit=99999999999999999999",
    ] {
        horn_refused(
            &call(
                app,
                "participant1",
                "GET",
                &format!("{}?{query}", sessions(&token)),
                None,
            )
            .await,
            400,
            "BAD_REQUEST",
        );
    }
    let page = ok(
        app,
        "participant1",
        "GET",
        &format!("{}?limit=1&offset=1", sessions(&token)),
        None,
    )
    .await;
    assert_eq!(page, json!([]));
    // Ids of another channel's session or room are unknown here.
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("{}/{id}", sessions(&other)),
            Some(json!({"name": "x"})),
        )
        .await,
        404,
        "BREAKOUT_SESSION_NOT_FOUND",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "DELETE",
            &format!("{}/{id}/rooms/{}", sessions(&token), other_rooms[0]),
            None,
        )
        .await,
        404,
        "BREAKOUT_ROOM_NOT_FOUND",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "DELETE",
            &format!("{}/abc", sessions(&token)),
            None,
        )
        .await,
        404,
        "BREAKOUT_SESSION_NOT_FOUND",
    );
    // Lookups come before the body: an unknown session with a bad body is a 404.
    let r = app
        .as_user("participant1")
        .raw(
            "POST",
            &format!("{API}{}/999999", sessions(&token)),
            "application/json",
            b"{".to_vec(),
        )
        .await;
    horn_refused(&r, 404, "BREAKOUT_SESSION_NOT_FOUND");
    horn_refused(
        &call(
            app,
            "participant1",
            "DELETE",
            &format!("{}/{other_id}", sessions(&token)),
            None,
        )
        .await,
        404,
        "BREAKOUT_SESSION_NOT_FOUND",
    );
    // Users: unknown, a moderator.
    let p1 = app.attendee_id("participant1", &token, "participant1").await;
    horn_refused(
        &assign(app, &token, &id, &rooms[0], 999_999).await,
        404,
        "USER_NOT_FOUND",
    );
    horn_refused(&assign(app, &token, &id, &rooms[0], p1).await, 400, "BAD_REQUEST");
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/settings/event/room/maybe"),
            None,
        )
        .await,
        400,
        "BAD_REQUEST",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/breakout/session/start?breakoutSession=1"),
            Some(json!({"id": "2"})),
        )
        .await,
        400,
        "BAD_REQUEST",
    );
    assert_eq!(snapshot(app, &token).await, before);
}

async fn state_rules(app: &TestApp) {
    let token = class(app).await;
    let p2 = app.attendee_id("participant1", &token, "participant2").await;
    let p3 = app.attendee_id("participant1", &token, "participant3").await;
    let (a, a_rooms) = planned(app, &token, json!({"name": "A"}), &["A1", "A2"]).await;
    let (b, b_rooms) = planned(app, &token, json!({"name": "B"}), &["B1"]).await;
    let (empty, _) = planned(app, &token, json!({"name": "Empty"}), &[]).await;
    assign(app, &token, &a, &a_rooms[0], p2).await.assert_status(200);
    horn_refused(
        &assign(app, &token, &a, &a_rooms[1], p2).await,
        400,
        "BREAKOUT_ROOM_PARTICIPANT_ALREADY_ASSIGNED",
    );
    // Capacity (extension).
    ok(
        app,
        "participant1",
        "POST",
        &format!("{}/{a}/rooms/{}", sessions(&token), a_rooms[0]),
        Some(json!({"name": "A1", "capacity": 1})),
    )
    .await;
    horn_refused(
        &assign(app, &token, &a, &a_rooms[0], p3).await,
        400,
        "BREAKOUT_ROOM_FULL",
    );
    // Nothing to stop; a session without rooms cannot start.
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/breakout/session/stop"),
            None,
        )
        .await,
        400,
        "NO_ACTIVE_BREAKOUT_SESSION",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/breakout/session/start"),
            Some(json!({"id": empty})),
        )
        .await,
        400,
        "BAD_REQUEST",
    );
    // No id: the oldest pending one (A).
    let started = ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/start"),
        None,
    )
    .await;
    assert_eq!(started["id"], a.as_str());
    let before = snapshot(app, &token).await;
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/breakout/session/start"),
            Some(json!({"id": b})),
        )
        .await,
        400,
        "ANOTHER_BREAKOUT_SESSION_IS_ACTIVE",
    );
    horn_refused(
        &assign(app, &token, &a, &a_rooms[1], p3).await,
        400,
        "ACTIVE_BREAKOUT_SESSION",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("{}/{a}/rooms", sessions(&token)),
            None,
        )
        .await,
        400,
        "ACTIVE_BREAKOUT_SESSION",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "DELETE",
            &format!("{}/{a}", sessions(&token)),
            None,
        )
        .await,
        400,
        "ACTIVE_BREAKOUT_SESSION",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("{}/{a}", sessions(&token)),
            Some(json!({"name": "x"})),
        )
        .await,
        400,
        "ACTIVE_BREAKOUT_SESSION",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/settings/event/room/disable"),
            None,
        )
        .await,
        400,
        "ACTIVE_BREAKOUT_SESSION",
    );
    // Talk's own configure is refused while rooms run, as upstream (already configured).
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V1}/breakout-rooms/{token}"),
            &[("mode", "1"), ("amount", "2")],
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "room"}));
    assert_eq!(snapshot(app, &token).await, before);

    // Renaming a running room renames the Talk conversation too.
    ok(
        app,
        "participant1",
        "POST",
        &format!("{}/{a}/rooms/{}", sessions(&token), a_rooms[1]),
        Some(json!({"name": "Renamed"})),
    )
    .await;
    let talk = talk_rooms(app, "participant1").await;
    let renamed = talk.iter().find(|r| r["name"] == "Renamed").expect("renamed in Talk");
    let messages = system_messages(app, "participant1", renamed["token"].as_str().unwrap()).await;
    assert_eq!(messages[0].0, "conversation_renamed");

    ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/stop"),
        None,
    )
    .await;
    // Completed: nothing but deletion.
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("{}/{a}", sessions(&token)),
            Some(json!({"duration": 5})),
        )
        .await,
        400,
        "COMPLETED_BREAKOUT_SESSION",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("{}/{a}/rooms/{}", sessions(&token), a_rooms[0]),
            Some(json!({"name": "x"})),
        )
        .await,
        400,
        "COMPLETED_BREAKOUT_SESSION",
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/breakout/session/start"),
            Some(json!({"id": a})),
        )
        .await,
        400,
        "COMPLETED_BREAKOUT_SESSION",
    );
    // B starts next: A's Talk rooms give way, A's history keeps their tokens.
    let a_history = ok(
        app,
        "participant1",
        "GET",
        &format!("{}/{a}/rooms", sessions(&token)),
        None,
    )
    .await;
    ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/start"),
        Some(json!({"breakoutSession": b})),
    )
    .await;
    let names: Vec<String> = talk_rooms(app, "participant1")
        .await
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["class room", "B1"]);
    assert_eq!(
        ok(
            app,
            "participant1",
            "GET",
            &format!("{}/{a}/rooms", sessions(&token)),
            None
        )
        .await,
        a_history
    );
    let _ = b_rooms;
}

async fn talk_rounds_are_sessions(app: &TestApp) {
    let token = class(app).await;
    let p2 = app.attendee_id("participant1", &token, "participant2").await;
    let map = format!("{{\"{p2}\":1}}");
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V1}/breakout-rooms/{token}"),
            &[("mode", "2"), ("amount", "2"), ("attendeeMap", &map)],
        )
        .await;
    r.assert_status(200);
    let listed = list(app, "participant2", &token).await;
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        strip_times(listed[0].clone()),
        json!({"id": id, "name": "Breakout rooms", "channel": token, "duration": 0, "mode": "manual", "isActive": false,
               "isCompleted": false, "breakoutRoom": {"id": listed[0]["breakoutRoom"]["id"], "name": "Room 2",
               "breakoutSession": id, "channelUuid": "<token>", "participantCount": 1}})
    );
    // Its plan belongs to the Talk face.
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("{}/{id}/rooms", sessions(&token)),
            None,
        )
        .await,
        400,
        "BAD_REQUEST",
    );
    // Talk's start makes it active; a Horn start refuses to start another.
    app.as_user("participant1")
        .post(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    let current = ok(
        app,
        "participant1",
        "GET",
        &format!("/channels/{token}/breakout/session"),
        None,
    )
    .await;
    assert_eq!(current["id"], id.as_str());
    assert!(current.get("started").is_some());
    let (horn, _) = planned(app, &token, json!({}), &["X"]).await;
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/breakout/session/start"),
            Some(json!({"id": horn})),
        )
        .await,
        400,
        "ANOTHER_BREAKOUT_SESSION_IS_ACTIVE",
    );
    // Talk's stop completes it; a restart opens a new active session on the same rooms.
    app.as_user("participant1")
        .delete(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    let listed = list(app, "participant1", &token).await;
    assert_eq!(listed[0]["isCompleted"], true);
    none_active(app, &token).await;
    app.as_user("participant1")
        .post(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    let listed = list(app, "participant1", &token).await;
    let states: Vec<(bool, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["isActive"].as_bool().unwrap(), s["isCompleted"].as_bool().unwrap()))
        .collect();
    assert_eq!(states, [(false, true), (false, false), (true, false)]);
    // Horn's stop runs Talk's stop.
    ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/stop"),
        None,
    )
    .await;
    let parent = &talk_rooms(app, "participant1").await[0];
    assert_eq!(parent["breakoutRoomStatus"], 0);
    // Talk's remove after a stop keeps history.
    app.as_user("participant1")
        .delete(&format!("{V1}/breakout-rooms/{token}"), &[])
        .await
        .assert_status(200);
    assert_eq!(list(app, "participant1", &token).await.as_array().unwrap().len(), 3);
}

async fn the_conversation_switch(app: &TestApp) {
    let token = class(app).await;
    let (id, _) = planned(app, &token, json!({}), &["A"]).await;
    horn_refused(
        &call(
            app,
            "participant2",
            "POST",
            &format!("/channels/{token}/settings/event/room/disable"),
            None,
        )
        .await,
        403,
        "ACCESS_FORBIDDEN",
    );
    assert_eq!(
        ok(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/settings/event/room/disable"),
            None
        )
        .await,
        json!({})
    );
    horn_refused(
        &call(
            app,
            "participant1",
            "POST",
            &format!("/channels/{token}/breakout/session/start"),
            Some(json!({"id": id})),
        )
        .await,
        400,
        "BREAKOUT_DISABLED",
    );
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V1}/breakout-rooms/{token}"),
            &[("mode", "1"), ("amount", "2")],
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "config"}));
    assert_eq!(talk_rooms(app, "participant1").await.len(), 1);
    ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/settings/event/room/enable"),
        None,
    )
    .await;
    ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/start"),
        Some(json!({"id": id})),
    )
    .await;
}

async fn racing_starts_and_deletes(app: &TestApp) {
    let token = class(app).await;
    let (a, _) = planned(app, &token, json!({}), &["A"]).await;
    let (b, _) = planned(app, &token, json!({}), &["B"]).await;
    let path = format!("/channels/{token}/breakout/session/start");
    let (ra, rb) = tokio::join!(
        call(app, "participant1", "POST", &path, Some(json!({"id": a}))),
        call(app, "participant1", "POST", &path, Some(json!({"id": b}))),
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "{} / {}", ra.body, rb.body);
    let loser = if ra.status == 400 { &ra } else { &rb };
    horn_refused(loser, 400, "ANOTHER_BREAKOUT_SESSION_IS_ACTIVE");
    let active: Vec<Value> = list(app, "participant1", &token)
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["isActive"] == true)
        .cloned()
        .collect();
    assert_eq!(active.len(), 1);
    ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/stop"),
        None,
    )
    .await;

    // Deleting a session while it starts: one order or the other, never half of each.
    let (c, _) = planned(app, &token, json!({}), &["C"]).await;
    let delete_path = format!("{}/{c}", sessions(&token));
    let (rs, rd) = tokio::join!(
        call(app, "participant1", "POST", &path, Some(json!({"id": c}))),
        call(app, "participant1", "DELETE", &delete_path, None),
    );
    match (rs.status, rd.status) {
        (200, 400) => horn_refused(&rd, 400, "ACTIVE_BREAKOUT_SESSION"),
        (404, 200) => {
            horn_refused(&rs, 404, "BREAKOUT_SESSION_NOT_FOUND");
            none_active(app, &token).await;
        }
        other => panic!("unexpected outcome {other:?}: {} / {}", rs.body, rd.body),
    }
}

/// #14 while a round runs is read from the live Talk rooms: a rename, a reorganization and a
/// promotion made on the Talk face show in the next poll, as the session's room list shows them.
async fn the_poll_follows_the_talk_rooms(app: &TestApp) {
    let token = class(app).await;
    let mut ids = Vec::new();
    for user in ["participant2", "participant3", "participant4"] {
        ids.push(app.attendee_id("participant1", &token, user).await);
    }
    let (id, rooms) = planned(app, &token, json!({}), &["A", "B"]).await;
    for (attendee, room) in ids.iter().zip([&rooms[0], &rooms[0], &rooms[1]]) {
        assign(app, &token, &id, room, *attendee).await.assert_status(200);
    }
    ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/start"),
        Some(json!({"id": id})),
    )
    .await;
    let talk = talk_rooms(app, "participant1").await;
    let (a, b) = (talk[1]["token"].as_str().unwrap(), talk[2]["token"].as_str().unwrap());
    let poll = |user: &'static str| {
        let path = format!("/channels/{token}/breakout/session");
        async move { ok(app, user, "GET", &path, None).await }
    };
    let seat = |v: &Value| {
        (
            v["breakoutRoom"]["channelUuid"].as_str().unwrap_or("").to_owned(),
            v["breakoutRoom"]["name"].as_str().unwrap_or("").to_owned(),
            v["breakoutRoom"]["participantCount"].as_i64().unwrap_or(-1),
        )
    };
    let current = poll("participant2").await;
    assert_eq!(current["id"], id.as_str());
    assert_eq!(current["breakoutRoom"]["id"], rooms[0].as_str());
    assert_eq!(current["breakoutRoom"]["breakoutSession"], id.as_str());
    assert_eq!(seat(&current), (a.to_owned(), "A".to_owned(), 2));
    assert_eq!(seat(&poll("participant4").await), (b.to_owned(), "B".to_owned(), 1));

    // Renamed on the Talk face: the live name.
    app.as_user("participant1")
        .put(&format!("{V4}/room/{a}"), &[("roomName", "Atrium")])
        .await
        .assert_status(200);
    assert_eq!(
        seat(&poll("participant3").await),
        (a.to_owned(), "Atrium".to_owned(), 2)
    );

    // Reorganized by Talk's moderator: participant2 moves to B.
    let map = json!({ ids[0].to_string(): 1, ids[1].to_string(): 0, ids[2].to_string(): 1 }).to_string();
    app.as_user("participant1")
        .post(
            &format!("{V1}/breakout-rooms/{token}/attendees"),
            &[("attendeeMap", map.as_str())],
        )
        .await
        .assert_status(200);
    let moved = poll("participant2").await;
    assert_eq!(moved["breakoutRoom"]["id"], rooms[1].as_str());
    assert_eq!(seat(&moved), (b.to_owned(), "B".to_owned(), 2));
    assert_eq!(
        seat(&poll("participant3").await),
        (a.to_owned(), "Atrium".to_owned(), 1)
    );

    // A moderator in a room is not counted, and has no room of their own.
    let p4_in_b = app.attendee_id("participant1", b, "participant4").await;
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{b}/moderators"),
            &[("attendeeId", &p4_in_b.to_string())],
        )
        .await
        .assert_status(200);
    assert_eq!(seat(&poll("participant2").await), (b.to_owned(), "B".to_owned(), 1));
    assert!(poll("participant4").await.get("breakoutRoom").is_none());
    // The session as #2 lists it agrees with the poll.
    let listed = list(app, "participant2", &token).await[0].clone();
    assert_eq!(listed["breakoutRoom"], poll("participant2").await["breakoutRoom"]);

    // An admin who is no participant sees the round without a room; an outsider sees nothing.
    let admin = poll("admin").await;
    assert_eq!(admin["id"], id.as_str());
    assert!(admin.get("breakoutRoom").is_none());
    horn_refused(
        &call(
            app,
            "participant5",
            "GET",
            &format!("/channels/{token}/breakout/session"),
            None,
        )
        .await,
        404,
        "CHANNEL_NOT_FOUND",
    );
    horn_refused(
        &call(
            app,
            "participant2",
            "GET",
            "/channels/doesnotexist/breakout/session",
            None,
        )
        .await,
        404,
        "CHANNEL_NOT_FOUND",
    );
}

both_backends!(
    plan_start_and_stop_a_session,
    the_poll_follows_the_talk_rooms,
    routes_auth_and_channels,
    bad_input_changes_nothing,
    state_rules,
    talk_rounds_are_sessions,
    the_conversation_switch,
    racing_starts_and_deletes,
);

// --- deadlines ------------------------------------------------------------------------------

/// Waits (polling, at most 5 s) until no session runs in `token`.
async fn until_ended(app: &TestApp, token: &str) {
    for _ in 0..50 {
        let r = call(
            app,
            "participant1",
            "GET",
            &format!("/channels/{token}/breakout/session"),
            None,
        )
        .await;
        if r.status == 204 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the session did not end");
}

/// Started with a duration; returns (token, session id, endsAt).
async fn running_with_deadline(app: &TestApp, duration: i64) -> (String, String, i64) {
    let token = class(app).await;
    let p2 = app.attendee_id("participant1", &token, "participant2").await;
    let (id, rooms) = planned(app, &token, json!({"duration": duration}), &["A"]).await;
    assign(app, &token, &id, &rooms[0], p2).await.assert_status(200);
    let started = ok(
        app,
        "participant1",
        "POST",
        &format!("/channels/{token}/breakout/session/start"),
        Some(json!({"id": id})),
    )
    .await;
    (token, id, started["endsAt"].as_i64().unwrap())
}

/// Completed at its deadline by the server: `ended` is the deadline, Talk's stop posted once by
/// `guests`/`cli`, the lobby closed, history kept.
async fn assert_expired(app: &TestApp, token: &str, id: &str, deadline: i64) {
    let s = list(app, "participant1", token).await[0].clone();
    assert_eq!(
        (s["isCompleted"].clone(), s["ended"].clone()),
        (json!(true), json!(deadline)),
        "{s}"
    );
    assert!(s.get("endsAt").is_none());
    let rooms = ok(
        app,
        "participant1",
        "GET",
        &format!("{}/{id}/rooms", sessions(token)),
        None,
    )
    .await;
    assert_eq!(rooms[0]["participantCount"], 1);
    let room = rooms[0]["channelUuid"].as_str().unwrap().to_owned();
    let messages = system_messages(app, "participant1", &room).await;
    assert_eq!(
        messages.iter().filter(|m| m.0 == "breakout_rooms_stopped").count(),
        1,
        "{messages:?}"
    );
    assert_eq!(
        messages[0],
        ("breakout_rooms_stopped".into(), "guests".into(), "cli".into())
    );
    let parent = &talk_rooms(app, "participant1").await[0];
    assert_eq!(parent["breakoutRoomStatus"], 0);
}

async fn a_session_ends_at_its_deadline(app: &TestApp) {
    let (token, id, deadline) = running_with_deadline(app, 1000).await;
    // A moment before the deadline the session still runs.
    app.clock().advance(std::time::Duration::from_millis(999));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let r = call(
        app,
        "participant1",
        "GET",
        &format!("/channels/{token}/breakout/session"),
        None,
    )
    .await;
    r.assert_status(200);
    app.clock().advance(std::time::Duration::from_millis(1));
    until_ended(app, &token).await;
    assert_expired(app, &token, &id, deadline).await;
}

async fn a_deadline_moved_into_the_past_ends_the_session_at_once(app: &TestApp) {
    let (token, id, deadline) = running_with_deadline(app, 3_600_000).await;
    let started = deadline - 3_600_000;
    // Removing the timer, then a duration already over.
    let r = ok(
        app,
        "participant1",
        "POST",
        &format!("{}/{id}", sessions(&token)),
        Some(json!({"duration": 0})),
    )
    .await;
    assert!(r.get("endsAt").is_none() && r["isActive"] == true, "{r}");
    app.clock().advance(std::time::Duration::from_millis(5));
    let r = ok(
        app,
        "participant1",
        "POST",
        &format!("{}/{id}", sessions(&token)),
        Some(json!({"duration": 1})),
    )
    .await;
    assert_eq!(r["isCompleted"], true);
    assert_expired(app, &token, &id, started + 1).await;
}

both_backends_with!(
    manual_clock;
    a_session_ends_at_its_deadline,
    a_deadline_moved_into_the_past_ends_the_session_at_once
);

/// The server is down when the deadline passes: the session ends at the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_passed_while_down_ends_the_session_at_start_up() {
    let mut app = TestApp::sqlite_with(manual_clock).await;
    let (token, id, deadline) = running_with_deadline(&app, 1000).await;
    app.restart(|clock| clock.advance(std::time::Duration::from_millis(1200)))
        .await;
    until_ended(&app, &token).await;
    assert_expired(&app, &token, &id, deadline).await;
    app.stop().await;
}

/// Three instances on one PostgreSQL database run the deadline jobs: each session ends exactly
/// once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_instances_end_a_session_exactly_once() {
    let Some(app) = TestApp::postgres_with("horn_instances", manual_clock).await else {
        return;
    };
    let others = [app.second_instance().await, app.second_instance().await];
    let (token, id, deadline) = running_with_deadline(&app, 1000).await;
    app.clock().advance(std::time::Duration::from_millis(1000));
    until_ended(&app, &token).await;
    assert_expired(&app, &token, &id, deadline).await;
    for other in others {
        other.shutdown().await.unwrap();
    }
    app.stop().await;
}
