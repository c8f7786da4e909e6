//! Background jobs on the injectable clock: the lobby timer (open on read once passed; the job
//! stores it and posts `lobby_timer_reached` exactly once, also with two instances and across a
//! restart), and the runner's shutdown. Breakout deadlines are tested in `horn.rs`.

use crate::common::{eventually, manual_clock, TestApp};
use std::time::Duration;
use talk_breakout::config::Settings;
use talk_breakout::db::store;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";

/// A manual clock, and no job runner: what requests alone do.
fn manual_clock_without_jobs(settings: &mut Settings) {
    manual_clock(settings);
    settings.background_jobs = false;
}

/// A group conversation of participant1 (owner) with participant2, its lobby closed until one
/// minute from the clock's now. Returns the token and the timer.
async fn webinar(app: &TestApp) -> (String, i64) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "webinar")])
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", "participant2"), ("source", "users")],
        )
        .await
        .assert_status(200);
    let timer = app.clock().now() + 60;
    let r = app
        .as_user("participant1")
        .put(
            &format!("{V4}/room/{token}/webinar/lobby"),
            &[("state", "1"), ("timer", &timer.to_string())],
        )
        .await;
    r.assert_status(200);
    assert_eq!(
        (r.data()["lobbyState"].clone(), r.data()["lobbyTimer"].clone()),
        (1.into(), timer.into())
    );
    (token, timer)
}

/// (lobbyState, lobbyTimer) of the room as `user` sees it.
async fn lobby(app: &TestApp, user: &str, token: &str) -> (i64, i64) {
    let r = app.as_user(user).get(&format!("{V4}/room/{token}")).await;
    r.assert_status(200);
    let d = r.data();
    (d["lobbyState"].as_i64().unwrap(), d["lobbyTimer"].as_i64().unwrap())
}

/// The system messages of the room, oldest first: (key, actorType, actorId, message).
async fn system_messages(app: &TestApp, token: &str) -> Vec<(String, String, String, String)> {
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/{token}?lookIntoFuture=0"))
        .await;
    r.assert_status(200);
    let mut out: Vec<_> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["systemMessage"] != "")
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
            (s("systemMessage"), s("actorType"), s("actorId"), s("message"))
        })
        .collect();
    out.reverse();
    out
}

async fn timer_messages(app: &TestApp, token: &str) -> usize {
    system_messages(app, token)
        .await
        .iter()
        .filter(|m| m.0 == "lobby_timer_reached")
        .count()
}

async fn lobby_job(app: &TestApp, token: &str) -> Option<store::jobs::JobRow> {
    let token = token.to_owned();
    app.db()
        .run(move |conn| -> Result<_, talk_breakout::db::DbError> {
            let room = store::rooms::find_by_token(conn, &token)?.expect("room");
            store::jobs::find(conn, "lobby_timer", &room.id.to_string())
        })
        .await
        .unwrap()
}

/// Waits until the lobby-timer job opened the lobby and posted its message; returns that
/// message.
async fn until_timer_reached(app: &TestApp, token: &str) -> (String, String, String, String) {
    eventually("lobby_timer_reached", || async {
        system_messages(app, token)
            .await
            .into_iter()
            .find(|m| m.0 == "lobby_timer_reached")
    })
    .await
}

// --- reads -----------------------------------------------------------------------------------

