//! The OCS envelope: v1/v2 × JSON/XML × success/error/unknown route, asserted byte for byte.

mod common;

use common::TestApp;

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

both_backends!(
    wrong_credentials_are_refused_before_routing,
    unknown_route_answers_like_the_front_script,
    missing_ocs_header_is_a_plain_412,
    status_php_is_nextclouds
);
