//! Conversations, participants and chat (the Talk subset breakout rooms live in), with the
//! request shapes of the real clients.

use crate::common::TestApp;
use serde_json::{json, Value};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";

/// Upstream's key order of the v4 room object (RoomFormatter), without the optional `lastMessage`.
const ROOM_KEYS: &[&str] = &[
    "id",
    "token",
    "type",
    "name",
    "displayName",
    "objectType",
    "objectId",
    "participantType",
    "participantFlags",
    "readOnly",
    "hasPassword",
    "hasCall",
    "callStartTime",
    "callRecording",
    "canStartCall",
    "lastActivity",
    "lastReadMessage",
    "unreadMessages",
    "unreadMention",
    "unreadMentionDirect",
    "isFavorite",
    "canLeaveConversation",
    "canDeleteConversation",
    "notificationLevel",
    "notificationCalls",
    "lobbyState",
    "lobbyTimer",
    "lastPing",
    "sessionId",
    "sipEnabled",
    "actorType",
    "actorId",
    "attendeeId",
    "permissions",
    "attendeePermissions",
    "callPermissions",
    "defaultPermissions",
    "canEnableSIP",
    "attendeePin",
    "description",
    "lastCommonReadMessage",
    "listable",
    "callFlag",
    "messageExpiration",
    "avatarVersion",
    "isCustomAvatar",
    "breakoutRoomMode",
    "breakoutRoomStatus",
    "recordingConsent",
    "mentionPermissions",
    "liveTranscriptionLanguageId",
    "isArchived",
    "isImportant",
    "isSensitive",
];

fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

async fn setup(app: &TestApp) -> String {
    for u in ["participant1", "participant2", "participant3"] {
        app.create_user(u).await;
    }
    app.create_group("group1", &["participant3"]).await;
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "Team")])
        .await;
    r.assert_status(201);
    r.data()["token"].as_str().unwrap().to_owned()
}

