//! The OCS protocol: envelopes (v1/v2), JSON/XML, status mapping, parameter reading.
//!
//! Handlers and extractors never build HTTP bodies. They return [`Ocs`] or [`OcsError`], which
//! leave a [`PendingReply`] in the response extensions; [`layer`] (one middleware around every
//! `/ocs/*` route) then renders it for the negotiated version and format. That keeps the whole
//! envelope, including upstream's v1/v2 status quirks, in this module.

mod envelope;
mod error;
pub mod json;
pub mod params;
mod path;
pub mod xml;

pub use envelope::{layer, not_found_fallback, render_reply, BODY_LIMIT_BYTES};
pub use error::OcsError;
pub use json::to_php_json;
pub use params::Params;
pub use path::Path;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

/// `/ocs/v1.php` or `/ocs/v2.php`: the same routes, different envelopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// What the request asked for; computed once by [`layer`] and stored in request extensions.
#[derive(Debug, Clone, Copy)]
pub struct OcsCtx {
    pub version: Version,
    /// From `format`, else `Accept`, else XML: used for controller answers.
    pub format: Format,
    /// From `format` only: used for answers the front script gives before routing.
    pub front_script_format: Format,
    /// `format` was given but is neither `json` nor `xml`: the front script then still writes
    /// XML, labelled `application/octet-stream`.
    pub front_script_odd_format: bool,
    /// `X-Requested-With: XMLHttpRequest` (the web client's axios): the login challenge is then
    /// `DummyBasic`, which browsers do not answer with a login dialog.
    pub xhr: bool,
}

/// Who produced an answer. Nextcloud's front script (route not found) writes XML with another
/// content type and ignores `Accept`; controllers and middlewares negotiate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Producer {
    Controller,
    FrontScript,
}

/// An OCS answer waiting to be rendered by [`layer`].
#[derive(Debug, Clone)]
pub struct PendingReply {
    /// The "OCS status" a Nextcloud controller returns: usually an HTTP code, or 997/998/1xx.
    pub status: u16,
    pub message: Option<String>,
    pub data: ReplyData,
    pub producer: Producer,
}

/// The `data` of a reply, kept as the handler's own typed value until the format is known:
/// JSON (what clients ask for) is written straight from it, XML goes through a `Value`. Building
/// a `Value` first cost as much as writing the JSON for a list of conversations.
#[derive(Clone)]
pub struct ReplyData(std::sync::Arc<dyn ErasedData>);

/// A `Serialize` value behind a trait object (serde's traits are generic, so not object-safe).
trait ErasedData: Send + Sync {
    fn to_value(&self) -> Result<Value, serde_json::Error>;
    fn write_php_json(&self, out: &mut Vec<u8>);
}

impl<T: Serialize + Send + Sync> ErasedData for T {
    fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }

    fn write_php_json(&self, out: &mut Vec<u8>) {
        json::write_php_json(out, self)
    }
}

impl ReplyData {
    pub fn new<T: Serialize + Send + Sync + 'static>(data: T) -> ReplyData {
        ReplyData(std::sync::Arc::new(data))
    }

    /// As a JSON value (for XML rendering). Our payloads always convert; a failure is a bug,
    /// reported and answered with `null`.
    pub fn to_value(&self) -> Value {
        self.0.to_value().unwrap_or_else(|e| {
            tracing::error!(error = %e, "failed to convert a response body");
            Value::Null
        })
    }

    /// Appends the data as PHP's `json_encode` writes it.
    pub fn write_php_json(&self, out: &mut Vec<u8>) {
        self.0.write_php_json(out)
    }
}

impl std::fmt::Debug for ReplyData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplyData(..)")
    }
}

impl PendingReply {
    pub fn into_response_with(self, headers: HeaderMap) -> Response {
        let mut response = Response::new(axum::body::Body::empty());
        *response.headers_mut() = headers;
        response.extensions_mut().insert(self);
        response
    }
}

/// A successful OCS answer: a payload, a status (200 unless said otherwise) and extra headers.
pub struct Ocs<T> {
    pub status: u16,
    pub data: T,
    pub headers: HeaderMap,
}

impl<T: Serialize> Ocs<T> {
    pub fn ok(data: T) -> Self {
        Ocs {
            status: 200,
            data,
            headers: HeaderMap::new(),
        }
    }

    pub fn created(data: T) -> Self {
        Ocs {
            status: 201,
            data,
            headers: HeaderMap::new(),
        }
    }

    pub fn with_status(status: u16, data: T) -> Self {
        Ocs {
            status,
            data,
            headers: HeaderMap::new(),
        }
    }

    /// Adds a response header; values we set are ASCII by construction, anything else is dropped.
    pub fn header(mut self, name: &'static str, value: impl AsRef<str>) -> Self {
        if let Ok(v) = HeaderValue::from_str(value.as_ref()) {
            self.headers.insert(HeaderName::from_static(name), v);
        }
        self
    }
}

/// The "no payload" answer: PHP's empty array, rendered `[]`.
pub fn empty() -> Value {
    Value::Array(Vec::new())
}

impl<T: Serialize + Send + Sync + 'static> IntoResponse for Ocs<T> {
    fn into_response(self) -> Response {
        PendingReply {
            status: self.status,
            message: None,
            data: ReplyData::new(self.data),
            producer: Producer::Controller,
        }
        .into_response_with(self.headers)
    }
}

pub type OcsResult<T> = Result<Ocs<T>, OcsError>;
