//! App passwords: created with the account password, accepted as the Basic password and as a
//! Bearer token on every OCS route, revoked by `DELETE /core/apppassword`, and stopped by
//! account deletion and disabling — at once on the instance that made the change, within a
//! second elsewhere.

use crate::common::{Resp, TestApp};
use serde_json::json;
use std::time::{Duration, Instant};
use talk_breakout::db::store;

const V1: &str = "/ocs/v1.php";
const V2: &str = "/ocs/v2.php";

async fn new_app_password(app: &TestApp, user: &str) -> String {
    let r = app.as_user(user).get(&format!("{V2}/core/getapppassword")).await;
    r.assert_status(200);
    let password = r.data()["apppassword"].as_str().expect("apppassword").to_owned();
    assert_eq!(password.len(), 72);
    assert!(password.bytes().all(|b| b.is_ascii_alphanumeric()), "{password}");
    password
}

async fn bearer_get(app: &TestApp, token: &str, path: &str, ocs_api_request: bool) -> Resp {
    let mut rb = app
        .raw_http()
        .get(app.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .header("Accept", "application/json");
    if ocs_api_request {
        rb = rb.header("OCS-APIRequest", "true");
    }
    app.anonymous().send(rb).await
}

async fn bearer(app: &TestApp, method: &str, token: &str, path: &str) -> Resp {
    let rb = app
        .raw_http()
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .header("Accept", "application/json");
    app.anonymous().send(rb).await
}

async fn stored_app_passwords(app: &TestApp, user: &str) -> i64 {
    let user = user.to_owned();
    app.db()
        .run(move |conn| store::app_passwords::count_for_user(conn, &user))
        .await
        .unwrap()
}

/// `{"ocs": {"meta": …, "data": []}}` of a v2 OCS failure with `message`.
fn v2_failure(status: u16, message: &str) -> serde_json::Value {
    json!({"ocs": {"meta": {"status": "failure", "statuscode": status, "message": message}, "data": []}})
}

both_backends!(
    confirming_the_account_password,
    app_password_opens_every_ocs_route,
    app_password_is_stored_only_hashed,
    app_password_cannot_request_another,
    revoking_the_app_password_in_use,
    deleting_without_an_app_password_is_refused,
    rotating_the_app_password_in_use,
    app_password_belongs_to_its_login_name,
    disabled_and_deleted_accounts_lose_their_app_passwords,
    wrong_bearer_tokens_leave_the_request_anonymous,
);

async fn app_password_opens_every_ocs_route(app: &TestApp) {
    app.create_user("participant1").await;
    let password = new_app_password(app, "participant1").await;
    // v1 answers too, in the v1 envelope.
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/core/getapppassword"))
        .await;
    r.assert_status(200);
    assert_eq!(r.meta()["statuscode"], 100);
    assert_eq!(r.data()["apppassword"].as_str().unwrap().len(), 72);
    assert_eq!(stored_app_passwords(app, "participant1").await, 2);

    // Basic with the app password.
    let me = app.with_credentials("participant1", &password);
    let r = me.get(&format!("{V2}/cloud/user")).await;
    r.assert_status(200);
    assert_eq!(r.data()["id"], "participant1");
    let created = me
        .post(
            &format!("{V2}/apps/spreed/api/v4/room"),
            &[("roomType", "2"), ("roomName", "Event")],
        )
        .await;
    created.assert_status(201);
    let token = created.data()["token"].as_str().unwrap().to_owned();

    // Bearer, without OCS-APIRequest (exempt, as upstream).
    let r = bearer_get(app, &password, &format!("{V2}/apps/spreed/api/v4/room/{token}"), false).await;
    r.assert_status(200);
    assert_eq!(r.data()["token"], token.as_str());
    assert_eq!(r.data()["actorId"], "participant1");
    // Basic with an app password still needs the header.
    let r = app
        .with_credentials("participant1", &password)
        .header("OCS-APIRequest", None)
        .get(&format!("{V2}/apps/spreed/api/v4/room/{token}"))
        .await;
    r.assert_status(412);
    assert_eq!(r.body, r#"{"message":"CSRF check failed"}"#);
}

async fn app_password_is_stored_only_hashed(app: &TestApp) {
    app.create_user("participant1").await;
    let password = new_app_password(app, "participant1").await;
    let (rows, by_plain) = app
        .db()
        .run(move |conn| -> Result<_, talk_breakout::db::DbError> {
            use diesel::prelude::*;
            use talk_breakout::db::schema::app_passwords;
            let hashes: Vec<String> = talk_breakout::backend!(conn, c => app_passwords::table
                .select(app_passwords::token_hash)
                .load(c))?;
            let by_plain = store::app_passwords::find_by_hash(conn, &password, "admin")?.is_some();
            Ok((
                hashes
                    .into_iter()
                    .map(|h| (h.clone(), h.contains(&password)))
                    .collect::<Vec<_>>(),
                by_plain,
            ))
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.len(), 64, "an HMAC-SHA-256 in hex");
    assert!(!rows[0].1);
    assert!(!by_plain);
}

async fn app_password_cannot_request_another(app: &TestApp) {
    app.create_user("participant1").await;
    let password = new_app_password(app, "participant1").await;
    let r = app
        .with_credentials("participant1", &password)
        .get(&format!("{V2}/core/getapppassword"))
        .await;
    r.assert_status(403);
    assert_eq!(
        r.json(),
        v2_failure(403, "You cannot request an new apppassword with an apppassword")
    );
    let r = bearer(app, "GET", &password, &format!("{V2}/core/getapppassword")).await;
    r.assert_status(403);
    assert_eq!(stored_app_passwords(app, "participant1").await, 1);
    // Without credentials: 401 and nothing created.
    let r = app.anonymous().get(&format!("{V2}/core/getapppassword")).await;
    r.assert_status(401);
    assert_eq!(stored_app_passwords(app, "participant1").await, 1);
}

async fn revoking_the_app_password_in_use(app: &TestApp) {
    app.create_user("participant1").await;
    let kept = new_app_password(app, "participant1").await;
    let revoked = new_app_password(app, "participant1").await;
    let me = app.with_credentials("participant1", &revoked);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(200);
    let r = me.delete(&format!("{V2}/core/apppassword"), &[]).await;
    r.assert_status(200);
    assert_eq!(
        r.json(),
        json!({"ocs": {"meta": {"status": "ok", "statuscode": 200, "message": "OK"}, "data": []}})
    );
    // At once on this instance: Basic is refused by the front script, Bearer is anonymous.
    let r = me.get(&format!("{V2}/cloud/user")).await;
    r.assert_status(401);
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Authorisation Required\"")
    );
    let r = bearer_get(app, &revoked, &format!("{V2}/cloud/user"), true).await;
    r.assert_status(401);
    assert_eq!(r.meta()["message"], "Current user is not logged in");
    // The other app password and the account password still work.
    app.with_credentials("participant1", &kept)
        .get(&format!("{V2}/cloud/user"))
        .await
        .assert_status(200);
    app.as_user("participant1")
        .get(&format!("{V2}/cloud/user"))
        .await
        .assert_status(200);
    assert_eq!(stored_app_passwords(app, "participant1").await, 1);
    // Revoking by Bearer works the same.
    let r = bearer(app, "DELETE", &kept, &format!("{V2}/core/apppassword")).await;
    r.assert_status(200);
    assert_eq!(stored_app_passwords(app, "participant1").await, 0);
}

async fn deleting_without_an_app_password_is_refused(app: &TestApp) {
    app.create_user("participant1").await;
    new_app_password(app, "participant1").await;
    let r = app
        .as_user("participant1")
        .delete(&format!("{V2}/core/apppassword"), &[])
        .await;
    r.assert_status(403);
    assert_eq!(r.json(), v2_failure(403, "no app password in use"));
    let r = app
        .as_user("participant1")
        .post(&format!("{V2}/core/apppassword/rotate"), &[])
        .await;
    r.assert_status(403);
    assert_eq!(r.json(), v2_failure(403, "no app password in use"));
    assert_eq!(stored_app_passwords(app, "participant1").await, 1);
}

async fn rotating_the_app_password_in_use(app: &TestApp) {
    app.create_user("participant1").await;
    let old = new_app_password(app, "participant1").await;
    let r = app
        .with_credentials("participant1", &old)
        .post(&format!("{V2}/core/apppassword/rotate"), &[])
        .await;
    r.assert_status(200);
    let new = r.data()["apppassword"].as_str().unwrap().to_owned();
    assert_eq!(new.len(), 72);
    assert_ne!(new, old);
    app.with_credentials("participant1", &old)
        .get(&format!("{V2}/cloud/user"))
        .await
        .assert_status(401);
    app.with_credentials("participant1", &new)
        .get(&format!("{V2}/cloud/user"))
        .await
        .assert_status(200);
    assert_eq!(stored_app_passwords(app, "participant1").await, 1);
}

async fn app_password_belongs_to_its_login_name(app: &TestApp) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let password = new_app_password(app, "participant1").await;
    let r = app
        .with_credentials("participant2", &password)
        .get(&format!("{V2}/cloud/user"))
        .await;
    r.assert_status(401);
    let r = app
        .with_credentials("Participant1", &password)
        .get(&format!("{V2}/cloud/user"))
        .await;
    r.assert_status(401);
    // A 72-character password that is no app password is checked as an account password.
    let r = app
        .with_credentials("participant1", &"x".repeat(72))
        .get(&format!("{V2}/cloud/user"))
        .await;
    r.assert_status(401);
    assert_eq!(stored_app_passwords(app, "participant1").await, 1);
}

