//! Webhooks (horn.md §6): the admin's configuration through the app config (endpoints checked,
//! secret never shown), one signed POST per event and endpoint from whichever face or job made
//! the change, retries with backoff on the manual clock, nothing queued without a secret, the
//! outbox surviving a SIGKILL, and one delivery per event with two instances.
//! A tiny receiver (axum on an ephemeral port) records what it gets.

use crate::common::{manual_clock, Resp, TestApp};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use talk_breakout::db::store;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";
const API: &str = "/api/v1_0";
const CONFIG: &str = "/ocs/v2.php/apps/provisioning_api/api/v1/config/apps";
const SECRET: &str = "It's a secret to everybody";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    signature: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// An endpoint that records every POST and answers 500 while `failures` is above zero (each
/// answer takes one off), then 200.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    failures: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start() -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(AtomicUsize::new(0));
        let router = {
            let (got, failures) = (got.clone(), failures.clone());
            axum::Router::new().route(
                "/hook",
                axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let (got, failures) = (got.clone(), failures.clone());
                    async move {
                        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                        got.lock().unwrap().push(Received {
                            signature: header("x-horn-signature"),
                            content_type: header("content-type"),
                            body: body.to_vec(),
                        });
                        let failing = failures
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                            .is_ok();
                        if failing {
                            axum::http::StatusCode::INTERNAL_SERVER_ERROR
                        } else {
                            axum::http::StatusCode::OK
                        }
                    }
                }),
            )
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Receiver { url, got, failures }
    }

    fn fail_next(&self, n: usize) {
        self.failures.store(n, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (real time, at most `within`) until `n` requests arrived; returns them.
    async fn until(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "expected {n} webhook requests, got {got:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The event bodies received, after checking that each is signed with `SECRET` over its
    /// raw bytes and sent as JSON.
    async fn events(&self, n: usize) -> Vec<Value> {
        self.until(n, Duration::from_secs(10)).await;
        // Nothing more than expected arrives while the runner looks again.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let got = self.received();
        assert_eq!(got.len(), n, "{got:?}");
        got.iter().map(verified).collect()
    }
}

/// The body of a request whose signature and content type are right.
#[track_caller]
fn verified(r: &Received) -> Value {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&r.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(r.signature.as_deref(), Some(expected.as_str()), "{r:?}");
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    r.json()
}

async fn set_config(app: &TestApp, key: &str, value: &str) -> Resp {
    app.as_user("admin")
        .post(&format!("{CONFIG}/spreed/{key}"), &[("value", value)])
        .await
}

async fn get_config(app: &TestApp, key: &str) -> Value {
    let r = app.as_user("admin").get(&format!("{CONFIG}/spreed/{key}")).await;
    r.assert_status(200);
    r.data()["data"].clone()
}

/// Webhooks to `receiver`, signed with [`SECRET`].
async fn configure_webhooks(app: &TestApp, receiver: &Receiver) {
    set_config(app, "breakout_webhook_urls", &json!([receiver.url]).to_string())
        .await
        .assert_status(200);
    set_config(app, "breakout_webhook_secret", SECRET)
        .await
        .assert_status(200);
}

/// Outbox rows and webhook jobs in the database.
async fn queued(app: &TestApp) -> (usize, usize) {
    app.db()
        .read(|conn| -> Result<_, talk_breakout::db::DbError> {
            let rows = store::webhooks::all(conn)?;
            let mut jobs = 0;
            for row in &rows {
                jobs += usize::from(store::jobs::find(conn, "webhook_delivery", &row.id.to_string())?.is_some());
            }
            Ok((rows.len(), jobs))
        })
        .await
        .unwrap()
}

/// Waits until the runner has recorded `n` failed attempts of the first event's delivery.
async fn failures_recorded(app: &TestApp, n: i32) {
    crate::common::eventually("the failure recorded", || async {
        let job = app
            .db()
            .read(|conn| store::jobs::find(conn, "webhook_delivery", "1"))
            .await
            .unwrap();
        job.filter(|j| j.attempts == n).map(|_| ())
    })
    .await;
}

/// participant1 owns a group conversation with participant2 and participant3.
async fn class(app: &TestApp) -> String {
    app.class_with_students("participant1", "class room", &["participant2", "participant3"])
        .await
}

/// [`class`] with one breakout room configured (automatic mode) by participant1, not started.
async fn class_with_one_room(app: &TestApp) -> String {
    let token = class(app).await;
    app.as_user("participant1")
        .post(
            &format!("{V1}/breakout-rooms/{token}"),
            &[("mode", "1"), ("amount", "1")],
        )
        .await
        .assert_status(200);
    token
}

async fn horn(app: &TestApp, method: &str, path: &str, body: Value) -> Value {
    let r = app
        .as_user("participant1")
        .raw(
            method,
            &format!("{API}{path}"),
            "application/json",
            serde_json::to_vec(&body).unwrap(),
        )
        .await;
    r.assert_status(200);
    r.json()
}

/// The Horn face's sessions of the conversation, newest first as listed.
async fn horn_sessions(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app
        .as_user("participant1")
        .get(&format!("{API}/channels/{token}/breakout/sessions"))
        .await;
    r.assert_status(200);
    r.json().as_array().unwrap().clone()
}

/// The Horn room id of Talk breakout room `talk_token` in session `session`.
async fn horn_room_id(app: &TestApp, token: &str, session: &str, talk_token: &str) -> String {
    let r = app
        .as_user("participant1")
        .get(&format!("{API}/channels/{token}/breakout/sessions/{session}/rooms"))
        .await;
    r.assert_status(200);
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .find(|room| room["channelUuid"] == talk_token)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The event's fields but `id`, after checking the envelope every event has.
#[track_caller]
fn fields(event: &Value, token: &str, time: i64) -> Value {
    assert_eq!(event["version"], 1, "{event}");
    assert!(uuid::Uuid::parse_str(event["id"].as_str().unwrap()).is_ok(), "{event}");
    assert_eq!(
        (event["channel"].as_str(), event["time"].as_i64()),
        (Some(token), Some(time)),
        "{event}"
    );
    let mut rest = event.clone();
    for key in ["version", "id", "channel", "time"] {
        rest.as_object_mut().unwrap().remove(key);
    }
    rest
}

// --- configuration --------------------------------------------------------------------------

async fn the_configuration_is_checked_and_the_secret_never_shown(app: &TestApp) {
    let urls = r#"["http://127.0.0.1:9/hook","https://hooks.example/x"]"#;
    set_config(app, "breakout_webhook_urls", urls).await.assert_status(200);
    for bad in [
        "http://127.0.0.1:9/hook",
        r#"["ftp://127.0.0.1/hook"]"#,
        r#"["file:///etc/passwd"]"#,
        r#"["127.0.0.1/hook"]"#,
        r#"{"url":"http://127.0.0.1/hook"}"#,
        r#"[42]"#,
        "",
    ] {
        let r = set_config(app, "breakout_webhook_urls", bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(r.meta()["statuscode"], 400);
        assert_eq!(
            r.data()["data"]["message"],
            "The value must be a JSON list of http(s) URLs"
        );
        // Nothing stored: the earlier value stays.
        assert_eq!(get_config(app, "breakout_webhook_urls").await, urls);
    }

    set_config(app, "breakout_webhook_secret", SECRET)
        .await
        .assert_status(200);
    assert_eq!(get_config(app, "breakout_webhook_secret").await, "********");
    let r = app.as_user("admin").get(&format!("{CONFIG}/spreed")).await;
    r.assert_status(200);
    assert_eq!(
        r.data()["data"],
        json!(["breakout_webhook_secret", "breakout_webhook_urls"])
    );
    for path in [
        CONFIG.to_owned(),
        format!("{CONFIG}/spreed"),
        format!("{CONFIG}/spreed/breakout_webhook_secret"),
    ] {
        let r = app.as_user("admin").get(&path).await;
        assert!(!r.body.contains(SECRET), "{path}: {}", r.body);
    }
    // A reset forgets it: the default shows again.
    app.as_user("admin")
        .delete(&format!("{CONFIG}/spreed/breakout_webhook_secret"), &[])
        .await
        .assert_status(200);
    assert_eq!(get_config(app, "breakout_webhook_secret").await, "");
}

async fn nothing_is_queued_without_a_secret(app: &TestApp) {
    let receiver = Receiver::start().await;
    set_config(app, "breakout_webhook_urls", &json!([receiver.url]).to_string())
        .await
        .assert_status(200);
    let token = class_with_one_room(app).await;
    let p1 = app.as_user("participant1");
    p1.post(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    p1.delete(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    assert_eq!(queued(app).await, (0, 0));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.received().is_empty());
}

both_backends!(
    the_configuration_is_checked_and_the_secret_never_shown,
    nothing_is_queued_without_a_secret
);

// --- events ---------------------------------------------------------------------------------

async fn talk_changes_are_reported(app: &TestApp) {
    let receiver = Receiver::start().await;
    configure_webhooks(app, &receiver).await;
    let token = class_with_one_room(app).await;
    let p1 = app.as_user("participant1");
    assert_eq!(queued(app).await, (0, 0), "configuring is no event");

    // `time` is epoch ms on every face: a clock between two whole seconds shows it.
    let clock = app.clock();
    clock.set_ms(clock.now_ms() - clock.now_ms().rem_euclid(1000) + 345);
    let t0 = clock.now_ms();
    p1.post(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    let session = horn_sessions(app, &token).await[0]["id"].as_str().unwrap().to_owned();
    let events = receiver.events(1).await;
    assert_eq!(
        fields(&events[0], &token, t0),
        json!({"type": "breakout.session.started", "session": session})
    );

    // Assistance: asked for (twice: one event), then withdrawn.
    app.clock().advance(Duration::from_millis(5_101));
    let t1 = app.clock().now_ms();
    assert_ne!(t1 % 1000, 0);
    let r = app.as_user("participant2").get(&format!("{V4}/room")).await;
    let room = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Room 1")
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let assistance = format!("{V1}/breakout-rooms/{room}/request-assistance");
    let p2 = app.as_user("participant2");
    p2.post(&assistance, &[]).await.assert_status(200);
    p2.post(&assistance, &[]).await.assert_status(200);
    let events = receiver.events(2).await;
    let room_id = horn_room_id(app, &token, &session, &room).await;
    assert_eq!(
        fields(&events[1], &token, t1),
        json!({"type": "breakout.assistance.requested", "session": session, "room": room_id})
    );
    p2.delete(&assistance, &[]).await.assert_status(200);
    p2.delete(&assistance, &[]).await.assert_status(200);
    let events = receiver.events(3).await;
    assert_eq!(
        fields(&events[2], &token, t1),
        json!({"type": "breakout.assistance.reset", "session": session, "room": room_id})
    );

    // Stopped by Talk's stop.
    app.clock().advance(Duration::from_millis(5_007));
    let t2 = app.clock().now_ms();
    p1.delete(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    let events = receiver.events(4).await;
    assert_eq!(
        fields(&events[3], &token, t2),
        json!({"type": "breakout.session.completed", "session": session, "reason": "stopped"})
    );

    // Started again (a new session on the same rooms), then removed while running.
    app.clock().advance(Duration::from_millis(1_234));
    let t3 = app.clock().now_ms();
    p1.post(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    let again = horn_sessions(app, &token).await;
    let again = again.iter().find(|s| s["isActive"] == true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(again, session);
    p1.delete(&format!("{V1}/breakout-rooms/{token}"), &[])
        .await
        .assert_status(200);
    let events = receiver.events(6).await;
    // Events of one instant may arrive in either order (receivers order by `time`).
    let last_two: Vec<(&str, &str, Option<&str>)> = {
        let mut v: Vec<_> = events[4..]
            .iter()
            .map(|e| {
                (
                    e["type"].as_str().unwrap(),
                    e["session"].as_str().unwrap(),
                    e["reason"].as_str(),
                )
            })
            .collect();
        v.sort_unstable();
        v
    };
    for e in &events[4..] {
        assert_eq!(e["time"].as_i64(), Some(t3), "{e}");
    }
    assert_eq!(
        last_two,
        [
            ("breakout.session.completed", again.as_str(), Some("removed")),
            ("breakout.session.started", again.as_str(), None)
        ]
    );
    // Every event has its own id; delivered events leave nothing behind.
    let mut ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    assert_eq!(queued(app).await, (0, 0));
}

async fn horn_changes_and_deadlines_are_reported(app: &TestApp) {
    let receiver = Receiver::start().await;
    configure_webhooks(app, &receiver).await;
    let token = class(app).await;
    let sessions = format!("/channels/{token}/breakout/sessions");
    let plan = |duration: i64| {
        let (sessions, token) = (sessions.clone(), token.clone());
        async move {
            let id = app
                .horn_session("participant1", &token, &json!({ "duration": duration }))
                .await;
            horn(app, "POST", &format!("{sessions}/{id}/rooms"), json!({"name": "A"})).await;
            id
        }
    };
    let first = plan(0).await;
    let t0 = app.clock().now_ms();
    horn(
        app,
        "POST",
        &format!("/channels/{token}/breakout/session/start"),
        json!({"id": first}),
    )
    .await;
    // Deliveries due together may overtake each other: each event arrives before the next change.
    receiver.until(1, Duration::from_secs(10)).await;
    app.clock().advance(Duration::from_millis(1500));
    let t1 = app.clock().now_ms();
    horn(
        app,
        "POST",
        &format!("/channels/{token}/breakout/session/stop"),
        json!({}),
    )
    .await;
    let events = receiver.events(2).await;
    assert_eq!(
        fields(&events[0], &token, t0),
        json!({"type": "breakout.session.started", "session": first})
    );
    assert_eq!(
        fields(&events[1], &token, t1),
        json!({"type": "breakout.session.completed", "session": first, "reason": "stopped"})
    );

    // The deadline job ends the next one: `time` is the deadline.
    let second = plan(60_000).await;
    horn(
        app,
        "POST",
        &format!("/channels/{token}/breakout/session/start"),
        json!({"id": second}),
    )
    .await;
    receiver.until(3, Duration::from_secs(10)).await;
    let deadline = app.clock().now_ms() + 60_000;
    app.clock().advance(Duration::from_secs(60));
    let events = receiver.events(4).await;
    assert_eq!(events[2]["type"], "breakout.session.started");
    assert_eq!(
        fields(&events[3], &token, deadline),
        json!({"type": "breakout.session.completed", "session": second, "reason": "expired"})
    );
}

/// The receiver fails twice: the event comes again after 1 s, then 2 s of (manual) time, with
/// the same id and body, and is then delivered once.
async fn failed_deliveries_are_retried_with_backoff(app: &TestApp) {
    let receiver = Receiver::start().await;
    configure_webhooks(app, &receiver).await;
    receiver.fail_next(2);
    let token = class_with_one_room(app).await;
    app.as_user("participant1")
        .post(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    receiver.until(1, Duration::from_secs(5)).await;
    // The backoff counts from when the runner records the failure, which may come a moment after
    // the receiver answered: wait for it before moving the clock.
    failures_recorded(app, 1).await;
    // Not again before the backoff has passed.
    app.clock().advance(Duration::from_millis(999));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.received().len(), 1);
    app.clock().advance(Duration::from_millis(1));
    receiver.until(2, Duration::from_secs(5)).await;
    failures_recorded(app, 2).await;
    app.clock().advance(Duration::from_millis(1999));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.received().len(), 2);
    app.clock().advance(Duration::from_millis(1));
    let got = receiver.until(3, Duration::from_secs(5)).await;
    let events: Vec<Value> = got.iter().map(verified).collect();
    assert!(events.iter().all(|e| *e == events[0]), "{events:?}");
    assert_eq!(receiver.events(3).await.len(), 3);
    assert_eq!(queued(app).await, (0, 0));
}

/// A receiver that always fails gets 10 attempts, at most 10 minutes apart; then the event is
/// dropped.
async fn an_event_is_dropped_after_ten_attempts(app: &TestApp) {
    let receiver = Receiver::start().await;
    configure_webhooks(app, &receiver).await;
    receiver.fail_next(usize::MAX);
    let token = class_with_one_room(app).await;
    app.as_user("participant1")
        .post(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
        .await
        .assert_status(200);
    for attempt in 1..=10 {
        receiver.until(attempt, Duration::from_secs(5)).await;
        if attempt < 10 {
            // Wait for the failure to be recorded, then jump past the longest backoff.
            failures_recorded(app, attempt as i32).await;
            app.clock().advance(Duration::from_secs(600));
        }
    }
    crate::common::eventually("the event dropped", || async {
        (queued(app).await == (0, 0)).then_some(())
    })
    .await;
    app.clock().advance(Duration::from_secs(3600));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.received().len(), 10);
}

both_backends_with!(
    manual_clock;
    talk_changes_are_reported,
    horn_changes_and_deadlines_are_reported,
    failed_deliveries_are_retried_with_backoff,
    an_event_is_dropped_after_ten_attempts
);

/// Two instances on one PostgreSQL database deliver each of 10 events exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn two_instances_deliver_each_event_once() {
    let Some(app) = TestApp::postgres_with("webhooks_instances", manual_clock).await else {
        return;
    };
    let other = app.second_instance().await;
    let receiver = Receiver::start().await;
    configure_webhooks(&app, &receiver).await;
    let token = class_with_one_room(&app).await;
    let p1 = app.as_user("participant1");
    for _ in 0..5 {
        p1.post(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
            .await
            .assert_status(200);
        p1.delete(&format!("{V1}/breakout-rooms/{token}/rooms"), &[])
            .await
            .assert_status(200);
    }
    let events = receiver.events(10).await;
    let mut ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 10);
    assert_eq!(queued(&app).await, (0, 0));
    other.shutdown().await.unwrap();
    app.stop().await;
}

// --- crash ----------------------------------------------------------------------------------

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_binary(db: &str, port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_talk-breakout"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database", db])
        .args(["--admin-user", "admin", "--admin-password", "admin"])
        .args(["--brute-force-protection", "false"])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("binary starts")
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http
        .get(format!("{base}/status.php"))
        .send()
        .await
        .is_ok_and(|r| r.status() == 200)
    {
        assert!(Instant::now() < deadline, "server did not become ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The real binary is killed with SIGKILL right after a change whose event could not be
/// delivered yet (the receiver fails); after a restart the event arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_survives_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("hooks.sqlite").display());
    let http = reqwest::Client::new();
    let receiver = Receiver::start().await;
    receiver.fail_next(usize::MAX);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start_binary(&db, port);
    wait_ready(&http, &base).await;
    let send = |method: reqwest::Method, path: &str, form: &[(&str, &str)]| {
        http.request(method, format!("{base}{path}"))
            .basic_auth("admin", Some("admin"))
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json")
            .form(form)
            .send()
    };
    let urls = json!([receiver.url]).to_string();
    for (key, value) in [
        ("breakout_webhook_urls", urls.as_str()),
        ("breakout_webhook_secret", SECRET),
    ] {
        let r = send(
            reqwest::Method::POST,
            &format!("{CONFIG}/spreed/{key}"),
            &[("value", value)],
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = send(
        reqwest::Method::POST,
        &format!("{V4}/room"),
        &[("roomType", "2"), ("roomName", "crash")],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let token = r.json::<Value>().await.unwrap()["ocs"]["data"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send(
        reqwest::Method::POST,
        &format!("{V1}/breakout-rooms/{token}"),
        &[("mode", "1"), ("amount", "1")],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let r = send(
        reqwest::Method::POST,
        &format!("{V1}/breakout-rooms/{token}/rooms"),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    // Killed once the first attempt failed and was recorded (a kill during an attempt would
    // leave the claim to run out first, a minute later).
    receiver.until(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let attempts_before = receiver.received().len();

    receiver.fail_next(0);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start_binary(&db, port);
    wait_ready(&http, &base).await;
    // The first retry is due at most 1 s after a failed attempt.
    let got = receiver.until(attempts_before + 1, Duration::from_secs(20)).await;
    let event = verified(got.last().unwrap());
    assert_eq!(
        (event["type"].as_str(), event["channel"].as_str()),
        (Some("breakout.session.started"), Some(token.as_str()))
    );
    // Delivered once: nothing more comes.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.received().len(), attempts_before + 1);
    child.kill().unwrap();
    child.wait().unwrap();
}
