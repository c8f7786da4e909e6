//! Test support: the real server on an ephemeral port, a fresh database per test (SQLite file in
//! a temporary directory, or a new PostgreSQL database when `TALK_TEST_POSTGRES_URL` is set),
//! and HTTP clients that behave like upstream's Behat harness.
#![allow(dead_code)]

pub mod browser;
pub mod openapi;

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use std::net::SocketAddr;
use talk_breakout::config::Settings;
use talk_breakout::db::models::{Group, User};
use talk_breakout::db::{store, DatabaseUrl, DbError};
use talk_breakout::server::RunningServer;

/// Environment variable naming a PostgreSQL server for the PostgreSQL half of the suite.
pub const POSTGRES_ENV: &str = "TALK_TEST_POSTGRES_URL";

/// Base paths of the Talk conversation API (v4) and chat API (v1), and of the Horn face.
pub const TALK_V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
pub const TALK_V1: &str = "/ocs/v2.php/apps/spreed/api/v1";
pub const HORN_API: &str = "/api/v1_0";

/// The message with `id` in a chat read by [`TestApp::chat`].
pub fn find_message(chat: &[Value], id: i64) -> &Value {
    chat.iter().find(|m| m["id"] == id).expect("message in chat")
}

/// A child process (the built server, chromedriver) killed and reaped when dropped, so a test
/// that fails half-way leaves nothing running.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every test user has this password, as in upstream's harness.
pub const USER_PASSWORD: &str = "123456";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub server: Option<RunningServer>,
    pub backend: Backend,
    /// The database this server uses, so a second instance can share it.
    pub database: DatabaseUrl,
    /// The clock the server reads (kept here so a stopped server can be started again on it).
    clock: talk_breakout::clock::Clock,
    http: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
    pg_cleanup: Option<(String, String)>,
}

/// Runs `$name(app)` once on SQLite and once on PostgreSQL (`<name>_sqlite`, `<name>_postgres`).
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            paste_test!($name);
        )+
    };
}

/// Helper of [`both_backends!`]: one module per scenario, holding both backend tests.
#[macro_export]
macro_rules! paste_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::common::TestApp::sqlite().await;
                super::$name(&app).await;
                app.stop().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(talk_test_postgres),
                ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
            )]
            async fn postgres() {
                let Some(app) = $crate::common::TestApp::postgres(stringify!($name)).await else {
                    return;
                };
                super::$name(&app).await;
                app.stop().await;
            }
        }
    };
}

/// Like [`both_backends!`], with the settings adjusted by `$adjust` (a `fn(&mut Settings)` in
/// scope),
/// e.g. a manual clock: `both_backends_with!(manual_clock; scenario_a, scenario_b)`.
#[macro_export]
macro_rules! both_backends_with {
    ($adjust:ident; $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::common::TestApp::sqlite_with(super::$adjust).await;
                    super::$name(&app).await;
                    app.stop().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(
                    not(talk_test_postgres),
                    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
                )]
                async fn postgres() {
                    let Some(app) = $crate::common::TestApp::postgres_with(stringify!($name), super::$adjust).await else {
                        return;
                    };
                    super::$name(&app).await;
                    app.stop().await;
                }
            }
        )+
    };
}

/// Settings adjustment: a manual clock at the current time, which the test moves.
/// Asserts a Horn refusal: `status`, and exactly Horn's `{message, error}` body with `code` and a
/// non-empty message.
#[track_caller]
pub fn horn_refused(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "body: {}", r.body);
    let body = r.json();
    assert_eq!(body["error"], code, "body: {}", r.body);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
    assert_eq!(body.as_object().unwrap().len(), 2, "{}", r.body);
}

pub fn manual_clock(settings: &mut Settings) {
    settings.clock = talk_breakout::clock::Clock::manual_now();
}

