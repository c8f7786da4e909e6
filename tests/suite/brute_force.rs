//! Brute-force protection: failed logins from one address slow it down, then 429; successful
//! logins are not delayed.

use crate::common::TestApp;
use std::time::{Duration, Instant};

async fn app_with_protection() -> TestApp {
    TestApp::sqlite_with(|s| s.brute_force_protection = true).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_delayed_more_each_time() {
    let app = app_with_protection().await;
    app.create_user("participant1").await;
    let path = "/ocs/v2.php/cloud/capabilities";
    let wrong = app.with_credentials("participant1", "wrong");

    // Wrong credentials are refused on every OCS path, public ones included, and count.
    let t = Instant::now();
    wrong.get(path).await.assert_status(401);
    let first = t.elapsed();
    let t = Instant::now();
    let r = wrong.get(path).await;
    r.assert_status(401);
    let second = t.elapsed();
    assert!(first >= Duration::from_millis(200), "first failure held {first:?}");
    assert!(second >= Duration::from_millis(400), "second failure held {second:?}");

    // A correct login is answered without the delay, and clears the record.
    let t = Instant::now();
    app.as_user("participant1").get(path).await.assert_status(200);
    assert!(
        t.elapsed() < Duration::from_millis(400),
        "successful login was delayed: {:?}",
        t.elapsed()
    );
    // The record is gone: the next failure starts again at the first delay.
    assert_eq!(advertised_delay(app.raw_http(), &app.url("")).await, 0);
    wrong.get(path).await.assert_status(401);
    assert_eq!(advertised_delay(app.raw_http(), &app.url("")).await, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_at_the_maximum_delay_gets_429() {
    let app = app_with_protection().await;
    app.create_user("participant1").await;
    // Eight failures in parallel reach the 25 s cap without the test waiting for it.
    let attackers: Vec<_> = (0..8)
        .map(|_| {
            let url = app.url("/ocs/v2.php/cloud/capabilities");
            let http = app.raw_http().clone();
            tokio::spawn(async move {
                let _ = http
                    .get(url)
                    .basic_auth("participant1", Some("guess"))
                    .header("OCS-APIRequest", "true")
                    .send()
                    .await;
            })
        })
        .collect();
    // Wait until all eight failures are on record; the anonymous capabilities show the delay
    // the address has earned without adding to it.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let caps = app.anonymous().get("/ocs/v2.php/cloud/capabilities").await;
        if caps.data()["capabilities"]["bruteforce"]["delay"] == 25_000 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "delay never reached the cap: {}",
            caps.data()["capabilities"]["bruteforce"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let r = app
        .with_credentials("participant1", "another guess")
        .get("/ocs/v2.php/cloud/capabilities")
        .await;
    r.assert_status(429);
    assert_eq!(
        r.body,
        "<?xml version=\"1.0\"?>\n<ocs>\n <meta>\n  <status>failure</status>\n  <statuscode>429</statuscode>\n  <message>Reached maximum delay</message>\n </meta>\n <data/>\n</ocs>\n"
    );
    // Even correct credentials are not examined at the maximum delay.
    app.as_user("participant1")
        .get("/ocs/v2.php/cloud/capabilities")
        .await
        .assert_status(429);
    for a in attackers {
        a.abort();
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::sqlite_with(|s| s.header_read_timeout = Duration::from_secs(1)).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    // Half a request line, then nothing: the server must not wait for ever.
    stream
        .write_all(b"GET /status.php HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "connection still open after 10 s");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "held for {:?}",
        started.elapsed()
    );
    // A complete request on a new connection is still served.
    app.anonymous().get("/status.php").await.assert_status(200);
    app.stop().await;
}

/// Runs `$name(app)` on SQLite and PostgreSQL with brute-force protection on.
macro_rules! protected_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = crate::common::TestApp::sqlite_with(|s| s.brute_force_protection = true).await;
                    super::$name(&app).await;
                    app.stop().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(
                    not(talk_test_postgres),
                    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
                )]
                async fn postgres() {
                    let Some(app) = crate::common::TestApp::postgres_with(stringify!($name), |s| {
                        s.brute_force_protection = true
                    })
                    .await
                    else {
                        return;
                    };
                    super::$name(&app).await;
                    app.stop().await;
                }
            }
        )+
    };
}

const CAPABILITIES: &str = "/ocs/v2.php/cloud/capabilities";

/// The login record of the test client's address, as stored.
async fn login_record(app: &TestApp) -> i32 {
    app.db()
        .run(|conn| talk_breakout::db::store::brute_force::attempts(conn, "login", "127.0.0.1", 0))
        .await
        .expect("record read")
}

/// `bruteforce.delay` of the anonymous capabilities served at `base` (reading it adds nothing).
async fn advertised_delay(http: &reqwest::Client, base: &str) -> serde_json::Value {
    let body: serde_json::Value = http
        .get(format!("{base}{CAPABILITIES}?format=json"))
        .header("OCS-APIRequest", "true")
        .send()
        .await
        .expect("capabilities")
        .json()
        .await
        .expect("JSON");
    body["ocs"]["data"]["capabilities"]["bruteforce"]["delay"].clone()
}

