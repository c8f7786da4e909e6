//! Upstream's `conversation/breakout-rooms.feature`, one test per behaviour (spec scenarios.md),
//! spoken over HTTP the way the Behat harness speaks: form bodies, JSON answers, HTTP statuses.

use crate::common::{Resp, TestApp};
use serde_json::Value;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";

/// Background of every scenario: participant1..4 and group1.
async fn background(app: &TestApp) {
    for i in 1..=4 {
        app.create_user(&format!("participant{i}")).await;
    }
    app.create_group("group1", &[]).await;
}

async fn create_room(app: &TestApp, user: &str, name: &str) -> String {
    let r = app
        .as_user(user)
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", name)])
        .await;
    r.assert_status(201);
    r.data()["token"].as_str().unwrap().to_owned()
}

async fn add_user(app: &TestApp, by: &str, token: &str, user: &str) -> Resp {
    app.as_user(by)
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", user), ("source", "users")],
        )
        .await
}

async fn participants(app: &TestApp, user: &str, token: &str) -> Vec<Value> {
    let r = app.as_user(user).get(&format!("{V4}/room/{token}/participants")).await;
    r.assert_status(200);
    r.data().as_array().unwrap().clone()
}

/// The caller's conversations, sorted by id (the harness compares them unordered).
async fn rooms_of(app: &TestApp, user: &str) -> Vec<Value> {
    let r = app.as_user(user).get(&format!("{V4}/room")).await;
    r.assert_status(200);
    let mut rooms = r.data().as_array().unwrap().clone();
    rooms.sort_by_key(|r| r["id"].as_i64().unwrap());
    rooms
}

async fn room_names(app: &TestApp, user: &str) -> Vec<String> {
    rooms_of(app, user)
        .await
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

fn find<'a>(rooms: &'a [Value], name: &str) -> &'a Value {
    rooms
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no room {name} in {rooms:?}"))
}

