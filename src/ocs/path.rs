//! Path placeholders with an OCS rejection: axum's own `Path` answers a malformed placeholder
//! (e.g. `%FF`, not UTF-8) with a plain-text 400, which no Nextcloud client expects.

use super::OcsError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Like `axum::extract::Path`, but a placeholder that cannot be read is "no such route"
/// (statuscode 998, HTTP 404 on v2): a value that is not UTF-8 names no user, group or app,
/// and upstream answers such lookups with a 404 as well.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(_) => Err(OcsError::RouteNotFound),
        }
    }
}