/// Upstream's `Room::getLobbyState()`: once the timer passed the lobby is open on every read,
/// before any job stored it (here no job runs at all).
async fn a_passed_lobby_timer_opens_the_lobby_on_read(app: &TestApp) {
    let (token, timer) = webinar(app).await;
    let chat = format!("{V1}/chat/{token}?lookIntoFuture=0");
    app.as_user("participant2").get(&chat).await.assert_status(412);
    assert_eq!(lobby(app, "participant2", &token).await, (1, timer));

    app.clock().set_ms(timer * 1000 - 1);
    app.as_user("participant2").get(&chat).await.assert_status(412);

    app.clock().set_ms(timer * 1000);
    assert_eq!(lobby(app, "participant2", &token).await, (0, 0));
    assert_eq!(lobby(app, "participant1", &token).await, (0, 0));
    app.as_user("participant2").get(&chat).await.assert_status(200);
    app.as_user("participant2")
        .get(&format!("{V4}/room/{token}/participants"))
        .await
        .assert_status(200);
    let listed = app.as_user("participant2").get(&format!("{V4}/room")).await;
    assert_eq!(listed.data()[0]["lobbyState"], 0);
    // Reads store nothing: the job does.
    assert_eq!(timer_messages(app, &token).await, 0);
    assert!(lobby_job(app, &token).await.is_some());
}

// --- the job ---------------------------------------------------------------------------------