/// Polls `check` (every 20 ms, at most 5 s) until it returns `Some`; panics with `what` if it
/// never does. For effects of background jobs, which run right after the clock moves.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..250 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::sqlite_with(|_| {}).await
    }

    pub async fn sqlite_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("test.sqlite");
        let mut settings = Settings::for_tests(DatabaseUrl::Sqlite(path.to_string_lossy().into_owned()));
        adjust(&mut settings);
        let mut app = Self::start(settings, Backend::Sqlite).await;
        app._dir = Some(dir);
        app
    }

    /// A server on a brand-new PostgreSQL database, or `None` (with a clear message) when no
    /// PostgreSQL URL is configured.
    pub async fn postgres(test_name: &str) -> Option<TestApp> {
        Self::postgres_with(test_name, |_| {}).await
    }

    pub async fn postgres_with(test_name: &str, adjust: impl FnOnce(&mut Settings)) -> Option<TestApp> {
        let (admin_url, db_url, db_name) = fresh_postgres_database(test_name)?;
        let mut settings = Settings::for_tests(DatabaseUrl::Postgres(db_url));
        adjust(&mut settings);
        let mut app = Self::start(settings, Backend::Postgres).await;
        app.pg_cleanup = Some((admin_url, db_name));
        Some(app)
    }

    pub async fn start(settings: Settings, backend: Backend) -> TestApp {
        let database = settings.database.clone();
        let clock = settings.clock.clone();
        let server = talk_breakout::server::start(settings).await.expect("server starts");
        TestApp {
            addr: server.addr,
            server: Some(server),
            backend,
            database,
            clock,
            http: reqwest::Client::new(),
            _dir: None,
            pg_cleanup: None,
        }
    }

    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
        if let Some((admin_url, db_name)) = self.pg_cleanup.take() {
            tokio::task::spawn_blocking(move || {
                if let Ok(mut conn) = PgConnection::establish(&admin_url) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")).execute(&mut conn);
                }
            })
            .await
            .ok();
        }
    }

    /// Another server process-equivalent on the same database (several instances behind one
    /// load balancer).
    /// It shares this server's clock.
    pub async fn second_instance(&self) -> RunningServer {
        let mut settings = Settings::for_tests(self.database.clone());
        settings.clock = self.clock();
        talk_breakout::server::start(settings)
            .await
            .expect("second instance starts")
    }

    /// The clock this server reads (a manual one when the test injected it).
    pub fn clock(&self) -> talk_breakout::clock::Clock {
        self.clock.clone()
    }

    /// Stops this server (if it runs), runs `while_down` (e.g. moves the clock), and starts a
    /// new one on the same database and clock (a restart).
    pub async fn restart(&mut self, while_down: impl FnOnce(&talk_breakout::clock::Clock)) {
        let clock = self.clock();
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
        while_down(&clock);
        let mut settings = Settings::for_tests(self.database.clone());
        settings.clock = clock;
        let server = talk_breakout::server::start(settings).await.expect("server restarts");
        self.addr = server.addr;
        self.server = Some(server);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn db(&self) -> &talk_breakout::db::Db {
        &self.server.as_ref().expect("running").state.db
    }

    /// Creates a user directly in the database (display name `<id>-displayname`, password
    /// `123456`), as upstream's harness does through the provisioning API.
    pub async fn create_user(&self, user_id: &str) {
        self.create_user_named(user_id, &format!("{user_id}-displayname")).await;
    }

    pub async fn create_user_named(&self, user_id: &str, display_name: &str) {
        let hash = test_password_hash();
        let user = User {
            user_id: user_id.into(),
            display_name: display_name.to_owned(),
            password_hash: hash,
            email: None,
            enabled: true,
            created_at: 0,
            last_login: 0,
        };
        self.db()
            .run(move |conn| store::users::insert(conn, &user))
            .await
            .expect("user inserted");
    }

    pub async fn create_group(&self, group_id: &str, members: &[&str]) {
        let group_id = group_id.to_owned();
        let members: Vec<String> = members.iter().map(|m| (*m).to_owned()).collect();
        self.db()
            .run(move |conn| -> Result<(), DbError> {
                if store::groups::find(conn, &group_id)?.is_none() {
                    store::groups::insert(
                        conn,
                        &Group {
                            group_id: group_id.clone(),
                            display_name: group_id.clone(),
                        },
                    )?;
                }
                for m in &members {
                    store::groups::add_member(conn, &group_id, m)?;
                }
                Ok(())
            })
            .await
            .expect("group created");
    }

    /// A group conversation `name` of `owner` with `members` added as users, all of them created
    /// as accounts first; returns its token. The set-up of the chat, reaction, webhook,
    /// linked-user and Horn scenarios (a class with its students).
    pub async fn class_with_students(&self, owner: &str, name: &str, members: &[&str]) -> String {
        self.create_user(owner).await;
        for member in members {
            self.create_user(member).await;
        }
        let r = self
            .as_user(owner)
            .post(&format!("{TALK_V4}/room"), &[("roomType", "2"), ("roomName", name)])
            .await;
        r.assert_status(201);
        let token = r.data()["token"].as_str().expect("token").to_owned();
        for member in members {
            self.as_user(owner)
                .post(
                    &format!("{TALK_V4}/room/{token}/participants"),
                    &[("newParticipant", member), ("source", "users")],
                )
                .await
                .assert_status(200);
        }
        token
    }

    /// The attendee id of the user `user` in the conversation `token`, as the participant list
    /// shows it to `viewer`.
    pub async fn attendee_id(&self, viewer: &str, token: &str, user: &str) -> i64 {
        let r = self
            .as_user(viewer)
            .get(&format!("{TALK_V4}/room/{token}/participants"))
            .await;
        r.assert_status(200);
        r.data()
            .as_array()
            .expect("participant list")
            .iter()
            .find(|p| p["actorId"] == user && p["actorType"] == "users")
            .unwrap_or_else(|| panic!("{user} not in {token}"))["attendeeId"]
            .as_i64()
            .expect("attendee id")
    }

    /// A new pending Horn breakout session of the conversation `token`, made by `user` with
    /// `body` (`{}` for Horn's defaults); returns its id.
    pub async fn horn_session(&self, user: &str, token: &str, body: &Value) -> String {
        let r = self
            .as_user(user)
            .json("POST", &format!("{HORN_API}/channels/{token}/breakout/sessions"), body)
            .await;
        r.assert_status(200);
        r.json()["id"].as_str().expect("session id").to_owned()
    }

    /// Posts `text` to the chat of `token` as `user`; returns the message id.
    pub async fn post_message(&self, user: &str, token: &str, text: &str) -> i64 {
        let r = self
            .as_user(user)
            .post(&format!("{TALK_V1}/chat/{token}"), &[("message", text)])
            .await;
        r.assert_status(201);
        r.data()["id"].as_i64().expect("message id")
    }

    /// The chat of `token` as `user` reads it, newest first (up to 200 messages).
    pub async fn chat(&self, user: &str, token: &str) -> Vec<Value> {
        let r = self
            .as_user(user)
            .get(&format!("{TALK_V1}/chat/{token}?lookIntoFuture=0&limit=200"))
            .await;
        r.assert_status(200);
        r.data().as_array().expect("messages").clone()
    }

    /// A client that authenticates as `user` with the harness password.
    pub fn as_user(&self, user: &str) -> Client<'_> {
        let password = if user == "admin" { "admin" } else { USER_PASSWORD };
        Client {
            app: self,
            auth: Some((user.to_owned(), password.to_owned())),
            headers: default_headers(),
        }
    }

    /// A client that sends no credentials.
    pub fn anonymous(&self) -> Client<'_> {
        Client {
            app: self,
            auth: None,
            headers: default_headers(),
        }
    }

    /// A client with explicit credentials (for wrong-password tests).
    pub fn with_credentials(&self, user: &str, password: &str) -> Client<'_> {
        Client {
            app: self,
            auth: Some((user.to_owned(), password.to_owned())),
            headers: default_headers(),
        }
    }

    pub fn raw_http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `GET path` with `Authorization: Bearer <token>` and nothing else (as Horn integrations
    /// send it).
    pub async fn bearer_get(&self, token: &str, path: &str) -> Resp {
        self.anonymous()
            .send(
                self.http
                    .get(self.url(path))
                    .header("Authorization", format!("Bearer {token}")),
            )
            .await
    }
}