async fn room_object_has_upstreams_shape(app: &TestApp) {
    let token = setup(app).await;
    let r = app.as_user("participant1").get(&format!("{V4}/room/{token}")).await;
    r.assert_status(200);
    assert_eq!(r.header("x-nextcloud-talk-hash").map(|h| h.len()), Some(40));
    let room = r.data();
    let mut expected: Vec<String> = ROOM_KEYS.iter().map(|k| k.to_string()).collect();
    expected.push("lastMessage".into());
    assert_eq!(keys(&room), expected);
    let id = room["id"].as_i64().unwrap();
    let attendee = room["attendeeId"].as_i64().unwrap();
    let created = room["lastMessage"]["id"].as_i64().unwrap();
    let mut fixed = room.clone();
    for k in ["lastActivity", "avatarVersion", "lastMessage"] {
        fixed.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(
        fixed,
        json!({
            "id": id, "token": token, "type": 2, "name": "Team", "displayName": "Team", "objectType": "", "objectId": "",
            "participantType": 1, "participantFlags": 0, "readOnly": 0, "hasPassword": false, "hasCall": false,
            "callStartTime": 0, "callRecording": 0, "canStartCall": true, "lastReadMessage": created,
            "unreadMessages": 0, "unreadMention": false, "unreadMentionDirect": false, "isFavorite": false,
            "canLeaveConversation": true, "canDeleteConversation": true, "notificationLevel": 2, "notificationCalls": 1,
            "lobbyState": 0, "lobbyTimer": 0, "lastPing": 0, "sessionId": "0", "sipEnabled": 0, "actorType": "users",
            "actorId": "participant1", "attendeeId": attendee, "permissions": 254, "attendeePermissions": 0,
            "callPermissions": 0, "defaultPermissions": 0, "canEnableSIP": false, "attendeePin": "", "description": "",
            "lastCommonReadMessage": created, "listable": 0, "callFlag": 0, "messageExpiration": 0, "isCustomAvatar": false,
            "breakoutRoomMode": 0, "breakoutRoomStatus": 0, "recordingConsent": 0, "mentionPermissions": 0,
            "liveTranscriptionLanguageId": "", "isArchived": false, "isImportant": false, "isSensitive": false
        })
    );
    let last = &room["lastMessage"];
    assert_eq!(
        keys(last),
        [
            "id",
            "token",
            "actorType",
            "actorId",
            "actorDisplayName",
            "timestamp",
            "message",
            "messageParameters",
            "systemMessage",
            "messageType",
            "isReplyable",
            "referenceId",
            "reactions",
            "expirationTimestamp",
            "markdown",
            "threadId"
        ]
    );
    assert_eq!(last["message"], "You created the conversation");
    assert_eq!(
        last["messageParameters"],
        json!({"actor": {"type": "user", "id": "participant1", "name": "participant1-displayname", "mention-id": "participant1"}})
    );
    assert_eq!(last["systemMessage"], "conversation_created");
    assert_eq!(last["reactions"], json!({}));
    // A stranger does not see a group conversation at all.
    app.as_user("participant2")
        .get(&format!("{V4}/room/{token}"))
        .await
        .assert_status(404);
}

async fn create_room_errors(app: &TestApp) {
    setup(app).await;
    let me = app.as_user("participant1");
    let me = &me;
    let create = |form: Vec<(&'static str, String)>| async move {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        me.post(&format!("{V4}/room"), &form).await
    };
    type Case = (Vec<(&'static str, String)>, u16, Value);
    let cases: Vec<Case> = vec![
        (
            vec![("roomType", "2".into()), ("roomName", "x".repeat(256))],
            400,
            json!({"error": "name"}),
        ),
        (
            vec![("roomType", "2".into()), ("roomName", "   ".into())],
            400,
            json!({"error": "name"}),
        ),
        (
            vec![("roomType", "7".into()), ("roomName", "x".into())],
            400,
            json!({"error": "type"}),
        ),
        (
            vec![
                ("roomType", "2".into()),
                ("roomName", "x".into()),
                ("objectType", "files".into()),
                ("objectId", "1".into()),
            ],
            400,
            json!({"error": "object-type"}),
        ),
        (
            vec![
                ("roomType", "2".into()),
                ("roomName", "x".into()),
                ("objectType", "event".into()),
            ],
            400,
            json!({"error": "object"}),
        ),
        (
            vec![("roomType", "1".into()), ("invite", "nobody".into())],
            404,
            json!({"error": "invite"}),
        ),
        (
            vec![("roomType", "1".into()), ("invite", "participant1".into())],
            403,
            json!({"error": "invite"}),
        ),
    ];
    for (form, status, body) in cases {
        let r = create(form).await;
        r.assert_status(status);
        assert_eq!(r.data(), body);
    }
    // Nothing was created by the rejected requests.
    let r = me.get(&format!("{V4}/room")).await;
    assert_eq!(r.data().as_array().unwrap().len(), 1);
    // One-to-one: 201 once, then 200 with the same conversation.
    let a = me
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await;
    a.assert_status(201);
    let b = me
        .post(&format!("{V4}/room"), &[("roomType", "1"), ("invite", "participant2")])
        .await;
    b.assert_status(200);
    assert_eq!(a.data()["token"], b.data()["token"]);
}

async fn end_to_end_flow_leaves_no_orphans(app: &TestApp) {
    let token = setup(app).await;
    let owner = app.as_user("participant1");
    owner
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", "participant2"), ("source", "users")],
        )
        .await
        .assert_status(200);
    owner
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", "group1"), ("source", "groups")],
        )
        .await
        .assert_status(200);
    let parts = owner.get(&format!("{V4}/room/{token}/participants")).await.data();
    let entries = parts.as_array().unwrap();
    let listed: Vec<(String, String, i64)> = entries
        .iter()
        .map(|p| {
            (
                p["actorType"].as_str().unwrap().into(),
                p["actorId"].as_str().unwrap().into(),
                p["participantType"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("users".into(), "participant1".into(), 1),
            ("users".into(), "participant2".into(), 3),
            ("users".into(), "participant3".into(), 3),
            ("groups".into(), "group1".into(), 3)
        ]
    );
    let p2 = entries.iter().find(|p| p["actorId"] == "participant2").unwrap();
    assert_eq!(
        keys(p2),
        [
            "roomToken",
            "inCall",
            "lastPing",
            "sessionIds",
            "participantType",
            "attendeeId",
            "actorId",
            "actorType",
            "displayName",
            "permissions",
            "attendeePermissions",
            "attendeePin",
            "phoneNumber",
            "callId"
        ]
    );
    assert_eq!(p2["permissions"], 246);
    assert_eq!(p2["displayName"], "participant2-displayname");
    assert_eq!(p2["sessionIds"], json!([]));
    let p2_id = p2["attendeeId"].as_i64().unwrap().to_string();
    owner
        .post(&format!("{V4}/room/{token}/moderators"), &[("attendeeId", &p2_id)])
        .await
        .assert_status(200);
    // Promoting again is refused; demoting yourself is refused.
    owner
        .post(&format!("{V4}/room/{token}/moderators"), &[("attendeeId", &p2_id)])
        .await
        .assert_status(400);
    let r = app
        .as_user("participant2")
        .post(
            &format!("{V1}/chat/{token}"),
            &[("message", "Hello <team> & \"friends\"")],
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.data()["message"], "Hello <team> & \"friends\"");
    assert!(
        r.body.contains("\\u003Cteam\\u003E"),
        "JSON escaped like PHP: {}",
        r.body
    );
    app.as_user("participant3")
        .delete(&format!("{V4}/room/{token}/participants/self"), &[])
        .await
        .assert_status(200);
    let chat = owner.get(&format!("{V1}/chat/{token}?lookIntoFuture=0")).await.data();
    let keys_seen: Vec<&str> = chat
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["systemMessage"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys_seen,
        [
            "user_removed",
            "",
            "moderator_promoted",
            "user_added",
            "user_added",
            "conversation_created"
        ]
    );
    let texts: Vec<&str> = chat
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"].as_str().unwrap())
        .collect();
    assert_eq!(texts[0], "{actor} left the conversation");
    assert_eq!(texts[2], "You promoted {user} to moderator");
    owner
        .delete(&format!("{V4}/room/{token}"), &[])
        .await
        .assert_status(200);
    assert_eq!(owner.get(&format!("{V4}/room")).await.data(), json!([]));
    let counts = app
        .db()
        .run(|conn| -> Result<(usize, usize), talk_breakout::db::DbError> {
            let rooms = talk_breakout::db::store::rooms::list_all(conn)?;
            let orphans = talk_breakout::db::store::attendees::for_actor(conn, "users", "participant2")?;
            Ok((rooms.len(), orphans.len()))
        })
        .await
        .unwrap();
    assert_eq!(counts, (0, 0), "rooms or attendees left behind");
}

async fn permissions_and_visibility(app: &TestApp) {
    let token = setup(app).await;
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", "participant2"), ("source", "users")],
        )
        .await
        .assert_status(200);
    let student = app.as_user("participant2");
    // Non-moderators: 403; strangers: 404; unknown tokens: 404; bad token syntax: route 404/998.
    student
        .delete(&format!("{V4}/room/{token}"), &[])
        .await
        .assert_status(403);
    student
        .put(&format!("{V4}/room/{token}"), &[("roomName", "Mine")])
        .await
        .assert_status(403);
    student
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", "participant3")],
        )
        .await
        .assert_status(403);
    app.as_user("participant3")
        .get(&format!("{V4}/room/{token}/participants"))
        .await
        .assert_status(404);
    student
        .get(&format!("{V4}/room/abcdefgh/participants"))
        .await
        .assert_status(404);
    let r = student.get(&format!("{V4}/room/ABC/participants?format=json")).await;
    r.assert_status(404);
    assert_eq!(r.meta()["statuscode"], 998);
    // Unknown attendee, owner protection, last moderator.
    let owner = app.as_user("participant1");
    let r = owner
        .delete(&format!("{V4}/room/{token}/attendees"), &[("attendeeId", "999999")])
        .await;
    r.assert_status(404);
    assert_eq!(r.data(), json!({"error": "participant"}));
    let owner_id = owner.get(&format!("{V4}/room/{token}")).await.data()["attendeeId"]
        .as_i64()
        .unwrap()
        .to_string();
    let p2_id = student.get(&format!("{V4}/room/{token}")).await.data()["attendeeId"]
        .as_i64()
        .unwrap()
        .to_string();
    owner
        .post(&format!("{V4}/room/{token}/moderators"), &[("attendeeId", &p2_id)])
        .await
        .assert_status(200);
    let r = student
        .delete(&format!("{V4}/room/{token}/attendees"), &[("attendeeId", &owner_id)])
        .await;
    r.assert_status(403);
    assert_eq!(r.data(), json!({"error": "owner"}));
    owner
        .delete(&format!("{V4}/room/{token}/moderators"), &[("attendeeId", &p2_id)])
        .await
        .assert_status(200);
    let r = owner.delete(&format!("{V4}/room/{token}/participants/self"), &[]).await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "last-moderator"}));
    // Rename and lobby.
    let r = owner
        .put(&format!("{V4}/room/{token}"), &[("roomName", "Renamed")])
        .await;
    r.assert_status(200);
    assert_eq!(r.data()["name"], "Renamed");
    owner
        .put(&format!("{V4}/room/{token}/webinar/lobby"), &[("state", "1")])
        .await
        .assert_status(200);
    student
        .get(&format!("{V4}/room/{token}/participants"))
        .await
        .assert_status(412);
    student
        .post(&format!("{V1}/chat/{token}"), &[("message", "hi")])
        .await
        .assert_status(412);
    student
        .get(&format!("{V1}/chat/{token}?lookIntoFuture=0"))
        .await
        .assert_status(412);
    let held = student.get(&format!("{V4}/room/{token}")).await.data();
    assert_eq!(
        (
            held["lobbyState"].clone(),
            held["canStartCall"].clone(),
            held["unreadMessages"].clone()
        ),
        (1.into(), false.into(), 0.into())
    );
    assert!(held.get("lastMessage").is_none());
}

