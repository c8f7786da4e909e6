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
    pub data: Value,
    pub producer: Producer,
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

impl<T: Serialize> IntoResponse for Ocs<T> {
    fn into_response(self) -> Response {
        match serde_json::to_value(&self.data) {
            Ok(data) => PendingReply {
                status: self.status,
                message: None,
                data,
                producer: Producer::Controller,
            }
            .into_response_with(self.headers),
            Err(e) => OcsError::internal(e).into_response(),
        }
    }
}

pub type OcsResult<T> = Result<Ocs<T>, OcsError>;