/// One argon2 hash of the harness password, computed once per test binary: hashing is slow by
/// design, and the hash is salted so sharing it between test users changes nothing observable.
fn test_password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| talk_breakout::auth::hash_password(USER_PASSWORD).expect("hash"))
        .clone()
}

fn default_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("OCS-APIRequest", HeaderValue::from_static("true"));
    h.insert("Accept", HeaderValue::from_static("application/json"));
    h
}

/// Creates a uniquely named database on the configured PostgreSQL server.
fn fresh_postgres_database(test_name: &str) -> Option<(String, String, String)> {
    let admin_url = postgres_admin_url(test_name)?;
    let suffix: String = {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        (0..10).map(|_| (b'a' + rng.gen_range(0..26)) as char).collect()
    };
    let short: String = test_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(30)
        .collect();
    let db_name = format!("tb_{}_{}", short.to_ascii_lowercase(), suffix);
    let mut conn =
        PgConnection::establish(&admin_url).unwrap_or_else(|e| panic!("{POSTGRES_ENV} is set but unreachable: {e}"));
    diesel::sql_query(format!("CREATE DATABASE {db_name}"))
        .execute(&mut conn)
        .expect("create test database");
    let db_url = replace_database(&admin_url, &db_name);
    Some((admin_url, db_url, db_name))
}

