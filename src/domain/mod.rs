//! Talk's rules: who may do what, in upstream's check order, and what each action changes.
//! Nothing here knows HTTP: failures are [`Refusal`] values that say what went wrong, and each
//! API face maps them to its wire once (the Talk face in `ocs::refusal`).

pub mod access;
pub mod accounts;
pub mod autocomplete;
pub mod breakout;
pub mod chat;
pub mod conversation;
pub mod ids;
pub mod linked;
pub mod mentions;
pub mod mixing;
pub mod participant;
pub mod reactions;
pub mod refusal;
pub mod rounds;
pub mod schedule;
pub mod settings;
pub mod webhooks;

pub use refusal::Refusal;

pub type Result<T> = std::result::Result<T, Refusal>;

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
