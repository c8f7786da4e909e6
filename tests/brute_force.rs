//! Brute-force protection: failed logins from one address slow it down, then 429; successful
//! logins are not delayed.

mod common;

use common::TestApp;
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
    let t = Instant::now();
    wrong.get(path).await.assert_status(401);
    let after_reset = t.elapsed();
    assert!(
        after_reset < Duration::from_millis(400),
        "record was not cleared: {after_reset:?}"
    );
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