/// The PostgreSQL server for the PostgreSQL tests. Without `TALK_TEST_POSTGRES_URL` those tests
/// are built as ignored (build.rs), so `None` is only seen when they are run on purpose with
/// `--include-ignored`; a suite built with the variable but run without it fails instead of
/// passing tests that did not run.
pub fn postgres_admin_url(test_name: &str) -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if cfg!(talk_test_postgres) => {
            panic!("{POSTGRES_ENV} was set when the tests were built but is not set now: `{test_name}` cannot run")
        }
        _ => {
            eprintln!("SKIPPED (PostgreSQL): {POSTGRES_ENV} is not set, so `{test_name}` was skipped");
            None
        }
    }
}

/// A test that cannot run here for want of `message` (a program, a package): in CI (`CI=true`) it
/// fails, since `.ci/run` installs what the suite needs; elsewhere it says SKIPPED loudly.
pub fn skip_outside_ci(test_name: &str, message: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{message}, and CI must run `{test_name}`");
    }
    eprintln!("\n**********\nSKIPPED {test_name}: {message}\n**********\n");
}

/// `SELECT count(*) AS n …` on a SQLite connection (tests that read the database file itself).
pub fn sqlite_count(conn: &mut diesel::SqliteConnection, sql: &str) -> diesel::QueryResult<i64> {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql).get_result::<Count>(conn).map(|c| c.n)
}

/// `postgres://u@h:5432/test?x` → `postgres://u@h:5432/<name>?x`
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A response, fully read.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    /// `ocs.data` of a JSON answer.
    pub fn data(&self) -> Value {
        self.json()["ocs"]["data"].clone()
    }

    pub fn meta(&self) -> Value {
        self.json()["ocs"]["meta"].clone()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        self
    }
}

/// An HTTP client bound to one identity.
pub struct Client<'a> {
    app: &'a TestApp,
    auth: Option<(String, String)>,
    headers: HeaderMap,
}

impl Client<'_> {
    /// Replaces or removes a default header (e.g. drop `OCS-APIRequest` or ask for XML).
    pub fn header(mut self, name: &'static str, value: Option<&'static str>) -> Self {
        match value {
            Some(v) => {
                self.headers.insert(name, HeaderValue::from_static(v));
            }
            None => {
                self.headers.remove(name);
            }
        }
        self
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self
            .app
            .http
            .request(method, self.app.url(path))
            .headers(self.headers.clone());
        if let Some((u, p)) = &self.auth {
            rb = rb.basic_auth(u, Some(p));
        }
        rb
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Resp {
        let response = rb.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body read");
        Resp { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    /// Sends `form` as `application/x-www-form-urlencoded`, as upstream's harness does for
    /// every method.
    pub async fn form(&self, method: &str, path: &str, form: &[(&str, &str)]) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let body = serde_urlencoded::to_string(form).expect("form");
        let rb = self
            .request(method, path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(rb).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.form("POST", path, form).await
    }

    pub async fn put(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.form("PUT", path, form).await
    }

    pub async fn delete(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.form("DELETE", path, form).await
    }

    /// Sends a JSON body, as the web client and nc_py_api do.
    pub async fn json(&self, method: &str, path: &str, body: &Value) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let rb = self
            .request(method, path)
            .header("Content-Type", "application/json")
            .body(serde_json::to_vec(body).expect("json"));
        self.send(rb).await
    }

    /// Sends no body: every parameter in the query string, as the Android app does.
    pub async fn send_query(&self, method: &str, path_and_query: &str) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        self.send(self.request(method, path_and_query)).await
    }

    /// Sends raw bytes with a given content type (malformed-input tests).
    pub async fn raw(&self, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let rb = self
            .request(method, path)
            .header("Content-Type", content_type)
            .body(body);
        self.send(rb).await
    }
}

