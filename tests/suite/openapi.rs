//! A full conversation flow, every answer validated against upstream's OpenAPI description
//! (spreed `openapi-full.json`). Where upstream's own PHP answers differ from its description,
//! we answer like the PHP; those places are listed in `KNOWN_PHP_DEVIATIONS` (and in
//! `docs/compatibility.md`), and the test checks that nothing else differs.

use crate::common::openapi::{Spec, Violation, ViolationKind};
use crate::common::{Client, Resp, TestApp};
use serde_json::{json, Value};

const V4: &str = "/ocs/v2.php/apps/spreed/api/v4";
const V1: &str = "/ocs/v2.php/apps/spreed/api/v1";

/// Upstream's PHP answers that its own description does not allow, reproduced on purpose:
/// (part of the operation's label, end of the JSON pointer, kind).
const KNOWN_PHP_DEVIATIONS: &[(&str, &str, ViolationKind)] = &[
    // An empty PHP array is `[]`, also where the description says object.
    ("", "/messageParameters", ViolationKind::EmptyArrayForObject),
    // `addParticipantToRoom` answers `DataResponse([])` for users and groups; the description
    // says `{type?: int}`.
    ("/participants → 200", "/ocs/data", ViolationKind::EmptyArrayForObject),
    // A `parent` is `ChatMessage` or `DeletedChatMessage`; an edited one with no parameters
    // carries the same `[]` and so matches neither branch as a whole. The flow checks such
    // parents against `ChatMessage` itself, with only the `[]` allowed.
    ("/chat/", "/parent", ViolationKind::Combinator),
    // Refusals by the middleware (`#[RequireModeratorParticipant]` → 403 ...) are not part of
    // the operations' descriptions.
    (" → 403", "", ViolationKind::NoOperation),
];

fn is_known(label: &str, v: &Violation) -> bool {
    KNOWN_PHP_DEVIATIONS
        .iter()
        .any(|(op, suffix, kind)| v.kind == *kind && label.contains(op) && v.at.ends_with(suffix))
}

/// Sends requests and validates every answer.
struct Checked {
    spec: Spec,
    seen: Vec<String>,
    problems: Vec<String>,
    known: std::collections::BTreeSet<String>,
}

enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Json(Value),
    Query,
}

impl Checked {
    async fn call(&mut self, client: &Client<'_>, method: &str, path: &str, body: Body<'_>) -> Resp {
        let r = match body {
            Body::None => client.form(method, path, &[]).await,
            Body::Form(form) => client.form(method, path, form).await,
            Body::Json(value) => client.json(method, path, &value).await,
            Body::Query => client.send_query(method, path).await,
        };
        self.validate(method, path, &r);
        r
    }

    fn validate(&mut self, method: &str, path: &str, r: &Resp) {
        let label = format!("{method} {} → {}", path.split('?').next().unwrap_or(path), r.status);
        self.seen.push(label.clone());
        if r.status == 304 || r.status == 204 {
            assert!(r.body.is_empty(), "{label}: body on {}", r.status);
            return;
        }
        let body: Value =
            serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{label}: not JSON ({e}): {}", r.body));
        for v in self.spec.check_response(method, path, r.status, &body) {
            if is_known(&label, &v) {
                self.known.insert(format!("{:?} at {}", v.kind, v.at));
            } else {
                self.problems.push(format!("{label}: {v}"));
            }
        }
    }
}

