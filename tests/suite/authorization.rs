//! The authorization matrix: every breakout endpoint (and the conversation endpoints around
//! them) called as anonymous, with a wrong password, as a stranger, as the admin (not a
//! member), as a student, as a co-moderator and as the owner. No role reaches what upstream
//! refuses it.

use crate::common::TestApp;

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Anonymous,
    WrongPassword,
    Stranger,
    Admin,
    Student,
    Moderator,
    Owner,
}

const ROLES: [Role; 7] = [
    Role::Anonymous,
    Role::WrongPassword,
    Role::Stranger,
    Role::Admin,
    Role::Student,
    Role::Moderator,
    Role::Owner,
];

/// What a role may get: an exact status, or "past the permission checks" (anything but
/// 401/403/404/412).
#[derive(Debug, Clone, Copy)]
enum Expect {
    Status(u16),
    Allowed,
}

struct Endpoint {
    method: &'static str,
    path: String,
    form: Vec<(&'static str, String)>,
    /// Expected for the student; moderator and owner are always `Allowed` unless listed.
    student: Expect,
    moderator: Expect,
}

async fn call(app: &TestApp, role: Role, e: &Endpoint) -> u16 {
    let client = match role {
        Role::Anonymous => app.anonymous(),
        Role::WrongPassword => app.with_credentials("participant2", "wrong"),
        Role::Stranger => app.as_user("stranger"),
        Role::Admin => app.as_user("admin"),
        Role::Student => app.as_user("participant2"),
        Role::Moderator => app.as_user("participant3"),
        Role::Owner => app.as_user("participant1"),
    };
    let form: Vec<(&str, &str)> = e.form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client.form(e.method, &e.path, &form).await.status
}

async fn authorization_matrix(app: &TestApp) {
    for u in ["participant1", "participant2", "participant3", "stranger"] {
        app.create_user(u).await;
    }
    let owner = app.as_user("participant1");
    let r = owner
        .post(&format!("{V4}/room"), &[("roomType", "2"), ("roomName", "class")])
        .await;
    let class = r.data()["token"].as_str().unwrap().to_owned();
    for u in ["participant2", "participant3"] {
        owner
            .post(&format!("{V4}/room/{class}/participants"), &[("newParticipant", u)])
            .await
            .assert_status(200);
    }
    let parts = owner.get(&format!("{V4}/room/{class}/participants")).await.data();
    let id_of = |user: &str| {
        parts.as_array().unwrap().iter().find(|p| p["actorId"] == user).unwrap()["attendeeId"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let (p2, p3) = (id_of("participant2"), id_of("participant3"));
    owner
        .post(&format!("{V4}/room/{class}/moderators"), &[("attendeeId", &p3)])
        .await
        .assert_status(200);
    owner
        .post(
            &format!("{V1}/breakout-rooms/{class}"),
            &[("mode", "3"), ("amount", "2")],
        )
        .await
        .assert_status(200);
    owner
        .post(&format!("{V1}/breakout-rooms/{class}/rooms"), &[])
        .await
        .assert_status(200);
    let rooms = owner.get(&format!("{V4}/room/{class}/breakout-rooms")).await.data();
    let room1 = rooms[0]["token"].as_str().unwrap().to_owned();

    let b = format!("{V1}/breakout-rooms/{class}");
    let endpoints = vec![
        Endpoint {
            method: "POST",
            path: b.clone(),
            form: vec![("mode", "1".into()), ("amount", "2".into())],
            student: Expect::Status(403),
            moderator: Expect::Status(400),
        },
        Endpoint {
            method: "POST",
            path: format!("{b}/rooms"),
            form: vec![],
            student: Expect::Status(403),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "POST",
            path: format!("{b}/broadcast"),
            form: vec![("message", "hi".into())],
            student: Expect::Status(403),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "POST",
            path: format!("{b}/attendees"),
            form: vec![("attendeeMap", "{}".into())],
            student: Expect::Status(403),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "POST",
            path: format!("{b}/switch"),
            form: vec![("target", room1.clone())],
            student: Expect::Status(200),
            moderator: Expect::Status(400),
        },
        Endpoint {
            method: "POST",
            path: format!("{V1}/breakout-rooms/{room1}/request-assistance"),
            form: vec![],
            student: Expect::Status(200),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "DELETE",
            path: format!("{V1}/breakout-rooms/{room1}/request-assistance"),
            form: vec![],
            student: Expect::Status(200),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "GET",
            path: format!("{V4}/room/{class}/breakout-rooms"),
            form: vec![],
            student: Expect::Status(200),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "GET",
            path: format!("{V4}/room/{class}/breakout-rooms/participants"),
            form: vec![],
            student: Expect::Status(200),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "GET",
            path: format!("{V4}/room/{class}"),
            form: vec![],
            student: Expect::Status(200),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "GET",
            path: format!("{V4}/room/{class}/participants"),
            form: vec![],
            student: Expect::Status(200),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "PUT",
            path: format!("{V4}/room/{class}"),
            form: vec![("roomName", "class".into())],
            student: Expect::Status(403),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "POST",
            path: format!("{V4}/room/{class}/participants"),
            form: vec![("newParticipant", "participant2".into())],
            student: Expect::Status(403),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "POST",
            path: format!("{V4}/room/{class}/moderators"),
            form: vec![("attendeeId", p2.clone())],
            student: Expect::Status(403),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "DELETE",
            path: format!("{V4}/room/{class}/moderators"),
            form: vec![("attendeeId", p2.clone())],
            student: Expect::Status(403),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "PUT",
            path: format!("{V4}/room/{class}/webinar/lobby"),
            form: vec![("state", "0".into())],
            student: Expect::Status(403),
            moderator: Expect::Allowed,
        },
        Endpoint {
            method: "POST",
            path: format!("{V1}/chat/{class}"),
            form: vec![("message", "hello".into())],
            student: Expect::Status(201),
            moderator: Expect::Status(201),
        },
        Endpoint {
            method: "GET",
            path: format!("{V1}/chat/{class}?lookIntoFuture=0"),
            form: vec![],
            student: Expect::Status(200),
            moderator: Expect::Status(200),
        },
        Endpoint {
            method: "DELETE",
            path: b.clone(),
            form: vec![],
            student: Expect::Status(403),
            moderator: Expect::Allowed,
        },
    ];
    let mut failures = Vec::new();
    for e in &endpoints {
        for role in ROLES {
            // Upstream serves the single room as a public page: anonymous callers simply do
            // not find a group conversation.
            let public_page = e.method == "GET" && e.path == format!("{V4}/room/{class}");
            let expected = match role {
                Role::Anonymous if public_page => Expect::Status(404),
                Role::Anonymous | Role::WrongPassword => Expect::Status(401),
                Role::Stranger | Role::Admin => Expect::Status(404),
                Role::Student => e.student,
                Role::Moderator | Role::Owner => e.moderator,
            };
            let got = call(app, role, e).await;
            let ok = match expected {
                Expect::Status(s) => got == s,
                Expect::Allowed => !matches!(got, 401 | 403 | 404 | 412),
            };
            if !ok {
                failures.push(format!(
                    "{:?} {} {} → {got}, expected {expected:?}",
                    role, e.method, e.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization mismatches:\n{}",
        failures.join("\n")
    );
}

both_backends!(authorization_matrix);