async fn chat_limits_and_paging(app: &TestApp) {
    let token = setup(app).await;
    let me = app.as_user("participant1");
    let path = format!("{V1}/chat/{token}");
    let r = me.post(&path, &[("message", "   ")]).await;
    r.assert_status(400);
    assert_eq!(r.data(), json!({"error": "message"}));
    let long = "ä".repeat(32_001);
    let r = me.post(&path, &[("message", &long)]).await;
    r.assert_status(413);
    assert_eq!(r.data(), json!({"error": "message"}));
    me.post(&path, &[("message", &"ä".repeat(32_000))])
        .await
        .assert_status(201);
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = me.post(&path, &[("message", &format!("m{i}"))]).await;
        r.assert_status(201);
        ids.push(r.data()["id"].as_i64().unwrap());
    }
    let r = me.get(&format!("{path}?lookIntoFuture=0&limit=2")).await;
    r.assert_status(200);
    assert_eq!(r.data().as_array().unwrap().len(), 2);
    assert_eq!(r.data()[0]["message"], "m4");
    assert_eq!(r.header("x-chat-last-given"), Some(ids[3].to_string()));
    let r = me
        .get(&format!(
            "{path}?lookIntoFuture=1&lastKnownMessageId={}&timeout=0",
            ids[4]
        ))
        .await;
    r.assert_status(304);
    assert_eq!(r.body, "");
    let r = me
        .get(&format!(
            "{path}?lookIntoFuture=1&lastKnownMessageId={}&timeout=0",
            ids[2]
        ))
        .await;
    let data = r.data();
    let newer: Vec<&str> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"].as_str().unwrap())
        .collect();
    assert_eq!(newer, ["m3", "m4"]);
    // No message stored by the rejected sends.
    let all = me.get(&format!("{path}?lookIntoFuture=0&limit=200")).await.data();
    assert_eq!(
        all.as_array()
            .unwrap()
            .iter()
            .filter(|m| m["systemMessage"] == "")
            .count(),
        6
    );
}

