//! Details of Nextcloud's OCS front script that real clients run into: the bare script paths,
//! the login challenge for browsers, disabled accounts, the last-login time.

use crate::common::TestApp;

const NOT_FOUND_TEXT: &str = "Invalid query, please check the syntax. API specifications are here: http:\\/\\/www.freedesktop.org\\/wiki\\/Specifications\\/open-collaboration-services.\\n";
const NOT_FOUND_XML: &str = "<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n  <status>failure</status>\n  <statuscode>998</statuscode>\n  <message>Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n</message>\n </meta>\n <data/>\n</ocs>\n";

/// `/ocs/v1.php` and `/ocs/v2.php` with nothing after them are unknown routes like any other:
/// 998 in the envelope, for every method, with and without the trailing slash.
async fn bare_script_paths_answer_route_not_found(app: &TestApp) {
    for script in ["/ocs/v1.php", "/ocs/v2.php"] {
        for path in [script.to_owned(), format!("{script}/")] {
            for method in ["GET", "POST", "PUT", "DELETE"] {
                let r = app
                    .as_user("admin")
                    .form(method, &format!("{path}?format=json"), &[])
                    .await;
                let (status, meta) = if script == "/ocs/v1.php" {
                    (
                        200,
                        format!(
                            r#""status":"failure","statuscode":998,"message":"{NOT_FOUND_TEXT}","totalitems":"","itemsperpage":"""#
                        ),
                    )
                } else {
                    (
                        404,
                        format!(r#""status":"failure","statuscode":998,"message":"{NOT_FOUND_TEXT}""#),
                    )
                };
                assert_eq!(r.status, status, "{method} {path}: {}", r.body);
                assert_eq!(
                    r.body,
                    format!(r#"{{"ocs":{{"meta":{{{meta}}},"data":[]}}}}"#),
                    "{method} {path}"
                );
                assert_eq!(
                    r.header("content-type").as_deref(),
                    Some("application/json; charset=utf-8")
                );
            }
            // Without `format` the front script writes XML, whatever Accept says.
            let r = app.anonymous().get(&path).await;
            let expected = if script == "/ocs/v1.php" {
                NOT_FOUND_XML.replace(
                    " </meta>",
                    "  <totalitems></totalitems>\n  <itemsperpage></itemsperpage>\n </meta>",
                )
            } else {
                NOT_FOUND_XML.to_owned()
            };
            assert_eq!(r.body, expected, "{path}");
            assert_eq!(r.header("content-type").as_deref(), Some("text/xml; charset=UTF-8"));
        }
    }
    // Wrong credentials are refused there too: the login happens before routing.
    let r = app
        .with_credentials("admin", "wrong")
        .get("/ocs/v2.php/?format=json")
        .await;
    r.assert_status(401);
}

both_backends!(bare_script_paths_answer_route_not_found);

/// The web client's axios sends `X-Requested-With: XMLHttpRequest`; a plain `Basic` challenge
/// would make the browser pop up its own login dialog, so upstream answers `DummyBasic`.
async fn browser_requests_get_a_dummy_challenge(app: &TestApp) {
    app.create_user("participant1").await;
    let wrong = || app.with_credentials("participant1", "wrong");
    let r = wrong()
        .header("X-Requested-With", Some("XMLHttpRequest"))
        .get("/ocs/v2.php/apps/spreed/api/v4/room?format=json")
        .await;
    r.assert_status(401);
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some("DummyBasic realm=\"Authorisation Required\"")
    );
    assert_eq!(
        r.body,
        r#"{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Unauthorised"},"data":[]}}"#
    );
    // Only the exact value counts, as upstream compares it whole.
    for other in ["xmlhttprequest", "XMLHttpRequest, other"] {
        let r = wrong()
            .header("X-Requested-With", Some(other))
            .get("/ocs/v2.php/apps/spreed/api/v4/room")
            .await;
        r.assert_status(401);
        assert_eq!(
            r.header("www-authenticate").as_deref(),
            Some("Basic realm=\"Authorisation Required\"")
        );
    }
    let r = wrong().get("/ocs/v1.php/cloud/user").await;
    r.assert_status(401);
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Authorisation Required\"")
    );
    // Without credentials the controller's "not logged in" carries no challenge at all.
    let r = app
        .anonymous()
        .header("X-Requested-With", Some("XMLHttpRequest"))
        .get("/ocs/v2.php/cloud/user")
        .await;
    r.assert_status(401);
    assert_eq!(r.header("www-authenticate"), None);
}

/// A login writes the account's last login time (at most once a minute, as upstream), which
/// the provisioning API reports in milliseconds.
async fn login_updates_last_login(app: &TestApp) {
    app.create_user("participant1").await;
    let details = || async {
        let r = app.as_user("admin").get("/ocs/v2.php/cloud/users/participant1").await;
        r.assert_status(200);
        r.data()
    };
    assert_eq!(details().await["lastLogin"], 0);
    assert_eq!(details().await["lastLoginTimestamp"], 0);
    let before = talk_breakout::domain::now();
    app.as_user("participant1")
        .get("/ocs/v2.php/cloud/user")
        .await
        .assert_status(200);
    let after = talk_breakout::domain::now();
    let data = details().await;
    let seconds = data["lastLoginTimestamp"].as_i64().expect("integer");
    assert!(
        (before..=after).contains(&seconds),
        "{seconds} not in {before}..={after}"
    );
    assert_eq!(data["lastLogin"], seconds * 1000);
    // A wrong password is no login.
    app.with_credentials("participant1", "wrong")
        .get("/ocs/v2.php/cloud/user")
        .await
        .assert_status(401);
    assert_eq!(details().await["lastLoginTimestamp"], seconds);
}

both_backends!(browser_requests_get_a_dummy_challenge, login_updates_last_login);
