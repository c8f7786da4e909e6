//! What a round keeps as history when it completes (the final assignment written by
//! `domain::rounds::complete`), seen through the Horn face's history of the round: who is listed
//! in which room and under which name, for the cases the rule decides. Also what stopping costs:
//! no statement per person, whatever the size of the class.

use crate::common::{Backend, TestApp, HORN_API, TALK_V1, TALK_V4};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use talk_breakout::db::models::NewAttendee;
use talk_breakout::db::{store, Conn, DbError};
use talk_breakout::domain::ids::{ParticipantType, RoomToken};

/// participant1 owns "class room" with participant2..4; participant5 exists but is outside.
async fn class(app: &TestApp) -> String {
    let token = app
        .class_with_students(
            "participant1",
            "class room",
            &["participant2", "participant3", "participant4"],
        )
        .await;
    app.create_user("participant5").await;
    token
}

/// Talk's configure (manual, `amount` rooms, `map` as upstream's attendeeMap) and start.
async fn started_talk_round(app: &TestApp, token: &str, amount: &str, map: &str) {
    app.as_user("participant1")
        .post(
            &format!("{TALK_V1}/breakout-rooms/{token}"),
            &[("mode", "2"), ("amount", amount), ("attendeeMap", map)],
        )
        .await
        .assert_status(200);
    app.as_user("participant1")
        .post(&format!("{TALK_V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
}

async fn stop_talk_round(app: &TestApp, token: &str) {
    app.as_user("participant1")
        .delete(&format!("{TALK_V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
}

/// The parent's breakout rooms as Talk lists them to its owner: (name, token), in id order.
async fn talk_rooms(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let r = app
        .as_user("participant1")
        .get(&format!("{TALK_V4}/room/{token}/breakout-rooms"))
        .await;
    r.assert_status(200);
    let mut rooms: Vec<(i64, String, String)> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["name"].as_str().unwrap().to_owned(),
                r["token"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rooms.sort();
    rooms.into_iter().map(|(_, name, token)| (name, token)).collect()
}

async fn horn_get(app: &TestApp, path: &str) -> Value {
    let r = app.as_user("participant1").get(&format!("{HORN_API}{path}")).await;
    r.assert_status(200);
    r.json()
}

/// The only session of the conversation, as history: `(name, participantCount, handles)` per
/// room in the session's order, after checking that it completed.
async fn history(app: &TestApp, token: &str) -> Vec<(String, i64, Vec<String>)> {
    let sessions = format!("/channels/{token}/breakout/sessions");
    let listed = horn_get(app, &sessions).await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["isCompleted"], true);
    let id = listed[0]["id"].as_str().unwrap();
    let mut out = Vec::new();
    for room in horn_get(app, &format!("{sessions}/{id}/rooms"))
        .await
        .as_array()
        .unwrap()
    {
        let rid = room["id"].as_str().unwrap();
        let people = horn_get(app, &format!("{sessions}/{id}/rooms/{rid}/participants")).await;
        let handles: Vec<String> = people
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["handle"].as_str().unwrap().to_owned())
            .collect();
        out.push((
            room["name"].as_str().unwrap().to_owned(),
            room["participantCount"].as_i64().unwrap(),
            handles,
        ));
    }
    out
}

fn room(name: &str, handles: &[&str]) -> (String, i64, Vec<String>) {
    (
        name.to_owned(),
        handles.len() as i64,
        handles.iter().map(|h| (*h).to_owned()).collect(),
    )
}

/// Seats `user` in the Talk room `token` as a plain user, straight in the database: the API
/// never leaves a student in two rooms, nor anybody in a breakout room who is not in the parent,
/// but the history rule must hold for any data.
async fn seat_directly(app: &TestApp, token: &str, user: &str) {
    let (token, user) = (RoomToken::from(token), user.to_owned());
    app.db()
        .run(move |conn| -> Result<(), DbError> {
            let room = store::rooms::find_by_token(conn, &token)?.expect("room");
            store::attendees::insert(
                conn,
                &NewAttendee {
                    room_id: room.id,
                    actor_type: "users".into(),
                    actor_id: user.clone(),
                    display_name: format!("{user}-displayname"),
                    participant_type: ParticipantType::User,
                    permissions: 0,
                    last_read_message: 0,
                },
            )?;
            Ok(())
        })
        .await
        .unwrap();
}

// --- the rule -----------------------------------------------------------------------------

async fn a_person_in_two_rooms_is_kept_by_the_first(app: &TestApp) {
    let token = class(app).await;
    let p2 = app.attendee_id("participant1", &token, "participant2").await;
    let p3 = app.attendee_id("participant1", &token, "participant3").await;
    started_talk_round(app, &token, "3", &format!("{{\"{p2}\":2,\"{p3}\":1}}")).await;
    let rooms = talk_rooms(app, &token).await;
    // participant2 sits in Room 3 and, later, in Room 1 too; participant3 in Room 2 and Room 3.
    seat_directly(app, &rooms[0].1, "participant2").await;
    seat_directly(app, &rooms[2].1, "participant3").await;
    stop_talk_round(app, &token).await;
    assert_eq!(
        history(app, &token).await,
        [
            room("Room 1", &["participant2"]),
            room("Room 2", &["participant3"]),
            room("Room 3", &[]),
        ]
    );
}

async fn a_moderator_in_a_room_is_not_listed(app: &TestApp) {
    let token = class(app).await;
    let p2 = app.attendee_id("participant1", &token, "participant2").await;
    let p3 = app.attendee_id("participant1", &token, "participant3").await;
    started_talk_round(app, &token, "2", &format!("{{\"{p2}\":0,\"{p3}\":0}}")).await;
    // participant3 is made a moderator of Room 1 only (the owner, participant1, moderates every
    // room as in any round).
    let room1 = talk_rooms(app, &token).await[0].1.clone();
    let in_room = app
        .attendee_id("participant1", &room1, "participant3")
        .await
        .to_string();
    app.as_user("participant1")
        .post(
            &format!("{TALK_V4}/room/{room1}/moderators"),
            &[("attendeeId", &in_room)],
        )
        .await
        .assert_status(200);
    stop_talk_round(app, &token).await;
    assert_eq!(
        history(app, &token).await,
        [room("Room 1", &["participant2"]), room("Room 2", &[])]
    );
}

async fn a_user_outside_the_parent_is_not_listed(app: &TestApp) {
    let token = class(app).await;
    let p2 = app.attendee_id("participant1", &token, "participant2").await;
    started_talk_round(app, &token, "2", &format!("{{\"{p2}\":1}}")).await;
    let rooms = talk_rooms(app, &token).await;
    seat_directly(app, &rooms[1].1, "participant5").await;
    stop_talk_round(app, &token).await;
    assert_eq!(
        history(app, &token).await,
        [room("Room 1", &[]), room("Room 2", &["participant2"])]
    );
}

async fn a_room_renamed_in_talk_keeps_its_new_name(app: &TestApp) {
    let token = class(app).await;
    let p2 = app.attendee_id("participant1", &token, "participant2").await;
    let p4 = app.attendee_id("participant1", &token, "participant4").await;
    started_talk_round(app, &token, "2", &format!("{{\"{p2}\":0,\"{p4}\":1}}")).await;
    let room2 = talk_rooms(app, &token).await[1].1.clone();
    app.as_user("participant1")
        .put(&format!("{TALK_V4}/room/{room2}"), &[("roomName", "Lab")])
        .await
        .assert_status(200);
    stop_talk_round(app, &token).await;
    assert_eq!(
        history(app, &token).await,
        [room("Room 1", &["participant2"]), room("Lab", &["participant4"])]
    );
    // History stays as it was when the round ended, whatever Talk does next.
    app.as_user("participant1")
        .put(&format!("{TALK_V4}/room/{room2}"), &[("roomName", "Later")])
        .await
        .assert_status(200);
    assert_eq!(history(app, &token).await[1].0, "Lab");
}

async fn a_room_whose_talk_room_is_gone_keeps_its_name_and_nobody(app: &TestApp) {
    let token = class(app).await;
    let p2 = app.attendee_id("participant1", &token, "participant2").await;
    let p3 = app.attendee_id("participant1", &token, "participant3").await;
    started_talk_round(app, &token, "2", &format!("{{\"{p2}\":0,\"{p3}\":1}}")).await;
    let room2 = talk_rooms(app, &token).await[1].1.clone();
    app.as_user("participant1")
        .put(&format!("{TALK_V4}/room/{room2}"), &[("roomName", "Gone")])
        .await
        .assert_status(200);
    app.as_user("participant1")
        .delete(&format!("{TALK_V4}/room/{room2}"), &[])
        .await
        .assert_status(200);
    stop_talk_round(app, &token).await;
    assert_eq!(
        history(app, &token).await,
        [room("Room 1", &["participant2"]), room("Room 2", &[])]
    );
}

/// A running Horn round one of whose rooms has no Talk room token (no start leaves one behind;
/// made here in the database): that room's plan counts, in the rooms' order with the Talk rooms'
/// people.
async fn a_room_without_a_talk_room_keeps_its_plan(app: &TestApp) {
    let token = class(app).await;
    let sessions = format!("{HORN_API}/channels/{token}/breakout/sessions");
    let id = app.horn_session("participant1", &token, &serde_json::json!({})).await;
    let mut rooms = Vec::new();
    for name in ["A", "B", "C"] {
        let r = app
            .as_user("participant1")
            .json(
                "POST",
                &format!("{sessions}/{id}/rooms"),
                &serde_json::json!({ "name": name }),
            )
            .await;
        r.assert_status(200);
        rooms.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    for (user, room) in [("participant2", 0), ("participant3", 1), ("participant4", 2)] {
        let attendee = app.attendee_id("participant1", &token, user).await;
        app.as_user("participant1")
            .raw(
                "POST",
                &format!("{sessions}/{id}/rooms/{}/participants/{attendee}", rooms[room]),
                "application/json",
                Vec::new(),
            )
            .await
            .assert_status(200);
    }
    app.as_user("participant1")
        .json(
            "POST",
            &format!("{HORN_API}/channels/{token}/breakout/session/start"),
            &serde_json::json!({ "id": id }),
        )
        .await
        .assert_status(200);
    let talk = talk_rooms(app, &token).await;
    // participant4 also sits in A's Talk room (before C: A keeps them); participant3 also in
    // C's (after B, whose plan keeps them); B loses its token.
    seat_directly(app, &talk[0].1, "participant4").await;
    seat_directly(app, &talk[2].1, "participant3").await;
    let b: i64 = rooms[1].parse().unwrap();
    app.db()
        .run(move |conn| -> Result<(), DbError> {
            use diesel::RunQueryDsl;
            let sql = format!("UPDATE breakout_session_rooms SET room_token = NULL WHERE id = {b}");
            match conn {
                Conn::Sqlite(c) => diesel::sql_query(sql).execute(&mut **c)?,
                Conn::Pg(c) => diesel::sql_query(sql).execute(&mut **c)?,
            };
            Ok(())
        })
        .await
        .unwrap();
    app.as_user("participant1")
        .raw(
            "POST",
            &format!("{HORN_API}/channels/{token}/breakout/session/stop"),
            "application/json",
            Vec::new(),
        )
        .await
        .assert_status(200);
    assert_eq!(
        history(app, &token).await,
        [
            room("A", &["participant2", "participant4"]),
            room("B", &["participant3"]),
            room("C", &[]),
        ]
    );
}

// --- what stopping costs --------------------------------------------------------------------

/// Collects the statements the current thread runs (diesel's statement log, `talk_breakout::sql`).
struct StatementLog(Arc<Mutex<Vec<String>>>);

struct Message<'a>(&'a mut String);

impl tracing::field::Visit for Message<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            *self.0 = format!("{value:?}");
        }
    }
}