/// Two instances on one database share the record: failures on one slow down and finally stop
/// the address on the other, and a success on either clears it. Successful requests write
/// nothing.
async fn brute_force_record_is_shared_by_instances(app: &TestApp) {
    app.create_user("participant1").await;
    let mut settings = talk_breakout::config::Settings::for_tests(app.database.clone());
    settings.brute_force_protection = true;
    let other = talk_breakout::server::start(settings).await.expect("second instance");
    let http = app.raw_http().clone();
    let base_a = app.url("");
    let base_b = format!("http://{}", other.addr);
    let login = |base: &str, password: &str| {
        http.get(format!("{base}{CAPABILITIES}?format=json"))
            .basic_auth("participant1", Some(password))
            .header("OCS-APIRequest", "true")
            .send()
    };

    // Successes on both instances leave no record.
    for base in [&base_a, &base_b, &base_a, &base_b] {
        assert_eq!(login(base, "123456").await.unwrap().status(), 200);
    }
    assert_eq!(login_record(app).await, 0);
    let rows = app
        .db()
        .run(|conn| talk_breakout::db::store::brute_force::purge(conn, i64::MAX))
        .await
        .unwrap();
    assert_eq!(rows, 0, "a successful login wrote a brute-force record");

    // A failure on B is seen by A, and a success on A clears it for B.
    assert_eq!(login(&base_b, "wrong").await.unwrap().status(), 401);
    assert_eq!(login_record(app).await, 1);
    assert_eq!(advertised_delay(&http, &base_a).await, 200);
    // Credentials A has not verified yet: it reads the record with the account, and clears it.
    app.create_user("participant2").await;
    let r = http
        .get(format!("{base_a}{CAPABILITIES}"))
        .basic_auth("participant2", Some("123456"))
        .header("OCS-APIRequest", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(login_record(app).await, 0);
    assert_eq!(advertised_delay(&http, &base_b).await, 0);

    // Eight failures on A in parallel bring the address to the cap on B as well.
    let attackers: Vec<_> = (0..8)
        .map(|i| {
            let request = http
                .get(format!("{base_a}{CAPABILITIES}"))
                .basic_auth("participant1", Some(format!("guess {i}")))
                .header("OCS-APIRequest", "true");
            tokio::spawn(async move {
                let _ = request.send().await;
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while advertised_delay(&http, &base_b).await != 25_000 {
        assert!(Instant::now() < deadline, "B never saw the cap");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(login_record(app).await, 8);
    // B has never verified participant2's credentials (B's own cache could still hold
    // participant1's from the start of this test): at the cap they are not even examined.
    let r = http
        .get(format!("{base_b}{CAPABILITIES}?format=json"))
        .basic_auth("participant2", Some("123456"))
        .header("OCS-APIRequest", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"ocs":{"meta":{"status":"failure","statuscode":429,"message":"Reached maximum delay"},"data":[]}}"#
    );
    assert_eq!(login_record(app).await, 8, "a refused attempt changed the record");
    for a in attackers {
        a.abort();
    }
    other.shutdown().await.expect("second instance stops");
}

/// A disabled account with its right password is refused like a wrong password, but it is not
/// a guess: the address's record does not grow. With a wrong password it is.
async fn disabled_account_is_refused_without_counting(app: &TestApp) {
    app.create_user("participant1").await;
    app.as_user("admin")
        .put("/ocs/v2.php/cloud/users/participant1/disable", &[])
        .await
        .assert_status(200);
    let r = app
        .with_credentials("participant1", "123456")
        .get("/ocs/v2.php/cloud/capabilities?format=json")
        .await;
    r.assert_status(401);
    assert_eq!(
        r.body,
        r#"{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Unauthorised"},"data":[]}}"#
    );
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some("Basic realm=\"Authorisation Required\"")
    );
    assert_eq!(login_record(app).await, 0);
    assert_eq!(advertised_delay(app.raw_http(), &app.url("")).await, 0);

    let r = app
        .with_credentials("participant1", "wrong")
        .get("/ocs/v2.php/cloud/capabilities?format=json")
        .await;
    r.assert_status(401);
    assert_eq!(login_record(app).await, 1);

    // Enabled again, the right password works (and clears the record).
    app.as_user("admin")
        .put("/ocs/v2.php/cloud/users/participant1/enable", &[])
        .await
        .assert_status(200);
    app.as_user("participant1").get(CAPABILITIES).await.assert_status(200);
    assert_eq!(login_record(app).await, 0);
}

protected_backends!(
    brute_force_record_is_shared_by_instances,
    disabled_account_is_refused_without_counting,
    concurrent_first_logins_are_each_answered
);

/// Requests sent at once with credentials not yet proven share one password verification: each
/// is answered on its own, the right password lets every one in, and every wrong one still
/// counts against the address.
async fn concurrent_first_logins_are_each_answered(app: &TestApp) {
    app.create_user("participant1").await;
    let path = "/ocs/v2.php/cloud/capabilities?format=json";
    let right = app.with_credentials("participant1", "123456");
    let answers = futures_util::future::join_all((0..8).map(|_| right.get(path))).await;
    assert_eq!(answers.iter().map(|r| r.status).collect::<Vec<_>>(), [200; 8]);
    assert_eq!(login_record(app).await, 0);

    let wrong = app.with_credentials("participant1", "not-the-password");
    let answers = futures_util::future::join_all((0..4).map(|_| wrong.get(path))).await;
    assert_eq!(answers.iter().map(|r| r.status).collect::<Vec<_>>(), [401; 4]);
    assert_eq!(login_record(app).await, 4, "each refused request is one failure");
}
