//! Talk's rules: who may do what, in upstream's check order, and what each action changes.
//! Nothing here knows HTTP; failures are [`Error`] values that `ocs` maps to the wire once.

pub mod breakout;
pub mod chat;
pub mod conversation;
pub mod ids;
pub mod participant;
pub mod rounds;

use crate::db::DbError;

/// A rule failure, or a storage failure underneath one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Upstream answers with this status and an empty payload (`data: []`): 403, 404, 412 ...
    #[error("status {0}")]
    Status(u16),
    /// Upstream answers with this status and `{"error": key}`.
    #[error("{0} {1}")]
    Keyed(u16, &'static str),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl Error {
    pub const NOT_FOUND: Error = Error::Status(404);
    pub const FORBIDDEN: Error = Error::Status(403);
    pub const LOBBY: Error = Error::Status(412);

    pub fn bad_request(key: &'static str) -> Error {
        Error::Keyed(400, key)
    }
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        Error::Db(DbError::Query(e))
    }
}

impl From<Error> for crate::ocs::OcsError {
    fn from(e: Error) -> Self {
        match e {
            Error::Status(status) => crate::ocs::OcsError::Status(status),
            Error::Keyed(status, key) => crate::ocs::OcsError::Keyed { status, key },
            Error::Db(db) => db.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
