//! Horn face extensions (horn.md §6) over HTTP on both backends: assignments that mix people
//! (`balanced`, `rotate`) with room capacities, every refusal with its exact code and nothing
//! changed.

use crate::common::{Resp, TestApp};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const API: &str = "/api/v1_0";

/// participant1 owns a group conversation with `students` more users (participant2…), and
/// participant99 as a promoted moderator; participant98 is outside.
async fn class(app: &TestApp, students: usize) -> String {
    app.create_user("participant1").await;
    app.create_user("participant98").await;
    app.create_user("participant99").await;
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "class room")])
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    let mut names: Vec<String> = (2..2 + students).map(|i| format!("participant{i}")).collect();
    names.push("participant99".to_owned());
    for name in &names {
        if name != "participant99" {
            app.create_user(name).await;
        }
        app.as_user("participant1")
            .post(
                &format!("{V4}/room/{token}/participants"),
                &[("newParticipant", name.as_str()), ("source", "users")],
            )
            .await
            .assert_status(200);
    }
    let moderator = attendee_ids(app, &token).await["participant99"].to_string();
    app.as_user("participant1")
        .post(&format!("{V4}/room/{token}/moderators"), &[("attendeeId", &moderator)])
        .await
        .assert_status(200);
    token
}

/// Attendee ids of the conversation's users, by user id.
async fn attendee_ids(app: &TestApp, token: &str) -> BTreeMap<String, i64> {
    let r = app
        .as_user("participant1")
        .get(&format!("{V4}/room/{token}/participants"))
        .await;
    r.assert_status(200);
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["actorId"].as_str().unwrap().to_owned(),
                p["attendeeId"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn call(app: &TestApp, user: &str, method: &str, path: &str, body: Option<Value>) -> Resp {
    let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
    app.as_user(user)
        .raw(method, &format!("{API}{path}"), "application/json", bytes)
        .await
}

async fn ok(app: &TestApp, path: &str, body: Option<Value>) -> Value {
    let method = if body.is_some() { "POST" } else { "GET" };
    let r = call(app, "participant1", method, path, body).await;
    r.assert_status(200);
    r.json()
}

#[track_caller]
fn refused(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "body: {}", r.body);
    let body = r.json();
    assert_eq!(body["error"], code, "body: {}", r.body);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
    assert_eq!(body.as_object().unwrap().len(), 2, "{}", r.body);
}

fn sessions(token: &str) -> String {
    format!("/channels/{token}/breakout/sessions")
}

async fn new_session(app: &TestApp, token: &str) -> String {
    ok(app, &sessions(token), Some(json!({}))).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn add_room(app: &TestApp, token: &str, session: &str, body: Value) -> String {
    ok(app, &format!("{}/{session}/rooms", sessions(token)), Some(body)).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn assign_all(app: &TestApp, token: &str, session: &str, body: Value) -> Resp {
    call(
        app,
        "participant1",
        "POST",
        &format!("{}/{session}/assign", sessions(token)),
        Some(body),
    )
    .await
}

/// Each session's rooms with their participants' handles, as the Horn face lists them.
async fn plan(app: &TestApp, token: &str) -> Value {
    let mut all = Vec::new();
    for s in ok(app, &sessions(token), None).await.as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let mut rooms = Vec::new();
        for room in ok(app, &format!("{}/{id}/rooms", sessions(token)), None)
            .await
            .as_array()
            .unwrap()
        {
            let rid = room["id"].as_str().unwrap();
            let people = ok(app, &format!("{}/{id}/rooms/{rid}/participants", sessions(token)), None).await;
            rooms.push(json!({ "room": room, "participants": people }));
        }
        all.push(json!({ "session": s, "rooms": rooms }));
    }
    Value::Array(all)
}

/// The handles in each room of an assign answer, checked against the room object.
fn handles_by_room(answer: &Value) -> Vec<BTreeSet<String>> {
    answer
        .as_array()
        .unwrap()
        .iter()
        .map(|room| {
            let people = room["participants"].as_array().unwrap();
            assert_eq!(room["participantCount"], people.len(), "{room}");
            for p in people {
                assert_eq!(p["kind"], "user");
                assert!(p["id"].is_i64());
            }
            people
                .iter()
                .map(|p| p["handle"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

async fn sizes_capacities_and_moderators(app: &TestApp) {
    let token = class(app, 7).await;
    let session = new_session(app, &token).await;
    let small = add_room(app, &token, &session, json!({ "name": "Small", "capacity": 1 })).await;
    add_room(app, &token, &session, json!({})).await;
    add_room(app, &token, &session, json!({})).await;

    let r = assign_all(app, &token, &session, json!({ "strategy": "balanced" })).await;
    r.assert_status(200);
    let answer = r.json();
    let rooms = answer.as_array().unwrap();
    assert_eq!(rooms.len(), 3);
    assert_eq!(rooms[0]["id"], small.as_str());
    assert_eq!(rooms[0]["name"], "Small");
    assert_eq!(rooms[0]["capacity"], 1);
    assert_eq!(rooms[0]["breakoutSession"], session.as_str());
    assert_eq!(rooms[1]["name"], "Room 1");
    assert!(rooms[1].get("capacity").is_none());
    let handles = handles_by_room(&answer);
    let sizes: Vec<usize> = handles.iter().map(BTreeSet::len).collect();
    assert_eq!(sizes, vec![1, 3, 3]);
    let everyone: BTreeSet<String> = handles.iter().flatten().cloned().collect();
    let students: BTreeSet<String> = (2..9).map(|i| format!("participant{i}")).collect();
    // Everyone once; the owner and the moderator are in every room, so in none of the plans.
    assert_eq!(everyone, students);

    // The plan is what the rooms' participant lists show, and a second draw replaces it.
    let listed = plan(app, &token).await;
    for (room, people) in listed[0]["rooms"].as_array().unwrap().iter().zip(&handles) {
        let shown: BTreeSet<String> = room["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["handle"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(&shown, people);
    }
    let again = assign_all(app, &token, &session, json!({ "strategy": "rotate" })).await;
    again.assert_status(200);
    let sizes: Vec<usize> = handles_by_room(&again.json()).iter().map(BTreeSet::len).collect();
    assert_eq!(sizes, vec![1, 3, 3]);

    // `rooms` on a session without rooms creates them; sizes differ by at most one.
    let fresh = new_session(app, &token).await;
    let r = assign_all(app, &token, &fresh, json!({ "strategy": "balanced", "rooms": 2 })).await;
    r.assert_status(200);
    let answer = r.json();
    let names: Vec<&str> = answer
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Room 1", "Room 2"]);
    let mut sizes: Vec<usize> = handles_by_room(&answer).iter().map(BTreeSet::len).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, vec![3, 4]);
}

async fn rotate_avoids_pairs_of_completed_rounds(app: &TestApp) {
    let token = class(app, 6).await;
    let first = new_session(app, &token).await;
    let r = assign_all(app, &token, &first, json!({ "strategy": "balanced", "rooms": 2 })).await;
    r.assert_status(200);
    let before = handles_by_room(&r.json());
    ok(
        app,
        &format!("/channels/{token}/breakout/session/start"),
        Some(json!({ "id": first })),
    )
    .await;
    ok(
        app,
        &format!("/channels/{token}/breakout/session/stop"),
        Some(json!({})),
    )
    .await;

    // Three rooms of two from two rooms of three: everyone can meet someone new.
    let second = new_session(app, &token).await;
    let r = assign_all(app, &token, &second, json!({ "strategy": "rotate", "rooms": 3 })).await;
    r.assert_status(200);
    for pair in handles_by_room(&r.json()) {
        assert_eq!(pair.len(), 2);
        let met = before.iter().any(|room| pair.is_subset(room));
        assert!(!met, "{pair:?} shared a room in {before:?}");
    }
}

async fn refusals_change_nothing(app: &TestApp) {
    let token = class(app, 3).await;
    let session = new_session(app, &token).await;
    let empty = new_session(app, &token).await;
    add_room(app, &token, &session, json!({ "capacity": 1 })).await;
    add_room(app, &token, &session, json!({ "capacity": 1 })).await;
    let before = plan(app, &token).await;
    let path = |s: &str| format!("{}/{s}/assign", sessions(&token));

    let cases: Vec<(&str, &str, Value, u16, &str)> = vec![
        (
            "participant98",
            &session,
            json!({ "strategy": "balanced" }),
            404,
            "CHANNEL_NOT_FOUND",
        ),
        (
            "participant2",
            &session,
            json!({ "strategy": "balanced" }),
            403,
            "ACCESS_FORBIDDEN",
        ),
        (
            "participant1",
            "999999",
            json!({ "strategy": "balanced" }),
            404,
            "BREAKOUT_SESSION_NOT_FOUND",
        ),
        (
            "participant1",
            "x",
            json!({ "strategy": "balanced" }),
            404,
            "BREAKOUT_SESSION_NOT_FOUND",
        ),
        ("participant1", &session, json!({}), 400, "BAD_REQUEST"),
        (
            "participant1",
            &session,
            json!({ "strategy": "random" }),
            400,
            "BAD_REQUEST",
        ),
        (
            "participant1",
            &session,
            json!({ "strategy": ["rotate"] }),
            400,
            "BAD_REQUEST",
        ),
        (
            "participant1",
            &empty,
            json!({ "strategy": "rotate", "rooms": 0 }),
            400,
            "BAD_REQUEST",
        ),
        (
            "participant1",
            &empty,
            json!({ "strategy": "rotate", "rooms": -1 }),
            400,
            "BAD_REQUEST",
        ),
        (
            "participant1",
            &empty,
            json!({ "strategy": "rotate", "rooms": "2" }),
            400,
            "BAD_REQUEST",
        ),
        (
            "participant1",
            &empty,
            json!({ "strategy": "rotate", "rooms": 1.5 }),
            400,
            "BAD_REQUEST",
        ),
        (
            "participant1",
            &empty,
            json!({ "strategy": "rotate", "rooms": 18446744073709551615u64 }),
            400,
            "BAD_REQUEST",
        ),
        (
            "participant1",
            &empty,
            json!({ "strategy": "rotate" }),
            400,
            "BAD_REQUEST",
        ),
        (
            "participant1",
            &session,
            json!({ "strategy": "rotate", "rooms": 2 }),
            400,
            "BAD_REQUEST",
        ),
        (
            "participant1",
            &empty,
            json!({ "strategy": "rotate", "rooms": 101 }),
            400,
            "TOO_MANY_BREAKOUT_ROOMS",
        ),
        // Three students, two seats.
        (
            "participant1",
            &session,
            json!({ "strategy": "balanced" }),
            400,
            "BREAKOUT_ROOM_FULL",
        ),
        (
            "participant1",
            &session,
            json!({ "strategy": "rotate" }),
            400,
            "BREAKOUT_ROOM_FULL",
        ),
    ];
    for (user, s, body, status, code) in cases {
        let r = call(app, user, "POST", &path(s), Some(body.clone())).await;
        refused(&r, status, code);
        assert_eq!(plan(app, &token).await, before, "{user} {body}");
    }
    let r = app
        .as_user("participant1")
        .raw(
            "POST",
            &format!("{API}{}", path(&session)),
            "application/json",
            b"[1]".to_vec(),
        )
        .await;
    refused(&r, 400, "BAD_REQUEST");

    // Running and completed sessions keep their assignment.
    let running = new_session(app, &token).await;
    assign_all(app, &token, &running, json!({ "strategy": "balanced", "rooms": 2 }))
        .await
        .assert_status(200);
    ok(
        app,
        &format!("/channels/{token}/breakout/session/start"),
        Some(json!({ "id": running })),
    )
    .await;
    let before = plan(app, &token).await;
    let r = assign_all(app, &token, &running, json!({ "strategy": "balanced" })).await;
    refused(&r, 400, "ACTIVE_BREAKOUT_SESSION");
    assert_eq!(plan(app, &token).await, before);
    ok(
        app,
        &format!("/channels/{token}/breakout/session/stop"),
        Some(json!({})),
    )
    .await;
    let before = plan(app, &token).await;
    let r = assign_all(app, &token, &running, json!({ "strategy": "rotate" })).await;
    refused(&r, 400, "COMPLETED_BREAKOUT_SESSION");
    assert_eq!(plan(app, &token).await, before);
}

both_backends!(
    sizes_capacities_and_moderators,
    rotate_avoids_pairs_of_completed_rounds,
    refusals_change_nothing,
);
