//! README's two walkthroughs, run as a reader runs them: the shell blocks of "A breakout
//! session with curl" and of "Horn API", taken from README.md itself and given to `bash` with
//! the real `curl` and `python3`, against a server started as Quick start starts it (admin
//! `admin` with password `admin-password`). Only the address changes. The clock is moved past
//! the Horn session's deadline where the README says "when the two minutes have passed".
//!
//! Every `curl` the blocks run must be answered with a 2xx status: a wrapper function reports
//! each status on standard error without changing what the commands print. Without `bash`,
//! `curl` or `python3` the test prints SKIPPED, except in CI (`CI=true`), where it fails.

use crate::common::{eventually, TestApp, TALK_V4 as V4};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use talk_breakout::config::{AdminAccount, Settings};

/// Quick start's server, with a clock the test moves.
fn quick_start(settings: &mut Settings) {
    settings.admin = Some(AdminAccount {
        user: "admin".to_owned(),
        password: "admin-password".to_owned(),
    });
    crate::common::manual_clock(settings);
}

both_backends_with!(quick_start; walkthroughs_run_as_written);

async fn walkthroughs_run_as_written(app: &TestApp) {
    if !tools_present() {
        return;
    }
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let talk = code_blocks(section(&readme, "## A breakout session with curl"));
    let horn = code_blocks(section(&readme, "## Horn API"));
    assert_eq!(talk.len(), 1, "the Talk walkthrough is one block");
    assert_eq!(horn.len(), 2, "the Horn walkthrough: the round, then its history");
    let state = tempfile::tempdir().unwrap();
    let state_file = state.path().join("walkthrough.vars");
    let base = format!("http://{}", app.addr);

    // Talk, then the Horn round up to "watch it"; kept for later: the history block's `S` and
    // `A`, and the conversation and session this test checks.
    let first = format!(
        "{}\n{}\ndeclare -p T S A SID > '{}'\n",
        talk[0],
        horn[0],
        state_file.display()
    );
    let out = run(&first, &base);
    let token = read_var(&state_file, "T");
    assert!(!token.is_empty(), "step 2 kept the conversation's token");

    // What "4. Watch it" printed last: alice's room in the running session.
    let watched: Value = serde_json::from_str(out.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("alice's view is JSON ({e}): {out}"));
    assert_eq!(watched["name"], "Group work", "{watched}");
    assert_eq!(watched["isActive"], true, "{watched}");
    assert_eq!(watched["breakoutRoom"]["name"], "Lab", "{watched}");
    let lab = watched["breakoutRoom"]["channelUuid"].as_str().unwrap().to_owned();
    // The Talk face sees the round as started, alice in the Lab's Talk room.
    assert_eq!(parent_status(app, &token).await, 1, "breakoutRoomStatus: started");
    let alice_rooms = app
        .with_credentials("alice", "alice-password-123")
        .get(&format!("{V4}/room"))
        .await
        .data();
    let tokens: Vec<&str> = alice_rooms
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["token"].as_str().unwrap())
        .collect();
    assert!(
        tokens.contains(&lab.as_str()),
        "alice sees her Talk breakout room {lab}: {tokens:?}"
    );

    // "When the two minutes have passed": the server stops the round itself.
    app.clock().advance(Duration::from_millis(120_000));
    eventually("the round stopped at its deadline", || async {
        (parent_status(app, &token).await == 0).then_some(())
    })
    .await;

    let second = format!("source '{}'\n{}\n", state_file.display(), horn[1]);
    let out = run(&second, &base);
    let history: Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("the history is JSON ({e}): {out}"));
    let sid = read_var(&state_file, "SID");
    let round = history
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == sid.as_str())
        .unwrap_or_else(|| panic!("session {sid} is in the history: {history}"));
    assert_eq!(round["isCompleted"], true, "{round}");
    assert_eq!(round["isActive"], false, "{round}");
    assert_eq!(
        round["ended"],
        round["started"].as_i64().unwrap() + 120_000,
        "ended at the deadline: {round}"
    );
}

/// The conversation's `breakoutRoomStatus` as the teacher's Talk client reads it: 1 started,
/// 0 stopped.
async fn parent_status(app: &TestApp, token: &str) -> i64 {
    let r = app
        .with_credentials("teacher", "teacher-password-123")
        .get(&format!("{V4}/room/{token}"))
        .await;
    r.assert_status(200);
    r.data()["breakoutRoomStatus"].as_i64().unwrap()
}

/// The text from `heading` to the next heading of any level.
fn section<'a>(readme: &'a str, heading: &str) -> &'a str {
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README has the heading {heading:?}"))
        + 1
        + heading.len();
    let body = &readme[start..];
    let end = body.find("\n#").map_or(body.len(), |i| i + 1);
    &body[..end]
}

/// The indented code blocks of a Markdown section, unindented; blank lines inside a block
/// belong to it.
fn code_blocks(section: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in section.lines() {
        if let Some(code) = line.strip_prefix("    ") {
            current.push(code);
        } else if line.trim().is_empty() && !current.is_empty() {
            current.push("");
        } else if !current.is_empty() {
            blocks.push(current.join("\n").trim_end().to_owned());
            current.clear();
        }
    }
    if !current.is_empty() {
        blocks.push(current.join("\n").trim_end().to_owned());
    }
    blocks
}

/// Runs `script` in `bash` with README's address replaced by `base`; returns what it printed.
/// Fails unless the script succeeds and every `curl` in it was answered with a 2xx status.
/// Each answer is followed by a line break, so each is a line of its own.
fn run(script: &str, base: &str) -> String {
    let script = script.replace("http://127.0.0.1:8080", base);
    let wrapped = format!(
        "set -euo pipefail\n\
         curl() {{ command curl --write-out '\\n%{{stderr}}status %{{http_code}} %{{url_effective}}\\n' \"$@\"; }}\n\
         {script}\n"
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&wrapped)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "the walkthrough failed:\n{stdout}\n{stderr}");
    let statuses: Vec<&str> = stderr.lines().filter(|l| l.starts_with("status ")).collect();
    assert!(!statuses.is_empty(), "the walkthrough ran no curl:\n{stderr}");
    let failed: Vec<&&str> = statuses.iter().filter(|l| !l.starts_with("status 2")).collect();
    assert!(
        failed.is_empty(),
        "requests not answered with 2xx: {failed:?}\n{stdout}"
    );
    stdout
}

/// A scalar variable from `declare -p` output.
fn read_var(file: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let prefix = format!("declare -- {name}=\"");
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("{name} in {text}"));
    line.trim_end_matches('"').to_owned()
}

fn tools_present() -> bool {
    let missing: Vec<&str> = ["bash", "curl", "python3"]
        .into_iter()
        .filter(|tool| Command::new(tool).arg("--version").output().is_err())
        .collect();
    if missing.is_empty() {
        return true;
    }
    crate::common::skip_outside_ci(
        "walkthroughs_run_as_written",
        &format!("README's walkthroughs need {}", missing.join(", ")),
    );
    false
}