impl tracing::Subscriber for StatementLog {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "talk_breakout::sql"
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = String::new();
        event.record(&mut Message(&mut text));
        self.0.lock().unwrap().push(text);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// A class `name` of participant1 with `students` students (added as one group) in a started
/// automatic round of `rooms` rooms.
async fn running_class(app: &TestApp, name: &str, students: usize, rooms: usize) -> String {
    let members: Vec<String> = (0..students).map(|i| format!("{name}-student{i}")).collect();
    for m in &members {
        app.create_user(m).await;
    }
    let refs: Vec<&str> = members.iter().map(String::as_str).collect();
    app.create_group(name, &refs).await;
    let r = app
        .as_user("participant1")
        .post(&format!("{TALK_V4}/room"), &[("roomType", "2"), ("roomName", name)])
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    app.as_user("participant1")
        .post(
            &format!("{TALK_V4}/room/{token}/participants"),
            &[("newParticipant", name), ("source", "groups")],
        )
        .await
        .assert_status(200);
    app.as_user("participant1")
        .post(
            &format!("{TALK_V1}/breakout-rooms/{token}"),
            &[("mode", "1"), ("amount", &rooms.to_string())],
        )
        .await
        .assert_status(200);
    app.as_user("participant1")
        .post(&format!("{TALK_V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    token
}

/// The statements of Talk's stop of the round of `token` (the operation in its transaction,
/// as the use case runs it), each as logged.
async fn statements_of_stop(app: &TestApp, token: &str) -> Vec<String> {
    let token = RoomToken::from(token);
    let now_ms = app.clock().now_ms();
    let log = Arc::new(Mutex::new(Vec::new()));
    let collected = log.clone();
    app.db()
        .run(move |conn| -> Result<(), talk_breakout::domain::Refusal> {
            let caller = talk_breakout::domain::access::Caller {
                user_id: "participant1".into(),
                display_name: "participant1-displayname".into(),
                is_admin: false,
            };
            let moderator =
                talk_breakout::domain::access::Member::find(conn, caller, &token, now_ms)?.into_moderator()?;
            tracing::subscriber::with_default(StatementLog(collected), || {
                conn.write_tx(|tx| talk_breakout::domain::breakout::stop(tx, &moderator, now_ms))
            })?;
            Ok(())
        })
        .await
        .unwrap();
    let statements = log.lock().unwrap().clone();
    statements
}

/// Stopping runs no statement per person. The only difference a class's size makes is the
/// bulk insert of its history: on SQLite one statement per 32 rows and at most five for the
/// rest (3 rows: 2 + 1; 60 rows: 32 + 16 + 8 + 4), on PostgreSQL one per 10,000 (one array per
/// column).
async fn stopping_costs_no_statement_per_person(app: &TestApp) {
    app.create_user("participant1").await;
    // The same rooms (SQLite posts each room's system message in a statement of its own).
    let small = running_class(app, "small", 3, 3).await;
    let large = running_class(app, "large", 60, 3).await;
    let few = statements_of_stop(app, &small).await;
    let many = statements_of_stop(app, &large).await;
    let history_statements = |rows: usize| match app.backend {
        Backend::Sqlite => rows / 32 + (rows % 32).count_ones() as usize,
        Backend::Postgres => rows.div_ceil(10_000),
    };
    assert_eq!(
        many.len() - history_statements(60),
        few.len() - history_statements(3),
        "{few:#?}\n{many:#?}"
    );
    println!("{} statements: {many:#?}", many.len());
    // Both rounds ended as history, each student once.
    for (token, students) in [(&small, 3), (&large, 60)] {
        let token = RoomToken::from(token.as_str());
        let listed: usize = app
            .db()
            .run(move |conn| -> Result<usize, DbError> {
                let parent = store::rooms::find_by_token(conn, &token)?.expect("parent");
                let session = store::breakout_sessions::page(conn, parent.id, true, 10, 0)?;
                assert_eq!(session.len(), 1);
                Ok(store::breakout_sessions::assignments(conn, session[0].id)?.len())
            })
            .await
            .unwrap();
        assert_eq!(listed, students);
    }
}

both_backends!(
    a_person_in_two_rooms_is_kept_by_the_first,
    a_moderator_in_a_room_is_not_listed,
    a_user_outside_the_parent_is_not_listed,
    a_room_renamed_in_talk_keeps_its_new_name,
    a_room_whose_talk_room_is_gone_keeps_its_name_and_nobody,
    a_room_without_a_talk_room_keeps_its_plan,
    stopping_costs_no_statement_per_person,
);
