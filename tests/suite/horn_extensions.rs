//! Horn face extensions (horn.md §6) over HTTP on both backends: assignments that mix people
//! (`balanced`, `rotate`) with room capacities, session modes as the Talk face sees them, every
//! refusal with its exact code and nothing changed.

use crate::common::{database_snapshot, horn_refused, Resp, TestApp};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";
const API: &str = "/api/v1_0";

/// participant1 owns a group conversation with `students` more users (participant2…), and
/// participant99 as a promoted moderator; participant98 is outside.
async fn class(app: &TestApp, students: usize) -> String {
    let mut names: Vec<String> = (2..2 + students).map(|i| format!("participant{i}")).collect();
    names.push("participant99".to_owned());
    let members: Vec<&str> = names.iter().map(String::as_str).collect();
    let token = app.class_with_students("participant1", "class room", &members).await;
    app.create_user("participant98").await;
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

fn sessions(token: &str) -> String {
    format!("/channels/{token}/breakout/sessions")
}

async fn new_session(app: &TestApp, token: &str) -> String {
    app.horn_session("participant1", token, &json!({})).await
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
        horn_refused(&r, status, code);
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
    horn_refused(&r, 400, "BAD_REQUEST");

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
    horn_refused(&r, 400, "ACTIVE_BREAKOUT_SESSION");
    assert_eq!(plan(app, &token).await, before);
    ok(
        app,
        &format!("/channels/{token}/breakout/session/stop"),
        Some(json!({})),
    )
    .await;
    let before = plan(app, &token).await;
    let r = assign_all(app, &token, &running, json!({ "strategy": "rotate" })).await;
    horn_refused(&r, 400, "COMPLETED_BREAKOUT_SESSION");
    assert_eq!(plan(app, &token).await, before);
}

/// The Talk parent as `user` sees it: (`breakoutRoomMode`, `breakoutRoomStatus`).
async fn talk_breakout_state(app: &TestApp, user: &str, token: &str) -> (i64, i64) {
    let r = app.as_user(user).get(&format!("{V4}/room/{token}")).await;
    r.assert_status(200);
    let d = r.data();
    (
        d["breakoutRoomMode"].as_i64().unwrap(),
        d["breakoutRoomStatus"].as_i64().unwrap(),
    )
}

async fn start_session(app: &TestApp, token: &str, session: &str) -> Value {
    ok(
        app,
        &format!("/channels/{token}/breakout/session/start"),
        Some(json!({ "id": session })),
    )
    .await
}

async fn stop_session(app: &TestApp, token: &str) {
    ok(
        app,
        &format!("/channels/{token}/breakout/session/stop"),
        Some(json!({})),
    )
    .await;
}

/// A session's rooms: (Talk token, handles of the users in it), as the Horn face lists them.
async fn live_rooms(app: &TestApp, token: &str, session: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut out = Vec::new();
    for room in ok(app, &format!("{}/{session}/rooms", sessions(token)), None)
        .await
        .as_array()
        .unwrap()
    {
        let rid = room["id"].as_str().unwrap();
        let people = ok(
            app,
            &format!("{}/{session}/rooms/{rid}/participants", sessions(token)),
            None,
        )
        .await;
        let handles = people
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["handle"].as_str().unwrap().to_owned())
            .collect();
        out.push((room["channelUuid"].as_str().unwrap_or_default().to_owned(), handles));
    }
    out
}

async fn switch(app: &TestApp, user: &str, parent: &str, target: &str) -> Resp {
    app.as_user(user)
        .post(&format!("{V1}/breakout-rooms/{parent}/switch"), &[("target", target)])
        .await
}

