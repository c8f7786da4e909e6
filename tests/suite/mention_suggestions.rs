//! Mention suggestions while typing `@` (`GET /chat/{token}/mentions`, spreed
//! `ChatController::mentions`), named after the scenarios of upstream's
//! `tests/integration/features/chat-2/mentions.feature` at the Talk 22 branch point. Upstream's
//! harness sorts both lists before comparing; these tests compare in the order upstream's
//! sorter gives.

use crate::common::{manual_clock, TestApp, TALK_V1 as V1, TALK_V4 as V4};
use serde_json::{json, Value};
use std::time::Duration;

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
        add(app, &token, user, "users").await;
    }
    token
}

async fn add(app: &TestApp, token: &str, who: &str, source: &str) {
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", who), ("source", source)],
        )
        .await
        .assert_status(200);
}

/// The suggestions `user` gets for `query` (the query string after `?`), asserting 200.
async fn suggestions(app: &TestApp, user: &str, token: &str, query: &str) -> Value {
    let r = app
        .as_user(user)
        .get(&format!("{V1}/chat/{token}/mentions?{query}"))
        .await;
    r.assert_status(200);
    r.data()
}

fn user(id: &str) -> Value {
    json!({"id": id, "label": format!("{id}-displayname"), "source": "users", "mentionId": id})
}

fn all(label: &str, participants: usize) -> Value {
    json!({
        "id": "all",
        "label": label,
        "source": "calls",
        "mentionId": "all",
        "details": format!("All {participants} participants"),
    })
}

async fn get_mentions_in_a_group_room(app: &TestApp) {
    let token = group(app).await;
    // The exact bytes: keys in upstream's order, `@all` last with its details.
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/{token}/mentions?search="))
        .await;
    assert_eq!(
        r.body,
        r#"{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":[{"id":"participant2","label":"participant2-displayname","source":"users","mentionId":"participant2"},{"id":"participant3","label":"participant3-displayname","source":"users","mentionId":"participant3"},{"id":"participant1","label":"participant1-displayname","source":"users","mentionId":"participant1"},{"id":"all","label":"room","source":"calls","mentionId":"all","details":"All 3 participants"}]}}"#
    );
    // Everybody is suggested to themself too, last among the users.
    assert_eq!(
        suggestions(app, "participant2", &token, "search=").await,
        json!([
            user("participant1"),
            user("participant3"),
            user("participant2"),
            all("room", 3)
        ])
    );
    // OCS v1 answers the same data.
    let r = app
        .as_user("participant3")
        .get(&format!(
            "/ocs/v1.php/apps/spreed/api/v1/chat/{token}/mentions?search=&format=json"
        ))
        .await;
    r.assert_status(200);
    assert_eq!(r.meta()["statuscode"], 100);
    assert_eq!(
        r.data(),
        json!([
            user("participant1"),
            user("participant2"),
            user("participant3"),
            all("room", 3)
        ])
    );
}

async fn get_mentions_in_a_group_room_with_no_other_participant(app: &TestApp) {
    app.create_user("participant1").await;
    let room = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "room")])
        .await
        .data();
    let token = room["token"].as_str().unwrap();
    // One user: `@all` without details.
    assert_eq!(
        suggestions(app, "participant1", token, "search=").await,
        json!([
            user("participant1"),
            {"id": "all", "label": "room", "source": "calls", "mentionId": "all"},
        ])
    );
}