async fn client_request_shapes(app: &TestApp) {
    let token = setup(app).await;
    // Android: everything in the query string of a POST with an empty body.
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/participants?newParticipant=participant2&source=users"),
            &[],
        )
        .await;
    r.assert_status(200);
    // Web client: JSON body with numbers as strings.
    let r = app
        .as_user("participant1")
        .json(
            "POST",
            &format!("{V4}/room"),
            &json!({"roomType": "2", "roomName": "Web"}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.data()["type"], 2);
    // nextcloud_async: form-encoded DELETE with format=json in the body.
    let p2 = app
        .as_user("participant2")
        .get(&format!("{V4}/room/{token}"))
        .await
        .data()["attendeeId"]
        .as_i64()
        .unwrap()
        .to_string();
    let r = app
        .as_user("participant1")
        .header("Accept", None)
        .delete(
            &format!("{V4}/room/{token}/attendees"),
            &[("attendeeId", &p2), ("format", "json")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        r.body,
        r#"{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":null}}"#
    );
    // nc_py_api: v1 with ?format=json; success must read as status "ok".
    let r = app
        .as_user("participant1")
        .header("Accept", None)
        .get("/ocs/v1.php/cloud/capabilities?format=json")
        .await;
    r.assert_status(200);
    assert_eq!(r.meta()["status"], "ok");
    // The room list carries both headers nc_py_api reads.
    let r = app
        .as_user("participant1")
        .get(&format!(
            "{V4}/room?includeStatus=true&noStatusUpdate=1&modifiedSince=0"
        ))
        .await;
    assert!(r.header("x-nextcloud-talk-hash").is_some());
    assert!(r
        .header("x-nextcloud-talk-modified-before")
        .unwrap()
        .parse::<i64>()
        .is_ok());
    // No null in number or boolean fields of any listed room.
    for room in r.data().as_array().unwrap() {
        for (k, v) in room.as_object().unwrap() {
            assert!(!v.is_null(), "{k} is null");
        }
    }
}

async fn join_and_leave_sessions(app: &TestApp) {
    let token = setup(app).await;
    let me = app.as_user("participant1");
    let r = me.post(&format!("{V4}/room/{token}/participants/active"), &[]).await;
    r.assert_status(200);
    let session = r.data()["sessionId"].as_str().unwrap().to_owned();
    assert_eq!(session.len(), 64);
    let parts = me.get(&format!("{V4}/room/{token}/participants")).await.data();
    assert_eq!(parts[0]["sessionIds"], json!([session]));
    me.delete(&format!("{V4}/room/{token}/participants/active"), &[])
        .await
        .assert_status(200);
    let parts = me.get(&format!("{V4}/room/{token}/participants")).await.data();
    assert_eq!(parts[0]["sessionIds"], json!([]));
}

both_backends!(
    room_object_has_upstreams_shape,
    create_room_errors,
    end_to_end_flow_leaves_no_orphans,
    permissions_and_visibility,
    chat_limits_and_paging,
    client_request_shapes,
    join_and_leave_sessions,
);