async fn modes_seen_from_the_talk_face(app: &TestApp) {
    let token = class(app, 6).await;
    let students: BTreeSet<String> = (2..8).map(|i| format!("participant{i}")).collect();

    // manual is the default; the mode is shown and can be changed while pending.
    let manual = new_session(app, &token).await;
    let free = ok(app, &sessions(&token), Some(json!({ "mode": "free" }))).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = ok(app, &sessions(&token), None).await;
    let modes: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["manual", "free"]);
    let updated = ok(
        app,
        &format!("{}/{manual}", sessions(&token)),
        Some(json!({ "mode": "automatic" })),
    )
    .await;
    assert_eq!(updated["mode"], "automatic");
    let automatic = manual;

    // Free: nobody is placed; students choose with Talk's switch; capacity holds.
    let open = add_room(app, &token, &free, json!({ "name": "Open" })).await;
    add_room(app, &token, &free, json!({ "name": "Small", "capacity": 1 })).await;
    // A plan is not used in free mode.
    let p2 = attendee_ids(app, &token).await["participant2"];
    ok(
        app,
        &format!("{}/{free}/rooms/{open}/participants/{p2}", sessions(&token)),
        Some(json!({})),
    )
    .await;
    let started = start_session(app, &token, &free).await;
    assert_eq!(started["mode"], "free");
    assert_eq!(talk_breakout_state(app, "participant1", &token).await, (3, 1));
    let rooms = live_rooms(app, &token, &free).await;
    assert!(rooms.iter().all(|(_, people)| people.is_empty()), "{rooms:?}");
    let (open_token, small_token) = (rooms[0].0.clone(), rooms[1].0.clone());
    switch(app, "participant2", &token, &small_token)
        .await
        .assert_status(200);
    // Into the full room: 400 `capacity`, nothing changed.
    let before = (database_snapshot(app).await, plan(app, &token).await);
    let r = switch(app, "participant3", &token, &small_token).await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({ "error": "capacity" }), "{}", r.body);
    assert_eq!((database_snapshot(app).await, plan(app, &token).await), before);
    // Upstream's own checks come first: a moderator is refused as a moderator.
    let r = switch(app, "participant99", &token, &small_token).await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({ "error": "moderator" }), "{}", r.body);
    // The one in the room may "switch" to it again; the others go elsewhere.
    switch(app, "participant2", &token, &small_token)
        .await
        .assert_status(200);
    switch(app, "participant3", &token, &open_token)
        .await
        .assert_status(200);
    let rooms = live_rooms(app, &token, &free).await;
    let seated: Vec<BTreeSet<String>> = rooms.into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        seated,
        vec![
            BTreeSet::from(["participant3".to_owned()]),
            BTreeSet::from(["participant2".to_owned()])
        ]
    );
    // Leaving the small room frees its seat.
    switch(app, "participant2", &token, &open_token)
        .await
        .assert_status(200);
    switch(app, "participant4", &token, &small_token)
        .await
        .assert_status(200);
    // The mode of a running session is fixed.
    let r = call(
        app,
        "participant1",
        "POST",
        &format!("{}/{free}", sessions(&token)),
        Some(json!({ "mode": "manual" })),
    )
    .await;
    horn_refused(&r, 400, "ACTIVE_BREAKOUT_SESSION");
    stop_session(app, &token).await;
    let r = call(
        app,
        "participant1",
        "POST",
        &format!("{}/{free}", sessions(&token)),
        Some(json!({ "mode": "manual" })),
    )
    .await;
    horn_refused(&r, 400, "COMPLETED_BREAKOUT_SESSION");

    // Automatic: a balanced draw of the students at start (the plan is not used), moderators
    // in none of the lists.
    let a1 = add_room(app, &token, &automatic, json!({})).await;
    add_room(app, &token, &automatic, json!({})).await;
    ok(
        app,
        &format!("{}/{automatic}/rooms/{a1}/participants/{p2}", sessions(&token)),
        Some(json!({})),
    )
    .await;
    start_session(app, &token, &automatic).await;
    assert_eq!(talk_breakout_state(app, "participant1", &token).await, (1, 1));
    let rooms = live_rooms(app, &token, &automatic).await;
    let sizes: Vec<usize> = rooms.iter().map(|(_, p)| p.len()).collect();
    assert_eq!(sizes, [3, 3]);
    let everyone: BTreeSet<String> = rooms.iter().flat_map(|(_, p)| p.iter().cloned()).collect();
    assert_eq!(everyone, students);
    // Automatic mode has no switch, as on Talk.
    let r = switch(app, "participant2", &token, &rooms[0].0).await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({ "error": "mode" }), "{}", r.body);
    stop_session(app, &token).await;

    // Manual: the plan, and Talk shows mode 2.
    let manual = ok(app, &sessions(&token), Some(json!({ "mode": "manual" }))).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = assign_all(app, &token, &manual, json!({ "strategy": "balanced", "rooms": 3 })).await;
    r.assert_status(200);
    let planned = handles_by_room(&r.json());
    start_session(app, &token, &manual).await;
    assert_eq!(talk_breakout_state(app, "participant1", &token).await, (2, 1));
    let seated: Vec<BTreeSet<String>> = live_rooms(app, &token, &manual)
        .await
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert_eq!(seated, planned);
}