/// The job due at the timer stores the open lobby and posts `lobby_timer_reached` once, by the
/// server (`guests`/`cli`), with a second instance running jobs on the same database.
async fn the_lobby_timer_job_opens_the_lobby_once(app: &TestApp) {
    let other = app.second_instance().await;
    let (token, timer) = webinar(app).await;
    assert_eq!(lobby_job(app, &token).await.map(|j| j.due_at), Some(timer * 1000));
    app.clock().advance(Duration::from_secs(61));
    let message = until_timer_reached(app, &token).await;
    assert_eq!(
        message,
        (
            "lobby_timer_reached".to_owned(),
            "guests".to_owned(),
            "cli".to_owned(),
            "The conversation is now open to everyone".to_owned()
        )
    );
    // Both runners had their chance; the row is gone and the message is there once.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(timer_messages(app, &token).await, 1);
    assert!(lobby_job(app, &token).await.is_none());
    assert_eq!(lobby(app, "participant1", &token).await, (0, 0));
    let stored = {
        let token = token.clone();
        app.db()
            .run(move |conn| store::rooms::find_by_token(conn, &token))
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!((stored.lobby_state as i32, stored.lobby_timer), (0, 0));
    other.shutdown().await.unwrap();
}

/// Setting the lobby again replaces the job; opening it or removing the timer cancels it.
async fn changing_the_lobby_replaces_or_cancels_the_timer_job(app: &TestApp) {
    let (token, timer) = webinar(app).await;
    let lobby_path = format!("{V4}/room/{token}/webinar/lobby");
    let later = timer + 3600;
    app.as_user("participant1")
        .put(&lobby_path, &[("state", "1"), ("timer", &later.to_string())])
        .await
        .assert_status(200);
    assert_eq!(lobby_job(app, &token).await.map(|j| j.due_at), Some(later * 1000));
    // The first timer passes: nothing happens.
    app.clock().advance(Duration::from_secs(61));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(lobby(app, "participant2", &token).await, (1, later));
    // Closed without a timer: no job.
    app.as_user("participant1")
        .put(&lobby_path, &[("state", "1")])
        .await
        .assert_status(200);
    assert!(lobby_job(app, &token).await.is_none());
    app.clock().advance(Duration::from_secs(7200));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(lobby(app, "participant2", &token).await, (1, 0));
    assert_eq!(timer_messages(app, &token).await, 0);
}

/// A moderator's change after the timer passed but before the job ran sees the lobby open, as
/// the job would have left it: the timer message first, then theirs.
async fn a_lobby_change_after_the_timer_settles_it_first(app: &TestApp) {
    let (token, timer) = webinar(app).await;
    app.clock().set_ms(timer * 1000 + 1);
    let r = app
        .as_user("participant1")
        .put(&format!("{V4}/room/{token}/webinar/lobby"), &[("state", "1")])
        .await;
    r.assert_status(200);
    assert_eq!(
        (r.data()["lobbyState"].clone(), r.data()["lobbyTimer"].clone()),
        (1.into(), 0.into())
    );
    let keys: Vec<String> = system_messages(app, &token).await.into_iter().map(|m| m.0).collect();
    assert_eq!(
        keys[keys.len() - 3..],
        ["lobby_non_moderators", "lobby_timer_reached", "lobby_non_moderators"]
    );
    assert!(lobby_job(app, &token).await.is_none());
}

both_backends_with!(manual_clock_without_jobs; a_passed_lobby_timer_opens_the_lobby_on_read);
both_backends_with!(
    manual_clock;
    the_lobby_timer_job_opens_the_lobby_once,
    changing_the_lobby_replaces_or_cancels_the_timer_job
);
both_backends_with!(manual_clock_without_jobs; a_lobby_change_after_the_timer_settles_it_first);

// --- restarts and shutdown -------------------------------------------------------------------

/// The server is down when the timer passes: the job runs at the next start.
async fn lobby_timer_passed_while_down(mut app: TestApp) {
    let (token, timer) = webinar(&app).await;
    app.restart(|clock| clock.set_ms(timer * 1000 + 5_000)).await;
    let message = until_timer_reached(&app, &token).await;
    assert_eq!((message.1.as_str(), message.2.as_str()), ("guests", "cli"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(timer_messages(&app, &token).await, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lobby_timer_passed_while_down_runs_at_start_up_sqlite() {
    lobby_timer_passed_while_down(TestApp::sqlite_with(manual_clock).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn a_lobby_timer_passed_while_down_runs_at_start_up_postgres() {
    if let Some(app) = TestApp::postgres_with("jobs_lobby_restart", manual_clock).await {
        lobby_timer_passed_while_down(app).await;
    }
}

/// A shutdown while a job runs waits for it: the job's transaction commits (the lobby opens,
/// the message is posted, the row is gone) before the server has stopped. The job is held up by
/// a conversation lock the test takes on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn a_shutdown_lets_the_running_job_finish() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let Some(mut app) = TestApp::postgres_with("jobs_shutdown", manual_clock).await else {
        return;
    };
    let (token, timer) = webinar(&app).await;
    let talk_breakout::db::DatabaseUrl::Postgres(url) = app.database.clone() else {
        unreachable!()
    };
    let (locked_tx, locked_rx) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = {
        let token = token.clone();
        std::thread::spawn(move || {
            let mut c = PgConnection::establish(&url).unwrap();
            c.transaction(|c| {
                diesel::sql_query(format!("SELECT id FROM rooms WHERE token = '{token}' FOR UPDATE")).execute(c)?;
                locked_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                Ok::<_, diesel::result::Error>(())
            })
            .unwrap();
        })
    };
    locked_rx.recv().unwrap();
    app.clock().set_ms(timer * 1000);
    // The runner claims the job and waits for the conversation lock.
    eventually("the job claimed", || async {
        job_claimed(&app, &token).await.then_some(())
    })
    .await;
    let server = app.server.take().unwrap();
    let stopping = tokio::spawn(server.shutdown());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!stopping.is_finished(), "the shutdown waits for the running job");
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    stopping.await.unwrap().unwrap();
    // Nothing is left to do after a restart: the job completed before the stop.
    app.restart(|_| {}).await;
    assert!(lobby_job(&app, &token).await.is_none());
    assert_eq!(timer_messages(&app, &token).await, 1);
    assert_eq!(lobby(&app, "participant2", &token).await, (0, 0));
    app.stop().await;
}

async fn job_claimed(app: &TestApp, token: &str) -> bool {
    let token = token.to_owned();
    app.db()
        .run(move |conn| -> Result<bool, talk_breakout::db::DbError> {
            use diesel::prelude::*;
            use talk_breakout::db::schema::jobs;
            let room = store::rooms::find_by_token(conn, &token)?.expect("room");
            let key = room.id.to_string();
            let locked: Option<Option<String>> = talk_breakout::backend!(conn, c => jobs::table
                .filter(jobs::kind.eq("lobby_timer"))
                .filter(jobs::job_key.eq(&key))
                .select(jobs::locked_by)
                .first(c)
                .optional())?;
            Ok(matches!(locked, Some(Some(_))))
        })
        .await
        .unwrap()
}

// --- message expiration ----------------------------------------------------------------------

/// A conversation of participant1 (owner) and participant2 with a message posted before the
/// expiration was set and one after; returns (token, the kept message's id, the expiring
/// message as posted).
async fn expiring_chat(app: &TestApp) -> (String, i64, serde_json::Value) {
    app.create_user("participant1").await;
    app.create_user("participant2").await;
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "expiring")])
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    app.as_user("participant1")
        .post(
            &format!("{V4}/room/{token}/participants"),
            &[("newParticipant", "participant2"), ("source", "users")],
        )
        .await
        .assert_status(200);
    let kept = app
        .as_user("participant2")
        .post(&format!("{V1}/chat/{token}"), &[("message", "kept")])
        .await;
    kept.assert_status(201);
    assert_eq!(kept.data()["expirationTimestamp"], 0);
    let r = app
        .as_user("participant1")
        .post(&format!("{V4}/room/{token}/message-expiration"), &[("seconds", "3600")])
        .await;
    r.assert_status(200);
    assert_eq!(r.data()["messageExpiration"], 3600);
    let posted = app
        .as_user("participant2")
        .post(&format!("{V1}/chat/{token}"), &[("message", "short-lived")])
        .await;
    posted.assert_status(201);
    assert_eq!(posted.data()["expirationTimestamp"], app.clock().now() + 3600);
    (token, kept.data()["id"].as_i64().unwrap(), posted.data())
}

/// The comments participant1 reads, newest first.
async fn comments(app: &TestApp, token: &str) -> Vec<String> {
    let r = app
        .as_user("participant1")
        .get(&format!("{V1}/chat/{token}?lookIntoFuture=0"))
        .await;
    r.assert_status(200);
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["systemMessage"] == "")
        .map(|m| m["message"].as_str().unwrap().to_owned())
        .collect()
}

