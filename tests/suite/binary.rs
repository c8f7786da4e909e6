//! The real binary as a self-hoster runs it: ready on `/status.php`, SIGTERM exits 0, a
//! restart on the same database is idempotent, configuration from the environment works, and
//! the log has one line per request and no secret; a Horn deadline that passed while the
//! binary was killed is kept at the next start.

use base64::Engine;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN_PASSWORD: &str = "s3cret-admin-pw";
const BIN: &str = env!("CARGO_BIN_EXE_talk-breakout");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/class.json")
        .to_string_lossy()
        .into_owned()
}

async fn wait_ready(base: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{base}/status.php")).send().await {
            if r.status() == 200 {
                let body: serde_json::Value = r.json().await.unwrap();
                assert_eq!(body["installed"], true);
                return;
            }
        }
        assert!(Instant::now() < deadline, "not ready in 30 s");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// SIGTERM, then the exit status.
fn terminate(mut child: Child) -> std::process::ExitStatus {
    // SAFETY: sending a signal to our own child process.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(sent, 0, "SIGTERM not delivered");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "no exit 30 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn get(base: &str, path: &str, user: &str, password: &str) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .basic_auth(user, Some(password))
        .header("OCS-APIRequest", "true")
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_serves_stops_cleanly_and_restarts_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("db.sqlite").display());
    let log_path = dir.path().join("server.log");
    let mut tokens: Vec<String> = Vec::new();
    for run in 0..2 {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap();
        let child = Command::new(BIN)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database", &db])
            .args([
                "--admin-user",
                "admin",
                "--admin-password",
                ADMIN_PASSWORD,
                "--fixtures",
                &fixture(),
            ])
            .env("RUST_LOG", "info")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_ready(&base).await;
        let (status, _) = get(&base, "/ocs/v2.php/cloud/capabilities", "admin", ADMIN_PASSWORD).await;
        assert_eq!(status, 200, "run {run}: admin logs in");
        let (status, _) = get(&base, "/ocs/v2.php/cloud/capabilities", "admin", "wrong-password").await;
        assert_eq!(status, 401);
        let (status, parts) = get(
            &base,
            "/ocs/v2.php/apps/spreed/api/v4/room/class2026/participants",
            "teacher",
            "teacher-password",
        )
        .await;
        assert_eq!(status, 200, "run {run}: {parts}");
        assert_eq!(
            parts["ocs"]["data"].as_array().unwrap().len(),
            31,
            "run {run}: fixtures loaded once"
        );
        let (status, rooms) = get(
            &base,
            "/ocs/v2.php/apps/spreed/api/v4/room",
            "student01",
            "student-password",
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(rooms["ocs"]["data"].as_array().unwrap().len(), 1);
        // App passwords (Basic and Bearer) and Login Flow v2 tokens stay out of the log too.
        let http = reqwest::Client::new();
        let answer: serde_json::Value = http
            .get(format!("{base}/ocs/v2.php/core/getapppassword"))
            .basic_auth("student01", Some("student-password"))
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let app_password = answer["ocs"]["data"]["apppassword"].as_str().unwrap().to_owned();
        let (status, _) = get(&base, "/ocs/v2.php/cloud/user", "student01", &app_password).await;
        assert_eq!(status, 200);
        let bearer = http
            .get(format!("{base}/ocs/v2.php/cloud/user"))
            .bearer_auth(&app_password)
            .send()
            .await
            .unwrap();
        assert_eq!(bearer.status().as_u16(), 200);
        let flow: serde_json::Value = http
            .post(format!("{base}/login/v2"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let login = flow["login"].as_str().unwrap().to_owned();
        let poll_token = flow["poll"]["token"].as_str().unwrap().to_owned();
        assert_eq!(http.get(&login).send().await.unwrap().status().as_u16(), 200);
        let poll = http
            .post(format!("{base}/login/v2/poll"))
            .form(&[("token", poll_token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(poll.status().as_u16(), 404);
        tokens.push(app_password);
        tokens.push(poll_token);
        tokens.push(login.rsplit('/').next().unwrap().to_owned());
        let exit = terminate(child);
        assert!(exit.success(), "run {run}: exit {exit:?}");
    }
    let log = std::fs::read_to_string(&log_path).unwrap();
    let request_lines = log
        .lines()
        .filter(|l| l.contains("request") && l.contains("status"))
        .count();
    assert!(request_lines >= 10, "one line per request expected:\n{log}");
    assert!(log.contains("shutting down"), "{log}");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("admin:{ADMIN_PASSWORD}"));
    for secret in [
        ADMIN_PASSWORD,
        "teacher-password",
        "student-password",
        "wrong-password",
        encoded.as_str(),
        "Basic ",
        "class2026",
    ] {
        assert!(!log.contains(secret), "the log contains {secret:?}:\n{log}");
    }
    for token in &tokens {
        assert!(!log.contains(token.as_str()), "the log contains a token:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(BIN)
        .arg("serve")
        .env("TALK_LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("env.sqlite").display()),
        )
        .env("TALK_ADMIN_USER", "root")
        .env("TALK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("TALK_ENABLE_TEST_RESET", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_ready(&base).await;
    let (status, user) = get(&base, "/ocs/v2.php/cloud/user", "root", ADMIN_PASSWORD).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["ocs"]["data"]["id"], "root");
    // The test reset route exists because TALK_ENABLE_TEST_RESET=1.
    let r = reqwest::Client::new()
        .delete(format!("{base}/ocs/v2.php/apps/spreedcheats/"))
        .basic_auth("root", Some(ADMIN_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(terminate(child).success());
}

#[test]
fn help_names_every_flag() {
    let out = Command::new(BIN).args(["serve", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--database",
        "--admin-user",
        "--admin-password",
        "--fixtures",
        "--enable-test-reset",
        "TALK_LISTEN",
        "DATABASE_URL",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
    let bad = Command::new(BIN)
        .args(["serve", "--listen", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--listen"));
}

// ---------------------------------------------------------------------------------------------
// A self-hoster's first hour: refusals, database errors, logs, shutdown.

/// Runs the binary to its exit (it must exit within `limit`): status code, standard error and
/// how long it took.
fn run_to_exit(args: &[&str], env: &[(&str, &str)], cwd: &Path, limit: Duration) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{args:?} still running after {limit:?}; stderr so far:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = started.elapsed();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed,
    )
}

/// The one line a failed start writes: exactly one non-empty line, an ERROR, no colour codes.
fn single_error_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line expected:\n{stderr}");
    assert!(lines[0].contains("ERROR"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes without a terminal: {stderr:?}"
    );
    lines[0]
}

#[test]
fn sqlite_path_errors_name_the_path_the_working_directory_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let fast = Duration::from_secs(10);

    // Relative path into a missing directory.
    let (code, stderr, _) = run_to_exit(&["serve", "--database", "sqlite://missing/db.sqlite"], &[], cwd, fast);
    assert_eq!(code, Some(1), "{stderr}");
    let line = single_error_line(&stderr);
    let expected = format!(
        "cannot open the SQLite database missing/db.sqlite (relative to the working directory {}): \
         No such file or directory (os error 2) (the directory missing does not exist)",
        cwd.display()
    );
    assert!(line.ends_with(&expected), "{line}\nexpected to end with\n{expected}");
    assert!(!cwd.join("missing").exists(), "nothing is created");

    // Absolute path below a regular file: the OS reason, no working directory.
    std::fs::write(cwd.join("file.txt"), "x").unwrap();
    let below_file = cwd.join("file.txt/db.sqlite");
    let url = format!("sqlite://{}", below_file.display());
    let (code, stderr, _) = run_to_exit(&["serve", "--database", &url], &[], cwd, fast);
    assert_eq!(code, Some(1), "{stderr}");
    let line = single_error_line(&stderr);
    assert!(
        line.ends_with(&format!(
            "cannot open the SQLite database {}: Not a directory (os error 20)",
            below_file.display()
        )),
        "{line}"
    );

    // A directory instead of a file.
    let url = format!("sqlite://{}", cwd.display());
    let (code, stderr, _) = run_to_exit(&["serve", "--database", &url], &[], cwd, fast);
    assert_eq!(code, Some(1), "{stderr}");
    let line = single_error_line(&stderr);
    assert!(
        line.ends_with(&format!(
            "cannot open the SQLite database {}: it is a directory, not a file",
            cwd.display()
        )),
        "{line}"
    );

    // A file that is not a SQLite database is named and left untouched.
    let text = "this is not a database, and it must stay as it is\n".repeat(200);
    std::fs::write(cwd.join("notes.txt"), &text).unwrap();
    let (code, stderr, _) = run_to_exit(&["serve", "--database", "sqlite://notes.txt"], &[], cwd, fast);
    assert_eq!(code, Some(1), "{stderr}");
    let line = single_error_line(&stderr);
    assert!(
        line.ends_with(&format!(
            "cannot open the SQLite database notes.txt (relative to the working directory {}): file is not a database",
            cwd.display()
        )),
        "{line}"
    );
    assert_eq!(std::fs::read_to_string(cwd.join("notes.txt")).unwrap(), text);
}

#[test]
fn postgres_connection_errors_fail_at_once_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: refused at once, not retried.
    for (url, shown) in [
        ("postgres://talk@127.0.0.1:1/talk", "postgres://talk@127.0.0.1:1/talk"),
        (
            "postgres://talk:hunter2@127.0.0.1:1/talk",
            "postgres://talk:***@127.0.0.1:1/talk",
        ),
    ] {
        let (code, stderr, elapsed) =
            run_to_exit(&["serve", "--database", url], &[], dir.path(), Duration::from_secs(10));
        assert_eq!(code, Some(1), "{stderr}");
        let line = single_error_line(&stderr);
        assert!(
            line.contains(&format!("cannot connect to PostgreSQL {shown}: connection to server at \"127.0.0.1\", port 1 failed: Connection refused")),
            "{line}"
        );
        assert!(line.ends_with("(check --database / DATABASE_URL)"), "{line}");
        assert!(!line.contains("hunter2"), "{line}");
        if !url.contains("hunter2") {
            assert!(!line.contains("***"), "a URL without a password shows none: {line}");
        }
        assert!(elapsed < Duration::from_secs(3), "permanent error retried: {elapsed:?}");
    }
}

/// `scheme://user@host/db` with another user.
fn with_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    format!("{scheme}://{user}@{host}")
}

#[test]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
fn postgres_role_and_database_errors_fail_at_once_in_one_line() {
    let Some(admin_url) = crate::common::postgres_admin_url("postgres_role_and_database_errors") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (url, reason) in [
        (
            crate::common::replace_database(&admin_url, "tb_no_such_database"),
            "database \"tb_no_such_database\" does not exist",
        ),
        (
            with_user(&admin_url, "tb_no_such_role"),
            "role \"tb_no_such_role\" does not exist",
        ),
    ] {
        let (code, stderr, elapsed) =
            run_to_exit(&["serve", "--database", &url], &[], dir.path(), Duration::from_secs(10));
        assert_eq!(code, Some(1), "{stderr}");
        let line = single_error_line(&stderr);
        assert!(line.contains("cannot connect to PostgreSQL postgres"), "{line}");
        assert!(line.contains(reason), "{line}");
        assert!(elapsed < Duration::from_secs(3), "permanent error retried: {elapsed:?}");
    }
}

#[test]
fn bad_flags_are_refused_before_anything_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (
            &["--db-pool-size", "0"],
            &[],
            "invalid value '0' for '--db-pool-size <N>': 0 is not in 1..=256",
        ),
        (
            &[],
            &[("TALK_DB_POOL_SIZE", "0")],
            "invalid value '0' for '--db-pool-size <N>'",
        ),
        (&["--listen", "99999"], &[], "--listen \"99999\": expected HOST:PORT"),
        (
            &["--listen", "localhost"],
            &[],
            "--listen \"localhost\": expected HOST:PORT",
        ),
        (
            &["--admin-user", "bad/name", "--admin-password", "pw"],
            &[],
            "--admin-user \"bad/name\" is not a valid login: Only the following characters are allowed in an Login",
        ),
        (
            &["--admin-user", " admin", "--admin-password", "pw"],
            &[],
            "--admin-user \" admin\" is not a valid login: Login contains whitespace at the beginning or at the end",
        ),
        (
            &["--admin-user", "admin", "--admin-password", ""],
            &[],
            "--admin-password is empty",
        ),
        (
            &["--public-url", "talk.example.org"],
            &[],
            "--public-url \"talk.example.org\" must start with http:// or https://",
        ),
        (
            &["--log-format", "xml"],
            &[],
            "invalid value 'xml' for '--log-format <FORMAT>'",
        ),
    ];
    for (args, env, message) in cases {
        let mut all = vec!["serve", "--database", "sqlite://untouched.sqlite"];
        all.extend_from_slice(args);
        let (code, stderr, _) = run_to_exit(&all, env, cwd, Duration::from_secs(10));
        assert_eq!(code, Some(2), "{args:?} {env:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{args:?} {env:?}: expected {message:?} in\n{stderr}"
        );
        assert!(
            !cwd.join("untouched.sqlite").exists(),
            "{args:?}: the database was created"
        );
    }
}

#[test]
fn usage_line_and_help_suit_an_installed_binary() {
    let out = Command::new(BIN)
        .args(["serve", "--admin-user", "admin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--admin-password"), "{stderr}");
    assert!(stderr.contains("Usage: talk-breakout serve [OPTIONS]\n"), "{stderr}");

    let out = Command::new(BIN).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.starts_with("Run the HTTP server"), "{help}");
    assert!(help.contains("Usage: talk-breakout serve [OPTIONS]\n"), "{help}");
    for flag in [
        "--public-url",
        "TALK_PUBLIC_URL",
        "--log-format",
        "TALK_LOG_FORMAT",
        "NO_COLOR",
        "bare PORT meaning 127.0.0.1:PORT",
        "TALK_DB_POOL_SIZE",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
    // An installed binary comes without the repository's files.
    assert!(!help.contains(".md"), "--help points at a file:\n{help}");
    let top = Command::new(BIN).arg("--help").output().unwrap();
    assert!(!String::from_utf8_lossy(&top.stdout).contains(".md"));
}

/// Starts the binary with standard error written to `log`; `cwd` is its working directory.
fn spawn_logged(args: &[&str], env: &[(&str, &str)], cwd: &Path, log: &Path) -> Child {
    let file = std::fs::File::create(log).unwrap();
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .env_remove("TALK_LOG_FORMAT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(file);
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_takes_a_host_name_or_a_bare_port() {
    let dir = tempfile::tempdir().unwrap();
    for form in ["localhost:{port}", "{port}"] {
        let port = free_port();
        let listen = form.replace("{port}", &port.to_string());
        let child = spawn_logged(
            &["serve", "--listen", &listen, "--database", "sqlite::memory:"],
            &[],
            dir.path(),
            &dir.path().join("listen.log"),
        );
        wait_ready(&format!("http://127.0.0.1:{port}")).await;
        assert!(terminate(child).success(), "{listen}");
        let log = std::fs::read_to_string(dir.path().join("listen.log")).unwrap();
        assert!(log.contains(&format!("listen=127.0.0.1:{port} ")), "{listen}: {log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_log_without_a_terminal_is_plain_and_readable() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("text.log");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = spawn_logged(
        &[
            "serve",
            "--listen",
            &port.to_string(),
            "--database",
            "sqlite://relative.sqlite",
        ],
        &[],
        dir.path(),
        &log_path,
    );
    wait_ready(&base).await;
    assert!(terminate(child).success());
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(!log.contains('\u{1b}'), "colour codes in a file: {log:?}");
    let lines: Vec<&str> = log.lines().collect();
    let start = lines.iter().find(|l| l.contains("talk-breakout started")).expect(&log);
    let database = dir.path().join("relative.sqlite");
    assert!(
        start.ends_with(&format!(
            " INFO talk-breakout started listen=127.0.0.1:{port} backend=sqlite database={} version={}",
            database.display(),
            env!("CARGO_PKG_VERSION")
        )),
        "{start}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("request method=GET route=/status.php status=200")),
        "{log}"
    );
    assert!(
        lines[lines.len() - 2]
            .ends_with(" INFO shutting down: ending long-polls, finishing requests in flight signal=SIGTERM"),
        "{log}"
    );
    assert!(lines[lines.len() - 1].ends_with(" INFO talk-breakout stopped"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_log_lines_for_collectors() {
    let dir = tempfile::tempdir().unwrap();
    for (args, env) in [
        (vec!["--log-format", "json"], vec![]),
        (vec![], vec![("TALK_LOG_FORMAT", "json")]),
    ] {
        let log_path = dir.path().join("json.log");
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let listen = format!("127.0.0.1:{port}");
        let mut all = vec!["serve", "--listen", &listen, "--database", "sqlite::memory:"];
        all.extend(args.iter().copied());
        let child = spawn_logged(&all, &env, dir.path(), &log_path);
        wait_ready(&base).await;
        assert!(terminate(child).success());
        let log = std::fs::read_to_string(&log_path).unwrap();
        let objects: Vec<serde_json::Value> = log
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        for o in &objects {
            assert!(o["timestamp"].is_string() && o["level"].is_string(), "{o}");
        }
        let start = objects
            .iter()
            .find(|o| o["message"] == "talk-breakout started")
            .expect(&log);
        assert_eq!(start["level"], "INFO");
        assert_eq!(start["listen"], listen.as_str());
        assert_eq!(start["backend"], "sqlite");
        assert_eq!(start["database"], "sqlite::memory:");
        assert_eq!(start["version"], env!("CARGO_PKG_VERSION"));
        let request = objects.iter().find(|o| o["message"] == "request").expect(&log);
        assert_eq!(request["method"], "GET");
        assert_eq!(request["route"], "/status.php");
        assert_eq!(request["status"], 200);
        assert_eq!(objects.last().unwrap()["message"], "talk-breakout stopped", "{log}");
    }
}

const SHUTDOWN_FIXTURE: &str = r#"{
  "users": [{"id": "host", "password": "host-password"}],
  "conversations": [{"token": "waitroom", "name": "Waiting", "type": 2, "owner": "host"}]
}"#;

/// SIGTERM with a chat long-poll waiting: the poll gets upstream's "nothing new" answer (304) at
/// once, a request whose headers are still arriving is finished and answered, and the process
/// exits 0, all long before the poll's 30 s timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_waiting_long_polls_at_once_and_finishes_requests_in_flight() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fixture.json"), SHUTDOWN_FIXTURE).unwrap();
    let log_path = dir.path().join("shutdown.log");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = spawn_logged(
        &[
            "serve",
            "--listen",
            &port.to_string(),
            "--database",
            "sqlite://db.sqlite",
            "--fixtures",
            "fixture.json",
        ],
        &[],
        dir.path(),
        &log_path,
    );
    wait_ready(&base).await;
    let poll = tokio::spawn({
        let url = format!(
            "{base}/ocs/v2.php/apps/spreed/api/v1/chat/waitroom?lookIntoFuture=1&timeout=30&lastKnownMessageId=0"
        );
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .basic_auth("host", Some("host-password"))
                .header("OCS-APIRequest", "true")
                .header("Accept", "application/json")
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap(), Instant::now())
        }
    });
    // A second request whose headers are still on their way when the signal comes.
    let mut in_flight = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    in_flight.write_all(b"GET /status.php HTTP/1.1\r\nHost: x\r\n").unwrap();
    // Both requests have reached the server once the log shows... nothing yet: wait until the
    // long-poll has certainly started waiting (it logs only when it ends).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!poll.is_finished(), "the long-poll waits");
    let signalled = Instant::now();
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) }, 0);
    let (status, body, answered) = poll.await.unwrap();
    assert_eq!(status, 304, "{body}");
    assert_eq!(body, "", "a 304 has no body");
    assert!(
        answered.duration_since(signalled) < Duration::from_secs(3),
        "long-poll held for {:?}",
        answered.duration_since(signalled)
    );
    // The request in flight is finished after the signal.
    in_flight.write_all(b"Connection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    in_flight.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("\"installed\":true"), "{response}");
    let exit = terminate_wait(child, Duration::from_secs(5));
    assert_eq!(exit.code(), Some(0));
    assert!(
        signalled.elapsed() < Duration::from_secs(8),
        "{:?}",
        signalled.elapsed()
    );
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("route=/ocs/{apiv}/apps/spreed/api/v1/chat/{token} status=304") || log.contains("status=304"),
        "{log}"
    );
    assert!(log.trim_end().ends_with("talk-breakout stopped"), "{log}");
}

/// A second signal while requests are still draining exits at once (128 + the signal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_exits_immediately() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("second.log");
    let port = free_port();
    let child = spawn_logged(
        &["serve", "--listen", &port.to_string(), "--database", "sqlite::memory:"],
        &[],
        dir.path(),
        &log_path,
    );
    wait_ready(&format!("http://127.0.0.1:{port}")).await;
    // A request that never completes its headers keeps the drain waiting (up to the 15 s
    // header timeout).
    let mut stuck = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stuck.write_all(b"GET /status.php HTTP/1.1\r\nHost: x\r\n").unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = child.id() as libc::pid_t;
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let mut child = child;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "still draining after the first signal"
    );
    let second = Instant::now();
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let exit = terminate_wait(child, Duration::from_secs(5));
    assert_eq!(exit.code(), Some(130), "128 + SIGINT");
    assert!(second.elapsed() < Duration::from_secs(2), "{:?}", second.elapsed());
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.trim_end()
            .ends_with("WARN second signal: exiting immediately signal=SIGINT"),
        "{log}"
    );
    drop(stuck);
}

