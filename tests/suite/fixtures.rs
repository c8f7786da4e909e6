//! `--fixtures`: the shipped class fixture loads at start, is visible over HTTP, and loading it
//! again on the same database (a restart) changes nothing. On SQLite and PostgreSQL.

use crate::common::{replace_database, Backend, TestApp};
use diesel::{Connection, PgConnection, RunQueryDsl};
use std::path::PathBuf;
use talk_breakout::config::Settings;
use talk_breakout::db::DatabaseUrl;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";

fn class_fixture() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/class.json"))
}

async fn start(database: DatabaseUrl, backend: Backend) -> TestApp {
    let mut settings = Settings::for_tests(database);
    settings.fixtures = Some(class_fixture());
    TestApp::start(settings, backend).await
}

/// What a fixture load should have produced, read over HTTP: (rooms named "Class" that
/// student01 sees, participants of class2026 as seen by the teacher, owner count).
async fn observe(app: &TestApp) -> (usize, usize, usize) {
    let rooms = app
        .with_credentials("student01", "student-password")
        .get(&format!("{V4}/room"))
        .await;
    rooms.assert_status(200);
    let data = rooms.data();
    let class_rooms = data
        .as_array()
        .expect("room list")
        .iter()
        .filter(|r| r["name"] == "Class" && r["token"] == "class2026")
        .count();
    let participants = app
        .with_credentials("teacher", "teacher-password")
        .get(&format!("{V4}/room/class2026/participants"))
        .await;
    participants.assert_status(200);
    let list = participants.data();
    let list = list.as_array().expect("participant list");
    let users = list.iter().filter(|p| p["actorType"] == "users").count();
    let owners = list.iter().filter(|p| p["participantType"] == 1).count();
    (class_rooms, users, owners)
}

async fn fixtures_load_and_reload(first: TestApp, database: DatabaseUrl, backend: Backend) {
    let before = observe(&first).await;
    assert_eq!(
        before,
        (1, 31, 1),
        "student01 sees Class; 31 users in it; teacher owns it"
    );
    // Fixture users are ordinary users: the group exists and the teacher is not an admin.
    let groups = first
        .with_credentials("teacher", "teacher-password")
        .get(&format!("{V4}/room/class2026"))
        .await;
    groups.assert_status(200);
    assert_eq!(groups.data()["participantType"], 1);
    // Loading writes no chat messages: the conversation has no system messages.
    let chat = first
        .with_credentials("teacher", "teacher-password")
        .get("/ocs/v2.php/apps/spreed/api/v1/chat/class2026?lookIntoFuture=0&limit=100")
        .await;
    assert!(
        chat.status == 304 || chat.data().as_array().is_some_and(|m| m.is_empty()),
        "no system messages from fixtures: {} {}",
        chat.status,
        chat.body
    );
    first.stop().await;

    let second = start(database, backend).await;
    assert_eq!(observe(&second).await, before, "a second load changes nothing");
    // Passwords still verify after the restart (the stored hashes were kept or refreshed).
    second
        .with_credentials("student30", "student-password")
        .get(&format!("{V4}/room"))
        .await
        .assert_status(200);
    second
        .with_credentials("student30", "wrong-password")
        .get(&format!("{V4}/room"))
        .await
        .assert_status(401);
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn class_fixture_sqlite() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = DatabaseUrl::Sqlite(dir.path().join("db.sqlite").to_string_lossy().into_owned());
    let first = start(database.clone(), Backend::Sqlite).await;
    fixtures_load_and_reload(first, database, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn class_fixture_postgres() {
    let Some(admin_url) = crate::common::postgres_admin_url("class_fixture_postgres") else {
        return;
    };
    let name = format!("tb_fixtures_{}", std::process::id());
    let setup = admin_url.clone();
    let db_name = name.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = PgConnection::establish(&setup).expect("PostgreSQL reachable");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"))
            .execute(&mut conn)
            .expect("drop");
        diesel::sql_query(format!("CREATE DATABASE {db_name}"))
            .execute(&mut conn)
            .expect("create");
    })
    .await
    .unwrap();
    let database = DatabaseUrl::Postgres(replace_database(&admin_url, &name));
    let first = start(database.clone(), Backend::Postgres).await;
    fixtures_load_and_reload(first, database, Backend::Postgres).await;
    tokio::task::spawn_blocking(move || {
        if let Ok(mut conn) = PgConnection::establish(&admin_url) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
        }
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_fixture_stops_the_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"users":[{"id":"a","password":"p"}],"conversations":[{"token":"a","name":"x","type":2,"owner":"a"}]}"#,
    )
    .unwrap();
    let mut settings = Settings::for_tests(DatabaseUrl::Sqlite(
        dir.path().join("db.sqlite").to_string_lossy().into_owned(),
    ));
    settings.fixtures = Some(bad);
    let error = match talk_breakout::server::start(settings).await {
        Ok(_) => panic!("an invalid fixture file must stop the start"),
        Err(e) => e,
    };
    assert!(error.contains("token"), "{error}");
    // A conversation naming an unknown user rolls the whole file back.
    let missing = dir.path().join("missing.json");
    std::fs::write(
        &missing,
        r#"{"users":[{"id":"a","password":"p"}],"conversations":[{"token":"abcd","name":"x","type":2,"owner":"nobody"}]}"#,
    )
    .unwrap();
    let database = DatabaseUrl::Sqlite(dir.path().join("db2.sqlite").to_string_lossy().into_owned());
    let mut settings = Settings::for_tests(database.clone());
    settings.fixtures = Some(missing);
    let error = match talk_breakout::server::start(settings).await {
        Ok(_) => panic!("an unknown owner must stop the start"),
        Err(e) => e,
    };
    assert!(error.contains("nobody"), "{error}");
    let db = talk_breakout::db::Db::connect(&database, 1).unwrap();
    let user = db
        .run(|conn| talk_breakout::db::store::users::find(conn, "a"))
        .await
        .unwrap();
    assert!(user.is_none(), "nothing of a failed file is kept");
}
