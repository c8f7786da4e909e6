//! The provisioning API: users, groups, group membership, app config and the test-reset route,
//! with upstream's soft codes on v1 and v2, and proof that refused requests change nothing.

use crate::common::TestApp;
use serde_json::{json, Value};
use talk_breakout::db::store;

const V1: &str = "/ocs/v1.php";
const V2: &str = "/ocs/v2.php";
const CONFIG: &str = "/ocs/v2.php/apps/provisioning_api/api/v1/config/apps";

fn v2_ok(data: &str) -> String {
    format!(r#"{{"ocs":{{"meta":{{"status":"ok","statuscode":200,"message":"OK"}},"data":{data}}}}}"#)
}

fn v1_ok(data: &str) -> String {
    format!(
        r#"{{"ocs":{{"meta":{{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""}},"data":{data}}}}}"#
    )
}

fn v2_fail(code: u16, message: &str, data: &str) -> String {
    format!(r#"{{"ocs":{{"meta":{{"status":"failure","statuscode":{code},"message":"{message}"}},"data":{data}}}}}"#)
}

fn v1_fail(code: u16, message: &str, data: &str) -> String {
    format!(
        r#"{{"ocs":{{"meta":{{"status":"failure","statuscode":{code},"message":"{message}","totalitems":"","itemsperpage":""}},"data":{data}}}}}"#
    )
}

/// Asserts the OCS statuscode (and HTTP status) of a v2 answer.
#[track_caller]
fn assert_code(r: &crate::common::Resp, http: u16, code: u64) {
    r.assert_status(http);
    assert_eq!(r.meta()["statuscode"], json!(code), "body: {}", r.body);
}

async fn user_exists(app: &TestApp, id: &str) -> bool {
    let id = id.to_owned();
    app.db()
        .run(move |conn| store::users::find(conn, &id))
        .await
        .expect("query")
        .is_some()
}

async fn groups_of(app: &TestApp, id: &str) -> Vec<String> {
    let id = id.to_owned();
    app.db()
        .run(move |conn| store::users::groups_of(conn, &id))
        .await
        .expect("query")
}

async fn create_user_then_get_and_log_in(app: &TestApp) {
    app.create_group("team", &[]).await;
    let admin = app.as_user("admin");
    let r = admin
        .post(
            &format!("{V2}/cloud/users"),
            &[
                ("userid", "bob"),
                ("password", "s3cret-pass"),
                ("displayName", "Bob B"),
                ("email", "bob@example.com"),
                ("groups[]", "team"),
            ],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok(r#"{"id":"bob"}"#));

    // v1: statuscode 100 on HTTP 200.
    let r = admin
        .post(
            &format!("{V1}/cloud/users"),
            &[("userid", "carol"), ("password", "pw-carol-1")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body, v1_ok(r#"{"id":"carol"}"#));

    // XML, as upstream's worked example.
    let r = admin
        .header("Accept", Some("application/xml"))
        .post(
            &format!("{V1}/cloud/users"),
            &[("userid", "alice"), ("password", "pw-alice-1")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        r.body,
        "<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n  <status>ok</status>\n  <statuscode>100</statuscode>\n  <message>OK</message>\n  <totalitems></totalitems>\n  <itemsperpage></itemsperpage>\n </meta>\n <data>\n  <id>alice</id>\n </data>\n</ocs>\n"
    );
    let admin = app.as_user("admin");

    // The new account logs in with its password.
    let bob = app.with_credentials("bob", "s3cret-pass");
    let r = bob.get(&format!("{V2}/cloud/user")).await;
    r.assert_status(200);
    let data = r.data();
    assert_eq!(data["id"], "bob");
    assert_eq!(data["displayname"], "Bob B");
    assert_eq!(data["groups"], json!(["team"]));
    // Not an admin: no enabled/storageLocation.
    assert!(data.get("enabled").is_none());

    // The admin's view, in full and in upstream's key order.
    let r = admin.get(&format!("{V2}/cloud/users/bob")).await;
    r.assert_status(200);
    // Bob has just logged in: the record shows that login's time.
    let t = r.data()["lastLoginTimestamp"].as_i64().expect("integer");
    assert!(t > 0 && t <= talk_breakout::domain::now(), "lastLogin {t}");
    let expected = v2_ok(
        &r#"{"enabled":true,"storageLocation":"\/var\/www\/html\/data\/bob","id":"bob","firstLoginTimestamp":T,"lastLoginTimestamp":T,"lastLogin":MS,"backend":"Database","subadmin":[],"quota":{"free":-3,"used":0,"total":-3,"relative":0,"quota":-3},"manager":"","email":"bob@example.com","additional_mail":[],"displayname":"Bob B","display-name":"Bob B","phone":"","address":"","website":"","twitter":"","fediverse":"","organisation":"","role":"","headline":"","biography":"","profile_enabled":"1","pronouns":"","groups":["team"],"language":"en","locale":"","timezone":"","notify_email":null,"backendCapabilities":{"setDisplayName":true,"setPassword":true}}"#
            .replace(":T,", &format!(":{t},"))
            .replace(":MS,", &format!(":{},", t * 1000)),
    );
    assert_eq!(r.body, expected);

    // An e-mail address alone is enough (upstream would mail a password link).
    let r = admin
        .post(
            &format!("{V2}/cloud/users"),
            &[("userid", "dave"), ("email", "dave@example.com")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok(r#"{"id":"dave"}"#));
    let r = admin.get(&format!("{V2}/cloud/users/dave")).await;
    assert_eq!(r.data()["email"], "dave@example.com");

    // Display name defaults to the id; email null when unset.
    let r = admin.get(&format!("{V1}/cloud/users/carol")).await;
    r.assert_status(200);
    assert_eq!(r.meta()["statuscode"], 100);
    assert_eq!(r.data()["displayname"], "carol");
    assert_eq!(r.data()["email"], Value::Null);
    assert_eq!(r.data()["groups"], json!([]));
}

async fn create_user_refusals_change_nothing(app: &TestApp) {
    app.create_user("participant1").await;
    let admin = app.as_user("admin");
    let path = format!("{V2}/cloud/users");

    // 102 exists: full body on v2 and v1.
    let r = admin
        .post(&path, &[("userid", "participant1"), ("password", "x-12345")])
        .await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(102, "User already exists", "[]"));
    let r = admin
        .post(
            &format!("{V1}/cloud/users"),
            &[("userid", "participant1"), ("password", "x-12345")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body, v1_fail(102, "User already exists", "[]"));

    // 104 unknown group.
    let r = admin
        .post(
            &path,
            &[("userid", "newbie"), ("password", "x-12345"), ("groups[]", "nogroup")],
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(104, "group nogroup does not exist", "[]"));

    // 108 neither password nor email.
    let r = admin.post(&path, &[("userid", "newbie")]).await;
    assert_code(&r, 400, 108);
    assert_eq!(
        r.meta()["message"],
        "To send a password link to the user an email address is required."
    );

    // 101 invalid ids, with the validator's messages.
    for (id, message) in [
        (
            "bad/id",
            r#"Only the following characters are allowed in an Login: "a-z", "A-Z", "0-9", spaces and "_.@-'""#,
        ),
        (" lead", "Login contains whitespace at the beginning or at the end"),
        ("..", "Login must not consist of dots only"),
        ("", "A valid Login must be provided"),
    ] {
        let r = admin.post(&path, &[("userid", id), ("password", "x-12345")]).await;
        assert_code(&r, 400, 101);
        assert_eq!(r.meta()["message"], message);
    }
    let long = "a".repeat(65);
    let r = admin.post(&path, &[("userid", &long), ("password", "x-12345")]).await;
    assert_code(&r, 400, 101);
    assert_eq!(r.meta()["message"], "Username is too long");

    // A plain user gets 106.
    let r = app
        .as_user("participant1")
        .post(&path, &[("userid", "newbie"), ("password", "x-12345")])
        .await;
    r.assert_status(400);
    assert_eq!(
        r.body,
        v2_fail(106, "no group specified (required for subadmins)", "[]")
    );

    // With groups: each must exist (104) and be the caller's to manage (105); an existing id
    // is reported first (102), as upstream checks it before anything else.
    app.create_group("team", &[]).await;
    let p1 = app.as_user("participant1");
    let r = p1
        .post(
            &path,
            &[("userid", "newbie"), ("password", "x-12345"), ("groups[]", "team")],
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(105, "insufficient privileges for group team", "[]"));
    let r = p1
        .post(
            &path,
            &[("userid", "newbie"), ("password", "x-12345"), ("groups[]", "nogroup")],
        )
        .await;
    assert_code(&r, 400, 104);
    let r = p1.post(&path, &[("userid", "admin"), ("password", "x-12345")]).await;
    assert_code(&r, 400, 102);

    // Anonymous: 401.
    let r = app
        .anonymous()
        .post(&path, &[("userid", "newbie"), ("password", "x-12345")])
        .await;
    assert_code(&r, 401, 997);

    for id in ["newbie", "bad/id", " lead", "..", &long] {
        assert!(!user_exists(app, id).await, "{id} must not exist");
    }
    let r = admin.get(&path).await;
    r.assert_status(200);
    assert_eq!(r.data(), json!({"users": ["admin", "participant1"]}));
}

async fn get_user_visibility(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let p1 = app.as_user("participant1");

    let r = p1.get(&format!("{V2}/cloud/users/participant1")).await;
    r.assert_status(200);
    assert_eq!(r.data()["id"], "participant1");
    assert!(r.data().get("storageLocation").is_none());

    let r = p1.get(&format!("{V2}/cloud/users/participant2")).await;
    r.assert_status(404);
    assert_eq!(r.body, v2_fail(998, "", "[]"));

    let r = p1.get(&format!("{V2}/cloud/users/ghost")).await;
    r.assert_status(404);
    assert_eq!(r.body, v2_fail(404, "User does not exist", "[]"));
    let r = p1.get(&format!("{V1}/cloud/users/ghost")).await;
    r.assert_status(200);
    assert_eq!(r.body, v1_fail(404, "User does not exist", "[]"));

    let r = app.anonymous().get(&format!("{V2}/cloud/user")).await;
    assert_code(&r, 401, 997);

    // Own groups, other's groups.
    let r = p1.get(&format!("{V2}/cloud/users/participant1/groups")).await;
    r.assert_status(200);
    assert_eq!(r.data(), json!({"groups": []}));
    let r = p1.get(&format!("{V2}/cloud/users/participant2/groups")).await;
    assert_code(&r, 404, 998);

    // Listing users is for admins.
    let r = p1.get(&format!("{V2}/cloud/users")).await;
    assert_code(&r, 403, 403);
    let r = app
        .as_user("admin")
        .get(&format!("{V2}/cloud/users?search=PART&limit=1"))
        .await;
    assert_eq!(r.data(), json!({"users": ["participant1"]}));
}

async fn edit_user_keys_and_refusals(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let p1 = app.as_user("participant1");
    let path = format!("{V2}/cloud/users/participant1");

    let r = p1.put(&path, &[("key", "displayname"), ("value", "New Name")]).await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    let r = p1.put(&path, &[("key", "email"), ("value", "p1@example.com")]).await;
    r.assert_status(200);
    let r = p1.get(&path).await;
    assert_eq!(r.data()["displayname"], "New Name");
    assert_eq!(r.data()["email"], "p1@example.com");

    // An empty e-mail clears it.
    let r = p1.put(&path, &[("key", "email"), ("value", "")]).await;
    r.assert_status(200);
    assert_eq!(p1.get(&path).await.data()["email"], Value::Null);
    p1.put(&path, &[("key", "email"), ("value", "p1@example.com")])
        .await
        .assert_status(200);

    // Refusals.
    let r = p1.put(&path, &[("key", "displayname"), ("value", "")]).await;
    assert_code(&r, 400, 101);
    let r = p1.put(&path, &[("key", "email"), ("value", "not-an-email")]).await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(101, "", "[]"));
    let r = p1.put(&path, &[("key", "quota"), ("value", "1 GB")]).await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(113, "", "[]"));
    let r = p1
        .put(
            &format!("{V2}/cloud/users/participant2"),
            &[("key", "displayname"), ("value", "Hacked")],
        )
        .await;
    assert_code(&r, 404, 998);
    let r = app
        .as_user("admin")
        .put(
            &format!("{V2}/cloud/users/ghost"),
            &[("key", "displayname"), ("value", "x")],
        )
        .await;
    assert_code(&r, 404, 998);
    let r = p1.get(&path).await;
    assert_eq!(r.data()["displayname"], "New Name");
    assert_eq!(r.data()["email"], "p1@example.com");
    let r = app
        .as_user("admin")
        .get(&format!("{V2}/cloud/users/participant2"))
        .await;
    assert_eq!(r.data()["displayname"], "participant2-displayname");

    // Admin sets another user's password; the old one stops working.
    let r = app
        .as_user("admin")
        .put(
            &format!("{V2}/cloud/users/participant2"),
            &[("key", "password"), ("value", "fresh-pw-2")],
        )
        .await;
    r.assert_status(200);
    let r = app.as_user("participant2").get(&format!("{V2}/cloud/user")).await;
    r.assert_status(401);
    let r = app
        .with_credentials("participant2", "fresh-pw-2")
        .get(&format!("{V2}/cloud/user"))
        .await;
    r.assert_status(200);
}

async fn delete_user_and_refusals(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let admin = app.as_user("admin");

    let r = app
        .as_user("participant1")
        .delete(&format!("{V2}/cloud/users/participant2"), &[])
        .await;
    r.assert_status(404);
    assert_eq!(r.body, v2_fail(998, "", "[]"));
    let r = admin.delete(&format!("{V2}/cloud/users/ghost"), &[]).await;
    assert_code(&r, 404, 998);
    let r = admin.delete(&format!("{V2}/cloud/users/admin"), &[]).await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(101, "", "[]"));
    assert!(user_exists(app, "participant2").await);
    assert!(user_exists(app, "admin").await);

    let r = admin.delete(&format!("{V2}/cloud/users/participant2"), &[]).await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    assert!(!user_exists(app, "participant2").await);
    let r = admin.delete(&format!("{V1}/cloud/users/participant1"), &[]).await;
    r.assert_status(200);
    assert_eq!(r.body, v1_ok("[]"));
    // The deleted account can no longer log in.
    let r = app.as_user("participant1").get(&format!("{V2}/cloud/user")).await;
    r.assert_status(401);
}

async fn enable_and_disable_user(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let admin = app.as_user("admin");

    let r = admin.put(&format!("{V2}/cloud/users/participant1/disable"), &[]).await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    let r = app.as_user("participant1").get(&format!("{V2}/cloud/user")).await;
    r.assert_status(401);
    let r = admin.get(&format!("{V2}/cloud/users/participant1")).await;
    assert_eq!(r.data()["enabled"], json!(false));

    for (caller, target, http, code) in [
        ("admin", "ghost", 400, 101),
        ("admin", "admin", 400, 101),
        ("participant2", "participant1", 404, 998),
    ] {
        let r = app
            .as_user(caller)
            .put(&format!("{V2}/cloud/users/{target}/enable"), &[])
            .await;
        assert_code(&r, http, code);
    }
    let r = admin.get(&format!("{V2}/cloud/users/participant1")).await;
    assert_eq!(r.data()["enabled"], json!(false));

    admin
        .put(&format!("{V2}/cloud/users/participant1/enable"), &[])
        .await
        .assert_status(200);
    let r = app.as_user("participant1").get(&format!("{V2}/cloud/user")).await;
    r.assert_status(200);
}

async fn deleting_a_user_removes_them_from_conversations(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    app.create_user("participant3").await;
    let room = format!("{V2}/apps/spreed/api/v4/room");
    let p1 = app.as_user("participant1");
    let r = p1.post(&room, &[("roomType", "2"), ("roomName", "x")]).await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().expect("token").to_owned();
    let r = p1
        .post(
            &format!("{room}/{token}/participants"),
            &[("newParticipant", "participant2"), ("source", "users")],
        )
        .await;
    r.assert_status(200);
    // A new display name shows in the conversation.
    app.as_user("admin")
        .put(
            &format!("{V2}/cloud/users/participant2"),
            &[("key", "displayname"), ("value", "Renamed Two")],
        )
        .await
        .assert_status(200);
    let r = p1.get(&format!("{room}/{token}/participants")).await;
    let names: Vec<Value> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .filter(|p| p["actorId"] == "participant2")
        .map(|p| p["displayName"].clone())
        .collect();
    assert_eq!(names, vec![json!("Renamed Two")]);

    // A second conversation only participant3 is in.
    let r = app
        .as_user("participant3")
        .post(&room, &[("roomType", "2"), ("roomName", "solo")])
        .await;
    r.assert_status(201);

    let admin = app.as_user("admin");
    admin
        .delete(&format!("{V2}/cloud/users/participant2"), &[])
        .await
        .assert_status(200);
    let r = p1.get(&format!("{room}/{token}/participants")).await;
    r.assert_status(200);
    let ids: Vec<String> = r
        .data()
        .as_array()
        .expect("list")
        .iter()
        .map(|p| p["actorId"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids, vec!["participant1".to_owned()]);

    // participant3's only conversation goes with them: no orphans.
    admin
        .delete(&format!("{V2}/cloud/users/participant3"), &[])
        .await
        .assert_status(200);
    let rooms = app.db().run(store::rooms::list_all).await.expect("rooms");
    assert_eq!(rooms.len(), 1);
    assert_eq!(rooms[0].token, token);
    let left = app
        .db()
        .run(|conn| store::attendees::for_actor(conn, "users", "participant2"))
        .await
        .expect("attendees");
    assert!(left.is_empty());
}

async fn groups_endpoints(app: &TestApp) {
    app.create_user("participant1").await;
    let admin = app.as_user("admin");
    let groups = format!("{V2}/cloud/groups");

    let r = admin.post(&groups, &[("groupid", "team")]).await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    let r = admin.post(&groups, &[("groupid", "team")]).await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(102, "group exists", "[]"));
    let r = admin.post(&format!("{V1}/cloud/groups"), &[("groupid", "team")]).await;
    r.assert_status(200);
    assert_eq!(r.body, v1_fail(102, "group exists", "[]"));
    let r = admin.post(&groups, &[("groupid", "")]).await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(101, "Invalid group name", "[]"));

    let r = admin.get(&groups).await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok(r#"{"groups":["admin","team"]}"#));

    // Plain users are refused with the authorized-setting message.
    let p1 = app.as_user("participant1");
    let r = p1.post(&groups, &[("groupid", "sneaky")]).await;
    r.assert_status(403);
    assert_eq!(
        r.body,
        v2_fail(
            403,
            "Logged in account must be an admin, a sub admin or gotten special right to access this setting",
            "[]"
        )
    );
    let r = p1.delete(&format!("{groups}/team"), &[]).await;
    assert_code(&r, 403, 403);
    let r = p1.get(&groups).await;
    assert_code(&r, 403, 403);

    let r = admin.delete(&format!("{groups}/nothing"), &[]).await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(101, "", "[]"));
    let r = admin.delete(&format!("{groups}/admin"), &[]).await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(102, "", "[]"));
    let r = admin.get(&groups).await;
    assert_eq!(r.data(), json!({"groups": ["admin", "team"]}));

    // Rename: only `displayname`; unknown group 998, other keys 999 (HTTP 500 on v2).
    let r = admin
        .put(
            &format!("{groups}/team"),
            &[("key", "displayname"), ("value", "The Team")],
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    let stored = app
        .db()
        .run(|conn| store::groups::find(conn, "team"))
        .await
        .expect("query")
        .expect("group");
    assert_eq!(stored.display_name, "The Team");
    let r = admin
        .put(&format!("{groups}/nothing"), &[("key", "displayname"), ("value", "x")])
        .await;
    r.assert_status(404);
    assert_eq!(r.body, v2_fail(998, "Group does not exist", "[]"));
    let r = admin
        .put(&format!("{groups}/team"), &[("key", "color"), ("value", "x")])
        .await;
    assert_code(&r, 500, 999);
    let r = p1
        .put(&format!("{groups}/team"), &[("key", "displayname"), ("value", "Mine")])
        .await;
    assert_code(&r, 403, 403);
    let stored = app
        .db()
        .run(|conn| store::groups::find(conn, "team"))
        .await
        .expect("query")
        .expect("group");
    assert_eq!(stored.display_name, "The Team");

    // Members of a group.
    let r = admin.get(&format!("{groups}/admin/users")).await;
    assert_eq!(r.data(), json!({"users": ["admin"]}));
    let r = admin.get(&format!("{groups}/nothing/users")).await;
    assert_code(&r, 404, 998);

    let r = admin.delete(&format!("{groups}/team"), &[]).await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    let r = admin.get(&groups).await;
    assert_eq!(r.data(), json!({"groups": ["admin"]}));
}

async fn group_membership(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_group("team", &[]).await;
    let admin = app.as_user("admin");
    let path = format!("{V2}/cloud/users/participant1/groups");

    for (groupid, user, code) in [
        ("", "participant1", 101),
        ("nothing", "participant1", 102),
        ("team", "ghost", 103),
    ] {
        let r = admin
            .post(&format!("{V2}/cloud/users/{user}/groups"), &[("groupid", groupid)])
            .await;
        r.assert_status(400);
        assert_eq!(r.body, v2_fail(code, "", "[]"), "add {groupid} {user}");
        let r = admin
            .delete(&format!("{V2}/cloud/users/{user}/groups"), &[("groupid", groupid)])
            .await;
        r.assert_status(400);
        assert_eq!(r.body, v2_fail(code, "", "[]"), "remove {groupid} {user}");
    }
    // Plain users: 104.
    let r = app.as_user("participant1").post(&path, &[("groupid", "team")]).await;
    assert_code(&r, 400, 104);
    assert!(groups_of(app, "participant1").await.is_empty());

    let r = admin.post(&path, &[("groupid", "team")]).await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    assert_eq!(groups_of(app, "participant1").await, vec!["team".to_owned()]);

    let r = app.as_user("participant1").delete(&path, &[("groupid", "team")]).await;
    assert_code(&r, 400, 104);
    assert_eq!(groups_of(app, "participant1").await, vec!["team".to_owned()]);

    let r = admin.delete(&path, &[("groupid", "team")]).await;
    r.assert_status(200);
    assert!(groups_of(app, "participant1").await.is_empty());

    let r = admin
        .delete(&format!("{V2}/cloud/users/admin/groups"), &[("groupid", "admin")])
        .await;
    r.assert_status(400);
    assert_eq!(
        r.body,
        v2_fail(105, "Cannot remove yourself from the admin group", "[]")
    );
    assert_eq!(groups_of(app, "admin").await, vec!["admin".to_owned()]);
}

async fn app_config_endpoints(app: &TestApp) {
    app.create_user("participant1").await;
    let admin = app.as_user("admin");

    let r = admin
        .post(&format!("{CONFIG}/spreed/breakout_rooms"), &[("value", "no")])
        .await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    let r = admin.get(&format!("{CONFIG}/spreed/breakout_rooms")).await;
    assert_eq!(r.body, v2_ok(r#"{"data":"no"}"#));
    let r = admin.get(CONFIG).await;
    assert_eq!(r.data(), json!({"data": ["spreed"]}));
    let r = admin.get(&format!("{CONFIG}/spreed")).await;
    assert_eq!(r.data(), json!({"data": ["breakout_rooms"]}));
    let r = admin
        .get(&format!("{CONFIG}/spreed/missing?defaultValue=fallback"))
        .await;
    assert_eq!(r.data(), json!({"data": "fallback"}));
    let r = admin.get(&format!("{CONFIG}/spreed/missing")).await;
    assert_eq!(r.data(), json!({"data": ""}));

    // Refusals.
    let r = admin.post(&format!("{CONFIG}/Spreed/x"), &[("value", "1")]).await;
    r.assert_status(403);
    assert_eq!(
        r.body,
        v2_fail(403, "", r#"{"data":{"message":"Invalid app id given"}}"#)
    );
    let r = admin.post(&format!("{CONFIG}/1spreed/x"), &[("value", "1")]).await;
    assert_code(&r, 403, 403);
    let r = admin.get(&format!("{CONFIG}/Spreed")).await;
    assert_code(&r, 403, 403);
    for key in ["installed_version", "enabled", "types"] {
        let r = admin.post(&format!("{CONFIG}/spreed/{key}"), &[("value", "1")]).await;
        r.assert_status(403);
        assert_eq!(
            r.body,
            v2_fail(403, "", r#"{"data":{"message":"The given key can not be set"}}"#)
        );
        let r = admin.delete(&format!("{CONFIG}/spreed/{key}"), &[]).await;
        assert_code(&r, 403, 403);
    }
    let r = admin.post(&format!("{CONFIG}/spreed/breakout_rooms"), &[]).await;
    r.assert_status(400);
    assert_eq!(r.body, v2_fail(400, "", "[]"));
    let p1 = app.as_user("participant1");
    let r = p1
        .post(&format!("{CONFIG}/spreed/breakout_rooms"), &[("value", "yes")])
        .await;
    assert_code(&r, 403, 403);
    let r = p1.get(&format!("{CONFIG}/spreed/breakout_rooms")).await;
    assert_code(&r, 403, 403);
    let r = p1.delete(&format!("{CONFIG}/spreed/breakout_rooms"), &[]).await;
    assert_code(&r, 403, 403);
    let r = admin.get(CONFIG).await;
    assert_eq!(r.data(), json!({"data": ["spreed"]}));
    let r = admin.get(&format!("{CONFIG}/spreed/breakout_rooms")).await;
    assert_eq!(r.data(), json!({"data": "no"}));

    let r = admin.delete(&format!("{CONFIG}/spreed/breakout_rooms"), &[]).await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    let r = admin.get(&format!("{CONFIG}/spreed")).await;
    assert_eq!(r.data(), json!({"data": []}));
}

async fn test_reset_wipes_conversations(app: &TestApp) {
    app.create_user("participant1").await;
    let room = format!("{V2}/apps/spreed/api/v4/room");
    app.as_user("participant1")
        .post(&room, &[("roomType", "2"), ("roomName", "x")])
        .await
        .assert_status(201);

    // Admins only; the OCS-APIRequest header is not needed.
    let r = app
        .as_user("participant1")
        .header("OCS-APIRequest", None)
        .delete(&format!("{V2}/apps/spreedcheats/"), &[])
        .await;
    assert_code(&r, 403, 403);
    let r = app.anonymous().delete(&format!("{V2}/apps/spreedcheats/"), &[]).await;
    assert_code(&r, 401, 997);
    assert_eq!(app.db().run(store::rooms::list_all).await.expect("rooms").len(), 1);

    let r = app
        .as_user("admin")
        .header("OCS-APIRequest", None)
        .delete(&format!("{V2}/apps/spreedcheats/"), &[])
        .await;
    r.assert_status(200);
    assert_eq!(r.body, v2_ok("[]"));
    assert!(app.db().run(store::rooms::list_all).await.expect("rooms").is_empty());
    let r = app.as_user("participant1").get(&room).await;
    assert_eq!(r.data(), json!([]));

    let r = app
        .as_user("admin")
        .delete(&format!("{V1}/apps/spreedcheats"), &[])
        .await;
    r.assert_status(200);
    assert_eq!(r.body, v1_ok("[]"));
}

/// Harnesses create the same user and group from parallel workers: exactly one request wins,
/// every other one answers the soft "exists" code, and there is one row.
async fn concurrent_creation_yields_one_winner(app: &TestApp) {
    const N: usize = 8;
    let admin = app.as_user("admin");
    let (users_path, groups_path) = (format!("{V2}/cloud/users"), format!("{V2}/cloud/groups"));
    let membership_path = format!("{V2}/cloud/users/racer/groups");
    let users = futures_util::future::join_all(
        (0..N).map(|_| admin.post(&users_path, &[("userid", "racer"), ("password", "123456")])),
    )
    .await;
    let mut statuses: Vec<(u16, u64)> = users
        .iter()
        .map(|r| (r.status, r.meta()["statuscode"].as_u64().unwrap()))
        .collect();
    statuses.sort();
    let mut expected = vec![(200, 200)];
    expected.extend(std::iter::repeat_n((400, 102), N - 1));
    assert_eq!(statuses, expected);
    for r in users.iter().filter(|r| r.status == 400) {
        assert_eq!(r.body, v2_fail(102, "User already exists", "[]"));
    }
    assert!(user_exists(app, "racer").await);
    app.with_credentials("racer", "123456")
        .get(&format!("{V2}/cloud/user"))
        .await
        .assert_status(200);

    let groups =
        futures_util::future::join_all((0..N).map(|_| admin.post(&groups_path, &[("groupid", "racers")]))).await;
    let mut statuses: Vec<(u16, u64)> = groups
        .iter()
        .map(|r| (r.status, r.meta()["statuscode"].as_u64().unwrap()))
        .collect();
    statuses.sort();
    assert_eq!(statuses, expected);
    for r in groups.iter().filter(|r| r.status == 400) {
        assert_eq!(r.body, v2_fail(102, "group exists", "[]"));
    }

    // Joining the group from parallel requests leaves one membership.
    let joins =
        futures_util::future::join_all((0..N).map(|_| admin.post(&membership_path, &[("groupid", "racers")]))).await;
    assert!(
        joins.iter().all(|r| r.status == 200),
        "{:?}",
        joins.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert_eq!(groups_of(app, "racer").await, ["racers"]);
}

both_backends!(
    concurrent_creation_yields_one_winner,
    create_user_then_get_and_log_in,
    create_user_refusals_change_nothing,
    get_user_visibility,
    edit_user_keys_and_refusals,
    delete_user_and_refusals,
    enable_and_disable_user,
    deleting_a_user_removes_them_from_conversations,
    groups_endpoints,
    group_membership,
    app_config_endpoints,
    test_reset_wipes_conversations,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_reset_is_not_routed_when_disabled() {
    let app = TestApp::sqlite_with(|s| s.enable_test_reset = false).await;
    app.create_user("participant1").await;
    app.as_user("participant1")
        .post(
            &format!("{V2}/apps/spreed/api/v4/room"),
            &[("roomType", "2"), ("roomName", "x")],
        )
        .await
        .assert_status(201);
    // The front script answers unknown routes, in JSON only with `format=json`.
    let r = app
        .as_user("admin")
        .delete(&format!("{V2}/apps/spreedcheats/?format=json"), &[])
        .await;
    assert_code(&r, 404, 998);
    let r = app
        .as_user("admin")
        .delete(&format!("{V1}/apps/spreedcheats?format=json"), &[])
        .await;
    r.assert_status(200);
    assert_eq!(r.meta()["statuscode"], 998);
    assert_eq!(app.db().run(store::rooms::list_all).await.expect("rooms").len(), 1);
    app.stop().await;
}

/// A caller's account is served from memory for at most a second: changes made through the same
/// instance apply to the very next request, even right after a request that cached the account.
async fn account_changes_apply_at_once_on_the_same_instance(app: &TestApp) {
    app.create_user("participant1").await;
    let admin = app.as_user("admin");
    let me = app.as_user("participant1");
    me.get(&format!("{V2}/cloud/user")).await.assert_status(200);

    admin
        .put(&format!("{V2}/cloud/users/participant1/disable"), &[])
        .await
        .assert_status(200);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(401);
    admin
        .put(&format!("{V2}/cloud/users/participant1/enable"), &[])
        .await
        .assert_status(200);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(200);

    // Becoming an admin shows at once in what the caller may do.
    me.get(&format!("{V2}/cloud/users")).await.assert_status(403);
    admin
        .post(
            &format!("{V2}/cloud/users/participant1/groups"),
            &[("groupid", "admin")],
        )
        .await
        .assert_status(200);
    me.get(&format!("{V2}/cloud/users")).await.assert_status(200);
}

both_backends!(account_changes_apply_at_once_on_the_same_instance);

/// Two instances on one database: a password changed through one is refused by the other once
/// its one-second account snapshot has expired.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn password_change_on_another_instance_applies_within_a_second() {
    let Some(app) = TestApp::postgres("password_other_instance").await else {
        return;
    };
    app.create_user("participant1").await;
    let second = app.second_instance().await;
    let me = app.as_user("participant1");
    me.get(&format!("{V2}/cloud/user")).await.assert_status(200);

    let http = reqwest::Client::new();
    let changed = http
        .put(format!("http://{}{V2}/cloud/users/participant1", second.addr))
        .basic_auth("admin", Some("admin"))
        .header("OCS-APIRequest", "true")
        .form(&[("key", "password"), ("value", "a-new-and-long-passphrase")])
        .send()
        .await
        .expect("request sent");
    assert_eq!(changed.status().as_u16(), 200);

    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    me.get(&format!("{V2}/cloud/user")).await.assert_status(401);
    let r = http
        .get(format!("http://{}{V2}/cloud/user", app.addr))
        .basic_auth("participant1", Some("a-new-and-long-passphrase"))
        .header("OCS-APIRequest", "true")
        .send()
        .await
        .expect("request sent");
    assert_eq!(r.status().as_u16(), 200);
    second.shutdown().await.unwrap();
    app.stop().await;
}
