//! The invitation page of a channel-linked user (accounts.md §3) with plain HTTP, as a browser
//! without JavaScript uses it: open the link, press the button (a form POST with the page's
//! CSRF token and cookie), read the login, then use the app password on Talk and Horn. Unknown
//! codes are throttled like failed logins, on the page and on `POST /auth/invitation`, and so
//! are wrong Bearer tokens on the Horn face.

use crate::common::browser::{assert_secure_page, between, request_token, Browser};
use crate::common::{manual_clock, TestApp};
use serde_json::{json, Value};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const API: &str = "/api/v1_0";

/// participant1 owns a group conversation "Summer school" with a linked user "Ada <3"; returns
/// the conversation token, Ada's attendee id and her invitation.
async fn invited(app: &TestApp) -> (String, i64, Value) {
    app.create_user("participant1").await;
    let r = app
        .as_user("participant1")
        .post(
            &format!("{V4}/room"),
            &[("roomType", "2"), ("roomName", "Summer school")],
        )
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    let r = app
        .as_user("participant1")
        .json(
            "POST",
            &format!("{API}/channels/{token}/linked/users/new?ttl=1d"),
            &json!({ "handle": "Ada <3" }),
        )
        .await;
    r.assert_status(200);
    let id = r.json()["id"].as_i64().unwrap();
    let r = app
        .as_user("participant1")
        .get(&format!("{API}/channels/{token}/linked/users/{id}/invitation"))
        .await;
    r.assert_status(200);
    (token, id, r.json())
}