async fn disabled_and_deleted_accounts_lose_their_app_passwords(app: &TestApp) {
    app.create_user("participant1").await;
    let password = new_app_password(app, "participant1").await;
    let me = app.with_credentials("participant1", &password);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(200);
    let admin = app.as_user("admin");
    admin
        .put(&format!("{V2}/cloud/users/participant1/disable"), &[])
        .await
        .assert_status(200);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(401);
    bearer_get(app, &password, &format!("{V2}/cloud/user"), true)
        .await
        .assert_status(401);
    admin
        .put(&format!("{V2}/cloud/users/participant1/enable"), &[])
        .await
        .assert_status(200);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(200);
    admin
        .delete(&format!("{V2}/cloud/users/participant1"), &[])
        .await
        .assert_status(200);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(401);
    assert_eq!(stored_app_passwords(app, "participant1").await, 0);
}

async fn wrong_bearer_tokens_leave_the_request_anonymous(app: &TestApp) {
    app.create_user("participant1").await;
    let password = new_app_password(app, "participant1").await;
    let wrong = format!("{}A", &password[..71]);
    let wrong = if wrong == password {
        format!("{}B", &password[..71])
    } else {
        wrong
    };
    for token in [wrong.as_str(), "short", ""] {
        let r = bearer_get(app, token, &format!("{V2}/cloud/user"), true).await;
        r.assert_status(401);
        assert_eq!(r.meta()["message"], "Current user is not logged in");
        // Public routes answer as for anybody.
        let r = bearer_get(app, token, &format!("{V2}/cloud/capabilities"), true).await;
        r.assert_status(200);
    }
    assert_eq!(stored_app_passwords(app, "participant1").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_bearer_tokens_are_throttled_like_failed_logins() {
    let app = TestApp::sqlite_with(|s| s.brute_force_protection = true).await;
    app.create_user("participant1").await;
    let guess = "A".repeat(72);
    let t = Instant::now();
    bearer_get(&app, &guess, &format!("{V2}/cloud/user"), true)
        .await
        .assert_status(401);
    let first = t.elapsed();
    let t = Instant::now();
    bearer_get(&app, &guess, &format!("{V2}/cloud/user"), true)
        .await
        .assert_status(401);
    let second = t.elapsed();
    assert!(first >= Duration::from_millis(200), "first failure held {first:?}");
    assert!(second >= Duration::from_millis(400), "second failure held {second:?}");
    // The failures count for Basic logins from the same address too.
    let caps = app.anonymous().get(&format!("{V2}/cloud/capabilities")).await;
    assert_eq!(caps.data()["capabilities"]["bruteforce"]["delay"], 400);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn revocation_on_another_instance_applies_within_a_second() {
    let Some(app) = TestApp::postgres("revocation_other_instance").await else {
        return;
    };
    app.create_user("participant1").await;
    let password = new_app_password(&app, "participant1").await;
    let second = app.second_instance().await;
    // The second instance verifies the token on its first request (no earlier contact).
    let http = reqwest::Client::new();
    let on_second = |method: reqwest::Method, path: &str| {
        http.request(method, format!("http://{}{path}", second.addr))
            .basic_auth("participant1", Some(&password))
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json")
    };
    let r = on_second(reqwest::Method::GET, &format!("{V2}/cloud/user"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Revoked through the first instance.
    let me = app.with_credentials("participant1", &password);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(200);
    me.delete(&format!("{V2}/core/apppassword"), &[])
        .await
        .assert_status(200);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(401);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let r = on_second(reqwest::Method::GET, &format!("{V2}/cloud/user"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    second.shutdown().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn disabling_and_deleting_on_another_instance_apply_within_a_second() {
    let Some(app) = TestApp::postgres("disable_other_instance").await else {
        return;
    };
    app.create_user("participant1").await;
    let password = new_app_password(&app, "participant1").await;
    let second = app.second_instance().await;
    let http = reqwest::Client::new();
    let admin_on_second = |method: reqwest::Method, path: &str| {
        http.request(method, format!("http://{}{V2}{path}", second.addr))
            .basic_auth("admin", Some("admin"))
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json")
    };
    let me = app.with_credentials("participant1", &password);
    me.get(&format!("{V2}/cloud/user")).await.assert_status(200);
    bearer_get(&app, &password, &format!("{V2}/cloud/user"), true)
        .await
        .assert_status(200);

    let r = admin_on_second(reqwest::Method::PUT, "/cloud/users/participant1/disable")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    me.get(&format!("{V2}/cloud/user")).await.assert_status(401);
    bearer_get(&app, &password, &format!("{V2}/cloud/user"), true)
        .await
        .assert_status(401);

    let r = admin_on_second(reqwest::Method::PUT, "/cloud/users/participant1/enable")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    me.get(&format!("{V2}/cloud/user")).await.assert_status(200);

    let r = admin_on_second(reqwest::Method::DELETE, "/cloud/users/participant1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    me.get(&format!("{V2}/cloud/user")).await.assert_status(401);
    bearer_get(&app, &password, &format!("{V2}/cloud/user"), true)
        .await
        .assert_status(401);
    assert_eq!(stored_app_passwords(&app, "participant1").await, 0);
    second.shutdown().await.unwrap();
    app.stop().await;
}

/// `PUT /core/apppassword/confirm` (`AppPasswordController::confirmUserPassword`): the account
/// password answers 200 with `lastLogin`; a wrong one, or an app password, 403 `[]`.
async fn confirming_the_account_password(app: &TestApp) {
    app.create_user("participant1").await;
    let me = app.as_user("participant1");
    let path = format!("{V2}/core/apppassword/confirm");
    // nextcloud_async: form body; the web client: JSON.
    let r = me.put(&path, &[("password", "123456")]).await;
    r.assert_status(200);
    assert!(r.data()["lastLogin"].as_i64().unwrap() > 1_700_000_000, "{}", r.body);
    assert_eq!(r.data().as_object().unwrap().len(), 1);
    me.json("PUT", &path, &json!({"password": "123456"}))
        .await
        .assert_status(200);
    // Android: query string.
    me.send_query("PUT", &format!("{path}?password=123456"))
        .await
        .assert_status(200);
    for wrong in ["wrong", "", "12345"] {
        let r = me.put(&path, &[("password", wrong)]).await;
        r.assert_status(403);
        assert_eq!(r.data(), json!([]), "{wrong:?}");
    }
    me.put(&path, &[]).await.assert_status(403);
    // An app password is no account password.
    let app_password = new_app_password(app, "participant1").await;
    let r = me.put(&path, &[("password", &app_password)]).await;
    r.assert_status(403);
    // Without a login: 401; OCS v1 too answers the confirmation.
    app.anonymous()
        .put(&path, &[("password", "123456")])
        .await
        .assert_status(401);
    let r = me
        .put(&format!("{V1}/core/apppassword/confirm"), &[("password", "123456")])
        .await;
    r.assert_status(200);
    assert_eq!(r.meta()["statuscode"], 100);
}

/// Wrong confirmations are counted under upstream's `sudo` action (not as failed logins), and
/// the right password clears them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_confirmations_are_throttled_under_sudo() {
    let app = TestApp::sqlite_with(|s| s.brute_force_protection = true).await;
    app.create_user("participant1").await;
    let me = app.as_user("participant1");
    let path = format!("{V2}/core/apppassword/confirm");
    let sudo_attempts = || async {
        let address = talk_breakout::auth::throttle::address_key("127.0.0.1".parse().unwrap());
        app.db()
            .run(move |conn| store::brute_force::attempts(conn, "sudo", &address, 0))
            .await
            .unwrap()
    };
    me.put(&path, &[("password", "wrong")]).await.assert_status(403);
    me.put(&path, &[("password", "wrong")]).await.assert_status(403);
    assert_eq!(sudo_attempts().await, 2);
    // Not counted as failed logins: the login delay stays 0.
    let caps = app.anonymous().get(&format!("{V2}/cloud/capabilities")).await;
    assert_eq!(caps.data()["capabilities"]["bruteforce"]["delay"], 0);
    me.put(&path, &[("password", "123456")]).await.assert_status(200);
    assert_eq!(sudo_attempts().await, 0);
    app.stop().await;
}
