//! Login Flow v2 over HTTP: the client's JSON endpoints and the pages a person uses, with their
//! security headers, CSRF tokens, browser binding, throttling and expiry.

use crate::common::browser::{assert_secure_page, request_token, Browser};
use crate::common::{Resp, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use talk_breakout::db::store;

const AGENT: &str = "Talk test client (Android)";

struct Flow {
    poll_token: String,
    poll_endpoint: String,
    login: String,
}

async fn send(app: &TestApp, rb: reqwest::RequestBuilder) -> Resp {
    app.anonymous().send(rb).await
}

async fn start(app: &TestApp, path: &str) -> (Resp, Flow) {
    let r = send(app, app.raw_http().post(app.url(path)).header("User-Agent", AGENT)).await;
    r.assert_status(200);
    let v = r.json();
    let flow = Flow {
        poll_token: v["poll"]["token"].as_str().unwrap().to_owned(),
        poll_endpoint: v["poll"]["endpoint"].as_str().unwrap().to_owned(),
        login: v["login"].as_str().unwrap().to_owned(),
    };
    (r, flow)
}

async fn poll(app: &TestApp, flow: &Flow) -> Resp {
    send(
        app,
        app.raw_http()
            .post(app.url("/login/v2/poll"))
            .form(&[("token", flow.poll_token.as_str())]),
    )
    .await
}

async fn stored_app_passwords(app: &TestApp, user: &str) -> i64 {
    let user = user.to_owned();
    app.db()
        .run(move |conn| store::app_passwords::count_for_user(conn, &user))
        .await
        .unwrap()
}

both_backends!(
    start_answers_upstream_shape,
    person_logs_in_and_grants_access,
    unknown_and_malformed_tokens_are_forbidden,
    forms_need_the_browser_and_its_csrf_token,
    expired_flows_are_gone,
    client_names_are_escaped,
);

async fn start_answers_upstream_shape(app: &TestApp) {
    for path in ["/index.php/login/v2", "/login/v2"] {
        let (r, flow) = start(app, path).await;
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/json; charset=utf-8")
        );
        let base = format!("http://{}", app.addr);
        // PHP's json_encode escapes slashes.
        assert!(r.body.contains(r#""endpoint":"http:\/\/"#), "{}", r.body);
        assert_eq!(flow.poll_token.len(), 128);
        assert!(flow.poll_token.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(flow.poll_endpoint, format!("{base}/login/v2/poll"));
        let login_token = flow
            .login
            .strip_prefix(&format!("{base}/login/v2/flow/"))
            .expect(&flow.login);
        assert_eq!(login_token.len(), 128);
        assert_ne!(login_token, flow.poll_token);
        let v = r.json();
        assert_eq!(v.as_object().unwrap().keys().collect::<Vec<_>>(), ["poll", "login"]);
        // Nothing to collect yet.
        let p = poll(app, &flow).await;
        p.assert_status(404);
        assert_eq!(p.body, "[]");
    }
    // A poll without a token, or with a made-up one.
    let r = send(app, app.raw_http().post(app.url("/login/v2/poll"))).await;
    r.assert_status(404);
    assert_eq!(r.body, "[]");
    let r = send(
        app,
        app.raw_http()
            .post(app.url("/index.php/login/v2/poll"))
            .form(&[("token", "x".repeat(128))]),
    )
    .await;
    r.assert_status(404);
}

async fn person_logs_in_and_grants_access(app: &TestApp) {
    app.create_user("participant1").await;
    let (_, flow) = start(app, "/index.php/login/v2").await;
    let mut browser = Browser::new(app);

    let form = browser.open(&flow.login).await;
    form.assert_status(200);
    assert_secure_page(&form);
    assert!(
        form.body
            .contains("Log in to connect <strong>Talk test client (Android)</strong>"),
        "{}",
        form.body
    );
    let cookie = form.header("set-cookie").expect("flow cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let csrf = request_token(&form);

    // A wrong password: the form again, with an error and the login kept.
    let wrong = browser
        .submit(
            &flow.login,
            &[("requesttoken", &csrf), ("user", "participant1"), ("password", "wrong")],
        )
        .await;
    wrong.assert_status(200);
    assert_secure_page(&wrong);
    assert!(wrong.body.contains("Wrong login or password."), "{}", wrong.body);
    assert!(wrong.body.contains(r#"value="participant1""#));
    poll(app, &flow).await.assert_status(404);

    let grant = browser
        .submit(
            &flow.login,
            &[
                ("requesttoken", &csrf),
                ("user", "participant1"),
                ("password", "123456"),
            ],
        )
        .await;
    grant.assert_status(200);
    assert_secure_page(&grant);
    assert!(
        grant
            .body
            .contains("Grant access to <strong>Talk test client (Android)</strong>?"),
        "{}",
        grant.body
    );
    assert!(grant.body.contains("participant1-displayname"));
    // Reloading the link in the same browser shows the grant page again.
    let again = browser.open(&flow.login).await;
    assert!(again.body.contains("Grant access to"), "{}", again.body);
    // Logged in but not granted: nothing to collect, no app password yet.
    poll(app, &flow).await.assert_status(404);
    assert_eq!(stored_app_passwords(app, "participant1").await, 0);

    let done = browser
        .submit(
            &format!("{}/grant", flow.login),
            &[("requesttoken", &request_token(&grant))],
        )
        .await;
    done.assert_status(200);
    assert_secure_page(&done);
    assert!(done.body.contains("Account connected"), "{}", done.body);
    assert_eq!(stored_app_passwords(app, "participant1").await, 1);

    let r = poll(app, &flow).await;
    r.assert_status(200);
    let v = r.json();
    let app_password = v["appPassword"].as_str().unwrap().to_owned();
    assert_eq!(app_password.len(), 72);
    assert_eq!(
        v,
        json!({"server": format!("http://{}", app.addr), "loginName": "participant1", "appPassword": app_password})
    );
    // Once only.
    let r = poll(app, &flow).await;
    r.assert_status(404);
    assert_eq!(r.body, "[]");
    // The flow is over: its page is forbidden now.
    browser.open(&flow.login).await.assert_status(403);

    // The app password opens the Talk API, and cannot ask for another one.
    let me = app.with_credentials("participant1", &app_password);
    let rooms = me.get("/ocs/v2.php/apps/spreed/api/v4/room").await;
    rooms.assert_status(200);
    assert_eq!(rooms.data(), json!([]));
    me.get("/ocs/v2.php/core/getapppassword").await.assert_status(403);
}

async fn unknown_and_malformed_tokens_are_forbidden(app: &TestApp) {
    let (_, flow) = start(app, "/login/v2").await;
    let login_token = flow.login.rsplit('/').next().unwrap().to_owned();
    let mut other = login_token.clone().into_bytes();
    other[0] = if other[0] == b'a' { b'b' } else { b'a' };
    let other = String::from_utf8(other).unwrap();
    for token in [other.as_str(), "short", &"%3Cscript%3E".repeat(11)] {
        for prefix in ["", "/index.php"] {
            let url = app.url(&format!("{prefix}/login/v2/flow/{token}"));
            let r = send(app, app.raw_http().get(&url)).await;
            r.assert_status(403);
            assert_secure_page(&r);
            assert!(
                r.body.contains("Your login token is invalid or has expired"),
                "{}",
                r.body
            );
            assert!(r.header("set-cookie").is_none());
            let r = send(
                app,
                app.raw_http()
                    .post(&url)
                    .form(&[("user", "admin"), ("password", "admin")]),
            )
            .await;
            r.assert_status(403);
            let r = send(app, app.raw_http().post(format!("{url}/grant"))).await;
            r.assert_status(403);
        }
    }
    // The real flow is untouched.
    let mut browser = Browser::new(app);
    let form = browser.open(&flow.login).await;
    form.assert_status(200);
    assert!(form.body.contains("Log in to connect"));
}

async fn forms_need_the_browser_and_its_csrf_token(app: &TestApp) {
    app.create_user("participant1").await;
    let (_, flow) = start(app, "/login/v2").await;
    let mut browser = Browser::new(app);
    let form = browser.open(&flow.login).await;
    let csrf = request_token(&form);
    let credentials = [("user", "participant1"), ("password", "123456")];

    // No cookie (a form posted from elsewhere).
    let r = send(
        app,
        app.raw_http()
            .post(&flow.login)
            .form(&[("requesttoken", csrf.as_str()), credentials[0], credentials[1]]),
    )
    .await;
    r.assert_status(403);
    assert_secure_page(&r);
    // The cookie without the right token.
    for token in ["", "0".repeat(64).as_str()] {
        let r = browser
            .submit(&flow.login, &[("requesttoken", token), credentials[0], credentials[1]])
            .await;
        r.assert_status(403);
        assert!(r.body.contains("The form expired"), "{}", r.body);
    }
    // Another browser's token does not fit this browser's cookie.
    let mut intruder = Browser::new(app);
    let intruder_form = intruder.open(&flow.login).await;
    let r = browser
        .submit(
            &flow.login,
            &[
                ("requesttoken", request_token(&intruder_form).as_str()),
                credentials[0],
                credentials[1],
            ],
        )
        .await;
    r.assert_status(403);
    // Nobody logged in: granting is refused.
    let r = browser
        .submit(&format!("{}/grant", flow.login), &[("requesttoken", &csrf)])
        .await;
    r.assert_status(403);
    assert!(r.body.contains("Please log in first."), "{}", r.body);

    // The person logs in; a second browser cannot grant in their place.
    let grant = browser
        .submit(&flow.login, &[("requesttoken", &csrf), credentials[0], credentials[1]])
        .await;
    assert!(grant.body.contains("Grant access to"), "{}", grant.body);
    let r = intruder
        .submit(
            &format!("{}/grant", flow.login),
            &[("requesttoken", request_token(&intruder_form).as_str())],
        )
        .await;
    r.assert_status(403);
    // Nor can the right browser without its token.
    let r = browser
        .submit(&format!("{}/grant", flow.login), &[("requesttoken", "nope")])
        .await;
    r.assert_status(403);
    poll(app, &flow).await.assert_status(404);
    assert_eq!(stored_app_passwords(app, "participant1").await, 0);
    // The intruder's page still asks for a login, never shows the grant.
    let page = intruder.open(&flow.login).await;
    assert!(page.body.contains("Log in to connect"), "{}", page.body);
}

/// Moves a flow's start back in time (the flow's clock lives in its row).
async fn age_flows(app: &TestApp, seconds: i64) {
    app.db()
        .run(move |conn| -> Result<(), talk_breakout::db::DbError> {
            use diesel::prelude::*;
            use talk_breakout::db::schema::login_flows;
            talk_breakout::backend!(conn, c => diesel::update(login_flows::table)
                .set(login_flows::created_at.eq(login_flows::created_at - seconds))
                .execute(c))?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn expired_flows_are_gone(app: &TestApp) {
    app.create_user("participant1").await;
    let (_, flow) = start(app, "/login/v2").await;
    let mut browser = Browser::new(app);
    let form = browser.open(&flow.login).await;
    let csrf = request_token(&form);
    let grant = browser
        .submit(
            &flow.login,
            &[
                ("requesttoken", &csrf),
                ("user", "participant1"),
                ("password", "123456"),
            ],
        )
        .await;
    let grant_csrf = request_token(&grant);
    // 19 minutes: still open.
    age_flows(app, 19 * 60).await;
    browser.open(&flow.login).await.assert_status(200);
    // 21 minutes: the pages are forbidden, the grant is refused, the poll finds nothing.
    age_flows(app, 2 * 60).await;
    let r = browser.open(&flow.login).await;
    r.assert_status(403);
    assert!(r.body.contains("Your login token is invalid or has expired"));
    let r = browser
        .submit(&format!("{}/grant", flow.login), &[("requesttoken", &grant_csrf)])
        .await;
    r.assert_status(403);
    poll(app, &flow).await.assert_status(404);
    assert_eq!(stored_app_passwords(app, "participant1").await, 0);

    // A granted flow that is not collected in time is gone too.
    let (_, flow) = start(app, "/login/v2").await;
    let mut browser = Browser::new(app);
    let form = browser.open(&flow.login).await;
    let grant = browser
        .submit(
            &flow.login,
            &[
                ("requesttoken", &request_token(&form)),
                ("user", "participant1"),
                ("password", "123456"),
            ],
        )
        .await;
    browser
        .submit(
            &format!("{}/grant", flow.login),
            &[("requesttoken", &request_token(&grant))],
        )
        .await
        .assert_status(200);
    age_flows(app, 21 * 60).await;
    poll(app, &flow).await.assert_status(404);
}

async fn client_names_are_escaped(app: &TestApp) {
    let r = send(
        app,
        app.raw_http()
            .post(app.url("/login/v2"))
            .header("User-Agent", "<script>alert(1)</script> & \"co\""),
    )
    .await;
    r.assert_status(200);
    let login = r.json()["login"].as_str().unwrap().to_owned();
    let mut browser = Browser::new(app);
    let form = browser.open(&login).await;
    form.assert_status(200);
    assert!(
        form.body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"),
        "{}",
        form.body
    );
    assert!(!form.body.contains("<script>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_url_is_handed_out() {
    let app = TestApp::sqlite_with(|s| {
        s.public_url = Some(talk_breakout::config::parse_public_url("https://talk.example.org/sub/").unwrap())
    })
    .await;
    let (_, flow) = start(&app, "/login/v2").await;
    assert_eq!(flow.poll_endpoint, "https://talk.example.org/sub/login/v2/poll");
    assert!(
        flow.login.starts_with("https://talk.example.org/sub/login/v2/flow/"),
        "{}",
        flow.login
    );
    let token = flow.login.rsplit('/').next().unwrap();
    let r = send(&app, app.raw_http().get(app.url(&format!("/login/v2/flow/{token}")))).await;
    r.assert_status(200);
    assert!(r.header("set-cookie").unwrap().contains("; Secure"));
    for bad in ["talk.example.org", "ftp://x", "https://", "https://a b"] {
        assert!(talk_breakout::config::parse_public_url(bad).is_err(), "{bad}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_on_the_form_are_throttled() {
    let app = TestApp::sqlite_with(|s| s.brute_force_protection = true).await;
    app.create_user("participant1").await;
    let (_, flow) = start(&app, "/login/v2").await;
    let mut browser = Browser::new(&app);
    let form = browser.open(&flow.login).await;
    let csrf = request_token(&form);
    let t = Instant::now();
    let r = browser
        .submit(
            &flow.login,
            &[("requesttoken", &csrf), ("user", "participant1"), ("password", "guess")],
        )
        .await;
    assert!(r.body.contains("Wrong login or password."));
    assert!(t.elapsed() >= Duration::from_millis(200), "{:?}", t.elapsed());
    // The failure counts for the address on the API too.
    let caps = app.anonymous().get("/ocs/v2.php/cloud/capabilities").await;
    assert_eq!(caps.data()["capabilities"]["bruteforce"]["delay"], Value::from(200));
    app.stop().await;
}