async fn invalid_modes_change_nothing(app: &TestApp) {
    let token = class(app, 2).await;
    let session = new_session(app, &token).await;
    let before = plan(app, &token).await;
    for mode in [
        json!("Free"),
        json!(""),
        json!("none"),
        json!(3),
        json!(["free"]),
        json!({}),
    ] {
        let r = call(
            app,
            "participant1",
            "POST",
            &sessions(&token),
            Some(json!({ "mode": mode })),
        )
        .await;
        horn_refused(&r, 400, "BAD_REQUEST");
        let r = call(
            app,
            "participant1",
            "POST",
            &format!("{}/{session}", sessions(&token)),
            Some(json!({ "name": "Renamed", "mode": mode })),
        )
        .await;
        horn_refused(&r, 400, "BAD_REQUEST");
        assert_eq!(plan(app, &token).await, before, "{mode}");
    }
    // A Talk-made round's plan belongs to the Talk face.
    talk_made_modes_are_talks(app, &token).await;
}

/// A Talk configuration is listed as a pending session with Talk's mode, which only Talk changes.
async fn talk_made_modes_are_talks(app: &TestApp, token: &str) {
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V1}/breakout-rooms/{token}"),
            &[("mode", "3"), ("amount", "2")],
        )
        .await;
    r.assert_status(200);
    let listed = ok(app, &sessions(token), None).await;
    let talk_made = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Breakout rooms")
        .unwrap()
        .clone();
    assert_eq!(talk_made["mode"], "free");
    let id = talk_made["id"].as_str().unwrap();
    let before = plan(app, token).await;
    let r = call(
        app,
        "participant1",
        "POST",
        &format!("{}/{id}", sessions(token)),
        Some(json!({ "mode": "manual" })),
    )
    .await;
    horn_refused(&r, 400, "BAD_REQUEST");
    assert_eq!(plan(app, token).await, before);
}

/// `assign` draws in a read snapshot and writes under the lock only if what it drew from is
/// unchanged: a draft made before another user joined writes nothing; a fresh one places them.
async fn a_draw_is_written_only_if_nothing_it_read_changed(app: &TestApp) {
    use talk_breakout::domain::access::{Caller, Channel};
    use talk_breakout::domain::ids::UserId;
    use talk_breakout::domain::rounds::{self, AssignDraft, AssignInput, Strategy};
    use talk_breakout::domain::Refusal;

    let token = class(app, 4).await;
    let session = new_session(app, &token).await;
    add_room(app, &token, &session, json!({})).await;
    add_room(app, &token, &session, json!({})).await;
    let caller = Caller {
        user_id: UserId("participant1".to_owned()),
        display_name: "participant1".to_owned(),
        is_admin: false,
    };
    let input = AssignInput {
        strategy: Strategy::Rotate,
        rooms: None,
    };
    let draft = |token: String, session: String, caller: Caller| async move {
        app.db()
            .read(move |conn| -> Result<AssignDraft, Refusal> {
                let ch = Channel::open(conn, &token, &caller)?;
                rounds::draft_assignment(conn, &ch.manager()?, &session, Ok(input), &mut rand::thread_rng())
            })
            .await
            .unwrap()
    };
    let write = |token: String, session: String, caller: Caller, draft: AssignDraft| async move {
        app.db()
            .run(move |conn| {
                conn.write_tx(|tx| -> Result<Option<usize>, Refusal> {
                    let ch = Channel::open_locked(tx, &token, &caller)?;
                    let rooms = rounds::assign_all(
                        tx,
                        &ch.manager()?,
                        &session,
                        Ok(input),
                        Some(draft),
                        &mut rand::thread_rng(),
                    )?;
                    Ok(rooms.map(|rooms| rooms.iter().map(|r| r.members.len()).sum()))
                })
            })
            .await
            .unwrap()
    };

    let stale = draft(token.clone(), session.clone(), caller.clone()).await;
    app.create_user("participant77").await;
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", "participant77"), ("source", "users")],
        )
        .await
        .assert_status(200);
    let before = plan(app, &token).await;
    assert_eq!(write(token.clone(), session.clone(), caller.clone(), stale).await, None);
    assert_eq!(plan(app, &token).await, before);

    let fresh = draft(token.clone(), session.clone(), caller.clone()).await;
    assert_eq!(
        write(token.clone(), session.clone(), caller.clone(), fresh).await,
        Some(5)
    );
    let placed: BTreeSet<String> = plan(app, &token).await[0]["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["participants"].as_array().unwrap().clone())
        .map(|p| p["handle"].as_str().unwrap().to_owned())
        .collect();
    assert!(placed.contains("participant77"), "{placed:?}");
    assert_eq!(placed.len(), 5);
}

both_backends!(
    sizes_capacities_and_moderators,
    rotate_avoids_pairs_of_completed_rounds,
    refusals_change_nothing,
    modes_seen_from_the_talk_face,
    invalid_modes_change_nothing,
    a_draw_is_written_only_if_nothing_it_read_changed,
);
