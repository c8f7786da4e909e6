//! Rendering of [`PendingReply`] into the v1/v2 envelope, and the middleware that reads the
//! request once (version, parameters, format) for everything under `/ocs/`.

use super::{Format, OcsCtx, OcsError, Params, PendingReply, Producer, Version};
use crate::ocs::json::write_php_json;
use crate::ocs::xml;
use axum::body::Body;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use serde_json::{Map, Value};

/// Nextcloud's own limits are PHP's (`post_max_size`, 8 MiB by default in many installs); a chat
/// message is at most 32000 characters, so 2 MiB is generous for every Talk request.
pub const BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;

/// How much of a too-large body is still read (and discarded) before answering 413.
const DRAIN_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// The middleware around `/ocs/v1.php/*` and `/ocs/v2.php/*`.
pub async fn layer(State(body_limit): State<usize>, request: Request, next: Next) -> Response {
    // Nested routers see the path without its prefix; the original URI still has it.
    let path = match request.extensions().get::<OriginalUri>() {
        Some(original) => original.path(),
        None => request.uri().path(),
    };
    let version = if path.starts_with("/ocs/v1.php") {
        Version::V1
    } else {
        Version::V2
    };
    let (mut parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bytes = match read_body(body, body_limit, declared).await {
        Some(bytes) => bytes,
        None => {
            // The query string still counts (`?format=json`); the body is not read.
            let ctx = negotiate(version, &Params::from_request(&parts, &[]), &parts.headers);
            return render_reply(&ctx, OcsError::PayloadTooLarge.into_response());
        }
    };
    let params = Params::from_request(&parts, &bytes);
    let ctx = negotiate(version, &params, &parts.headers);
    parts.extensions.insert(params);
    parts.extensions.insert(ctx);
    let response = next.run(Request::from_parts(parts, Body::empty())).await;
    render_reply(&ctx, response)
}

/// Reads the body up to `limit` bytes. A longer body is still read to its end (up to
/// [`DRAIN_LIMIT_BYTES`] more) and thrown away, so that a client that writes its whole request
/// before reading the answer gets the 413 instead of a reset connection. `None`: too large.
async fn read_body(mut body: Body, limit: usize, declared: Option<u64>) -> Option<Bytes> {
    if declared.is_some_and(|len| len > (limit + DRAIN_LIMIT_BYTES) as u64) {
        return None;
    }
    let mut buffer = BytesMut::new();
    let mut too_large = false;
    let mut drained = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.ok()?.into_data() else {
            continue;
        };
        if too_large {
            drained += data.len();
            if drained > DRAIN_LIMIT_BYTES {
                break;
            }
        } else if buffer.len() + data.len() > limit {
            too_large = true;
            buffer = BytesMut::new();
        } else {
            buffer.extend_from_slice(&data);
        }
    }
    (!too_large).then(|| buffer.freeze())
}

fn negotiate(version: Version, params: &Params, headers: &HeaderMap) -> OcsCtx {
    let param = params.string("format");
    // A `format` parameter decides alone: `json` is JSON, any other value XML (upstream's
    // response classes test `format === 'json'`); `Accept` is only read without it.
    let from_param = param
        .as_deref()
        .map(|f| if f == "json" { Format::Json } else { Format::Xml });
    let from_accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(format_from_accept);
    OcsCtx {
        version,
        format: from_param.or(from_accept).unwrap_or(Format::Xml),
        front_script_format: from_param.unwrap_or(Format::Xml),
        front_script_odd_format: param.is_some_and(|f| f != "json" && f != "xml"),
        // Upstream compares the whole header value (`OC_API::respond`).
        xhr: headers.get("x-requested-with").map(|v| v.as_bytes()) == Some(b"XMLHttpRequest"),
    }
}

fn parse_format(value: &str) -> Option<Format> {
    match value {
        "json" => Some(Format::Json),
        "xml" => Some(Format::Xml),
        _ => None,
    }
}

/// Upstream walks the comma-separated `Accept` entries and takes the first `application/<x>`
/// whose `<x>` is a known responder.
/// Entries are compared lowercased and whole, so `application/json;q=0.9` matches nothing.
fn format_from_accept(accept: &str) -> Option<Format> {
    accept
        .split(',')
        .map(|entry| entry.trim().to_ascii_lowercase())
        .find_map(|entry| entry.strip_prefix("application/").and_then(parse_format))
}

