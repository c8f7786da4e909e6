//! Seeding through the HTTP API (as clients would create the data) and the timed multi-step
//! scenarios; bulk data for the large-database scenario goes in through SQL, because creating a
//! million attendees over HTTP would take longer than the whole benchmark may.

use crate::BenchDb;
use base64::Engine;
use futures::stream::{self, StreamExt};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "bench-password-1";
const ROOMS_PER_USER: usize = 58;
const SWITCHING_STUDENTS: usize = 200;
const BREAKOUT_ROOMS: usize = 20;

pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

pub struct Api {
    base: String,
    http: reqwest::Client,
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Api {
    pub fn new(addr: SocketAddr) -> Api {
        Api {
            base: format!("http://{addr}/ocs/v2.php"),
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .build()
                .expect("client"),
        }
    }

    pub async fn call(&self, user: &str, method: &str, path: &str, form: &[(&str, &str)]) -> Result<Answer, String> {
        let password = if user == "admin" { "admin" } else { PASSWORD };
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let response = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json")
            .header("Authorization", basic(user, password))
            .form(form)
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| e.to_string())?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer { status, body })
    }

    /// Calls the Horn face (`/api/v1_0`) with a JSON body and insists on one of the expected
    /// statuses; answers the JSON body (`null` when empty).
    pub async fn horn(&self, user: &str, method: &str, path: &str, body: Value, ok: &[u16]) -> Result<Value, String> {
        let password = if user == "admin" { "admin" } else { PASSWORD };
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let base = self.base.trim_end_matches("/ocs/v2.php");
        let response = self
            .http
            .request(method.clone(), format!("{base}/api/v1_0{path}"))
            .header("Authorization", basic(user, password))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if !ok.contains(&status) {
            return Err(format!("{method} {path} answered {status}: {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Calls and insists on one of the expected statuses.
    pub async fn expect(
        &self,
        user: &str,
        method: &str,
        path: &str,
        form: &[(&str, &str)],
        ok: &[u16],
    ) -> Result<Value, String> {
        let a = self.call(user, method, path, form).await?;
        if ok.contains(&a.status) {
            Ok(a.body["ocs"]["data"].clone())
        } else {
            Err(format!("{method} {path} answered {}: {}", a.status, a.body))
        }
    }
}

pub struct World {
    pub single_room: String,
    pub parent: String,
    pub free_parent: String,
    pub students: Vec<String>,
}

pub async fn seed_small(api: &Api, attendees: usize) -> Result<World, String> {
    let attendees = attendees.max(SWITCHING_STUDENTS);
    let mut users: Vec<String> = vec!["alice".into(), "teacher".into()];
    users.extend((1..=attendees).map(|i| format!("s{i:04}")));
    let results: Vec<Result<Value, String>> = stream::iter(users.iter())
        .map(|u| async move {
            api.expect(
                "admin",
                "POST",
                "/cloud/users",
                &[("userid", u), ("password", PASSWORD)],
                &[200],
            )
            .await
        })
        .buffer_unordered(8)
        .collect()
        .await;
    results.into_iter().collect::<Result<Vec<_>, _>>()?;

    // Alice's 58 conversations, each with the teacher and one message.
    let mut tokens = Vec::with_capacity(ROOMS_PER_USER);
    for i in 1..=ROOMS_PER_USER {
        let name = format!("Conversation {i}");
        let room = api
            .expect(
                "alice",
                "POST",
                "/apps/spreed/api/v4/room",
                &[("roomType", "2"), ("roomName", &name)],
                &[201],
            )
            .await?;
        let token = room["token"].as_str().ok_or("room without token")?.to_owned();
        api.expect(
            "alice",
            "POST",
            &format!("/apps/spreed/api/v4/room/{token}/participants"),
            &[("newParticipant", "teacher"), ("source", "users")],
            &[200],
        )
        .await?;
        api.expect(
            "alice",
            "POST",
            &format!("/apps/spreed/api/v1/chat/{token}"),
            &[("message", "Welcome, everyone!")],
            &[201],
        )
        .await?;
        tokens.push(token);
    }

    let parent = create_class(api, "Lecture", &users[2..]).await?;
    let students: Vec<String> = users[2..2 + SWITCHING_STUDENTS].to_vec();
    let free_parent = create_class(api, "Open lab", &students).await?;
    Ok(World {
        single_room: tokens[0].clone(),
        parent,
        free_parent,
        students,
    })
}

async fn create_class(api: &Api, name: &str, students: &[String]) -> Result<String, String> {
    let room = api
        .expect(
            "teacher",
            "POST",
            "/apps/spreed/api/v4/room",
            &[("roomType", "2"), ("roomName", name)],
            &[201],
        )
        .await?;
    let token = room["token"].as_str().ok_or("room without token")?.to_owned();
    let path = format!("/apps/spreed/api/v4/room/{token}/participants");
    let results: Vec<Result<Value, String>> = stream::iter(students.iter())
        .map(|s| {
            let path = &path;
            async move {
                api.expect(
                    "teacher",
                    "POST",
                    path,
                    &[("newParticipant", s), ("source", "users")],
                    &[200],
                )
                .await
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    results.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(token)
}

async fn timed<F, T>(f: F) -> Result<(f64, T), String>
where
    F: std::future::Future<Output = Result<T, String>>,
{
    let started = Instant::now();
    let v = f.await?;
    Ok((started.elapsed().as_secs_f64() * 1000.0, v))
}

/// Scenario (c): configure 20 rooms automatically for the big parent, then start, stop, remove.
pub async fn breakout_cycle(api: &Api, w: &World, rounds: usize) -> Result<Vec<(String, Vec<f64>)>, String> {
    let base = format!("/apps/spreed/api/v1/breakout-rooms/{}", w.parent);
    let amount = BREAKOUT_ROOMS.to_string();
    let mut lat: Vec<(String, Vec<f64>)> = ["configure (automatic, 20 rooms)", "start", "stop", "remove"]
        .iter()
        .map(|s| (s.to_string(), Vec::new()))
        .collect();
    for _ in 0..rounds {
        let (ms, _) =
            timed(api.expect("teacher", "POST", &base, &[("mode", "1"), ("amount", &amount)], &[200])).await?;
        lat[0].1.push(ms);
        let (ms, _) = timed(api.expect("teacher", "POST", &format!("{base}/rooms"), &[], &[200])).await?;
        lat[1].1.push(ms);
        let (ms, _) = timed(api.expect("teacher", "DELETE", &format!("{base}/rooms"), &[], &[200])).await?;
        lat[2].1.push(ms);
        let (ms, _) = timed(api.expect("teacher", "DELETE", &base, &[], &[200])).await?;
        lat[3].1.push(ms);
    }
    Ok(lat)
}

/// Scenario (d): broadcast one message to 20 started breakout rooms.
pub async fn broadcast_rounds(api: &Api, w: &World, rounds: usize) -> Result<Vec<f64>, String> {
    let base = format!("/apps/spreed/api/v1/breakout-rooms/{}", w.parent);
    api.expect("teacher", "POST", &base, &[("mode", "1"), ("amount", "20")], &[200])
        .await?;
    api.expect("teacher", "POST", &format!("{base}/rooms"), &[], &[200])
        .await?;
    let mut lat = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let message = format!("Five more minutes, please wrap up ({i})");
        let (ms, _) = timed(api.expect(
            "teacher",
            "POST",
            &format!("{base}/broadcast"),
            &[("message", &message)],
            &[201],
        ))
        .await?;
        lat.push(ms);
    }
    api.expect("teacher", "DELETE", &base, &[], &[200]).await?;
    Ok(lat)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Concurrent {
    pub requests: usize,
    pub errors: usize,
    pub wall_seconds: f64,
    pub latencies_ms: Vec<f64>,
}

/// Scenario (e): 200 students in a started free-mode parent switch rooms, all at once.
pub async fn switch_storm(api: &Api, w: &World, rounds: usize) -> Result<Concurrent, String> {
    let base = format!("/apps/spreed/api/v1/breakout-rooms/{}", w.free_parent);
    let rooms = api
        .expect("teacher", "POST", &base, &[("mode", "3"), ("amount", "20")], &[200])
        .await?;
    let targets: Vec<String> = rooms
        .as_array()
        .ok_or("configure answered no list")?
        .iter()
        .filter(|r| r["objectType"] == "room")
        .filter_map(|r| r["token"].as_str().map(str::to_owned))
        .collect();
    if targets.is_empty() {
        return Err("configure created no rooms".into());
    }
    api.expect("teacher", "POST", &format!("{base}/rooms"), &[], &[200])
        .await?;
    // Warm-up: every student logs in once (the password hash is checked once, then cached).
    let warm: Vec<Result<Value, String>> = stream::iter(w.students.iter())
        .map(|s| async move {
            api.expect(
                s,
                "GET",
                &format!("/apps/spreed/api/v4/room/{}", w.free_parent),
                &[],
                &[200],
            )
            .await
        })
        .buffer_unordered(16)
        .collect()
        .await;
    warm.into_iter().collect::<Result<Vec<_>, _>>()?;

    let switch_path = format!("{base}/switch");
    let mut latencies = Vec::new();
    let mut errors = 0;
    let started = Instant::now();
    for round in 0..rounds {
        let calls = w.students.iter().enumerate().map(|(i, s)| {
            let target = targets[(i + round * 7) % targets.len()].clone();
            let path = switch_path.clone();
            async move {
                let t = Instant::now();
                let a = api.call(s, "POST", &path, &[("target", &target)]).await;
                (t.elapsed().as_secs_f64() * 1000.0, a.map(|a| a.status).unwrap_or(0))
            }
        });
        for (ms, status) in futures::future::join_all(calls).await {
            latencies.push(ms);
            if status != 200 {
                errors += 1;
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    api.expect("teacher", "DELETE", &base, &[], &[200]).await?;
    Ok(Concurrent {
        requests: latencies.len(),
        errors,
        wall_seconds: wall,
        latencies_ms: latencies,
    })
}

/// Scenario (f) data: 100,000 conversations with 10 attendees each (1,000,000 attendee rows,
/// 50,000 distinct users), written with set-based SQL while the server keeps running.
pub async fn seed_large(db: &BenchDb) -> Result<Duration, String> {
    let started = Instant::now();
    let url = db.url().to_owned();
    let is_sqlite = matches!(db, BenchDb::Sqlite { .. });
    tokio::task::spawn_blocking(move || -> Result<(), String> {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let (rooms_sql, attendees_sql) = if is_sqlite {
            (
                "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 100000) \
                 INSERT INTO rooms (token, room_type, name, created_at, last_activity) \
                 SELECT 'zz' || printf('%06d', i), 2, 'Bulk conversation ' || i, 0, 0 FROM seq;",
                "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < 999999) \
                 INSERT INTO attendees (room_id, actor_type, actor_id, display_name, participant_type) \
                 SELECT (SELECT id FROM rooms WHERE token = 'zz000001') + i / 10, 'users', 'bulk' || (i % 50000), 'Bulk user', 3 FROM seq;",
            )
        } else {
            (
                "INSERT INTO rooms (token, room_type, name, created_at, last_activity) \
                 SELECT 'zz' || lpad(i::text, 6, '0'), 2, 'Bulk conversation ' || i, 0, 0 FROM generate_series(1, 100000) AS i;",
                "INSERT INTO attendees (room_id, actor_type, actor_id, display_name, participant_type) \
                 SELECT (SELECT id FROM rooms WHERE token = 'zz000001') + i / 10, 'users', 'bulk' || (i % 50000), 'Bulk user', 3 \
                 FROM generate_series(0, 999999) AS i; ANALYZE;",
            )
        };
        if is_sqlite {
            let path = url.trim_start_matches("sqlite://");
            let mut c = diesel::SqliteConnection::establish(path).map_err(|e| e.to_string())?;
            c.batch_execute("PRAGMA busy_timeout = 60000;").map_err(|e| e.to_string())?;
            c.batch_execute(&format!("BEGIN IMMEDIATE; {rooms_sql} {attendees_sql} COMMIT; ANALYZE;")).map_err(|e| e.to_string())?;
        } else {
            let mut c = diesel::PgConnection::establish(&url).map_err(|e| e.to_string())?;
            c.batch_execute(&format!("BEGIN; {rooms_sql} COMMIT;")).map_err(|e| e.to_string())?;
            c.batch_execute(attendees_sql).map_err(|e| e.to_string())?;
        }
        Ok(())
    })
    .await
    .map_err(|e| e.to_string())??;
    Ok(started.elapsed())
}

/// Scenario (g): a Horn session of 20 rooms with every student of the big parent assigned
/// beforehand (#10, one request per student), then the timed start (#12) and stop (#13).
/// Answers the latencies and leaves one session running for scenario (h), with the id of a
/// student who has a room in it.
pub async fn horn_rounds(api: &Api, w: &World, rounds: usize) -> Result<(Vec<(String, Vec<f64>)>, String), String> {
    let channel = format!("/channels/{}", w.parent);
    let participants = api
        .expect(
            "teacher",
            "GET",
            &format!("/apps/spreed/api/v4/room/{}/participants", w.parent),
            &[],
            &[200],
        )
        .await?;
    let students: Vec<(String, i64)> = participants
        .as_array()
        .ok_or("participants is not a list")?
        .iter()
        .filter(|p| p["participantType"] == 3)
        .filter_map(|p| Some((p["actorId"].as_str()?.to_owned(), p["attendeeId"].as_i64()?)))
        .collect();
    let mut lat: Vec<(String, Vec<f64>)> = ["start (20 rooms, all students assigned)", "stop"]
        .iter()
        .map(|s| (s.to_string(), Vec::new()))
        .collect();
    for round in 0..=rounds {
        let session = api
            .horn(
                "teacher",
                "POST",
                &format!("{channel}/breakout/sessions"),
                serde_json::json!({ "name": format!("Round {round}") }),
                &[200],
            )
            .await?;
        let session = session["id"].as_str().ok_or("session without id")?.to_owned();
        let mut rooms = Vec::with_capacity(BREAKOUT_ROOMS);
        for _ in 0..BREAKOUT_ROOMS {
            let room = api
                .horn(
                    "teacher",
                    "POST",
                    &format!("{channel}/breakout/sessions/{session}/rooms"),
                    serde_json::json!({}),
                    &[200],
                )
                .await?;
            rooms.push(room["id"].as_str().ok_or("room without id")?.to_owned());
        }
        let results: Vec<Result<Value, String>> = stream::iter(students.iter().enumerate())
            .map(|(i, (_, attendee))| {
                let path = format!(
                    "{channel}/breakout/sessions/{session}/rooms/{}/participants/{attendee}",
                    rooms[i % rooms.len()]
                );
                async move { api.horn("teacher", "POST", &path, serde_json::json!({}), &[200]).await }
            })
            .buffer_unordered(4)
            .collect()
            .await;
        results.into_iter().collect::<Result<Vec<_>, _>>()?;
        let (ms, _) = timed(api.horn(
            "teacher",
            "POST",
            &format!("{channel}/breakout/session/start"),
            serde_json::json!({ "id": session }),
            &[200],
        ))
        .await?;
        lat[0].1.push(ms);
        if round == rounds {
            break; // left running for (h)
        }
        let (ms, _) = timed(api.horn(
            "teacher",
            "POST",
            &format!("{channel}/breakout/session/stop"),
            serde_json::json!({}),
            &[200],
        ))
        .await?;
        lat[1].1.push(ms);
    }
    let student = students.first().ok_or("no students")?.0.clone();
    Ok((lat, student))
}

/// What scenario (i) measured: how long after the common deadline the last session was seen
/// completed, and whether each ended exactly once.
pub struct DeadlineRun {
    pub sessions: usize,
    /// Seconds from the deadline until every session was completed.
    pub all_done_after_s: f64,
    /// Seconds it took to set everything up and start the sessions.
    pub setup_s: f64,
    /// Sessions completed (should equal `sessions`).
    pub completed: i64,
    /// `breakout_rooms_stopped` messages per breakout room: (rooms with exactly one, rooms with
    /// another count).
    pub stopped_once: (i64, i64),
    /// Deadline jobs left in the table afterwards (should be 0).
    pub jobs_left: i64,
}

/// Scenario (i): `sessions` conversations, each with a teacher and 10 students (one group), each
/// with a Horn session of 2 rooms and the 10 students assigned, all started with durations that
/// make them due in the same second; two server instances share the PostgreSQL database. Polls
/// the database until every session is completed, then checks each ended exactly once.
pub async fn deadline_storm(apis: &[&Api], db: &BenchDb, sessions: usize) -> Result<DeadlineRun, String> {
    const STUDENTS: usize = 10;
    let setup_started = Instant::now();
    let api = apis[0];
    let mut users = vec!["dl-teacher".to_owned()];
    users.extend((0..STUDENTS).map(|i| format!("dl-s{i}")));
    for u in &users {
        api.expect(
            "admin",
            "POST",
            "/cloud/users",
            &[("userid", u), ("password", PASSWORD)],
            &[200],
        )
        .await?;
    }
    api.expect("admin", "POST", "/cloud/groups", &[("groupid", "dl-students")], &[200])
        .await?;
    for u in &users[1..] {
        api.expect(
            "admin",
            "POST",
            &format!("/cloud/users/{u}/groups"),
            &[("groupid", "dl-students")],
            &[200],
        )
        .await?;
    }
    // Plenty of time to set up and start every session before the deadline.
    let deadline_ms = epoch_ms() + 60_000 + sessions as i64 * 40;
    let prepared: Vec<Result<(), String>> = stream::iter(0..sessions)
        .map(|i| {
            let api = apis[i % apis.len()];
            async move { prepare_and_start(api, i, deadline_ms).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    prepared.into_iter().collect::<Result<Vec<_>, _>>()?;
    let setup_s = setup_started.elapsed().as_secs_f64();
    let now = epoch_ms();
    if now >= deadline_ms {
        return Err(format!("setup overran the deadline by {} ms", now - deadline_ms));
    }
    tokio::time::sleep(Duration::from_millis((deadline_ms - now) as u64)).await;
    let after_deadline = Instant::now();
    let completed = loop {
        // This scenario's sessions only: the earlier phases of a full run leave completed
        // sessions too, which would end the wait before every deadline here was handled.
        let done = count(
            db,
            "SELECT COUNT(*) AS n FROM breakout_sessions WHERE state = 2 AND name = 'Timed'",
        )
        .await?;
        if done >= sessions as i64 || after_deadline.elapsed() > Duration::from_secs(60) {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let all_done_after_s = after_deadline.elapsed().as_secs_f64();
    let once = count(
        db,
        "SELECT COUNT(*) AS n FROM (SELECT r.id FROM rooms r LEFT JOIN messages m ON m.room_id = r.id \
         AND m.message LIKE '{\"message\":\"breakout_rooms_stopped\"%' WHERE r.object_id IN \
         (SELECT token FROM rooms WHERE name LIKE 'Deadline %') GROUP BY r.id HAVING COUNT(m.id) = 1) AS x",
    )
    .await?;
    let other = count(
        db,
        "SELECT COUNT(*) AS n FROM (SELECT r.id FROM rooms r LEFT JOIN messages m ON m.room_id = r.id \
         AND m.message LIKE '{\"message\":\"breakout_rooms_stopped\"%' WHERE r.object_id IN \
         (SELECT token FROM rooms WHERE name LIKE 'Deadline %') GROUP BY r.id HAVING COUNT(m.id) <> 1) AS x",
    )
    .await?;
    let jobs_left = count(db, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'round_deadline'").await?;
    Ok(DeadlineRun {
        sessions,
        all_done_after_s,
        setup_s,
        completed,
        stopped_once: (once, other),
        jobs_left,
    })
}

/// One conversation of scenario (i): created, the students added, a session of 2 rooms planned
/// with every student assigned, then started so that it ends at `deadline_ms`.
async fn prepare_and_start(api: &Api, i: usize, deadline_ms: i64) -> Result<(), String> {
    let room = api
        .expect(
            "dl-teacher",
            "POST",
            "/apps/spreed/api/v4/room",
            &[("roomType", "2"), ("roomName", &format!("Deadline {i}"))],
            &[201],
        )
        .await?;
    let token = room["token"].as_str().ok_or("room without token")?.to_owned();
    let participants = format!("/apps/spreed/api/v4/room/{token}/participants");
    api.expect(
        "dl-teacher",
        "POST",
        &participants,
        &[("newParticipant", "dl-students"), ("source", "groups")],
        &[200],
    )
    .await?;
    let listed = api.expect("dl-teacher", "GET", &participants, &[], &[200]).await?;
    let students: Vec<i64> = listed
        .as_array()
        .ok_or("participants is not a list")?
        .iter()
        .filter(|p| p["participantType"] == 3 && p["actorType"] == "users")
        .filter_map(|p| p["attendeeId"].as_i64())
        .collect();
    if students.len() != 10 {
        return Err(format!("{token} has {} students, not 10", students.len()));
    }
    let channel = format!("/channels/{token}");
    let session = api
        .horn(
            "dl-teacher",
            "POST",
            &format!("{channel}/breakout/sessions"),
            serde_json::json!({ "name": "Timed" }),
            &[200],
        )
        .await?;
    let session = session["id"].as_str().ok_or("session without id")?.to_owned();
    let mut rooms = Vec::new();
    for _ in 0..2 {
        let room = api
            .horn(
                "dl-teacher",
                "POST",
                &format!("{channel}/breakout/sessions/{session}/rooms"),
                serde_json::json!({}),
                &[200],
            )
            .await?;
        rooms.push(room["id"].as_str().ok_or("room without id")?.to_owned());
    }
    for (n, attendee) in students.iter().enumerate() {
        api.horn(
            "dl-teacher",
            "POST",
            &format!(
                "{channel}/breakout/sessions/{session}/rooms/{}/participants/{attendee}",
                rooms[n % 2]
            ),
            serde_json::json!({}),
            &[200],
        )
        .await?;
    }
    // The duration is set just before the start, so that started + duration is the deadline
    // (give or take the request's own time).
    let duration = deadline_ms - epoch_ms();
    api.horn(
        "dl-teacher",
        "POST",
        &format!("{channel}/breakout/sessions/{session}"),
        serde_json::json!({ "duration": duration }),
        &[200],
    )
    .await?;
    api.horn(
        "dl-teacher",
        "POST",
        &format!("{channel}/breakout/session/start"),
        serde_json::json!({ "id": session }),
        &[200],
    )
    .await?;
    Ok(())
}

fn epoch_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// One `COUNT(*) AS n` on the benchmark's PostgreSQL database.
async fn count(db: &BenchDb, sql: &'static str) -> Result<i64, String> {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let url = db.url().to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::{Connection, RunQueryDsl};
        let mut c = diesel::PgConnection::establish(&url).map_err(|e| e.to_string())?;
        let rows: Vec<N> = diesel::sql_query(sql).load(&mut c).map_err(|e| e.to_string())?;
        Ok(rows.first().map(|r| r.n).unwrap_or(0))
    })
    .await
    .map_err(|e| e.to_string())?
}
