//! Crash safety: the real binary on SQLite is killed with SIGKILL at random points while it
//! writes, 20 times. After every restart each acknowledged write is present and the database
//! holds no half-done request (every conversation has its owner, nothing points nowhere).

use crate::common::KillOnDrop;
use rand::Rng;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use talk_breakout::db::{store, DatabaseUrl, Db, DbError};

const KILLS: usize = 20;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(db: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_talk-breakout"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database", db])
        .args([
            "--admin-user",
            "admin",
            "--admin-password",
            "admin",
            "--brute-force-protection",
            "false",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts")
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = http.get(format!("{base}/status.php")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        assert!(Instant::now() < deadline, "server did not become ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("crash.sqlite").display());
    let http = reqwest::Client::new();
    let mut acknowledged_rooms: Vec<String> = Vec::new();
    let mut acknowledged_messages: Vec<(String, i64)> = Vec::new();

    for round in 0..KILLS {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut server = KillOnDrop(start(&db_url, port));
        wait_ready(&http, &base).await;

        // Everything acknowledged before this restart is still there.
        for token in &acknowledged_rooms {
            let r = http
                .get(format!("{base}/ocs/v2.php/apps/spreed/api/v4/room/{token}"))
                .basic_auth("admin", Some("admin"))
                .header("OCS-APIRequest", "true")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "room {token} lost after kill {round}");
        }

        // Writers run until the process is killed at a random moment.
        let kill_after = Duration::from_millis(rand::thread_rng().gen_range(30..300));
        let writer = {
            let (http, base) = (http.clone(), base.clone());
            let last_room = acknowledged_rooms.last().cloned();
            tokio::spawn(async move {
                let mut rooms = Vec::new();
                let mut messages = Vec::new();
                for i in 0.. {
                    let form = [
                        ("roomType", "2".to_owned()),
                        ("roomName", format!("round {round} room {i}")),
                    ];
                    let Ok(r) = http
                        .post(format!("{base}/ocs/v2.php/apps/spreed/api/v4/room"))
                        .basic_auth("admin", Some("admin"))
                        .header("OCS-APIRequest", "true")
                        .header("Accept", "application/json")
                        .form(&form)
                        .send()
                        .await
                    else {
                        break;
                    };
                    if r.status() != 201 {
                        break;
                    }
                    let Ok(body) = r.json::<serde_json::Value>().await else {
                        break;
                    };
                    rooms.push(body["ocs"]["data"]["token"].as_str().unwrap().to_owned());
                    if let Some(token) = &last_room {
                        let Ok(r) = http
                            .post(format!("{base}/ocs/v2.php/apps/spreed/api/v1/chat/{token}"))
                            .basic_auth("admin", Some("admin"))
                            .header("OCS-APIRequest", "true")
                            .header("Accept", "application/json")
                            .form(&[("message", format!("m{round}-{i}"))])
                            .send()
                            .await
                        else {
                            break;
                        };
                        if r.status() != 201 {
                            break;
                        }
                        let Ok(body) = r.json::<serde_json::Value>().await else {
                            break;
                        };
                        messages.push((token.clone(), body["ocs"]["data"]["id"].as_i64().unwrap()));
                    }
                }
                (rooms, messages)
            })
        };
        tokio::time::sleep(kill_after).await;
        server.0.kill().expect("SIGKILL");
        server.0.wait().unwrap();
        let (rooms, messages) = writer.await.unwrap();
        acknowledged_rooms.extend(rooms);
        acknowledged_messages.extend(messages);
    }
    assert!(
        acknowledged_rooms.len() > KILLS,
        "too few writes to mean anything: {}",
        acknowledged_rooms.len()
    );

    // Final check on the database itself.
    let path = dir.path().join("crash.sqlite").to_string_lossy().into_owned();
    let _ = db_url;
    let db = tokio::task::spawn_blocking(move || Db::connect(&DatabaseUrl::Sqlite(path), 1))
        .await
        .unwrap()
        .unwrap();
    let expected_rooms = acknowledged_rooms.clone();
    let expected_messages = acknowledged_messages.clone();
    db.run(move |conn| -> Result<(), DbError> {
        let rooms = store::rooms::list_all(conn)?;
        for token in &expected_rooms {
            assert!(rooms.iter().any(|r| &r.token == token), "room {token} lost");
        }
        for room in &rooms {
            let attendees = store::attendees::list(conn, room.id)?;
            assert!(
                attendees
                    .iter()
                    .any(|a| a.actor_id == "admin" && a.participant_type == 1),
                "room {} without its owner",
                room.token
            );
            assert!(
                room.last_message_id > 0,
                "room {} without its creation message",
                room.token
            );
        }
        for (token, id) in &expected_messages {
            let room = rooms.iter().find(|r| &r.token == token).expect("room of a message");
            assert!(
                store::messages::find(conn, room.id, *id)?.is_some(),
                "message {id} lost"
            );
        }
        Ok(())
    })
    .await
    .unwrap();
    eprintln!(
        "crash safety: {} kills, {} rooms and {} messages acknowledged, none lost",
        KILLS,
        acknowledged_rooms.len(),
        acknowledged_messages.len()
    );
}

/// The write-ahead log reaches the database file while the server runs and nobody writes: the
/// pooled connections never checkpoint inside their commits (a checkpoint's `fsync`s would
/// land on an unlucky request), so the server's own checkpointer must, or the log would only
/// grow. Read from a copy of the database file alone, without its log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_reaches_the_database_file_in_the_background() {
    use diesel::Connection;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wal.sqlite");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    // Killed when the test ends, also when an assertion fails first.
    let _server = KillOnDrop(start(&format!("sqlite://{}", file.display()), port));
    let http = reqwest::Client::new();
    wait_ready(&http, &base).await;
    const ROOMS: i64 = 30;
    for i in 0..ROOMS {
        let r = http
            .post(format!("{base}/ocs/v2.php/apps/spreed/api/v4/room"))
            .basic_auth("admin", Some("admin"))
            .header("OCS-APIRequest", "true")
            .form(&[("roomType", "2".to_owned()), ("roomName", format!("logged {i}"))])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("copy.sqlite");
    let in_file = crate::common::eventually("the new conversations in the database file itself", || {
        let (file, copy) = (file.clone(), copy.clone());
        async move {
            // A copy taken while a checkpoint writes may be torn: then the next turn reads again.
            std::fs::copy(&file, &copy).ok()?;
            let mut conn = diesel::SqliteConnection::establish(copy.to_str()?).ok()?;
            let count =
                crate::common::sqlite_count(&mut conn, "SELECT count(*) AS n FROM rooms WHERE name LIKE 'logged %'")
                    .ok()?;
            (count == ROOMS).then_some(count)
        }
    })
    .await;
    assert_eq!(in_file, ROOMS);
    assert!(
        file.with_extension("sqlite-wal").exists(),
        "the server still runs in WAL mode"
    );
}
