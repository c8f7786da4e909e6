//! Property test: random sequences of breakout operations by random actors (owner, a
//! co-moderator, students) keep every invariant after every step, and every answer is one of
//! upstream's (200/201 or 400/403 with an error key), never a 5xx.

use crate::common::{assert_breakout_invariants, TestApp};
use proptest::prelude::*;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";
const USERS: [&str; 5] = ["owner", "comod", "s1", "s2", "s3"];

#[derive(Debug, Clone)]
enum Op {
    Configure { actor: usize, mode: i64, amount: i64 },
    Start { actor: usize },
    Stop { actor: usize },
    Remove { actor: usize },
    Switch { actor: usize, room: usize },
    Reorganize { actor: usize, student: usize, room: i64 },
    Promote { student: usize },
    Demote { student: usize },
    RemoveFromParent { student: usize },
    AddToParent { student: usize },
    DeleteBreakoutRoom { room: usize },
    Broadcast { actor: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..5usize, 0..5i64, 0..5i64).prop_map(|(actor, mode, amount)| Op::Configure { actor, mode, amount }),
        (0..5usize).prop_map(|actor| Op::Start { actor }),
        (0..5usize).prop_map(|actor| Op::Stop { actor }),
        (0..5usize).prop_map(|actor| Op::Remove { actor }),
        (0..5usize, 0..4usize).prop_map(|(actor, room)| Op::Switch { actor, room }),
        (0..5usize, 2..5usize, -1..4i64).prop_map(|(actor, student, room)| Op::Reorganize { actor, student, room }),
        (2..5usize).prop_map(|student| Op::Promote { student }),
        (2..5usize).prop_map(|student| Op::Demote { student }),
        (2..5usize).prop_map(|student| Op::RemoveFromParent { student }),
        (2..5usize).prop_map(|student| Op::AddToParent { student }),
        (0..4usize).prop_map(|room| Op::DeleteBreakoutRoom { room }),
        (0..5usize).prop_map(|actor| Op::Broadcast { actor }),
    ]
}

async fn attendee_of(app: &TestApp, class: &str, user: &str) -> Option<String> {
    let parts = app
        .as_user("owner")
        .get(&format!("{V4}/room/{class}/participants"))
        .await
        .data();
    parts
        .as_array()?
        .iter()
        .find(|p| p["actorId"] == user)
        .map(|p| p["attendeeId"].as_i64().unwrap().to_string())
}

async fn breakout_tokens(app: &TestApp, class: &str) -> Vec<String> {
    let r = app
        .as_user("owner")
        .get(&format!("{V4}/room/{class}/breakout-rooms"))
        .await;
    if r.status != 200 {
        return Vec::new();
    }
    r.data()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["token"].as_str().unwrap().to_owned())
        .collect()
}

async fn apply(app: &TestApp, class: &str, op: &Op) -> u16 {
    let b = format!("{V1}/breakout-rooms/{class}");
    match op {
        Op::Configure { actor, mode, amount } => {
            app.as_user(USERS[*actor])
                .post(&b, &[("mode", &mode.to_string()), ("amount", &amount.to_string())])
                .await
                .status
        }
        Op::Start { actor } => app.as_user(USERS[*actor]).post(&format!("{b}/rooms"), &[]).await.status,
        Op::Stop { actor } => {
            app.as_user(USERS[*actor])
                .delete(&format!("{b}/rooms"), &[])
                .await
                .status
        }
        Op::Remove { actor } => app.as_user(USERS[*actor]).delete(&b, &[]).await.status,
        Op::Switch { actor, room } => {
            let tokens = breakout_tokens(app, class).await;
            let target = tokens.get(*room).cloned().unwrap_or_else(|| "nosuchroom".to_owned());
            app.as_user(USERS[*actor])
                .post(&format!("{b}/switch"), &[("target", &target)])
                .await
                .status
        }
        Op::Reorganize { actor, student, room } => {
            let Some(id) = attendee_of(app, class, USERS[*student]).await else {
                return 0;
            };
            let map = format!(r#"{{"{id}":{room}}}"#);
            app.as_user(USERS[*actor])
                .post(&format!("{b}/attendees"), &[("attendeeMap", &map)])
                .await
                .status
        }
        Op::Promote { student } | Op::Demote { student } => {
            let Some(id) = attendee_of(app, class, USERS[*student]).await else {
                return 0;
            };
            let method = if matches!(op, Op::Promote { .. }) {
                "POST"
            } else {
                "DELETE"
            };
            app.as_user("owner")
                .form(method, &format!("{V4}/room/{class}/moderators"), &[("attendeeId", &id)])
                .await
                .status
        }
        Op::RemoveFromParent { student } => {
            let Some(id) = attendee_of(app, class, USERS[*student]).await else {
                return 0;
            };
            app.as_user("owner")
                .delete(&format!("{V4}/room/{class}/attendees"), &[("attendeeId", &id)])
                .await
                .status
        }
        Op::AddToParent { student } => {
            app.as_user("owner")
                .post(
                    &format!("{V4}/room/{class}/participants"),
                    &[("newParticipant", USERS[*student])],
                )
                .await
                .status
        }
        Op::DeleteBreakoutRoom { room } => {
            let tokens = breakout_tokens(app, class).await;
            let Some(token) = tokens.get(*room) else { return 0 };
            app.as_user("owner")
                .delete(&format!("{V4}/room/{token}"), &[])
                .await
                .status
        }
        Op::Broadcast { actor } => {
            app.as_user(USERS[*actor])
                .post(&format!("{b}/broadcast"), &[("message", "hi")])
                .await
                .status
        }
    }
}

#[test]
fn random_breakout_operations_keep_invariants() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = runtime.block_on(async {
        let app = TestApp::sqlite().await;
        for u in USERS {
            app.create_user(u).await;
        }
        app
    });
    let config = ProptestConfig {
        cases: 24,
        max_shrink_iters: 50,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in prop::collection::vec(op(), 1..14))| {
        runtime.block_on(async {
            let owner = app.as_user("owner");
            let r = owner.post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "class")]).await;
            let class = r.data()["token"].as_str().unwrap().to_owned();
            for u in ["comod", "s1", "s2", "s3"] {
                owner.post(&format!("{V4}/room/{class}/participants"), &[("newParticipant", u)]).await.assert_status(200);
            }
            let comod = attendee_of(&app, &class, "comod").await.unwrap();
            owner.post(&format!("{V4}/room/{class}/moderators"), &[("attendeeId", &comod)]).await.assert_status(200);
            for op in &ops {
                let status = apply(&app, &class, op).await;
                assert!(matches!(status, 0 | 200 | 201 | 400 | 403 | 404), "{op:?} answered {status}");
                assert_breakout_invariants(&app, &class, "owner").await;
            }
        });
    });
    runtime.block_on(app.stop());
}