async fn guest_redeems_the_invitation_page(app: &TestApp) {
    let (token, ada, invitation) = invited(app).await;
    let url = invitation["url"].as_str().unwrap().to_owned();
    let code = invitation["code"].as_str().unwrap().to_owned();
    let mut browser = Browser::new(app);

    let page = browser.open(&url).await;
    page.assert_status(200);
    assert_secure_page(&page);
    assert!(page.body.contains("Summer school"), "{}", page.body);
    assert!(page.body.contains("Ada &lt;3"), "the handle is escaped: {}", page.body);
    assert!(page.body.contains(&format!(r#"<form method="post" action="{code}">"#)));
    let cookie = page.header("set-cookie").expect("browser cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let csrf = request_token(&page);
    // Opening the page redeems nothing.
    assert!(!page.body.contains("App password"), "{}", page.body);

    let done = browser.submit(&url, &[("requesttoken", &csrf)]).await;
    done.assert_status(200);
    assert_secure_page(&done);
    let server = between(&done.body, r#"<code id="server">"#, "<").to_owned();
    let login = between(&done.body, r#"<code id="login">"#, "<").to_owned();
    let password = between(&done.body, r#"<code id="password">"#, "<").to_owned();
    assert_eq!(server, app.url(""));
    assert!(login.starts_with("linked-"), "{login}");
    assert_eq!(password.len(), 72);
    let link = format!("nc://login/server:{server}&amp;user:{login}&amp;password:{password}");
    assert!(done.body.contains(&format!(r#"<a href="{link}">"#)), "{}", done.body);

    // The app password opens Talk (Basic) and Horn (Bearer) for the guest.
    let r = app
        .with_credentials(&login, &password)
        .get(&format!("{V4}/room/{token}"))
        .await;
    r.assert_status(200);
    assert_eq!(r.data()["displayName"], "Summer school");
    app.bearer_get(&password, &format!("{API}/channels/{token}/breakout/session"))
        .await
        .assert_status(204);
    let r = app
        .as_user("participant1")
        .get(&format!("{V4}/room/{token}/participants"))
        .await;
    assert!(r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["attendeeId"] == ada && p["actorId"] == login.as_str()));

    // The page under /index.php works the same; a second press gives another app password.
    let again = browser.submit(&url, &[("requesttoken", &csrf)]).await;
    again.assert_status(200);
    assert_ne!(between(&again.body, r#"<code id="password">"#, "<"), password);
    browser
        .open(&app.url(&format!("/index.php/login/invitation/{code}")))
        .await
        .assert_status(200);
}

async fn the_form_needs_its_cookie_and_token(app: &TestApp) {
    let (token, _, invitation) = invited(app).await;
    let url = invitation["url"].as_str().unwrap().to_owned();
    let mut browser = Browser::new(app);
    let page = browser.open(&url).await;
    let csrf = request_token(&page);
    let stored = || async {
        let r = app
            .as_user("participant1")
            .get(&format!("{V4}/room/{token}/participants"))
            .await;
        r.data().as_array().unwrap().len()
    };
    let before = stored().await;

    // Posted from elsewhere (no cookie), with a wrong token, or with another browser's token.
    let r = app
        .anonymous()
        .send(app.raw_http().post(&url).form(&[("requesttoken", csrf.as_str())]))
        .await;
    r.assert_status(403);
    assert_secure_page(&r);
    browser
        .submit(&url, &[("requesttoken", "nope")])
        .await
        .assert_status(403);
    browser.submit(&url, &[]).await.assert_status(403);
    let mut other = Browser::new(app);
    let other_token = request_token(&other.open(&url).await);
    browser
        .submit(&url, &[("requesttoken", &other_token)])
        .await
        .assert_status(403);
    assert!(!r.body.contains("App password"));
    assert_eq!(stored().await, before);

    // An expired invitation shows its page and redeems nothing.
    app.clock().advance(std::time::Duration::from_secs(24 * 3600 + 1));
    let r = browser.open(&url).await;
    r.assert_status(410);
    assert_secure_page(&r);
    let r = browser.submit(&url, &[("requesttoken", &csrf)]).await;
    r.assert_status(410);
    assert!(!r.body.contains("App password"));
    // Unknown codes.
    for unknown in ["x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "%3Cscript%3E"] {
        let r = browser.open(&app.url(&format!("/login/invitation/{unknown}"))).await;
        r.assert_status(404);
        assert_secure_page(&r);
        assert!(!r.body.contains("<script>"));
    }
}

both_backends_with!(manual_clock; guest_redeems_the_invitation_page, the_form_needs_its_cookie_and_token);

fn protected(settings: &mut talk_breakout::config::Settings) {
    settings.brute_force_protection = true;
}

/// The login record of the test client's address, as stored.
async fn login_record(app: &TestApp) -> i32 {
    app.db()
        .run(|conn| talk_breakout::db::store::brute_force::attempts(conn, "login", "127.0.0.1", 0))
        .await
        .expect("record read")
}

/// Unknown codes (API and page) and wrong Bearer tokens count as failed logins; at the maximum
/// delay even a valid code gets 429 and redeems nothing.
async fn unknown_codes_and_bearer_tokens_are_throttled(app: &TestApp) {
    let (token, _, invitation) = invited(app).await;
    // The guest's login name, read before the address is throttled.
    let login: String = app
        .as_user("participant1")
        .get(&format!("{V4}/room/{token}/participants"))
        .await
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["displayName"] == "Ada <3")
        .unwrap()["actorId"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = invitation["code"].as_str().unwrap().to_owned();
    let redeem = |code: String| async move {
        app.anonymous()
            .json("POST", &format!("{API}/auth/invitation"), &json!({ "code": code }))
            .await
    };
    let r = redeem("B".repeat(32)).await;
    r.assert_status(404);
    assert_eq!(r.json()["error"], "INVITATION_NOT_FOUND");
    assert_eq!(login_record(app).await, 1);
    Browser::new(app)
        .open(&app.url("/login/invitation/nosuchcode"))
        .await
        .assert_status(404);
    assert_eq!(login_record(app).await, 2);
    app.bearer_get(&"x".repeat(72), &format!("{API}/channels/{token}/breakout/session"))
        .await
        .assert_status(401);
    assert_eq!(login_record(app).await, 3);

    // At the cap (recorded directly: waiting out the delays would take a minute).
    app.db()
        .run(|conn| -> Result<(), talk_breakout::db::DbError> {
            let now = talk_breakout::domain::now();
            for _ in 0..8 {
                talk_breakout::db::store::brute_force::register(conn, "login", "127.0.0.1", now, now - 3600)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let r = redeem(code.clone()).await;
    r.assert_status(429);
    assert_eq!(r.json()["error"], "TOO_MANY_REQUESTS");
    app.bearer_get(&"y".repeat(72), &format!("{API}/channels/{token}/breakout/session"))
        .await
        .assert_status(429);
    Browser::new(app)
        .open(invitation["url"].as_str().unwrap())
        .await
        .assert_status(429);
    // Nothing was redeemed: the guest has no app password.
    let n = app
        .db()
        .run(move |conn| talk_breakout::db::store::app_passwords::count_for_user(conn, &login))
        .await
        .unwrap();
    assert_eq!(n, 0);
}

both_backends_with!(protected; unknown_codes_and_bearer_tokens_are_throttled);
