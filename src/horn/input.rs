//! Strict JSON input (horn.md §1): an absent or empty body is `{}`; a body that is not JSON, or
//! JSON that is not an object, is 400; unknown fields are ignored; `null` means absent; numbers
//! must be JSON integers. The body is read by an extractor that never fails, so that a bad body
//! is reported only when its turn in the check order comes (after channel, role and ids).

use crate::domain::ids::BreakoutRoomMode;
use crate::domain::rounds::{self, AssignInput, Paging, Patch, RoomInput, SessionInput, StartInput, Strategy};
use crate::domain::{self, Refusal};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use http_body_util::{BodyExt, Limited};
use serde_json::{Map, Value};

/// Horn bodies are small objects; anything larger is refused as a bad request.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The request body as a JSON object, or why it is not one.
#[derive(Debug, Clone)]
pub struct JsonBody(pub Result<Map<String, Value>, String>);

impl FromRequest<AppState> for JsonBody {
    type Rejection = std::convert::Infallible;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, Self::Rejection> {
        let body: Body = request.into_body();
        let bytes = match Limited::new(body, BODY_LIMIT_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return Ok(JsonBody(Err(format!("the body exceeds {BODY_LIMIT_BYTES} bytes")))),
        };
        Ok(JsonBody(parse_object(&bytes)))
    }
}

/// `{}` for an empty body; an object, or the reason it is not one.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("the body must be a JSON object".to_owned()),
        Err(_) => Err("the body is not valid JSON".to_owned()),
    }
}

fn present<'a>(map: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    map.get(field).filter(|v| !v.is_null())
}

/// An optional string field.
pub fn string(map: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match present(map, field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{field} must be a string")),
    }
}

/// An optional integer field: a JSON integer that fits in 64 bits (`"60"`, `1.5`, `1e3` fail).
pub fn integer(map: &Map<String, Value>, field: &str) -> Result<Option<i64>, String> {
    match present(map, field) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(v) => Ok(Some(v)),
            None if n.is_u64() => Err(format!("{field} is out of range")),
            None => Err(format!("{field} must be an integer")),
        },
        Some(_) => Err(format!("{field} must be an integer")),
    }
}

fn bad(message: String) -> Refusal {
    Refusal::InvalidInput(message)
}

fn body(b: JsonBody) -> domain::Result<Map<String, Value>> {
    b.0.map_err(bad)
}

/// `{name?, duration?}` of #1 and #3.
pub fn session_input(b: JsonBody) -> domain::Result<SessionInput> {
    let map = body(b)?;
    let name = string(&map, "name")
        .map_err(bad)?
        .map(|n| rounds::validate_name("name", &n))
        .transpose()?;
    let duration = integer(&map, "duration")
        .map_err(bad)?
        .map(rounds::validate_duration)
        .transpose()?;
    let mode = match string(&map, "mode").map_err(bad)?.as_deref() {
        None => None,
        Some(name) => Some(mode_named(name).ok_or_else(|| bad("mode must be manual, automatic or free".to_owned()))?),
    };
    Ok(SessionInput { name, duration, mode })
}

/// A session mode by its name on the wire (extension, horn.md §6).
pub fn mode_named(name: &str) -> Option<BreakoutRoomMode> {
    match name {
        "manual" => Some(BreakoutRoomMode::Manual),
        "automatic" => Some(BreakoutRoomMode::Automatic),
        "free" => Some(BreakoutRoomMode::Free),
        _ => None,
    }
}

/// `{name?, capacity?}` of #5 and #7 (`capacity: null` removes the limit).
pub fn room_input(b: JsonBody) -> domain::Result<RoomInput> {
    let map = body(b)?;
    let name = string(&map, "name")
        .map_err(bad)?
        .map(|n| rounds::validate_name("name", &n))
        .transpose()?;
    let capacity = match map.get("capacity") {
        None => Patch::Keep,
        Some(Value::Null) => Patch::Clear,
        Some(_) => match integer(&map, "capacity").map_err(bad)? {
            Some(c) => Patch::Set(rounds::validate_capacity(c)?),
            None => Patch::Keep,
        },
    };
    Ok(RoomInput { name, capacity })
}