async fn conversation_flow_matches_the_openapi_description(app: &TestApp) {
    let mut c = Checked {
        spec: Spec::load(),
        seen: Vec::new(),
        problems: Vec::new(),
        known: Default::default(),
    };
    for user in ["participant1", "participant2", "participant3"] {
        app.create_user(user).await;
    }
    app.create_group("group1", &["participant3"]).await;
    let owner = app.as_user("participant1");
    let other = app.as_user("participant2");

    // Conversations: create (web client JSON), list, get, rename.
    let r = c
        .call(
            &owner,
            "POST",
            &format!("{V4}/room"),
            Body::Json(json!({"roomType": 2, "roomName": "Flow"})),
        )
        .await;
    r.assert_status(201);
    let token = r.data()["token"].as_str().unwrap().to_owned();
    let room = format!("{V4}/room/{token}");
    c.call(&owner, "GET", &format!("{V4}/room"), Body::None)
        .await
        .assert_status(200);
    c.call(&owner, "GET", &room, Body::None).await.assert_status(200);
    c.call(&owner, "PUT", &room, Body::Form(&[("roomName", "Flow renamed")]))
        .await
        .assert_status(200);
    c.call(&owner, "PUT", &room, Body::Form(&[("roomName", "  ")]))
        .await
        .assert_status(400);

    // Participants: add a user and a group (Android: query string), list, promote, demote.
    c.call(
        &owner,
        "POST",
        &format!("{room}/participants?newParticipant=participant2&source=users"),
        Body::Query,
    )
    .await
    .assert_status(200);
    c.call(
        &owner,
        "POST",
        &format!("{room}/participants"),
        Body::Form(&[("newParticipant", "group1"), ("source", "groups")]),
    )
    .await
    .assert_status(200);
    c.call(
        &owner,
        "POST",
        &format!("{room}/participants"),
        Body::Form(&[("newParticipant", "nobody"), ("source", "users")]),
    )
    .await
    .assert_status(404);
    let r = c.call(&owner, "GET", &format!("{room}/participants"), Body::None).await;
    r.assert_status(200);
    let attendee = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["actorId"] == "participant2")
        .map(|p| p["attendeeId"].as_i64().unwrap())
        .unwrap();
    let attendee_form = attendee.to_string();
    c.call(
        &owner,
        "POST",
        &format!("{room}/moderators"),
        Body::Form(&[("attendeeId", &attendee_form)]),
    )
    .await
    .assert_status(200);
    c.call(
        &owner,
        "DELETE",
        &format!("{room}/moderators"),
        Body::Form(&[("attendeeId", &attendee_form)]),
    )
    .await
    .assert_status(200);

    // Sessions: join and leave.
    c.call(&other, "POST", &format!("{room}/participants/active"), Body::None)
        .await
        .assert_status(200);
    c.call(&other, "DELETE", &format!("{room}/participants/active"), Body::None)
        .await
        .assert_status(200);

    // Chat: send (JSON and form), reply, read history and newer messages.
    let chat = format!("{V1}/chat/{token}");
    let r = c
        .call(
            &owner,
            "POST",
            &chat,
            Body::Json(json!({"message": "hello", "referenceId": "ref-1"})),
        )
        .await;
    r.assert_status(201);
    let first = r.data()["id"].as_i64().unwrap().to_string();
    c.call(
        &other,
        "POST",
        &chat,
        Body::Form(&[("message", "hi back"), ("replyTo", &first)]),
    )
    .await
    .assert_status(201);
    c.call(&owner, "POST", &chat, Body::Form(&[("message", "")]))
        .await
        .assert_status(400);
    // Mentions: a user, everybody and a group, as parameters of the message, in the chat and
    // as the room list's last message; the mentioned user's list shows the unread mention.
    let r = c
        .call(
            &owner,
            "POST",
            &chat,
            Body::Json(json!({"message": "@participant2 @all @\"group/group1\" look"})),
        )
        .await;
    r.assert_status(201);
    assert_eq!(
        r.data()["message"],
        "{mention-user1} {mention-call1} {mention-group1} look"
    );
    let r = c.call(&other, "GET", &format!("{V4}/room"), Body::None).await;
    r.assert_status(200);
    let listed = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["token"] == token)
        .unwrap()
        .clone();
    assert_eq!(listed["unreadMention"], true);
    assert_eq!(listed["unreadMentionDirect"], true);
    assert_eq!(
        listed["lastMessage"]["messageParameters"]["mention-call1"]["type"],
        "call"
    );
    // Mention suggestions: everybody (users, the group, `@all` with its details), a search.
    for search in ["", "part", "group"] {
        let r = c
            .call(
                &owner,
                "GET",
                &format!("{chat}/mentions?search={search}&limit=20"),
                Body::None,
            )
            .await;
        r.assert_status(200);
        assert!(!r.data().as_array().unwrap().is_empty(), "suggestions for {search:?}");
    }
    c.call(&owner, "GET", &format!("{chat}?lookIntoFuture=0&limit=50"), Body::None)
        .await
        .assert_status(200);
    c.call(
        &owner,
        "GET",
        &format!("{chat}?lookIntoFuture=1&lastKnownMessageId={first}&timeout=0"),
        Body::None,
    )
    .await
    .assert_status(200);

    // Reactions: add (JSON, query string), again (200), list (all, one emoji), the chat with
    // `reactions` and `reactionsSelf`, refusals, revoke (form body).
    let reaction = format!("{V1}/reaction/{token}/{first}");
    c.call(&other, "POST", &reaction, Body::Json(json!({"reaction": "👍"})))
        .await
        .assert_status(201);
    c.call(
        &owner,
        "POST",
        &format!("{reaction}?reaction=%F0%9F%8E%89"),
        Body::Query,
    )
    .await
    .assert_status(201);
    c.call(&other, "POST", &reaction, Body::Form(&[("reaction", "👍")]))
        .await
        .assert_status(200);
    c.call(&owner, "GET", &reaction, Body::None).await.assert_status(200);
    c.call(&owner, "GET", &format!("{reaction}?reaction=%F0%9F%91%8D"), Body::None)
        .await
        .assert_status(200);
    c.call(&owner, "POST", &reaction, Body::Form(&[("reaction", "x")]))
        .await
        .assert_status(400);
    c.call(&owner, "GET", &format!("{V1}/reaction/{token}/999999"), Body::None)
        .await
        .assert_status(404);
    let reacted = c
        .call(&other, "GET", &format!("{chat}?lookIntoFuture=0&limit=50"), Body::None)
        .await;
    reacted.assert_status(200);
    assert!(reacted
        .data()
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m.get("reactionsSelf").is_some()));
    c.call(&owner, "DELETE", &reaction, Body::Form(&[("reaction", "🎉")]))
        .await
        .assert_status(200);
    c.call(&owner, "DELETE", &reaction, Body::Form(&[("reaction", "🎉")]))
        .await
        .assert_status(404);
    c.call(&owner, "GET", &format!("{chat}?lookIntoFuture=0&limit=50"), Body::None)
        .await
        .assert_status(200);

    // Editing (web client JSON), then deleting: somebody else's as a plain participant (403),
    // a moderator's delete, the chat with the placeholder.
    let edited = c
        .call(
            &owner,
            "PUT",
            &format!("{chat}/{first}"),
            Body::Json(json!({"message": "hello again"})),
        )
        .await;
    edited.assert_status(200);
    for v in c.spec.check_component("ChatMessage", &edited.data()["parent"]) {
        if !is_known("", &v) {
            c.problems.push(format!("edited parent: {v}"));
        }
    }
    c.call(
        &owner,
        "PUT",
        &format!("{chat}/{first}"),
        Body::Form(&[("message", " ")]),
    )
    .await
    .assert_status(400);
    c.call(&other, "DELETE", &format!("{chat}/{first}"), Body::None)
        .await
        .assert_status(403);
    c.call(&owner, "DELETE", &format!("{chat}/{first}"), Body::None)
        .await
        .assert_status(200);
    c.call(&owner, "DELETE", &format!("{chat}/999999"), Body::None)
        .await
        .assert_status(404);
    let listed = c
        .call(&other, "GET", &format!("{chat}?lookIntoFuture=0&limit=50"), Body::None)
        .await;
    listed.assert_status(200);
    for parent in listed.data().as_array().unwrap().iter().filter_map(|m| m.get("parent")) {
        for v in c.spec.check_component("ChatMessage", parent) {
            if !is_known("", &v) {
                c.problems.push(format!("listed parent: {v}"));
            }
        }
    }

    // Settings: lobby, listable, public/private, default permissions, message expiration,
    // mention permissions (and a refused value).
    c.call(
        &owner,
        "PUT",
        &format!("{room}/mention-permissions"),
        Body::Json(json!({"mentionPermissions": 1})),
    )
    .await
    .assert_status(200);
    c.call(
        &owner,
        "PUT",
        &format!("{room}/mention-permissions"),
        Body::Form(&[("mentionPermissions", "5")]),
    )
    .await
    .assert_status(400);
    c.call(
        &owner,
        "PUT",
        &format!("{room}/mention-permissions"),
        Body::Form(&[("mentionPermissions", "0")]),
    )
    .await
    .assert_status(200);
    c.call(
        &owner,
        "PUT",
        &format!("{room}/webinar/lobby"),
        Body::Form(&[("state", "1")]),
    )
    .await
    .assert_status(200);
    c.call(
        &owner,
        "PUT",
        &format!("{room}/webinar/lobby"),
        Body::Form(&[("state", "0")]),
    )
    .await
    .assert_status(200);
    c.call(
        &owner,
        "PUT",
        &format!("{room}/listable"),
        Body::Form(&[("scope", "1")]),
    )
    .await
    .assert_status(200);
    c.call(&owner, "POST", &format!("{room}/public"), Body::None)
        .await
        .assert_status(200);
    c.call(&owner, "DELETE", &format!("{room}/public"), Body::None)
        .await
        .assert_status(200);

    // Breakout rooms: configure, start, list, stop, remove.
    let breakout = format!("{V1}/breakout-rooms/{token}");
    c.call(
        &owner,
        "POST",
        &breakout,
        Body::Json(json!({"mode": "1", "amount": "2"})),
    )
    .await
    .assert_status(200);
    c.call(&owner, "POST", &format!("{breakout}/rooms"), Body::None)
        .await
        .assert_status(200);
    c.call(&owner, "GET", &format!("{room}/breakout-rooms"), Body::None)
        .await
        .assert_status(200);
    c.call(
        &owner,
        "GET",
        &format!("{room}/breakout-rooms/participants"),
        Body::None,
    )
    .await
    .assert_status(200);
    c.call(&owner, "DELETE", &format!("{breakout}/rooms"), Body::None)
        .await
        .assert_status(200);
    c.call(&owner, "DELETE", &breakout, Body::None).await.assert_status(200);

    // One-to-one conversation, seen by both.
    let r = c
        .call(
            &owner,
            "POST",
            &format!("{V4}/room?roomType=1&invite=participant2"),
            Body::Query,
        )
        .await;
    r.assert_status(201);
    let direct = r.data()["token"].as_str().unwrap().to_owned();
    c.call(&other, "GET", &format!("{V4}/room/{direct}"), Body::None)
        .await
        .assert_status(200);

    // Settings: description and read-only (web client JSON, form bodies), favorites and
    // notification levels (Android: query string), with their refusals.
    let calls: [(&Client<'_>, &str, String, Body<'_>, u16); 10] = [
        (
            &owner,
            "PUT",
            format!("{room}/description"),
            Body::Json(json!({"description": "About"})),
            200,
        ),
        (
            &owner,
            "PUT",
            format!("{room}/description"),
            Body::Form(&[("description", "")]),
            200,
        ),
        (
            &other,
            "PUT",
            format!("{room}/description"),
            Body::Form(&[("description", "x")]),
            403,
        ),
        (
            &owner,
            "PUT",
            format!("{room}/read-only"),
            Body::Form(&[("state", "1")]),
            200,
        ),
        (
            &owner,
            "PUT",
            format!("{room}/read-only"),
            Body::Json(json!({"state": 7})),
            400,
        ),
        (
            &owner,
            "PUT",
            format!("{room}/read-only"),
            Body::Form(&[("state", "0")]),
            200,
        ),
        (&other, "POST", format!("{room}/favorite"), Body::None, 200),
        (&other, "DELETE", format!("{room}/favorite"), Body::None, 200),
        (&other, "POST", format!("{room}/notify?level=3"), Body::Query, 200),
        (&other, "POST", format!("{room}/notify-calls?level=9"), Body::Query, 400),
    ];
    for (client, method, path, body, status) in calls {
        c.call(client, method, &path, body).await.assert_status(status);
    }

    // Refusals: not a participant, not a moderator.
    let outsider = app.as_user("participant3");
    c.call(&outsider, "GET", &format!("{V4}/room/{direct}"), Body::None)
        .await
        .assert_status(404);
    c.call(&other, "PUT", &room, Body::Form(&[("roomName", "mine")]))
        .await
        .assert_status(403);

    // Leaving and deleting.
    c.call(&other, "DELETE", &format!("{room}/participants/self"), Body::None)
        .await
        .assert_status(200);
    c.call(&owner, "DELETE", &room, Body::None).await.assert_status(200);

    // The capabilities' Talk block against spreed's `Capabilities` component.
    let caps = owner.get("/ocs/v2.php/cloud/capabilities").await;
    caps.assert_status(200);
    for v in c
        .spec
        .check_component("Capabilities", &caps.data()["capabilities"]["spreed"])
    {
        c.problems.push(format!("capabilities.spreed: {v}"));
    }

    eprintln!(
        "validated {} answers; reproduced PHP deviations: {:?}",
        c.seen.len(),
        c.known
    );
    assert!(
        c.problems.is_empty(),
        "answers that differ from the description:\n{}",
        c.problems.join("\n")
    );
}

