//! Races: many moderators and students acting on one parent at once (and, on PostgreSQL, through
//! two server instances on one database) never corrupt the breakout state.

use crate::common::{TestApp, USER_PASSWORD};
use futures_util::future::join_all;
use serde_json::Value;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";
const STUDENTS: usize = 12;

struct Call {
    base: String,
    user: String,
    method: reqwest::Method,
    path: String,
    form: Vec<(String, String)>,
}

async fn send(http: &reqwest::Client, call: Call) -> (u16, Value) {
    let password = if call.user == "admin" { "admin" } else { USER_PASSWORD };
    let r = http
        .request(call.method, format!("{}{}", call.base, call.path))
        .basic_auth(&call.user, Some(password))
        .header("OCS-APIRequest", "true")
        .header("Accept", "application/json")
        .form(&call.form)
        .send()
        .await
        .expect("request sent");
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn race(app: &TestApp, bases: &[String]) {
    app.create_user("teacher").await;
    let students: Vec<String> = (1..=STUDENTS).map(|i| format!("student{i:02}")).collect();
    for s in &students {
        app.create_user(s).await;
    }
    let teacher = app.as_user("teacher");
    let r = teacher
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "class")])
        .await;
    r.assert_status(201);
    let class = r.data()["token"].as_str().unwrap().to_owned();
    for s in &students {
        teacher
            .post(
                &format!("{V4}/room/{class}/participants"),
                &[("newParticipant", s), ("source", "users")],
            )
            .await
            .assert_status(200);
    }
    let parts = teacher.get(&format!("{V4}/room/{class}/participants")).await.data();
    let attendee_ids: Vec<i64> = parts
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["actorId"] != "teacher")
        .map(|p| p["attendeeId"].as_i64().unwrap())
        .collect();
    teacher
        .post(
            &format!("{V1}/breakout-rooms/{class}"),
            &[("mode", "3"), ("amount", "4")],
        )
        .await
        .assert_status(200);
    let rooms = teacher.get(&format!("{V4}/room/{class}/breakout-rooms")).await.data();
    let targets: Vec<String> = rooms
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["token"].as_str().unwrap().to_owned())
        .collect();
    teacher
        .post(&format!("{V1}/breakout-rooms/{class}/rooms"), &[])
        .await
        .assert_status(200);

    let http = reqwest::Client::new();
    for round in 0..2 {
        let mut calls = Vec::new();
        for i in 0..60usize {
            let base = bases[i % bases.len()].clone();
            let (user, method, path, form): (String, reqwest::Method, String, Vec<(String, String)>) =
                match (i + round) % 8 {
                    0 => (
                        "teacher".into(),
                        reqwest::Method::POST,
                        format!("{V1}/breakout-rooms/{class}"),
                        vec![("mode".into(), "3".into()), ("amount".into(), "4".into())],
                    ),
                    1 => (
                        "teacher".into(),
                        reqwest::Method::POST,
                        format!("{V1}/breakout-rooms/{class}/rooms"),
                        vec![],
                    ),
                    2 => (
                        "teacher".into(),
                        reqwest::Method::DELETE,
                        format!("{V1}/breakout-rooms/{class}/rooms"),
                        vec![],
                    ),
                    3 => {
                        let map = format!(r#"{{"{}":{}}}"#, attendee_ids[i % attendee_ids.len()], i % 4);
                        (
                            "teacher".into(),
                            reqwest::Method::POST,
                            format!("{V1}/breakout-rooms/{class}/attendees"),
                            vec![("attendeeMap".into(), map)],
                        )
                    }
                    7 if i % 3 == 0 => (
                        "teacher".into(),
                        reqwest::Method::DELETE,
                        format!("{V1}/breakout-rooms/{class}"),
                        vec![],
                    ),
                    _ => (
                        students[i % students.len()].clone(),
                        reqwest::Method::POST,
                        format!("{V1}/breakout-rooms/{class}/switch"),
                        vec![("target".into(), targets[i % targets.len()].clone())],
                    ),
                };
            calls.push(Call {
                base,
                user,
                method,
                path,
                form,
            });
        }
        let results = join_all(calls.into_iter().map(|c| send(&http, c))).await;
        for (status, body) in &results {
            // Every answer is one of upstream's: success, or a 4xx with its error key.
            assert!(matches!(status, 200 | 400), "unexpected {status}: {body}");
        }
        assert!(results.iter().any(|(s, _)| *s == 200), "nothing succeeded");
        crate::common::assert_breakout_invariants(app, &class, "teacher").await;
    }
}

async fn concurrent_breakout_requests_keep_invariants(app: &TestApp) {
    race(app, &[format!("http://{}", app.addr)]).await;
}

both_backends!(concurrent_breakout_requests_keep_invariants);

/// Two server instances on one PostgreSQL database, requests alternating between them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn two_instances_on_one_postgres_keep_invariants() {
    let Some(app) = TestApp::postgres("two_instances").await else {
        return;
    };
    let second = app.second_instance().await;
    race(
        &app,
        &[format!("http://{}", app.addr), format!("http://{}", second.addr)],
    )
    .await;
    second.shutdown().await.unwrap();
    app.stop().await;
}