/// (unreadMessages, lastMessage id) of the room for participant1, from the room list.
async fn unread_and_last(app: &TestApp, token: &str) -> (i64, Option<i64>) {
    let r = app.as_user("participant1").get(&format!("{V4}/room")).await;
    r.assert_status(200);
    let room = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["token"] == token)
        .unwrap()
        .clone();
    (
        room["unreadMessages"].as_i64().unwrap(),
        room["lastMessage"]["id"].as_i64(),
    )
}

/// Until the expiry job runs, an expired message is never served: not in the chat, not as the
/// last message, not counted unread.
async fn expired_messages_are_hidden_on_read(app: &TestApp) {
    let (token, _, posted) = expiring_chat(app).await;
    let posted_id = posted["id"].as_i64().unwrap();
    assert_eq!(comments(app, &token).await, ["short-lived", "kept"]);
    assert_eq!(unread_and_last(app, &token).await, (2, Some(posted_id)));

    app.clock().advance(Duration::from_secs(3599));
    assert_eq!(comments(app, &token).await, ["short-lived", "kept"]);

    app.clock().advance(Duration::from_secs(1));
    assert_eq!(comments(app, &token).await, ["kept"]);
    assert_eq!(unread_and_last(app, &token).await, (1, None));
    let single = app.as_user("participant1").get(&format!("{V4}/room/{token}")).await;
    assert!(single.data().get("lastMessage").is_none(), "{}", single.body);
    // Still stored: removing is the job's work.
    let stored = app
        .db()
        .run(move |conn| store::messages::find_by_id(conn, posted_id))
        .await
        .unwrap();
    assert!(stored.is_some());
}