both_backends!(conversation_flow_matches_the_openapi_description);

/// The validator itself finds what it should: a room without `token`, with a string `type`,
/// an extra key in a closed object and a null where none is allowed.
#[test]
fn validator_reports_departures() {
    let spec = Spec::load();
    assert_eq!(
        spec.template_for("/ocs/v2.php/apps/spreed/api/v4/room/abcd1234/participants")
            .as_deref(),
        Some("/ocs/v2.php/apps/spreed/api/{apiVersion}/room/{token}/participants")
    );
    let body = json!({"ocs": {"meta": {"status": "ok", "statuscode": 200, "message": "OK"}, "data": {
        "id": 1, "type": "2", "name": "x", "displayName": null
    }}});
    let found = spec.check_response("GET", "/ocs/v2.php/apps/spreed/api/v4/room/abcd1234", 200, &body);
    let has = |at: &str, kind: ViolationKind| found.iter().any(|v| v.at == at && v.kind == kind);
    assert!(has("/ocs/data", ViolationKind::MissingProperty), "{found:?}");
    assert!(has("/ocs/data/type", ViolationKind::WrongType), "{found:?}");
    assert!(has("/ocs/data/displayName", ViolationKind::WrongType), "{found:?}");
    let undocumented = spec.check_response("PATCH", "/ocs/v2.php/apps/spreed/api/v4/room/abcd1234", 200, &body);
    assert_eq!(undocumented[0].kind, ViolationKind::NoOperation);
    // Capabilities need non-empty local lists.
    let caps = json!({"features": [], "features-local": [], "config": {}, "config-local": {}, "version": "22.0.0"});
    let found = spec.check_component("Capabilities", &caps);
    assert!(!found.is_empty());
}
