//! Login Flow v2 in a real browser: headless Chromium driven through chromedriver does what a
//! person does — opens the login link, logs in (once with a wrong password), grants access —
//! and the client's poll then returns an app password that opens the Talk API.
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install chromium chromium-driver`;
//! `.ci/run` installs them). Without them the test prints SKIPPED, except in CI (`CI=true`),
//! where it fails. With `TALK_UPDATE_SCREENSHOTS=1` it writes the three pages to `docs/`.

use crate::common::{KillOnDrop, TestApp};
use fantoccini::{ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// First of `candidates` that exists, or one found on `PATH`.
fn find_program(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    candidates.iter().find_map(|name| {
        let direct = Path::new(name);
        if direct.is_absolute() {
            return direct.is_file().then(|| direct.to_path_buf());
        }
        path_dirs.iter().map(|d| d.join(name)).find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver(chromedriver: &Path) -> (KillOnDrop, String) {
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = KillOnDrop(child);
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = reqwest::get(format!("{url}/status")).await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "chromedriver did not come up on {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (driver, url)
}

/// The text of the page's `main` once it contains `needle` (or its last text after 10 s). A
/// click that submits a form returns before the next page has replaced the old one, so the old
/// `main` may be read, or go stale while being read; both are retried.
async fn main_text_once(browser: &fantoccini::Client, needle: &str) -> Result<String, fantoccini::error::CmdError> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let read = match browser.find(Locator::Css("main")).await {
            Ok(main) => main.text().await,
            Err(e) => Err(e),
        };
        match read {
            Ok(text) if text.contains(needle) || Instant::now() >= deadline => return Ok(text),
            Err(e) if Instant::now() >= deadline => return Err(e),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

fn save_screenshot(png: &[u8], name: &str) {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&target, png).expect("screenshot written");
    if std::env::var("TALK_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(name);
        std::fs::write(&docs, png).expect("screenshot written to docs");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_connects_a_client_in_a_real_browser() {
    let chromium = find_program("CHROMIUM", &["chromium", "chromium-browser", "google-chrome"]);
    let chromedriver = find_program("CHROMEDRIVER", &["chromedriver", "/usr/lib/chromium/chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        crate::common::skip_outside_ci(
            "person_connects_a_client_in_a_real_browser",
            "chromium and chromedriver are needed for the real-browser Login Flow v2 test \
             (Debian: apt-get install chromium chromium-driver)",
        );
        return;
    };

    let app = TestApp::sqlite().await;
    app.create_user_named("alice", "Alice Liddell").await;

    // The client starts the flow.
    let started = app
        .raw_http()
        .post(app.url("/index.php/login/v2"))
        .header("User-Agent", "Nextcloud Talk (Android)")
        .send()
        .await
        .unwrap();
    assert_eq!(started.status().as_u16(), 200);
    let started: serde_json::Value = started.json().await.unwrap();
    let login_url = started["login"].as_str().unwrap().to_owned();
    let poll_token = started["poll"]["token"].as_str().unwrap().to_owned();
    let poll = || async {
        app.raw_http()
            .post(app.url("/login/v2/poll"))
            .form(&[("token", poll_token.as_str())])
            .send()
            .await
            .unwrap()
    };

    let (_driver, driver_url) = start_driver(&chromedriver).await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": chromium.to_string_lossy(),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=800,720", "--hide-scrollbars", "--no-first-run"],
        }),
    );
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver_url)
        .await
        .expect("a browser session");

    let result = async {
        // The person opens the link the client shows.
        browser.goto(&login_url).await?;
        let text = browser.find(Locator::Css("main")).await?.text().await?;
        assert!(text.contains("Log in to connect Nextcloud Talk (Android)"), "{text}");
        save_screenshot(&browser.screenshot().await?, "login-flow-1-login.png");

        // A typo first.
        browser.find(Locator::Css("#user")).await?.send_keys("alice").await?;
        browser
            .find(Locator::Css("#password"))
            .await?
            .send_keys("12345")
            .await?;
        browser.find(Locator::Css("button[type=submit]")).await?.click().await?;
        let text = main_text_once(&browser, "Wrong login or password.").await?;
        assert!(text.contains("Wrong login or password."), "{text}");
        assert_eq!(poll().await.status().as_u16(), 404);

        // Then the right password (the login name is still filled in).
        let user = browser.find(Locator::Css("#user")).await?.prop("value").await?;
        assert_eq!(user.as_deref(), Some("alice"));
        browser
            .find(Locator::Css("#password"))
            .await?
            .send_keys("123456")
            .await?;
        browser.find(Locator::Css("button[type=submit]")).await?.click().await?;
        let text = main_text_once(&browser, "Grant access to Nextcloud Talk (Android)?").await?;
        assert!(text.contains("Grant access to Nextcloud Talk (Android)?"), "{text}");
        assert!(text.contains("Alice Liddell"), "{text}");
        save_screenshot(&browser.screenshot().await?, "login-flow-2-grant.png");
        assert_eq!(poll().await.status().as_u16(), 404);

        browser.find(Locator::Css("button[type=submit]")).await?.click().await?;
        let text = main_text_once(&browser, "Account connected").await?;
        assert!(text.contains("Account connected"), "{text}");
        save_screenshot(&browser.screenshot().await?, "login-flow-3-done.png");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = browser.close().await;
    result.expect("the browser steps");

    // The client's poll now returns the credentials, once.
    let collected = poll().await;
    assert_eq!(collected.status().as_u16(), 200);
    let credentials: serde_json::Value = collected.json().await.unwrap();
    assert_eq!(credentials["server"], format!("http://{}", app.addr));
    assert_eq!(credentials["loginName"], "alice");
    let app_password = credentials["appPassword"].as_str().unwrap().to_owned();
    assert_eq!(poll().await.status().as_u16(), 404);

    // The app password opens the Talk API.
    let talk = app.with_credentials("alice", &app_password);
    let created = talk
        .post(
            "/ocs/v2.php/apps/spreed/api/v4/room",
            &[("roomType", "2"), ("roomName", "Connected")],
        )
        .await;
    created.assert_status(201);
    let rooms = talk.get("/ocs/v2.php/apps/spreed/api/v4/room").await;
    rooms.assert_status(200);
    assert_eq!(rooms.data()[0]["displayName"], "Connected");
    app.stop().await;
}