async fn get_matched_mentions_in_a_group_room(app: &TestApp) {
    let token = group(app).await;
    // By id or by display name, anywhere in it, ASCII case-insensitively.
    assert_eq!(
        suggestions(app, "participant1", &token, "search=part").await,
        json!([user("participant2"), user("participant3"), user("participant1")])
    );
    assert_eq!(
        suggestions(app, "participant1", &token, "search=IPANT3").await,
        json!([user("participant3")])
    );
    app.db()
        .run(|conn| {
            talk_breakout::db::store::attendees::set_display_name_for_actor(conn, "users", "participant2", "Zoë Smith")
        })
        .await
        .unwrap();
    assert_eq!(
        suggestions(app, "participant1", &token, "search=SMI").await,
        json!([{"id": "participant2", "label": "Zoë Smith", "source": "users", "mentionId": "participant2"}])
    );
    // Only ASCII letters are folded, as PHP's `stripos`.
    assert_eq!(suggestions(app, "participant1", &token, "search=ZOË").await, json!([]));
    // An exact id or name goes first among the users, before the sorter's own rules.
    assert_eq!(
        suggestions(app, "participant3", &token, "search=participant3-displayname").await,
        json!([user("participant3")])
    );
    // `@all` by the conversation's name, or as a start of `all` or `here` (case-sensitive).
    assert_eq!(
        suggestions(app, "participant1", &token, "search=OO").await,
        json!([all("room", 3)])
    );
    assert_eq!(
        suggestions(app, "participant1", &token, "search=he").await,
        json!([all("room", 3)])
    );
    assert_eq!(
        suggestions(app, "participant1", &token, "search=al").await,
        json!([all("room", 3)])
    );
    assert_eq!(suggestions(app, "participant1", &token, "search=All").await, json!([]));
}

async fn get_unmatched_mentions_in_a_group_room(app: &TestApp) {
    let token = group(app).await;
    for user in ["participant1", "participant2", "participant3"] {
        assert_eq!(suggestions(app, user, &token, "search=unknown").await, json!([]));
    }
    // Wildcards of SQL or of a pattern are plain characters.
    for search in ["%25", "_", ".*", "%5C"] {
        assert_eq!(
            suggestions(app, "participant1", &token, &format!("search={search}")).await,
            json!([]),
            "{search}"
        );
    }
}

async fn get_mentions_in_a_one_to_one_room(app: &TestApp) {
    for user in ["participant1", "participant2"] {
        app.create_user(user).await;
    }
    let one = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await
        .data();
    let token = one["token"].as_str().unwrap();
    // Both users, no `@all`, whatever is searched.
    assert_eq!(
        suggestions(app, "participant1", token, "search=").await,
        json!([user("participant2"), user("participant1")])
    );
    assert_eq!(
        suggestions(app, "participant2", token, "search=part").await,
        json!([user("participant1"), user("participant2")])
    );
    assert_eq!(suggestions(app, "participant1", token, "search=all").await, json!([]));
}

async fn get_mentions_with_a_participant_not_in_the_room(app: &TestApp) {
    let token = group(app).await;
    app.create_user("participant4").await;
    let r = app
        .as_user("participant4")
        .get(&format!("{V1}/chat/{token}/mentions?search="))
        .await;
    assert_eq!(
        r.body,
        r#"{"ocs":{"meta":{"status":"failure","statuscode":404,"message":""},"data":[]}}"#
    );
    // An unknown conversation looks the same.
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/abcdefgh/mentions?search="))
        .await;
    r.assert_status(404);
    assert_eq!(r.data(), json!([]));
    // A token outside upstream's route requirement is no route at all.
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/ABC/mentions?search=&format=json"))
        .await;
    r.assert_status(404);
    assert_eq!(r.meta()["statuscode"], 998);
    // Without credentials: 401 before anything else.
    let r = app
        .anonymous()
        .get(&format!("{V1}/chat/{token}/mentions?search="))
        .await;
    r.assert_status(401);
    // Other methods on the path: 405, as upstream's router.
    let r = app
        .as_user("participant1")
        .delete(&format!("{V1}/chat/{token}/mentions"), &[])
        .await;
    r.assert_status(405);
}

async fn get_mentions_with_different_mention_permissions_available(app: &TestApp) {
    let token = group(app).await;
    app.as_user("participant1")
        .put(
            &format!("{V4}/room/{token}/mention-permissions"),
            &[("mentionPermissions", "1")],
        )
        .await
        .assert_status(200);
    // Moderators still get `@all`, the others no longer.
    assert_eq!(
        suggestions(app, "participant1", &token, "search=").await,
        json!([
            user("participant2"),
            user("participant3"),
            user("participant1"),
            all("room", 3)
        ])
    );
    assert_eq!(
        suggestions(app, "participant2", &token, "search=").await,
        json!([user("participant1"), user("participant3"), user("participant2")])
    );
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/moderators"),
            &[(
                "attendeeId",
                &app.attendee_id("participant1", &token, "participant2")
                    .await
                    .to_string(),
            )],
        )
        .await
        .assert_status(200);
    assert_eq!(
        suggestions(app, "participant2", &token, "search=all").await,
        json!([all("room", 3)])
    );
}