/// The invariants upstream's harness relies on, checked on the database itself.
/// Every conversation, attendee and message, to prove a rejected request changed nothing.
pub async fn database_snapshot(app: &TestApp) -> String {
    use talk_breakout::db::store;
    app.db()
        .run(|conn| -> Result<String, talk_breakout::db::DbError> {
            let rooms = store::rooms::list_all(conn)?;
            let ids: Vec<_> = rooms.iter().map(|r| r.id).collect();
            let attendees = store::attendees::list_for_rooms(conn, &ids)?;
            let mut messages = Vec::new();
            for id in &ids {
                // As at the epoch: every message, expiring or not.
                messages.extend(store::messages::history(conn, *id, 0, 10_000, 0)?);
            }
            Ok(format!("{rooms:?}\n{attendees:?}\n{messages:?}"))
        })
        .await
        .unwrap()
}

pub async fn assert_breakout_invariants(app: &TestApp, parent_token: &str, owner: &str) {
    let parent_token = talk_breakout::domain::ids::RoomToken::from(parent_token);
    let (parent, rooms, attendees) = app
        .db()
        .run(move |conn| -> Result<_, talk_breakout::db::DbError> {
            let parent = talk_breakout::db::store::rooms::find_by_token(conn, &parent_token)?.expect("parent exists");
            let rooms = talk_breakout::db::store::rooms::breakout_rooms_of(conn, &parent_token)?;
            let ids: Vec<_> = rooms.iter().map(|r| r.id).collect();
            let mut attendees = talk_breakout::db::store::attendees::list_for_rooms(conn, &ids)?;
            attendees.extend(talk_breakout::db::store::attendees::list(conn, parent.id)?);
            Ok((parent, rooms, attendees))
        })
        .await
        .unwrap();
    if parent.breakout_room_mode == 0 {
        assert!(
            rooms.is_empty(),
            "unconfigured parent with {} breakout rooms",
            rooms.len()
        );
        assert_eq!(parent.breakout_room_status, 0);
        return;
    }
    // One set of rooms: Room 1..N, each name once.
    let mut names: Vec<&str> = rooms.iter().map(|r| r.name.as_str()).collect();
    names.sort();
    let mut unique = names.clone();
    unique.dedup();
    assert_eq!(names, unique, "two sets of breakout rooms");
    // Deleting one breakout room deletes only it (upstream), so a configured parent may be left
    // with fewer rooms than it was configured with, or none.
    assert!(rooms.len() <= 20, "{} breakout rooms", rooms.len());
    // Moderators in all rooms, every student in at most one.
    let mut student_rooms: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for room in &rooms {
        let members: Vec<_> = attendees.iter().filter(|a| a.room_id == room.id).collect();
        assert!(
            members.iter().any(|a| a.actor_id == owner && a.participant_type == 1),
            "owner missing from {}",
            room.name
        );
        for a in members
            .iter()
            .filter(|a| a.actor_id != owner && a.participant_type == 3)
        {
            *student_rooms.entry(a.actor_id.as_str()).or_default() += 1;
        }
    }
    for (student, count) in student_rooms {
        assert_eq!(count, 1, "{student} is in {count} breakout rooms");
    }
    // Every parent moderator sits in every breakout room with moderator rights.
    for m in attendees.iter().filter(|a| {
        a.room_id == parent.id && a.actor_type == "users" && (a.participant_type == 1 || a.participant_type == 2)
    }) {
        for room in &rooms {
            assert!(
                attendees.iter().any(|a| a.room_id == room.id
                    && a.actor_id == m.actor_id
                    && (a.participant_type == 1 || a.participant_type == 2)),
                "moderator {} missing from {}",
                m.actor_id,
                room.name
            );
        }
    }
    // Breakout members are parent members.
    for a in attendees.iter().filter(|a| a.room_id != parent.id) {
        assert!(
            attendees
                .iter()
                .any(|p| p.room_id == parent.id && p.actor_id == a.actor_id),
            "{} is in a breakout room but not in the parent",
            a.actor_id
        );
    }
    // Status and lobbies agree.
    let expected_lobby = if parent.breakout_room_status == 1 { 0 } else { 1 };
    for room in &rooms {
        assert_eq!(
            room.lobby_state, expected_lobby,
            "{} lobby {} with parent status {}",
            room.name, room.lobby_state, parent.breakout_room_status
        );
    }
}