/// `{strategy, rooms?}` of the assign extension (horn.md §6).
pub fn assign_input(b: JsonBody) -> domain::Result<AssignInput> {
    let map = body(b)?;
    let strategy = match string(&map, "strategy").map_err(bad)?.as_deref() {
        Some("balanced") => Strategy::Balanced,
        Some("rotate") => Strategy::Rotate,
        Some(_) => return Err(bad("strategy must be balanced or rotate".to_owned())),
        None => return Err(bad("strategy is required".to_owned())),
    };
    let rooms = integer(&map, "rooms").map_err(bad)?;
    if rooms.is_some_and(|n| n < 1) {
        return Err(bad("rooms must be at least 1".to_owned()));
    }
    Ok(AssignInput { strategy, rooms })
}

/// A session id given as a JSON string (or integer, which names the same id).
fn id_field(map: &Map<String, Value>, field: &str) -> domain::Result<Option<String>> {
    match present(map, field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
        Some(_) => Err(bad(format!("{field} must be a string"))),
    }
}

/// `{id?}` or `breakoutSession` (body or query) of #12; both given and different → 400.
pub fn start_input(b: JsonBody, query: &[(String, String)]) -> domain::Result<StartInput> {
    let map = body(b)?;
    let id = id_field(&map, "id")?;
    let named = match id_field(&map, "breakoutSession")? {
        Some(v) => Some(v),
        None => last(query, "breakoutSession").map(str::to_owned),
    };
    match (id, named) {
        (Some(a), Some(b)) if a != b => Err(bad("id and breakoutSession name different sessions".to_owned())),
        (Some(a), _) => Ok(StartInput { id: Some(a) }),
        (None, b) => Ok(StartInput { id: b }),
    }
}

/// The query string as pairs (undecodable → none).
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .unwrap_or_default()
}

/// The last value given for `key`, as PHP reads repeated query parameters.
pub fn last<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn query_int(query: &[(String, String)], key: &str) -> domain::Result<Option<i64>> {
    match last(query, key) {
        None => Ok(None),
        Some(v) => {
            let digits = v.strip_prefix('-').unwrap_or(v);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(format!("{key} must be an integer")));
            }
            v.parse().map(Some).map_err(|_| bad(format!("{key} is out of range")))
        }
    }
}