async fn post_as(app: &TestApp, user: &str, token: &str, text: &str) {
    app.as_user(user)
        .post(&format!("{V1}/chat/{token}"), &[("message", text)])
        .await
        .assert_status(201);
}

async fn recent_speakers_come_first(app: &TestApp) {
    let token = group(app).await;
    for (id, name) in [("alice", "Alice Madani"), ("dani", "Daniel")] {
        app.create_user_named(id, name).await;
        add(app, &token, id, "users").await;
    }
    let ids = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Nobody spoke: attendee order, the caller last.
    assert_eq!(
        ids(suggestions(app, "participant1", &token, "search=").await),
        ["participant2", "participant3", "alice", "dani", "participant1", "all"]
    );
    // Comments count, the newest first; system messages (the additions above) do not.
    post_as(app, "dani", &token, "first").await;
    app.clock().advance(Duration::from_secs(5));
    post_as(app, "participant3", &token, "second").await;
    app.clock().advance(Duration::from_secs(5));
    // The caller's own comments never move them up.
    post_as(app, "participant1", &token, "third").await;
    assert_eq!(
        ids(suggestions(app, "participant1", &token, "search=").await),
        ["participant3", "dani", "participant2", "alice", "participant1", "all"]
    );
    // With a search, names starting with it go first: "dan" starts Daniel's, and is only
    // inside Alice's, however recently she spoke.
    app.clock().advance(Duration::from_secs(5));
    post_as(app, "alice", &token, "fourth").await;
    assert_eq!(
        ids(suggestions(app, "participant1", &token, "search=dan").await),
        ["dani", "alice"]
    );
    assert_eq!(
        ids(suggestions(app, "participant1", &token, "search=a").await),
        ["alice", "participant3", "dani", "participant2", "participant1", "all"]
    );
}

async fn get_matched_guest_and_group_mentions(app: &TestApp) {
    let token = group(app).await;
    app.create_group("group1", &["participant3"]).await;
    add(app, &token, "group1", "groups").await;
    // Guests join public conversations through sessions this server does not offer; the
    // attendees are written as upstream keeps them: one named, one not, one disconnected.
    let room_token = token.clone();
    let guests = app
        .db()
        .run(move |conn| -> Result<Vec<String>, talk_breakout::db::DbError> {
            use talk_breakout::db::models::{NewAttendee, NewSession};
            use talk_breakout::db::store;
            use talk_breakout::domain::ids::ParticipantType;
            let room = store::rooms::find_by_token(conn, &room_token)?.unwrap();
            let mut ids = Vec::new();
            for (n, (name, connected)) in [("FooBar", true), ("", true), ("Gone", false)].into_iter().enumerate() {
                let actor_id = format!("{n:040x}");
                let attendee = store::attendees::insert(
                    conn,
                    &NewAttendee {
                        room_id: room.id,
                        actor_type: "guests".into(),
                        actor_id: actor_id.clone(),
                        display_name: name.into(),
                        participant_type: ParticipantType::Guest,
                        permissions: 0,
                        last_read_message: 0,
                    },
                )?;
                if connected {
                    for s in 0..2 {
                        store::sessions::insert(
                            conn,
                            &NewSession {
                                attendee_id: attendee.id,
                                session_id: format!("session-{n}-{s}"),
                                in_call: 0,
                                last_ping: 0,
                            },
                        )?;
                    }
                }
                ids.push(format!("guest/{actor_id}"));
            }
            Ok(ids)
        })
        .await
        .unwrap();
    let guest = |id: &str, label: &str| json!({"id": id, "label": label, "source": "guests", "mentionId": id});
    let group1 = json!({"id": "group/group1", "label": "group1", "source": "groups", "mentionId": "group/group1"});
    // Users, then groups, then guests, then `@all`; guests are not counted in its details.
    assert_eq!(
        suggestions(app, "participant1", &token, "search=").await,
        json!([
            user("participant2"),
            user("participant3"),
            user("participant1"),
            group1,
            guest(&guests[0], "FooBar"),
            guest(&guests[1], "Guest"),
            all("room", 3),
        ])
    );
    // Guests by name only (an unnamed one as "Guest"), groups by id or name.
    assert_eq!(
        suggestions(app, "participant2", &token, "search=oob").await,
        json!([guest(&guests[0], "FooBar")])
    );
    assert_eq!(
        suggestions(app, "participant2", &token, "search=uest").await,
        json!([guest(&guests[1], "Guest")])
    );
    assert_eq!(suggestions(app, "participant2", &token, "search=gone").await, json!([]));
    assert_eq!(suggestions(app, "participant2", &token, "search=0000").await, json!([]));
    assert_eq!(
        suggestions(app, "participant2", &token, "search=GROUP1").await,
        json!([group1])
    );
}

