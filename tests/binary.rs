//! The real binary as a self-hoster runs it: ready on `/status.php`, SIGTERM exits 0, a
//! restart on the same database is idempotent, configuration from the environment works, and
//! the log has one line per request and no secret.

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
