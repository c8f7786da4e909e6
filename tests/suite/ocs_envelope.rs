//! The OCS envelope: v1/v2 × JSON/XML × success/error/unknown route, asserted byte for byte.

use crate::common::TestApp;

const NOT_FOUND_TEXT: &str = "Invalid query, please check the syntax. API specifications are here: http:\\/\\/www.freedesktop.org\\/wiki\\/Specifications\\/open-collaboration-services.\\n";

async fn unknown_route_answers_like_the_front_script(app: &TestApp) {
    // JSON only when `format=json` is given: the front script ignores Accept.
    let r = app
        .as_user("admin")
        .get("/ocs/v2.php/apps/spreed/api/v3/nothing?format=json")
        .await;
    r.assert_status(404);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        r.body,
        format!(
            r#"{{"ocs":{{"meta":{{"status":"failure","statuscode":998,"message":"{NOT_FOUND_TEXT}"}},"data":[]}}}}"#
        )
    );

    let r = app
        .as_user("admin")
        .get("/ocs/v1.php/apps/spreed/api/v3/nothing?format=json")
        .await;
    r.assert_status(200);
    assert_eq!(
        r.body,
        format!(
            r#"{{"ocs":{{"meta":{{"status":"failure","statuscode":998,"message":"{NOT_FOUND_TEXT}","totalitems":"","itemsperpage":""}},"data":[]}}}}"#
        )
    );

    let r = app.as_user("admin").get("/ocs/v2.php/cloud/nothing").await;
    r.assert_status(404);
    assert_eq!(r.header("content-type").as_deref(), Some("text/xml; charset=UTF-8"));
    assert_eq!(
        r.body,
        "<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n  <status>failure</status>\n  <statuscode>998</statuscode>\n  <message>Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n</message>\n </meta>\n <data/>\n</ocs>\n"
    );
}