async fn hostile_parameters(app: &TestApp) {
    let token = group(app).await;
    let everybody = json!([
        user("participant2"),
        user("participant3"),
        user("participant1"),
        all("room", 3)
    ]);
    // Upstream takes `limit` (default 20) but its search plugin ignores it: every match comes,
    // whatever is sent. `includeStatus` adds nothing without a user-status app.
    for query in [
        "search=",
        "search=&limit=1",
        "search=&limit=0",
        "search=&limit=-5",
        "search=&limit=abc",
        "search=&limit=99999999999999999999999",
        "search=&limit[]=1",
        "search=&includeStatus=1",
        "search=&includeStatus=true",
    ] {
        assert_eq!(
            suggestions(app, "participant1", &token, query).await,
            everybody,
            "{query}"
        );
    }
    // JSON bodies and form bodies are read as the query string (the web client sends GET with
    // a query string; PHP merges them all).
    let r = app
        .as_user("participant1")
        .json(
            "GET",
            &format!("{V1}/chat/{token}/mentions"),
            &json!({"search": "participant2", "limit": "x"}),
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.data(), json!([user("participant2")]));
    // `search` is required: the framework's bare 400.
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/{token}/mentions?limit=5"))
        .await;
    assert_eq!(
        r.body,
        r#"{"ocs":{"meta":{"status":"failure","statuscode":400,"message":""},"data":[]}}"#
    );
    // A long search is only a search.
    let long = "a".repeat(10_000);
    assert_eq!(
        suggestions(app, "participant1", &token, &format!("search={long}")).await,
        json!([])
    );
}

async fn refused_while_read_only_or_held_by_the_lobby(app: &TestApp) {
    let token = group(app).await;
    let path = format!("{V1}/chat/{token}/mentions?search=");
    app.as_user("participant1")
        .put(&format!("{V4}/room/{token}/webinar/lobby"), &[("state", "1")])
        .await
        .assert_status(200);
    // Upstream's `RequireModeratorOrNoLobby`: 412 for those the lobby holds back.
    let r = app.as_user("participant2").get(&path).await;
    r.assert_status(412);
    suggestions(app, "participant1", &token, "search=").await;
    app.as_user("participant1")
        .put(&format!("{V4}/room/{token}/webinar/lobby"), &[("state", "0")])
        .await
        .assert_status(200);
    // `RequireReadWriteConversation`: 403 for everybody while read-only.
    app.as_user("participant1")
        .put(&format!("{V4}/room/{token}/read-only"), &[("state", "1")])
        .await
        .assert_status(200);
    for user in ["participant1", "participant2"] {
        let r = app.as_user(user).get(&path).await;
        r.assert_status(403);
        assert_eq!(r.data(), json!([]));
    }
}

both_backends!(
    get_mentions_in_a_group_room,
    get_mentions_in_a_group_room_with_no_other_participant,
    get_matched_mentions_in_a_group_room,
    get_unmatched_mentions_in_a_group_room,
    get_mentions_in_a_one_to_one_room,
    get_mentions_with_a_participant_not_in_the_room,
    get_mentions_with_different_mention_permissions_available,
    get_matched_guest_and_group_mentions,
    hostile_parameters,
    refused_while_read_only_or_held_by_the_lobby,
);

both_backends_with!(manual_clock; recent_speakers_come_first);