/// Turns a response carrying a [`PendingReply`] into the rendered envelope; passes anything else
/// (status.php, 405s, the plain CSRF answer) through untouched.
pub fn render_reply(ctx: &OcsCtx, mut response: Response) -> Response {
    let Some(reply) = response.extensions_mut().remove::<PendingReply>() else {
        return response;
    };
    let extra_headers = std::mem::take(response.headers_mut());
    let front = reply.producer == Producer::FrontScript;
    let (http_status, body, content_type) = render(ctx, reply);
    let mut out = Response::new(Body::from(body));
    *out.status_mut() = StatusCode::from_u16(http_status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    *headers = extra_headers;
    if let Some(ct) = content_type {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    // Only the front script's login failure challenges; the middleware's "not logged in" does not.
    if http_status == 401 && front {
        let challenge = if ctx.xhr {
            "DummyBasic realm=\"Authorisation Required\""
        } else {
            "Basic realm=\"Authorisation Required\""
        };
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    }
    out
}

fn render(ctx: &OcsCtx, reply: PendingReply) -> (u16, Vec<u8>, Option<&'static str>) {
    let s = reply.status;
    let front = reply.producer == Producer::FrontScript;
    let format = if front { ctx.front_script_format } else { ctx.format };
    let (http_status, meta) = match ctx.version {
        Version::V2 => v2_meta(s, reply.message),
        Version::V1 => v1_meta(s, reply.message),
    };
    // Upstream sends no body at all for "not modified" and "no content".
    if matches!(http_status, 204 | 304) {
        return (http_status, Vec::new(), None);
    }
    match format {
        Format::Json => {
            // {"ocs":{"meta":…,"data":…}}, the data written straight from the handler's value.
            let mut body = Vec::with_capacity(512);
            body.extend_from_slice(b"{\"ocs\":{\"meta\":");
            write_php_json(&mut body, &meta);
            body.extend_from_slice(b",\"data\":");
            reply.data.write_php_json(&mut body);
            body.extend_from_slice(b"}}");
            (http_status, body, Some("application/json; charset=utf-8"))
        }
        Format::Xml => {
            let ct = if front && ctx.front_script_odd_format {
                "application/octet-stream; charset=utf-8"
            } else if front {
                "text/xml; charset=UTF-8"
            } else {
                "application/xml; charset=utf-8"
            };
            let mut ocs = Map::with_capacity(2);
            ocs.insert("meta".into(), Value::Object(meta));
            ocs.insert("data".into(), reply.data.to_value());
            (http_status, xml::render("ocs", &Value::Object(ocs)), Some(ct))
        }
    }
}

fn v2_http_status(s: u16) -> u16 {
    match s {
        997 => 401,
        998 => 404,
        996 | 999 => 500,
        s if !(200..=600).contains(&s) => 400,
        s => s,
    }
}

/// v2: HTTP status follows the OCS status; `totalitems`/`itemsperpage` are omitted (Talk never
/// sets them).
fn v2_meta(s: u16, message: Option<String>) -> (u16, Map<String, Value>) {
    let ok = (200..300).contains(&s);
    let mut meta = Map::with_capacity(3);
    meta.insert("status".into(), (if ok { "ok" } else { "failure" }).into());
    meta.insert("statuscode".into(), s.into());
    meta.insert(
        "message".into(),
        (if ok {
            "OK".to_owned()
        } else {
            message.unwrap_or_default()
        })
        .into(),
    );
    (v2_http_status(s), meta)
}

/// v1: HTTP 200 for everything but 997 (401) and 503; 200 becomes statuscode 100, which alone
/// counts as "ok" (so a v1 201 reads as `failure` with statuscode 201, as upstream).
fn v1_meta(s: u16, message: Option<String>) -> (u16, Map<String, Value>) {
    let code = if s == 200 { 100 } else { s };
    let ok = code == 100;
    let mut meta = Map::with_capacity(5);
    meta.insert("status".into(), (if ok { "ok" } else { "failure" }).into());
    meta.insert("statuscode".into(), code.into());
    meta.insert(
        "message".into(),
        (if ok {
            "OK".to_owned()
        } else {
            message.unwrap_or_default()
        })
        .into(),
    );
    meta.insert("totalitems".into(), "".into());
    meta.insert("itemsperpage".into(), "".into());
    let http = match s {
        997 => 401,
        503 => 503,
        304 => 304,
        204 => 204,
        _ => 200,
    };
    (http, meta)
}

/// Fallback for every `/ocs/...` path no route matches.
pub async fn not_found_fallback() -> Response {
    OcsError::RouteNotFound.into_response()
}
