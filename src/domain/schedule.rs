//! Work the domain leaves for later. A change that calls for a timer writes the job row in its
//! own transaction (so the timer exists exactly when the change does); the job runner
//! (`crate::jobs`) runs it when due, through the same domain functions the handlers use.

use crate::db::{store, Conn, DbResult};

/// What a job does; stored as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Opens a conversation's lobby when its timer passes (key: the room id).
    LobbyTimer,
    /// Ends a breakout session at its deadline (key: the session id).
    RoundDeadline,
    /// Removes expired chat messages in every conversation (key: empty; one job).
    ExpireMessages,
    /// POSTs one webhook event to one endpoint (key: the `webhook_deliveries` row id); run
    /// outside any transaction by `crate::jobs::webhooks`.
    WebhookDelivery,
}

impl JobKind {
    pub const ALL: [JobKind; 4] = [
        JobKind::LobbyTimer,
        JobKind::RoundDeadline,
        JobKind::ExpireMessages,
        JobKind::WebhookDelivery,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JobKind::LobbyTimer => "lobby_timer",
            JobKind::RoundDeadline => "round_deadline",
            JobKind::ExpireMessages => "expire_messages",
            JobKind::WebhookDelivery => "webhook_delivery",
        }
    }

    pub fn from_name(name: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Runs `kind`/`key` at `due_ms`, replacing an earlier schedule of the same job.
pub fn at(conn: &mut Conn<'_>, kind: JobKind, key: &str, due_ms: i64, now_ms: i64) -> DbResult<()> {
    store::jobs::schedule(conn, kind.name(), key, due_ms, now_ms)
}

/// Runs `kind`/`key` at `due_ms` or earlier (keeps an earlier schedule).
pub fn no_later_than(conn: &mut Conn<'_>, kind: JobKind, key: &str, due_ms: i64, now_ms: i64) -> DbResult<()> {
    store::jobs::schedule_no_later(conn, kind.name(), key, due_ms, now_ms)
}

/// Drops `kind`/`key` if scheduled.
pub fn cancel(conn: &mut Conn<'_>, kind: JobKind, key: &str) -> DbResult<()> {
    store::jobs::cancel(conn, kind.name(), key)
}

#[cfg(test)]
mod tests {
    use super::JobKind;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(JobKind::from_name("nope"), None);
    }
}