async fn missing_ocs_header_is_a_plain_412(app: &TestApp) {
    let r = app
        .as_user("admin")
        .header("OCS-APIRequest", None)
        .get("/ocs/v2.php/cloud/capabilities")
        .await;
    r.assert_status(412);
    assert_eq!(r.body, r#"{"message":"CSRF check failed"}"#);
}

async fn status_php_is_nextclouds(app: &TestApp) {
    let r = app.anonymous().get("/status.php").await;
    r.assert_status(200);
    assert_eq!(r.header("access-control-allow-origin").as_deref(), Some("*"));
    assert_eq!(
        r.body,
        r#"{"installed":true,"maintenance":false,"needsDbUpgrade":false,"version":"32.0.0.13","versionstring":"32.0.0","edition":"","productname":"Nextcloud","extendedSupport":false}"#
    );
}

async fn wrong_credentials_are_refused_before_routing(app: &TestApp) {
    // Even on a public endpoint and on an unknown path: login happens before routing.
    for path in [
        "/ocs/v2.php/cloud/capabilities",
        "/ocs/v2.php/apps/spreed/api/v3/nothing",
    ] {
        let r = app.with_credentials("admin", "wrong").get(path).await;
        r.assert_status(401);
        assert_eq!(
            r.header("www-authenticate").as_deref(),
            Some("Basic realm=\"Authorisation Required\"")
        );
        // The front script ignores Accept: XML unless format=json.
        assert_eq!(r.header("content-type").as_deref(), Some("text/xml; charset=UTF-8"));
        assert_eq!(
            r.body,
            "<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n  <status>failure</status>\n  <statuscode>997</statuscode>\n  <message>Unauthorised</message>\n </meta>\n <data/>\n</ocs>\n"
        );
    }
    let r = app
        .with_credentials("admin", "wrong")
        .get("/ocs/v1.php/cloud/capabilities?format=json")
        .await;
    r.assert_status(401);
    assert_eq!(
        r.body,
        r#"{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Unauthorised","totalitems":"","itemsperpage":""},"data":[]}}"#
    );
    // Anonymous access to a public endpoint is fine.
    app.anonymous()
        .get("/ocs/v2.php/cloud/capabilities")
        .await
        .assert_status(200);
}

const XML_HEAD: &str = "<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n";

/// The same answer, rendered for one version and format.
struct Expected {
    http: u16,
    content_type: &'static str,
    body: String,
}

/// A controller answer as upstream renders it: `(status, statuscode, message, data)` in JSON, and
/// in XML when `xml_data` (the `<data>` element's lines) is given.
fn controller(version: u8, json: bool, s: u16, message: &str, json_data: &str, xml_data: &str) -> Expected {
    let ok = (200..300).contains(&s);
    let (http, code, status) = if version == 1 {
        let code = if s == 200 { 100 } else { s };
        (
            if s == 997 { 401 } else { 200 },
            code,
            if code == 100 { "ok" } else { "failure" },
        )
    } else {
        let http = match s {
            997 => 401,
            998 => 404,
            s if !(200..=600).contains(&s) => 400,
            s => s,
        };
        (http, s, if ok { "ok" } else { "failure" })
    };
    let message = if (version == 1 && code == 100) || (version == 2 && ok) {
        "OK".to_owned()
    } else {
        message.to_owned()
    };
    if json {
        let paging = if version == 1 {
            r#","totalitems":"","itemsperpage":"""#
        } else {
            ""
        };
        let json_message = message.replace('"', "\\\"");
        return Expected {
            http,
            content_type: "application/json; charset=utf-8",
            body: format!(
                r#"{{"ocs":{{"meta":{{"status":"{status}","statuscode":{code},"message":"{json_message}"{paging}}},"data":{json_data}}}}}"#
            ),
        };
    }
    let paging = if version == 1 {
        "  <totalitems></totalitems>\n  <itemsperpage></itemsperpage>\n"
    } else {
        ""
    };
    Expected {
        http,
        content_type: "application/xml; charset=utf-8",
        body: format!(
            "{XML_HEAD}  <status>{status}</status>\n  <statuscode>{code}</statuscode>\n  <message>{message}</message>\n{paging} </meta>\n{xml_data}</ocs>\n"
        ),
    }
}

#[track_caller]
fn assert_answer(r: &crate::common::Resp, expected: &Expected) {
    assert_eq!(r.status, expected.http, "body: {}", r.body);
    assert_eq!(r.header("content-type").as_deref(), Some(expected.content_type));
    assert_eq!(r.body, expected.body);
}

/// Success and a provisioning soft error (102) in v1/v2 × JSON/XML, formats chosen by `Accept`
/// and by `format` (which wins over `Accept`).
async fn success_and_error_in_every_version_and_format(app: &TestApp) {
    for version in [1u8, 2] {
        for json in [true, false] {
            let user = format!("alice{version}{}", if json { "j" } else { "x" });
            let path = format!("/ocs/v{version}.php/cloud/users");
            let accept = if json { "application/json" } else { "application/xml" };
            let admin = app.as_user("admin").header("Accept", Some(accept));
            let r = admin.post(&path, &[("userid", &user), ("password", "123456")]).await;
            let xml_data = format!(" <data>\n  <id>{user}</id>\n </data>\n");
            assert_answer(
                &r,
                &controller(version, json, 200, "", &format!(r#"{{"id":"{user}"}}"#), &xml_data),
            );

            // `format` beats `Accept`, in the query or in the body.
            let other = if json { "xml" } else { "json" };
            let admin = app.as_user("admin").header("Accept", Some(accept));
            let r = admin
                .post(
                    &format!("{path}?format={other}"),
                    &[("userid", &user), ("password", "123456")],
                )
                .await;
            assert_answer(
                &r,
                &controller(version, !json, 102, "User already exists", "[]", " <data/>\n"),
            );
            let r = admin
                .post(&path, &[("userid", &user), ("password", "123456"), ("format", other)])
                .await;
            assert_answer(
                &r,
                &controller(version, !json, 102, "User already exists", "[]", " <data/>\n"),
            );
        }
    }
    // Without `format` and without a usable `Accept` entry the answer is XML.
    let r = app
        .as_user("admin")
        .header("Accept", None)
        .post("/ocs/v2.php/cloud/users", &[("userid", "alice1j"), ("password", "x")])
        .await;
    assert_answer(
        &r,
        &controller(2, false, 102, "User already exists", "[]", " <data/>\n"),
    );
    // Entries are matched whole: a quality suffix makes `application/json` unknown.
    let r = app
        .as_user("admin")
        .header("Accept", Some("text/html, application/json;q=0.9"))
        .post("/ocs/v2.php/cloud/users", &[("userid", "alice1j"), ("password", "x")])
        .await;
    assert_answer(
        &r,
        &controller(2, false, 102, "User already exists", "[]", " <data/>\n"),
    );
    let r = app
        .as_user("admin")
        .header("Accept", Some("text/html, APPLICATION/JSON"))
        .post("/ocs/v2.php/cloud/users", &[("userid", "alice1j"), ("password", "x")])
        .await;
    assert_answer(&r, &controller(2, true, 102, "User already exists", "[]", ""));
    // Any `format` other than `json` is XML, whatever `Accept` says.
    let r = app
        .as_user("admin")
        .get("/ocs/v2.php/cloud/users/alice1j?format=yaml")
        .await;
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/xml; charset=utf-8")
    );
    assert!(r.body.starts_with(XML_HEAD), "{}", r.body);

    // A 403 from the admin check, in both versions.
    app.create_user("participant1").await;
    for version in [1u8, 2] {
        let r = app
            .as_user("participant1")
            .get(&format!("/ocs/v{version}.php/apps/provisioning_api/api/v1/config/apps"))
            .await;
        assert_answer(
            &r,
            &controller(version, true, 403, "Logged in account must be an admin", "[]", ""),
        );
    }
}

/// The caller's own record (`GET /cloud/user`), which Android and iOS read first.
async fn current_user_in_both_versions(app: &TestApp) {
    app.create_user("participant1").await;
    // Asking is logging in: the record shows this login's time.
    let before = talk_breakout::domain::now();
    let template = r#"{"id":"participant1","firstLoginTimestamp":T,"lastLoginTimestamp":T,"lastLogin":MS,"backend":"Database","subadmin":[],"quota":{"free":-3,"used":0,"total":-3,"relative":0,"quota":-3},"manager":"","email":null,"additional_mail":[],"displayname":"participant1-displayname","display-name":"participant1-displayname","phone":"","address":"","website":"","twitter":"","fediverse":"","organisation":"","role":"","headline":"","biography":"","profile_enabled":"1","pronouns":"","groups":[],"language":"en","locale":"","timezone":"","notify_email":null,"backendCapabilities":{"setDisplayName":true,"setPassword":true}}"#;
    for version in [1u8, 2] {
        let r = app
            .as_user("participant1")
            .get(&format!("/ocs/v{version}.php/cloud/user?format=json"))
            .await;
        let t = r.data()["lastLoginTimestamp"].as_i64().expect("integer");
        assert!((before..=talk_breakout::domain::now()).contains(&t), "lastLogin {t}");
        let data = template
            .replace(":T,", &format!(":{t},"))
            .replace(":MS,", &format!(":{},", t * 1000));
        assert_answer(&r, &controller(version, true, 200, "", &data, ""));
    }
}

/// Missing credentials and an unreadable `Authorization` header are "not logged in" (the
/// security middleware, negotiated format, no challenge); a wrong password and an unknown user
/// are the front script's `Unauthorised` (XML unless `format=json`, with a challenge), and the
/// two cannot be told apart.
async fn unauthenticated_answers(app: &TestApp) {
    app.create_user("participant1").await;
    let not_logged_in =
        |version: u8, json: bool| controller(version, json, 997, "Current user is not logged in", "[]", " <data/>\n");
    for version in [1u8, 2] {
        let path = format!("/ocs/v{version}.php/cloud/user");
        let r = app.anonymous().get(&path).await;
        assert_answer(&r, &not_logged_in(version, true));
        assert_eq!(r.header("www-authenticate"), None);
        let r = app.anonymous().header("Accept", None).get(&path).await;
        assert_answer(&r, &not_logged_in(version, false));
        for garbled in ["Basic !!!not-base64", "Basic Zm9v", "Bogus abc", "Basic"] {
            let r = app.anonymous().header("Authorization", Some(garbled)).get(&path).await;
            assert_answer(&r, &not_logged_in(version, true));
        }
        // `empty()` credentials count as none.
        let r = app.with_credentials("participant1", "").get(&path).await;
        assert_answer(&r, &not_logged_in(version, true));

        let wrong_password = app.with_credentials("participant1", "wrong").get(&path).await;
        let unknown_user = app.with_credentials("nobody", "wrong").get(&path).await;
        for r in [&wrong_password, &unknown_user] {
            r.assert_status(401);
            assert_eq!(r.header("content-type").as_deref(), Some("text/xml; charset=UTF-8"));
            assert_eq!(
                r.header("www-authenticate").as_deref(),
                Some("Basic realm=\"Authorisation Required\"")
            );
        }
        assert_eq!(wrong_password.body, unknown_user.body);
        let json_wrong = app
            .with_credentials("participant1", "wrong")
            .get(&format!("{path}?format=json"))
            .await;
        let json_unknown = app
            .with_credentials("nobody", "wrong")
            .get(&format!("{path}?format=json"))
            .await;
        let paging = if version == 1 {
            r#","totalitems":"","itemsperpage":"""#
        } else {
            ""
        };
        let expected = format!(
            r#"{{"ocs":{{"meta":{{"status":"failure","statuscode":997,"message":"Unauthorised"{paging}}},"data":[]}}}}"#
        );
        assert_eq!(json_wrong.body, expected);
        assert_eq!(json_unknown.body, expected);
    }
}

/// Missing `OCS-APIRequest` on v1 too, and the header value must be exactly `true`.
async fn csrf_rule_in_both_versions(app: &TestApp) {
    for version in [1u8, 2] {
        for value in [None, Some("1"), Some("TRUE")] {
            let r = app
                .as_user("admin")
                .header("OCS-APIRequest", value)
                .get(&format!("/ocs/v{version}.php/cloud/user"))
                .await;
            r.assert_status(412);
            assert_eq!(
                r.header("content-type").as_deref(),
                Some("application/json; charset=utf-8")
            );
            assert_eq!(r.body, r#"{"message":"CSRF check failed"}"#);
        }
    }
}

/// A known path with another verb: 405 and no body at all.
async fn wrong_method_is_an_empty_405(app: &TestApp) {
    for (method, path) in [
        ("PATCH", "/ocs/v2.php/cloud/user"),
        ("POST", "/ocs/v1.php/cloud/capabilities"),
        ("PUT", "/ocs/v2.php/cloud/groups"),
        ("DELETE", "/ocs/v2.php/apps/spreed/api/v4/room"),
    ] {
        let r = app.as_user("admin").form(method, path, &[]).await;
        r.assert_status(405);
        assert_eq!(r.body, "", "{method} {path}");
    }
}

/// A body over the limit is refused before anything reads it, in the envelope of the version.
async fn oversized_body_is_a_413_envelope(app: &TestApp) {
    let big = vec![b'a'; 3 * 1024 * 1024];
    let mut form = b"userid=big&password=123456&pad=".to_vec();
    form.extend_from_slice(&big);
    let r = app
        .as_user("admin")
        .raw(
            "POST",
            "/ocs/v2.php/cloud/users",
            "application/x-www-form-urlencoded",
            form.clone(),
        )
        .await;
    assert_answer(&r, &controller(2, true, 413, "", "[]", ""));
    let r = app
        .as_user("admin")
        .header("Accept", None)
        .raw(
            "POST",
            "/ocs/v1.php/cloud/users?format=json",
            "application/x-www-form-urlencoded",
            form,
        )
        .await;
    assert_answer(&r, &controller(1, true, 413, "", "[]", ""));
    assert!(app.as_user("admin").get("/ocs/v2.php/cloud/users/big").await.status == 404);
}

/// Hostile input never earns a 500 or a non-OCS body: broken JSON, non-UTF-8 bytes in the
/// body, the query and the path, and integers far outside any range.
async fn malformed_input_is_answered_in_the_envelope(app: &TestApp) {
    let admin = app.as_user("admin");
    // Broken JSON bodies carry no parameters: creating a user without userid or password.
    for body in [
        &b"{\"userid\": \"x\", "[..],
        b"[1,2]",
        b"\"just a string\"",
        b"\xff\xfe{}",
    ] {
        let r = admin
            .raw("POST", "/ocs/v2.php/cloud/users", "application/json", body.to_vec())
            .await;
        assert_answer(
            &r,
            &controller(
                2,
                true,
                108,
                "To send a password link to the user an email address is required.",
                "[]",
                "",
            ),
        );
    }
    // Non-UTF-8 bytes in a form value, raw and percent-encoded, are not a valid login.
    let invalid =
        r#"Only the following characters are allowed in an Login: \"a-z\", \"A-Z\", \"0-9\", spaces and \"_.@-'\""#;
    for body in [
        &b"userid=ab%FF%FE&password=123456"[..],
        b"userid=ab\xff\xfe&password=123456",
    ] {
        let r = admin
            .raw(
                "POST",
                "/ocs/v2.php/cloud/users",
                "application/x-www-form-urlencoded",
                body.to_vec(),
            )
            .await;
        assert_eq!(
            r.body,
            format!(r#"{{"ocs":{{"meta":{{"status":"failure","statuscode":101,"message":"{invalid}"}},"data":[]}}}}"#)
        );
    }
    // In the query, and in a path placeholder.
    let r = admin.get("/ocs/v2.php/cloud/users?search=%FF%FE&limit=%FF").await;
    assert_answer(&r, &controller(2, true, 200, "", r#"{"users":[]}"#, ""));
    let r = admin.get("/ocs/v2.php/cloud/users/%FF%FE?format=json").await;
    r.assert_status(404);
    assert_eq!(r.meta()["statuscode"], 998);
    let r = admin
        .get("/ocs/v2.php/apps/spreed/api/v4/room/%FF%FE%FD%FC?format=json")
        .await;
    r.assert_status(404);
    assert_eq!(r.meta()["statuscode"], 998);
    // Integers PHP would saturate.
    for query in [
        "limit=99999999999999999999999&offset=-99999999999999999999",
        "limit=-1&offset=9223372036854775807",
        "limit=1e400&offset=NaN",
    ] {
        let r = admin.get(&format!("/ocs/v2.php/cloud/users?{query}")).await;
        r.assert_status(200);
    }
    let r = admin
        .json(
            "GET",
            "/ocs/v2.php/cloud/users",
            &serde_json::json!({"limit": 1e300, "offset": -1e300}),
        )
        .await;
    r.assert_status(200);

    // Talk endpoints with hostile numbers: answered, in the envelope, never 5xx.
    app.create_user("participant1").await;
    let r = app
        .as_user("participant1")
        .post(
            "/ocs/v2.php/apps/spreed/api/v4/room",
            &[("roomType", "2"), ("roomName", "Room")],
        )
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    let user = app.as_user("participant1");
    for (method, path, body) in [
        (
            "POST",
            format!("/ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}"),
            serde_json::json!({"mode": "99999999999999999999999", "amount": -1e300}),
        ),
        (
            "POST",
            format!("/ocs/v2.php/apps/spreed/api/v1/breakout-rooms/{token}"),
            serde_json::json!({"mode": 1, "amount": 18446744073709551616u128 as f64, "attendeeMap": "{\"1\": 99999999999999999999}"}),
        ),
        (
            "GET",
            format!("/ocs/v2.php/apps/spreed/api/v1/chat/{token}?limit=99999999999999999999&lastKnownMessageId=-9223372036854775809"),
            serde_json::json!({}),
        ),
        (
            "PUT",
            format!("/ocs/v2.php/apps/spreed/api/v4/room/{token}/webinar/lobby"),
            serde_json::json!({"state": 9223372036854775807i64, "timer": "-99999999999999999999"}),
        ),
    ] {
        let r = user.json(method, &path, &body).await;
        assert!(r.status < 500, "{method} {path}: {} {}", r.status, r.body);
        assert!(r.json()["ocs"]["meta"]["statuscode"].is_u64(), "{method} {path}: {}", r.body);
    }
}

both_backends!(
    success_and_error_in_every_version_and_format,
    current_user_in_both_versions,
    unauthenticated_answers,
    csrf_rule_in_both_versions,
    wrong_method_is_an_empty_405,
    oversized_body_is_a_413_envelope,
    malformed_input_is_answered_in_the_envelope,
    wrong_credentials_are_refused_before_routing,
    unknown_route_answers_like_the_front_script,
    missing_ocs_header_is_a_plain_412,
    status_php_is_nextclouds
);