/// The expiry job removes expired messages (upstream's `ExpireChatMessages`) and points the room
/// at its newest remaining message.
async fn the_expiry_job_removes_expired_messages(app: &TestApp) {
    let other = app.second_instance().await;
    let (token, kept, posted) = expiring_chat(app).await;
    let posted_id = posted["id"].as_i64().unwrap();
    let job = app
        .db()
        .run(|conn| store::jobs::find(conn, "expire_messages", ""))
        .await
        .unwrap()
        .expect("expiry job");
    assert_eq!(job.due_at, posted["expirationTimestamp"].as_i64().unwrap() * 1000);

    app.clock().advance(Duration::from_secs(3600));
    eventually("the expired message removed", || async {
        let gone = app
            .db()
            .run(move |conn| store::messages::find_by_id(conn, posted_id))
            .await
            .unwrap()
            .is_none();
        gone.then_some(())
    })
    .await;
    let room = {
        let token = token.clone();
        app.db()
            .run(move |conn| store::rooms::find_by_token(conn, &token))
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(room.last_message_id, kept);
    assert_eq!(unread_and_last(app, &token).await, (1, Some(kept)));
    assert_eq!(comments(app, &token).await, ["kept"]);
    // Nothing else expires: the job is done.
    let job = app
        .db()
        .run(|conn| store::jobs::find(conn, "expire_messages", ""))
        .await
        .unwrap();
    assert!(job.is_none(), "{job:?}");
    other.shutdown().await.unwrap();
}

both_backends_with!(manual_clock_without_jobs; expired_messages_are_hidden_on_read);
both_backends_with!(manual_clock; the_expiry_job_removes_expired_messages);

/// `message-expiration` is advertised (last, as upstream appends it) only when this server runs
/// the background jobs that remove expired messages.
async fn features(app: &TestApp) -> Vec<String> {
    let r = app.anonymous().get("/ocs/v2.php/cloud/capabilities").await;
    r.assert_status(200);
    r.data()["capabilities"]["spreed"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_expiration_is_advertised_only_with_background_jobs() {
    let app = TestApp::sqlite().await;
    assert_eq!(
        features(&app).await.last().map(String::as_str),
        Some("message-expiration")
    );
    app.stop().await;
    let app = TestApp::sqlite_with(manual_clock_without_jobs).await;
    assert!(!features(&app).await.iter().any(|f| f == "message-expiration"));
    app.stop().await;
}

// --- failures --------------------------------------------------------------------------------

/// A job that fails is retried with backoff (1 s, 2 s, 4 s, …), its error kept, and given up
/// after the attempt cap, its row left for an operator. (A kind this version does not know
/// fails every run.)
async fn a_failing_job_is_retried_with_backoff_then_given_up(app: &TestApp) {
    let now = app.clock().now_ms();
    app.db()
        .run(move |conn| store::jobs::schedule(conn, "from_a_newer_version", "7", now, now))
        .await
        .unwrap();
    let job = || async {
        app.db()
            .run(|conn| store::jobs::find(conn, "from_a_newer_version", "7"))
            .await
            .unwrap()
            .unwrap()
    };
    let mut expected_due = now;
    for attempt in 1..=talk_breakout::jobs::MAX_ATTEMPTS {
        let failed = eventually("a failed run", || async {
            let j = job().await;
            (j.attempts == attempt).then_some(j)
        })
        .await;
        assert_eq!(
            failed.last_error.as_deref(),
            Some("unknown job kind \"from_a_newer_version\"")
        );
        let backoff = talk_breakout::jobs::backoff_ms(attempt);
        assert_eq!(failed.due_at, app.clock().now_ms() + backoff);
        assert!(failed.due_at > expected_due);
        expected_due = failed.due_at;
        app.clock().advance(Duration::from_millis(backoff as u64));
    }
    // Given up: due, but no runner takes it again.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(job().await.attempts, talk_breakout::jobs::MAX_ATTEMPTS);
}

both_backends_with!(manual_clock; a_failing_job_is_retried_with_backoff_then_given_up);