/// `limit` (default 50, 1–500) and `offset` (default 0, ≥ 0).
pub fn paging(query: &[(String, String)]) -> domain::Result<Paging> {
    let limit = query_int(query, "limit")?.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(bad("limit must be between 1 and 500".to_owned()));
    }
    let offset = query_int(query, "offset")?.unwrap_or(0);
    if offset < 0 {
        return Err(bad("offset must not be negative".to_owned()));
    }
    Ok(Paging { limit, offset })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(text: &str) -> JsonBody {
        JsonBody(parse_object(text.as_bytes()))
    }

    fn message(r: domain::Result<impl std::fmt::Debug>) -> String {
        match r {
            Err(Refusal::InvalidInput(m)) => m,
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn bodies_are_objects_or_nothing() {
        assert!(parse_object(b"").unwrap().is_empty());
        assert!(parse_object(b" \n").unwrap().is_empty());
        assert!(parse_object(b"{}").unwrap().is_empty());
        assert_eq!(parse_object(b"{").unwrap_err(), "the body is not valid JSON");
        for not_object in ["[]", "1", "\"x\"", "null", "true"] {
            assert_eq!(
                parse_object(not_object.as_bytes()).unwrap_err(),
                "the body must be a JSON object"
            );
        }
    }

    #[test]
    fn session_fields_are_strict() {
        let ok = session_input(obj(r#"{"name":"  Round ","duration":60000,"extra":[1]}"#)).unwrap();
        assert_eq!((ok.name.as_deref(), ok.duration), (Some("Round"), Some(60000)));
        let none = session_input(obj(r#"{"name":null,"duration":null}"#)).unwrap();
        assert_eq!((none.name, none.duration), (None, None));
        assert_eq!(
            message(session_input(obj(r#"{"duration":"60000"}"#))),
            "duration must be an integer"
        );
        assert_eq!(
            message(session_input(obj(r#"{"duration":1.5}"#))),
            "duration must be an integer"
        );
        assert_eq!(
            message(session_input(obj(r#"{"duration":1e3}"#))),
            "duration must be an integer"
        );
        assert_eq!(
            message(session_input(obj(r#"{"duration":18446744073709551615}"#))),
            "duration is out of range"
        );
        assert!(message(session_input(obj(r#"{"duration":-1}"#))).starts_with("duration must be between"));
        assert!(message(session_input(obj(r#"{"duration":315360000001}"#))).starts_with("duration must be between"));
        assert_eq!(message(session_input(obj(r#"{"name":5}"#))), "name must be a string");
        let modes = session_input(obj(r#"{"mode":"free"}"#)).unwrap();
        assert_eq!(modes.mode, Some(BreakoutRoomMode::Free));
        assert_eq!(session_input(obj(r#"{"mode":null}"#)).unwrap().mode, None);
        for bad_mode in [r#"{"mode":"Free"}"#, r#"{"mode":""}"#, r#"{"mode":"none"}"#] {
            assert_eq!(
                message(session_input(obj(bad_mode))),
                "mode must be manual, automatic or free"
            );
        }
        assert_eq!(message(session_input(obj(r#"{"mode":3}"#))), "mode must be a string");
        assert!(message(session_input(obj(r#"{"name":"  "}"#))).starts_with("name must be 1 to 255"));
    }

    #[test]
    fn capacity_null_clears() {
        assert_eq!(room_input(obj(r#"{"capacity":null}"#)).unwrap().capacity, Patch::Clear);
        assert_eq!(room_input(obj(r#"{}"#)).unwrap().capacity, Patch::Keep);
        assert_eq!(room_input(obj(r#"{"capacity":4}"#)).unwrap().capacity, Patch::Set(4));
        assert!(room_input(obj(r#"{"capacity":0}"#)).is_err());
        assert!(room_input(obj(r#"{"capacity":"4"}"#)).is_err());
    }

    #[test]
    fn assign_needs_a_known_strategy_and_a_positive_room_count() {
        let ok = assign_input(obj(r#"{"strategy":"rotate","rooms":3}"#)).unwrap();
        assert_eq!((ok.strategy, ok.rooms), (Strategy::Rotate, Some(3)));
        let ok = assign_input(obj(r#"{"strategy":"balanced","rooms":null}"#)).unwrap();
        assert_eq!((ok.strategy, ok.rooms), (Strategy::Balanced, None));
        assert_eq!(message(assign_input(obj("{}"))), "strategy is required");
        assert_eq!(
            message(assign_input(obj(r#"{"strategy":"random"}"#))),
            "strategy must be balanced or rotate"
        );
        assert_eq!(
            message(assign_input(obj(r#"{"strategy":1}"#))),
            "strategy must be a string"
        );
        assert_eq!(
            message(assign_input(obj(r#"{"strategy":"rotate","rooms":0}"#))),
            "rooms must be at least 1"
        );
        assert_eq!(
            message(assign_input(obj(r#"{"strategy":"rotate","rooms":-2}"#))),
            "rooms must be at least 1"
        );
        assert_eq!(
            message(assign_input(obj(r#"{"strategy":"rotate","rooms":"2"}"#))),
            "rooms must be an integer"
        );
        assert_eq!(
            message(assign_input(obj(r#"{"strategy":"rotate","rooms":1e2}"#))),
            "rooms must be an integer"
        );
        assert_eq!(
            message(assign_input(obj(
                r#"{"strategy":"rotate","rooms":99999999999999999999}"#
            ))),
            "rooms must be an integer"
        );
    }

    #[test]
    fn start_names_one_session() {
        let q = vec![("breakoutSession".to_owned(), "7".to_owned())];
        assert_eq!(start_input(obj("{}"), &q).unwrap().id.as_deref(), Some("7"));
        assert_eq!(start_input(obj(r#"{"id":"7"}"#), &q).unwrap().id.as_deref(), Some("7"));
        assert_eq!(start_input(obj(r#"{"id":7}"#), &[]).unwrap().id.as_deref(), Some("7"));
        assert!(start_input(obj(r#"{"id":"8"}"#), &q).is_err());
        assert!(start_input(obj(r#"{"id":"8","breakoutSession":"9"}"#), &[]).is_err());
        assert!(start_input(obj(r#"{"id":true}"#), &[]).is_err());
        assert_eq!(start_input(obj("{}"), &[]).unwrap().id, None);
    }

    #[test]
    fn paging_has_bounds() {
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let p = paging(&q(&[])).unwrap();
        assert_eq!((p.limit, p.offset), (50, 0));
        let p = paging(&q(&[("limit", "500"), ("offset", "3")])).unwrap();
        assert_eq!((p.limit, p.offset), (500, 3));
        for bad_pairs in [
            vec![("limit", "0")],
            vec![("limit", "501")],
            vec![("limit", "-1")],
            vec![("limit", "x")],
            vec![("limit", "1.5")],
            vec![("offset", "-1")],
            vec![("offset", "99999999999999999999")],
            vec![("limit", "")],
        ] {
            assert!(paging(&q(&bad_pairs)).is_err(), "{bad_pairs:?}");
        }
    }
}
