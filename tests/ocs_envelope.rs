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
            r#"{{"ocs":{{"meta":{{"status":"failure","statuscode":404,"message":"{NOT_FOUND_TEXT}","totalitems":"","itemsperpage":""}},"data":[]}}}}"#
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
        "<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n  <status>failure</status>\n  <statuscode>404</statuscode>\n  <message>Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.\n</message>\n  <totalitems></totalitems>\n  <itemsperpage></itemsperpage>\n </meta>\n <data/>\n</ocs>\n"
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

both_backends!(
    unknown_route_answers_like_the_front_script,
    missing_ocs_header_is_a_plain_412,
    status_php_is_nextclouds
);