/// Waits for the child to exit by itself.
fn terminate_wait(mut child: Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "no exit within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A Horn round whose deadline passes while the binary is down (killed with SIGKILL, as by a
/// crash or an out-of-memory kill) ends when the binary starts again, as the server itself:
/// `ended` is the deadline, Talk's stop posted once by `guests`/`cli`, the parent's rooms
/// stopped, the deadline job gone.
///
/// Time passing while the server is down is made by moving the stored times back: with the
/// process gone, the session's start and deadline and the deadline job's due time are shifted
/// ten minutes into the past, which is the database ten minutes later. The binary reads the
/// system clock, so this is the one way to move its time without waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_horn_deadline_passed_while_the_binary_was_killed_ends_the_round_at_start() {
    use diesel::{Connection, RunQueryDsl};
    const DURATION: i64 = 600_000;
    const SHIFT: i64 = DURATION + 1_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let db = format!("sqlite://{}", path.display());
    let start = |log: &str| {
        let port = free_port();
        let child = spawn_logged(
            &[
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database",
                &db,
                "--fixtures",
                &fixture(),
            ],
            &[],
            dir.path(),
            &dir.path().join(log),
        );
        (child, format!("http://127.0.0.1:{port}"))
    };
    let horn = |base: &str, method: &str, path: &str, body: Option<serde_json::Value>| {
        let request = reqwest::Client::new()
            .request(
                method.parse().unwrap(),
                format!("{base}/api/v1_0/channels/class2026{path}"),
            )
            .basic_auth("teacher", Some("teacher-password"));
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        async move {
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };

    let (mut child, base) = start("first.log");
    wait_ready(&base).await;
    let (status, parts) = get(
        &base,
        "/ocs/v2.php/apps/spreed/api/v4/room/class2026/participants",
        "teacher",
        "teacher-password",
    )
    .await;
    assert_eq!(status, 200);
    let student = parts["ocs"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["actorId"] == "student01")
        .unwrap()["attendeeId"]
        .as_i64()
        .unwrap();
    let (_, created) = horn(
        &base,
        "POST",
        "/breakout/sessions",
        Some(serde_json::json!({"name": "Before the crash", "duration": DURATION})),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, room) = horn(
        &base,
        "POST",
        &format!("/breakout/sessions/{id}/rooms"),
        Some(serde_json::json!({"name": "A"})),
    )
    .await;
    let room = room["id"].as_str().unwrap().to_owned();
    let (status, _) = horn(
        &base,
        "POST",
        &format!("/breakout/sessions/{id}/rooms/{room}/participants/{student}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, started) = horn(
        &base,
        "POST",
        "/breakout/session/start",
        Some(serde_json::json!({"id": id})),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let deadline = started["endsAt"].as_i64().unwrap() - SHIFT;

    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    {
        let mut conn = diesel::sqlite::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
        let moved = diesel::sql_query(format!(
            "UPDATE breakout_sessions SET started_at = started_at - {SHIFT}, deadline = deadline - {SHIFT} \
             WHERE id = {id}"
        ))
        .execute(&mut conn)
        .unwrap();
        let due = diesel::sql_query(format!(
            "UPDATE jobs SET due_at = due_at - {SHIFT} WHERE kind = 'round_deadline' AND job_key = '{id}'"
        ))
        .execute(&mut conn)
        .unwrap();
        assert_eq!((moved, due), (1, 1), "the running session and its deadline job");
    }

    let (child, base) = start("second.log");
    wait_ready(&base).await;
    let ended_in = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _) = horn(&base, "GET", "/breakout/session", None).await;
        if status == 204 {
            break;
        }
        assert_eq!(status, 200);
        assert!(Instant::now() < ended_in, "the round did not end after the restart");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, history) = horn(&base, "GET", "/breakout/sessions", None).await;
    let round = history
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (&round["isCompleted"], &round["ended"]),
        (&serde_json::json!(true), &serde_json::json!(deadline)),
        "{round}"
    );
    let (_, rooms) = horn(&base, "GET", &format!("/breakout/sessions/{id}/rooms"), None).await;
    let talk_room = rooms[0]["channelUuid"].as_str().unwrap().to_owned();
    let (_, parent) = get(
        &base,
        "/ocs/v2.php/apps/spreed/api/v4/room/class2026",
        "teacher",
        "teacher-password",
    )
    .await;
    assert_eq!(parent["ocs"]["data"]["breakoutRoomStatus"], 0, "{parent}");
    let (status, chat) = get(
        &base,
        &format!("/ocs/v2.php/apps/spreed/api/v1/chat/{talk_room}?lookIntoFuture=0&limit=200"),
        "teacher",
        "teacher-password",
    )
    .await;
    assert_eq!(status, 200, "{chat}");
    let stops: Vec<(String, String)> = chat["ocs"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["systemMessage"] == "breakout_rooms_stopped")
        .map(|m| {
            (
                m["actorType"].as_str().unwrap().to_owned(),
                m["actorId"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(stops, [("guests".to_owned(), "cli".to_owned())]);
    assert!(terminate(child).success());

    let mut conn = diesel::sqlite::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    let left = crate::common::sqlite_count(
        &mut conn,
        "SELECT count(*) AS n FROM jobs WHERE kind = 'round_deadline'",
    );
    assert_eq!(left.unwrap(), 0, "no deadline job left");
}