async fn token_of(app: &TestApp, user: &str, name: &str) -> String {
    find(&rooms_of(app, user).await, name)["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// (systemMessage, actorId) of a room's system messages, newest first.
async fn system_messages(app: &TestApp, user: &str, token: &str) -> Vec<(String, String)> {
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
                m["actorId"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn configure(app: &TestApp, user: &str, token: &str, form: &[(&str, &str)]) -> Resp {
    app.as_user(user)
        .post(&format!("{V1}/breakout-rooms/{token}"), form)
        .await
}

async fn start(app: &TestApp, user: &str, token: &str) -> Resp {
    app.as_user(user)
        .post(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
}

async fn stop(app: &TestApp, user: &str, token: &str) -> Resp {
    app.as_user(user)
        .delete(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
}

/// A class room of participant1 with participant2..4 added.
async fn class_room(app: &TestApp) -> String {
    background(app).await;
    let class = create_room(app, "participant1", "class room").await;
    for u in ["participant2", "participant3", "participant4"] {
        add_user(app, "participant1", &class, u).await.assert_status(200);
    }
    class
}

/// The manual configuration of the upstream scenarios: p2 → Room 1, p3 → Room 2, p4 → Room 3.
async fn manual_three_rooms(app: &TestApp) -> String {
    let class = class_room(app).await;
    let map = format!(
        r#"{{"{}":0,"{}":1,"{}":2}}"#,
        app.attendee_id("participant1", &class, "participant2").await,
        app.attendee_id("participant1", &class, "participant3").await,
        app.attendee_id("participant1", &class, "participant4").await
    );
    configure(
        app,
        "participant1",
        &class,
        &[("mode", "2"), ("amount", "3"), ("attendeeMap", &map)],
    )
    .await
    .assert_status(200);
    class
}

/// A snapshot of the whole database, to prove a rejected request changed nothing.
async fn snapshot(app: &TestApp) -> String {
    crate::common::database_snapshot(app).await
}

/// Runs `request` (a future does nothing until awaited) between two snapshots.
async fn assert_unchanged<Fut>(app: &TestApp, status: u16, key: Option<&str>, request: Fut)
where
    Fut: std::future::Future<Output = Resp>,
{
    let before = snapshot(app).await;
    let r = request.await;
    r.assert_status(status);
    if let Some(key) = key {
        assert_eq!(r.data(), serde_json::json!({ "error": key }), "body: {}", r.body);
    }
    assert_eq!(snapshot(app).await, before, "a rejected request changed the database");
}

// 1
async fn configure_manual_breakout_rooms(app: &TestApp) {
    let class = class_room(app).await;
    let map = format!(
        r#"{{"{}":0,"{}":1,"{}":2}}"#,
        app.attendee_id("participant1", &class, "participant2").await,
        app.attendee_id("participant1", &class, "participant3").await,
        app.attendee_id("participant1", &class, "participant4").await
    );
    let r = configure(
        app,
        "participant1",
        &class,
        &[("mode", "2"), ("amount", "3"), ("attendeeMap", &map)],
    )
    .await;
    r.assert_status(200);
    let list = r.data();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Room 1", "Room 2", "Room 3", "class room"],
        "breakout rooms first, parent last"
    );
    let rooms = rooms_of(app, "participant1").await;
    assert_eq!(rooms.len(), 4);
    for r in &rooms {
        assert_eq!(r["type"], 2);
    }
    assert_eq!(room_names(app, "participant2").await, ["class room", "Room 1"]);
    assert_eq!(room_names(app, "participant3").await, ["class room", "Room 2"]);
    assert_eq!(room_names(app, "participant4").await, ["class room", "Room 3"]);
}

// 2
async fn moderator_lists_breakout_participants(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let r = app
        .as_user("participant1")
        .get(&format!("{V4}/room/{class}/breakout-rooms/participants"))
        .await;
    r.assert_status(200);
    let entries = r.data().as_array().unwrap().clone();
    assert_eq!(entries.len(), 10, "4 in the class room, 2 in each breakout room");
    let rooms = rooms_of(app, "participant1").await;
    for (i, student) in ["participant2", "participant3", "participant4"].iter().enumerate() {
        let token = find(&rooms, &format!("Room {}", i + 1))["token"].clone();
        let in_room: Vec<(&str, i64)> = entries
            .iter()
            .filter(|e| e["roomToken"] == token)
            .map(|e| (e["actorId"].as_str().unwrap(), e["participantType"].as_i64().unwrap()))
            .collect();
        assert_eq!(in_room, [("participant1", 1), (*student, 3)]);
    }
    let in_parent = entries.iter().filter(|e| e["roomToken"] == class.as_str()).count();
    assert_eq!(in_parent, 4);
}

// 3
async fn student_lists_breakout_participants_only_after_start(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let path = format!("{V4}/room/{class}/breakout-rooms/participants");
    let r = app.as_user("participant2").get(&path).await;
    r.assert_status(400);
    assert_eq!(r.data(), serde_json::json!({"error": "status"}));
    start(app, "participant1", &class).await.assert_status(200);
    let r = app.as_user("participant2").get(&path).await;
    r.assert_status(200);
    let entries = r.data().as_array().unwrap().clone();
    let room1 = token_of(app, "participant2", "Room 1").await;
    assert_eq!(entries.iter().filter(|e| e["roomToken"] == class.as_str()).count(), 4);
    assert_eq!(entries.iter().filter(|e| e["roomToken"] == room1.as_str()).count(), 2);
    assert_eq!(entries.len(), 6);
}

// 4
async fn configure_automatic_breakout_rooms(app: &TestApp) {
    let class = class_room(app).await;
    configure(app, "participant1", &class, &[("mode", "1"), ("amount", "3")])
        .await
        .assert_status(200);
    let rooms = rooms_of(app, "participant1").await;
    for n in 1..=3 {
        let token = find(&rooms, &format!("Room {n}"))["token"].as_str().unwrap().to_owned();
        let mut types: Vec<i64> = participants(app, "participant1", &token)
            .await
            .iter()
            .map(|p| p["participantType"].as_i64().unwrap())
            .collect();
        types.sort();
        assert_eq!(types, [1, 3], "owner plus exactly one student in Room {n}");
    }
    for student in ["participant2", "participant3", "participant4"] {
        let names = room_names(app, student).await;
        assert_eq!(names.len(), 2);
        assert_eq!(names[0], "class room");
        assert!(names[1].starts_with("Room "), "{names:?}");
    }
}

// 5
async fn promoting_a_parent_moderator_adds_them_to_all_breakout_rooms(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let p2 = app
        .attendee_id("participant1", &class, "participant2")
        .await
        .to_string();
    app.as_user("participant1")
        .post(&format!("{V4}/room/{class}/moderators"), &[("attendeeId", &p2)])
        .await
        .assert_status(200);
    let rooms = rooms_of(app, "participant1").await;
    for n in 1..=3 {
        let token = find(&rooms, &format!("Room {n}"))["token"].as_str().unwrap().to_owned();
        let members: Vec<(String, i64)> = participants(app, "participant1", &token)
            .await
            .iter()
            .filter(|p| p["actorType"] == "users")
            .map(|p| {
                (
                    p["actorId"].as_str().unwrap().to_owned(),
                    p["participantType"].as_i64().unwrap(),
                )
            })
            .filter(|(id, _)| id == "participant1" || id == "participant2")
            .collect();
        assert_eq!(
            members,
            [("participant1".to_owned(), 1), ("participant2".to_owned(), 2)]
        );
    }
}

// 6
async fn demoting_a_parent_moderator_removes_them_from_all_breakout_rooms(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let p2 = app
        .attendee_id("participant1", &class, "participant2")
        .await
        .to_string();
    let path = format!("{V4}/room/{class}/moderators");
    app.as_user("participant1")
        .post(&path, &[("attendeeId", &p2)])
        .await
        .assert_status(200);
    app.as_user("participant1")
        .delete(&path, &[("attendeeId", &p2)])
        .await
        .assert_status(200);
    assert_eq!(room_names(app, "participant2").await, ["class room"]);
    let rooms = rooms_of(app, "participant1").await;
    let room1 = find(&rooms, "Room 1")["token"].as_str().unwrap().to_owned();
    let members: Vec<String> = participants(app, "participant1", &room1)
        .await
        .iter()
        .map(|p| p["actorId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(members, ["participant1"]);
}

// 7
async fn can_not_nest_breakout_rooms(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let room1 = token_of(app, "participant1", "Room 1").await;
    let _ = class;
    assert_unchanged(app, 400, Some("room"), async {
        configure(app, "participant1", &room1, &[("mode", "1"), ("amount", "2")]).await
    })
    .await;
}

// 8
async fn can_not_configure_breakout_rooms_in_one_to_one(app: &TestApp) {
    background(app).await;
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    assert_unchanged(app, 400, Some("room"), async {
        configure(app, "participant1", &token, &[("mode", "1"), ("amount", "2")]).await
    })
    .await;
}

// 9
async fn can_not_create_more_than_20_breakout_rooms(app: &TestApp) {
    let class = class_room(app).await;
    assert_unchanged(app, 400, Some("amount"), async {
        configure(app, "participant1", &class, &[("mode", "1"), ("amount", "21")]).await
    })
    .await;
    assert_unchanged(app, 400, Some("amount"), async {
        configure(app, "participant1", &class, &[("mode", "1"), ("amount", "0")]).await
    })
    .await;
    // The rejected requests left the parent unconfigured: a valid one still works.
    configure(app, "participant1", &class, &[("mode", "1"), ("amount", "20")])
        .await
        .assert_status(200);
    assert_eq!(rooms_of(app, "participant1").await.len(), 21);
}

// 10
async fn invalid_room_numbers_in_the_attendee_map(app: &TestApp) {
    let class = class_room(app).await;
    let p2 = app.attendee_id("participant1", &class, "participant2").await;
    for map in [format!(r#"{{"{p2}":-1}}"#), format!(r#"{{"{p2}":3}}"#)] {
        assert_unchanged(app, 400, Some("attendeeMap"), async {
            configure(
                app,
                "participant1",
                &class,
                &[("mode", "2"), ("amount", "3"), ("attendeeMap", &map)],
            )
            .await
        })
        .await;
    }
    // Upstream would have persisted the mode here; we did not, so configuring works.
    let parent = find(&rooms_of(app, "participant1").await, "class room").clone();
    assert_eq!(parent["breakoutRoomMode"], 0);
}

// 11
async fn breakout_rooms_disabled_by_the_admin(app: &TestApp) {
    let class = class_room(app).await;
    set_breakout_config(app, "no").await;
    assert_unchanged(app, 400, Some("config"), async {
        configure(app, "participant1", &class, &[("mode", "1"), ("amount", "2")]).await
    })
    .await;
}

async fn set_breakout_config(app: &TestApp, value: &str) {
    let value = value.to_owned();
    app.db()
        .run(move |conn| talk_breakout::db::store::app_config::set(conn, "spreed", "breakout_rooms", &value))
        .await
        .unwrap();
}

// 12
async fn broadcast_chat_message_to_all_breakout_rooms(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V1}/breakout-rooms/{class}/broadcast"),
            &[("message", "Hello rooms 1-3")],
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.data().as_array().unwrap().len(), 4);
    let rooms = rooms_of(app, "participant1").await;
    for n in 1..=3 {
        let token = find(&rooms, &format!("Room {n}"))["token"].as_str().unwrap().to_owned();
        let chat = app
            .as_user("participant1")
            .get(&format!("{V1}/chat/{token}?lookIntoFuture=0"))
            .await;
        let comments: Vec<Value> = chat
            .data()
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["systemMessage"] == "")
            .cloned()
            .collect();
        assert_eq!(comments.len(), 1, "Room {n}");
        let m = &comments[0];
        assert_eq!(m["actorType"], "users");
        assert_eq!(m["actorId"], "participant1");
        assert_eq!(m["actorDisplayName"], "participant1-displayname");
        assert_eq!(m["message"], "Hello rooms 1-3");
        assert_eq!(m["messageParameters"], serde_json::json!([]));
        assert_eq!(m["messageType"], "comment");
    }
    // Nothing is posted in the parent.
    let parent_comments = system_messages(app, "participant1", &class).await.len();
    let all = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/{class}?lookIntoFuture=0"))
        .await
        .data();
    assert_eq!(
        all.as_array().unwrap().len(),
        parent_comments,
        "no comment in the parent"
    );
}

// 13, 14
async fn broadcast_start_and_stop_need_breakout_rooms(app: &TestApp) {
    let class = class_room(app).await;
    let path = format!("{V1}/breakout-rooms/{class}/broadcast");
    assert_unchanged(app, 400, Some("mode"), async {
        app.as_user("participant1").post(&path, &[("message", "Hello")]).await
    })
    .await;
    assert_unchanged(app, 400, Some("mode"), async {
        start(app, "participant1", &class).await
    })
    .await;
    assert_unchanged(app, 400, Some("mode"), async {
        stop(app, "participant1", &class).await
    })
    .await;
}

// 15, 16, 17 ("Moderator starts and stops breakout rooms": the moderator alone in the class room)
async fn start_and_stop_breakout_rooms(app: &TestApp) {
    background(app).await;
    let class = create_room(app, "participant1", "class room").await;
    configure(app, "participant1", &class, &[("mode", "2"), ("amount", "3")])
        .await
        .assert_status(200);
    let rooms = rooms_of(app, "participant1").await;
    let parent = find(&rooms, "class room");
    assert_eq!(
        (
            parent["lobbyState"].clone(),
            parent["breakoutRoomMode"].clone(),
            parent["breakoutRoomStatus"].clone()
        ),
        (0.into(), 2.into(), 0.into())
    );
    let tokens: Vec<String> = (1..=3)
        .map(|n| find(&rooms, &format!("Room {n}"))["token"].as_str().unwrap().to_owned())
        .collect();
    for n in 1..=3 {
        let r = find(&rooms, &format!("Room {n}"));
        assert_eq!(
            (
                r["lobbyState"].clone(),
                r["breakoutRoomMode"].clone(),
                r["breakoutRoomStatus"].clone()
            ),
            (1.into(), 0.into(), 0.into())
        );
    }
    for t in &tokens {
        assert_eq!(
            system_messages(app, "participant1", t).await,
            [("conversation_created".to_owned(), "participant1".to_owned())]
        );
    }

    start(app, "participant1", &class).await.assert_status(200);
    let rooms = rooms_of(app, "participant1").await;
    assert_eq!(find(&rooms, "class room")["breakoutRoomStatus"], 1);
    for n in 1..=3 {
        assert_eq!(find(&rooms, &format!("Room {n}"))["lobbyState"], 0);
    }
    let p1 = "participant1".to_owned();
    for t in &tokens {
        assert_eq!(
            system_messages(app, "participant1", t).await,
            [
                ("breakout_rooms_started".to_owned(), p1.clone()),
                ("conversation_created".to_owned(), p1.clone())
            ]
        );
    }

    stop(app, "participant1", &class).await.assert_status(200);
    let rooms = rooms_of(app, "participant1").await;
    assert_eq!(find(&rooms, "class room")["breakoutRoomStatus"], 0);
    for n in 1..=3 {
        assert_eq!(find(&rooms, &format!("Room {n}"))["lobbyState"], 1);
    }
    for t in &tokens {
        assert_eq!(
            system_messages(app, "participant1", t).await,
            [
                ("breakout_rooms_stopped".to_owned(), p1.clone()),
                ("breakout_rooms_started".to_owned(), p1.clone()),
                ("conversation_created".to_owned(), p1.clone())
            ]
        );
    }
}

// 18, 19
async fn request_and_reset_assistance(app: &TestApp) {
    background(app).await;
    let class = create_room(app, "participant1", "class room").await;
    add_user(app, "participant1", &class, "participant2")
        .await
        .assert_status(200);
    configure(app, "participant1", &class, &[("mode", "1"), ("amount", "1")])
        .await
        .assert_status(200);
    let room1 = token_of(app, "participant2", "Room 1").await;
    let path = format!("{V1}/breakout-rooms/{room1}/request-assistance");
    // Not started: the lobby is closed.
    assert_unchanged(app, 400, Some("room"), async {
        app.as_user("participant2").post(&path, &[]).await
    })
    .await;
    start(app, "participant1", &class).await.assert_status(200);
    let status = |rooms: Vec<Value>| find(&rooms, "Room 1")["breakoutRoomStatus"].clone();
    let r = app.as_user("participant2").post(&path, &[]).await;
    r.assert_status(200);
    assert_eq!(r.data()["breakoutRoomStatus"], 2);
    assert_eq!(status(rooms_of(app, "participant1").await), 2);
    app.as_user("participant2").delete(&path, &[]).await.assert_status(200);
    assert_eq!(status(rooms_of(app, "participant1").await), 0);
    app.as_user("participant2").post(&path, &[]).await.assert_status(200);
    assert_eq!(status(rooms_of(app, "participant1").await), 2);
    app.as_user("participant1").delete(&path, &[]).await.assert_status(200);
    assert_eq!(status(rooms_of(app, "participant1").await), 0);
    let parent = find(&rooms_of(app, "participant1").await, "class room").clone();
    assert_eq!(
        (parent["breakoutRoomMode"].clone(), parent["breakoutRoomStatus"].clone()),
        (1.into(), 1.into())
    );
    // Assistance on a room that is not a breakout room.
    assert_unchanged(app, 400, Some("room"), async {
        app.as_user("participant1")
            .post(&format!("{V1}/breakout-rooms/{class}/request-assistance"), &[])
            .await
    })
    .await;
}

// 20
async fn free_mode_listing(app: &TestApp) {
    background(app).await;
    let class = create_room(app, "participant1", "class room").await;
    configure(app, "participant1", &class, &[("mode", "3"), ("amount", "2")])
        .await
        .assert_status(200);
    let parent = find(&rooms_of(app, "participant1").await, "class room").clone();
    assert_eq!(parent["breakoutRoomMode"], 3);
    let path = format!("{V4}/room/{class}/breakout-rooms");
    app.as_user("participant2").get(&path).await.assert_status(404);
    add_user(app, "participant1", &class, "participant2")
        .await
        .assert_status(200);
    let r = app.as_user("participant2").get(&path).await;
    r.assert_status(400);
    assert_eq!(r.data(), serde_json::json!({"error": "status"}));
    let r = app.as_user("participant1").get(&path).await;
    r.assert_status(200);
    let listed: Vec<(String, i64)> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["lobbyState"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [("Room 1".to_owned(), 1), ("Room 2".to_owned(), 1)]);
    start(app, "participant1", &class).await.assert_status(200);
    let r = app.as_user("participant2").get(&path).await;
    r.assert_status(200);
    let listed: Vec<(String, i64)> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["lobbyState"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [("Room 1".to_owned(), 0), ("Room 2".to_owned(), 0)]);
    // Not a member of either room: the limited view.
    for room in r.data().as_array().unwrap() {
        assert_eq!(room["participantType"], 4);
        assert_eq!(room["attendeeId"], 0);
        assert!(room.get("lastMessage").is_none());
    }
}

// 21
async fn manual_mode_listing(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let path = format!("{V4}/room/{class}/breakout-rooms");
    let r = app.as_user("participant1").get(&path).await;
    r.assert_status(200);
    assert_eq!(r.data().as_array().unwrap().len(), 3);
    app.as_user("participant2").get(&path).await.assert_status(400);
    start(app, "participant1", &class).await.assert_status(200);
    let r = app.as_user("participant2").get(&path).await;
    r.assert_status(200);
    let listed: Vec<(String, i64)> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["lobbyState"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [("Room 1".to_owned(), 0)]);
}

async fn free_class(app: &TestApp) -> String {
    background(app).await;
    let class = create_room(app, "participant1", "class room").await;
    configure(app, "participant1", &class, &[("mode", "3"), ("amount", "2")])
        .await
        .assert_status(200);
    class
}

// 22
async fn moderators_can_not_switch(app: &TestApp) {
    let class = free_class(app).await;
    start(app, "participant1", &class).await.assert_status(200);
    let room1 = token_of(app, "participant1", "Room 1").await;
    assert_unchanged(app, 400, Some("moderator"), async {
        app.as_user("participant1")
            .post(&format!("{V1}/breakout-rooms/{class}/switch"), &[("target", &room1)])
            .await
    })
    .await;
}

// 23
async fn students_switch_rooms_in_free_mode(app: &TestApp) {
    let class = free_class(app).await;
    add_user(app, "participant1", &class, "participant2")
        .await
        .assert_status(200);
    assert_eq!(room_names(app, "participant2").await, ["class room"]);
    let room1 = token_of(app, "participant1", "Room 1").await;
    let room2 = token_of(app, "participant1", "Room 2").await;
    let path = format!("{V1}/breakout-rooms/{class}/switch");
    assert_unchanged(app, 400, Some("status"), async {
        app.as_user("participant2").post(&path, &[("target", &room1)]).await
    })
    .await;
    start(app, "participant1", &class).await.assert_status(200);
    assert_unchanged(app, 400, Some("target"), async {
        app.as_user("participant2").post(&path, &[("target", &class)]).await
    })
    .await;
    let r = app.as_user("participant2").post(&path, &[("target", &room1)]).await;
    r.assert_status(200);
    assert_eq!(r.data()["token"], room1.as_str());
    // Formatted with the caller's parent membership.
    assert_eq!(
        r.data()["attendeeId"],
        app.attendee_id("participant1", &class, "participant2").await
    );
    assert_eq!(room_names(app, "participant2").await, ["class room", "Room 1"]);
    app.as_user("participant2")
        .post(&path, &[("target", &room2)])
        .await
        .assert_status(200);
    assert_eq!(room_names(app, "participant2").await, ["class room", "Room 2"]);
}

// 24, 25
async fn students_can_not_switch_outside_free_mode(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    start(app, "participant1", &class).await.assert_status(200);
    let room2 = token_of(app, "participant1", "Room 2").await;
    assert_unchanged(app, 400, Some("mode"), async {
        app.as_user("participant2")
            .post(&format!("{V1}/breakout-rooms/{class}/switch"), &[("target", &room2)])
            .await
    })
    .await;
}

// 26
async fn deleting_the_parent_deletes_the_breakout_rooms(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    app.as_user("participant1")
        .delete(&format!("{V4}/room/{class}"), &[])
        .await
        .assert_status(200);
    assert!(rooms_of(app, "participant1").await.is_empty());
    assert!(rooms_of(app, "participant2").await.is_empty());
    assert_eq!(snapshot(app).await, "[]\n[]\n[]", "no orphans");
}

// 27
async fn deleting_one_breakout_room(app: &TestApp) {
    let _class = manual_three_rooms(app).await;
    let room2 = token_of(app, "participant1", "Room 2").await;
    app.as_user("participant1")
        .delete(&format!("{V4}/room/{room2}"), &[])
        .await
        .assert_status(200);
    assert_eq!(
        room_names(app, "participant1").await,
        ["class room", "Room 1", "Room 3"]
    );
    assert_eq!(room_names(app, "participant3").await, ["class room"]);
}

// 28
async fn can_not_create_a_nested_or_foreign_object_room(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let room1 = token_of(app, "participant1", "Room 1").await;
    let create = |object_type: &'static str, object_id: String| async move {
        app.as_user("participant1")
            .post(
                &format!("{V4}/room"),
                &[
                    ("roomType", "2"),
                    ("roomName", "Room 4"),
                    ("objectType", object_type),
                    ("objectId", &object_id),
                ],
            )
            .await
    };
    assert_unchanged(app, 400, Some("mode"), async { create("room", room1.clone()).await }).await;
    assert_unchanged(app, 400, Some("object-type"), async {
        create("files", class.clone()).await
    })
    .await;
}

// 29, 30
async fn creating_extra_breakout_rooms(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let p2 = app
        .attendee_id("participant1", &class, "participant2")
        .await
        .to_string();
    app.as_user("participant1")
        .post(&format!("{V4}/room/{class}/moderators"), &[("attendeeId", &p2)])
        .await
        .assert_status(200);
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V4}/room"),
            &[
                ("roomType", "2"),
                ("roomName", "Room 4"),
                ("objectType", "room"),
                ("objectId", &class),
            ],
        )
        .await;
    r.assert_status(201);
    let room = r.data();
    assert_eq!(
        (
            room["lobbyState"].clone(),
            room["breakoutRoomMode"].clone(),
            room["breakoutRoomStatus"].clone()
        ),
        (1.into(), 0.into(), 0.into())
    );
    assert_eq!(room["objectType"], "room");
    assert_eq!(room["objectId"], class.as_str());
    let token = room["token"].as_str().unwrap().to_owned();
    let members: Vec<(String, i64)> = participants(app, "participant1", &token)
        .await
        .iter()
        .map(|p| {
            (
                p["actorId"].as_str().unwrap().to_owned(),
                p["participantType"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        members,
        [("participant1".to_owned(), 1), ("participant2".to_owned(), 2)]
    );

    start(app, "participant1", &class).await.assert_status(200);
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V4}/room"),
            &[
                ("roomType", "2"),
                ("roomName", "Room 5"),
                ("objectType", "room"),
                ("objectId", &class),
            ],
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.data()["lobbyState"], 0);
    let rooms = rooms_of(app, "participant1").await;
    for r in rooms.iter().filter(|r| r["objectType"] == "room") {
        assert_eq!(r["lobbyState"], 0);
    }
    assert_eq!(find(&rooms, "class room")["breakoutRoomStatus"], 1);
}

// 31
async fn adding_a_user_directly_to_a_breakout_room(app: &TestApp) {
    background(app).await;
    let class = create_room(app, "participant1", "class room").await;
    configure(
        app,
        "participant1",
        &class,
        &[("mode", "2"), ("amount", "2"), ("attendeeMap", "[]")],
    )
    .await
    .assert_status(200);
    let room2 = token_of(app, "participant1", "Room 2").await;
    add_user(app, "participant1", &room2, "participant2")
        .await
        .assert_status(200);
    let types = |list: Vec<Value>| {
        list.iter()
            .find(|p| p["actorId"] == "participant2")
            .map(|p| p["participantType"].clone())
    };
    assert_eq!(types(participants(app, "participant1", &class).await), Some(3.into()));
    assert_eq!(types(participants(app, "participant1", &room2).await), Some(3.into()));
    let rooms = rooms_of(app, "participant2").await;
    assert_eq!(
        rooms.iter().map(|r| r["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["class room", "Room 2"]
    );
    assert_eq!(find(&rooms, "Room 2")["lobbyState"], 1);
}

// 32
async fn removing_users_from_the_parent_removes_them_from_breakout_rooms(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let p2 = app
        .attendee_id("participant1", &class, "participant2")
        .await
        .to_string();
    let p3 = app
        .attendee_id("participant1", &class, "participant3")
        .await
        .to_string();
    app.as_user("participant1")
        .post(&format!("{V4}/room/{class}/moderators"), &[("attendeeId", &p2)])
        .await
        .assert_status(200);
    let path = format!("{V4}/room/{class}/attendees");
    app.as_user("participant1")
        .delete(&path, &[("attendeeId", &p2)])
        .await
        .assert_status(200);
    app.as_user("participant1")
        .delete(&path, &[("attendeeId", &p3)])
        .await
        .assert_status(200);
    app.as_user("participant4")
        .delete(&format!("{V4}/room/{class}/participants/self"), &[])
        .await
        .assert_status(200);
    for u in ["participant2", "participant3", "participant4"] {
        assert!(room_names(app, u).await.is_empty(), "{u} still somewhere");
    }
}

// 33
async fn can_not_add_moderators_or_groups_to_a_breakout_room(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let p2 = app
        .attendee_id("participant1", &class, "participant2")
        .await
        .to_string();
    app.as_user("participant1")
        .post(&format!("{V4}/room/{class}/moderators"), &[("attendeeId", &p2)])
        .await
        .assert_status(200);
    let room2 = token_of(app, "participant1", "Room 2").await;
    assert_unchanged(app, 400, Some("moderator"), async {
        add_user(app, "participant1", &room2, "participant2").await
    })
    .await;
    assert_unchanged(app, 400, Some("source"), async {
        app.as_user("participant1")
            .post(
                &format!("{V4}/room/{room2}/participants"),
                &[("newParticipant", "group1"), ("source", "groups")],
            )
            .await
    })
    .await;
}

// 34
async fn reorganize_attendees(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    let p2 = app.attendee_id("participant1", &class, "participant2").await;
    let p3 = app.attendee_id("participant1", &class, "participant3").await;
    let p4 = app.attendee_id("participant1", &class, "participant4").await;
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{class}/moderators"),
            &[("attendeeId", &p2.to_string())],
        )
        .await
        .assert_status(200);
    let path = format!("{V1}/breakout-rooms/{class}/attendees");
    let path = path.as_str();
    let reorganize =
        |map: String| async move { app.as_user("participant1").post(path, &[("attendeeMap", &map)]).await };
    assert_unchanged(app, 400, Some("moderator"), async {
        reorganize(format!(r#"{{"{p2}":1,"{p3}":2}}"#)).await
    })
    .await;
    assert_unchanged(app, 400, Some("attendeeMap"), async {
        reorganize(format!(r#"{{"{p3}":-2}}"#)).await
    })
    .await;
    assert_unchanged(app, 400, Some("attendeeMap"), async {
        reorganize(format!(r#"{{"{p3}":3}}"#)).await
    })
    .await;
    // attendeeMap is a required parameter.
    assert_unchanged(app, 400, None, async {
        app.as_user("participant1").post(path, &[]).await
    })
    .await;
    reorganize(format!(r#"{{"{p3}":2,"{p4}":1}}"#)).await.assert_status(200);
    assert_eq!(room_names(app, "participant3").await, ["class room", "Room 3"]);
    assert_eq!(room_names(app, "participant4").await, ["class room", "Room 2"]);
}

// 35
async fn settings_locked_in_breakout_rooms(app: &TestApp) {
    let _class = manual_three_rooms(app).await;
    let room1 = token_of(app, "participant1", "Room 1").await;
    let me = app.as_user("participant1");
    assert_unchanged(app, 400, Some("breakout-room"), async {
        me.put(&format!("{V4}/room/{room1}/webinar/lobby"), &[("state", "0")])
            .await
    })
    .await;
    assert_unchanged(app, 400, Some("breakout-room"), async {
        me.put(&format!("{V4}/room/{room1}/listable"), &[("scope", "2")]).await
    })
    .await;
    assert_unchanged(app, 400, Some("breakout-room"), async {
        me.post(&format!("{V4}/room/{room1}/public"), &[]).await
    })
    .await;
    assert_unchanged(app, 400, Some("type"), async {
        me.put(&format!("{V4}/room/{room1}/password"), &[("password", "Pass1234")])
            .await
    })
    .await;
    assert_unchanged(app, 400, Some("breakout-room"), async {
        me.post(&format!("{V4}/room/{room1}/message-expiration"), &[("seconds", "3600")])
            .await
    })
    .await;
    // Recording consent needs a recording backend, which this server does not have.
}

async fn non_moderators_and_strangers_are_refused(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    app.create_user("stranger").await;
    let path = format!("{V1}/breakout-rooms/{class}");
    assert_unchanged(app, 403, None, async {
        configure(app, "participant2", &class, &[("mode", "1"), ("amount", "2")]).await
    })
    .await;
    assert_unchanged(app, 404, None, async {
        configure(app, "stranger", &class, &[("mode", "1"), ("amount", "2")]).await
    })
    .await;
    assert_unchanged(app, 403, None, async {
        app.as_user("participant2").delete(&path, &[]).await
    })
    .await;
    assert_unchanged(app, 403, None, async { start(app, "participant2", &class).await }).await;
    assert_unchanged(app, 401, None, async {
        app.anonymous().post(&path, &[("mode", "1")]).await
    })
    .await;
    // A token that breaks the route requirement is no route at all.
    let r = app
        .as_user("participant1")
        .post(&format!("{V1}/breakout-rooms/NOTATOKEN?format=json"), &[])
        .await;
    r.assert_status(404);
    assert_eq!(r.meta()["statuscode"], 998);
    // Already configured.
    assert_unchanged(app, 400, Some("room"), async {
        configure(app, "participant1", &class, &[("mode", "1"), ("amount", "2")]).await
    })
    .await;
}

async fn remove_answers_the_parent(app: &TestApp) {
    let class = manual_three_rooms(app).await;
    start(app, "participant1", &class).await.assert_status(200);
    let r = app
        .as_user("participant1")
        .delete(&format!("{V1}/breakout-rooms/{class}"), &[])
        .await;
    r.assert_status(200);
    let parent = r.data();
    assert_eq!(parent["token"], class.as_str());
    assert_eq!(
        (parent["breakoutRoomMode"].clone(), parent["breakoutRoomStatus"].clone()),
        (0.into(), 0.into())
    );
    assert_eq!(room_names(app, "participant1").await, ["class room"]);
    assert_eq!(room_names(app, "participant2").await, ["class room"]);
}

async fn web_client_json_with_string_numbers(app: &TestApp) {
    let class = class_room(app).await;
    let r = app
        .as_user("participant1")
        .json(
            "POST",
            &format!("{V1}/breakout-rooms/{class}"),
            &serde_json::json!({"mode": "1", "amount": "2"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.data().as_array().unwrap().len(), 3);
    // v1 envelope and XML work as well.
    let r = app
        .as_user("participant1")
        .header("Accept", Some("application/xml"))
        .post(
            &format!("/ocs/v1.php/apps/spreed/api/v1/breakout-rooms/{class}/rooms"),
            &[],
        )
        .await;
    r.assert_status(200);
    assert!(r.body.contains("<statuscode>100</statuscode>"), "{}", r.body);
    assert!(r.body.contains("<name>Room 2</name>"), "{}", r.body);
}

both_backends!(
    configure_manual_breakout_rooms,
    moderator_lists_breakout_participants,
    student_lists_breakout_participants_only_after_start,
    configure_automatic_breakout_rooms,
    promoting_a_parent_moderator_adds_them_to_all_breakout_rooms,
    demoting_a_parent_moderator_removes_them_from_all_breakout_rooms,
    can_not_nest_breakout_rooms,
    can_not_configure_breakout_rooms_in_one_to_one,
    can_not_create_more_than_20_breakout_rooms,
    invalid_room_numbers_in_the_attendee_map,
    breakout_rooms_disabled_by_the_admin,
    broadcast_chat_message_to_all_breakout_rooms,
    broadcast_start_and_stop_need_breakout_rooms,
    start_and_stop_breakout_rooms,
    request_and_reset_assistance,
    free_mode_listing,
    manual_mode_listing,
    moderators_can_not_switch,
    students_switch_rooms_in_free_mode,
    students_can_not_switch_outside_free_mode,
    deleting_the_parent_deletes_the_breakout_rooms,
    deleting_one_breakout_room,
    can_not_create_a_nested_or_foreign_object_room,
    creating_extra_breakout_rooms,
    adding_a_user_directly_to_a_breakout_room,
    removing_users_from_the_parent_removes_them_from_breakout_rooms,
    can_not_add_moderators_or_groups_to_a_breakout_room,
    reorganize_attendees,
    settings_locked_in_breakout_rooms,
    non_moderators_and_strangers_are_refused,
    remove_answers_the_parent,
    web_client_json_with_string_numbers,
);
