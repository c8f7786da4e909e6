//! Webhooks (an extension on the Horn face, `horn.md` §6): breakout events POSTed to the
//! endpoints an admin configured, signed like Horn's Events API.
//!
//! - **Configuration** lives in the app config: [`URLS`] (a JSON list of `http(s)://` URLs,
//!   checked before it is stored) and [`SECRET`] (never shown back: reads give [`MASKED`]).
//!   Without a secret, or without endpoints, nothing is queued.
//! - **Outbox.** [`queue`] runs in the transaction of the change it reports: one
//!   `webhook_deliveries` row per endpoint (the exact body) and one `jobs` row of kind
//!   `webhook_delivery` for it. The event exists exactly when the change does, whatever happens
//!   to the process afterwards.
//! - **Delivery** is the job runner's (`crate::jobs::webhooks`): claimed by one instance, POSTed
//!   outside any transaction, retried with [`retry_delay_ms`] up to [`MAX_ATTEMPTS`] times.

use crate::db::{store, Conn, DbResult};
use crate::domain::accounts::AccountRefusal;
use crate::domain::ids::RoomId;
use crate::domain::schedule::{self, JobKind};
use serde_json::json;

/// App and key of the endpoint list.
pub const URLS: (&str, &str) = ("spreed", "breakout_webhook_urls");
/// App and key of the signing secret.
pub const SECRET: (&str, &str) = ("spreed", "breakout_webhook_secret");
/// What a read of the secret shows.
pub const MASKED: &str = "********";
/// Attempts at one delivery before it is given up.
pub const MAX_ATTEMPTS: i32 = 10;
/// Longest wait between two attempts (ms).
pub const MAX_RETRY_DELAY_MS: i64 = 10 * 60 * 1000;

/// Why a session completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionReason {
    /// Stopped by a moderator (either face).
    Stopped,
    /// Its deadline passed.
    Expired,
    /// Talk's breakout rooms were removed while it ran.
    Removed,
}

impl CompletionReason {
    pub fn name(self) -> &'static str {
        match self {
            CompletionReason::Stopped => "stopped",
            CompletionReason::Expired => "expired",
            CompletionReason::Removed => "removed",
        }
    }
}

/// What happened to a breakout session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    SessionStarted,
    SessionCompleted(CompletionReason),
    /// In the session room with this id.
    AssistanceRequested {
        room: i64,
    },
    AssistanceReset {
        room: i64,
    },
}

impl Event {
    pub fn type_name(self) -> &'static str {
        match self {
            Event::SessionStarted => "breakout.session.started",
            Event::SessionCompleted(_) => "breakout.session.completed",
            Event::AssistanceRequested { .. } => "breakout.assistance.requested",
            Event::AssistanceReset { .. } => "breakout.assistance.reset",
        }
    }
}

/// The endpoints of a stored [`URLS`] value, or `None` when it is not a JSON list of absolute
/// `http(s)://` URLs with a host.
pub fn parse_urls(value: &str) -> Option<Vec<String>> {
    let urls: Vec<String> = serde_json::from_str(value).ok()?;
    let valid = |raw: &str| {
        url::Url::parse(raw)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()))
    };
    urls.iter().all(|u| valid(u)).then_some(urls)
}

/// Checks a value about to be stored through the app config.
pub fn check_setting(app: &str, key: &str, value: &str) -> Result<(), AccountRefusal> {
    if (app, key) == URLS && parse_urls(value).is_none() {
        return Err(AccountRefusal::InvalidSettingValue("a JSON list of http(s) URLs"));
    }
    Ok(())
}

/// A stored value as the app config shows it: the secret is never shown.
pub fn shown(app: &str, key: &str, value: String) -> String {
    if (app, key) == SECRET {
        MASKED.to_owned()
    } else {
        value
    }
}

/// The signing secret, if one is set.
pub fn secret(conn: &mut Conn<'_>) -> DbResult<Option<String>> {
    Ok(store::app_config::get(conn, SECRET.0, SECRET.1)?.filter(|s| !s.is_empty()))
}

/// The wait before attempt `attempts + 1` after `attempts` failed ones: 1 s, doubling, at most
/// [`MAX_RETRY_DELAY_MS`].
pub fn retry_delay_ms(attempts: i32) -> i64 {
    let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    (1_000i64 << exponent).min(MAX_RETRY_DELAY_MS)
}

/// Queues `event` of session `session_id` in conversation `parent` for every configured
/// endpoint, in the caller's transaction. Does nothing without a secret or endpoints.
pub fn queue(conn: &mut Conn<'_>, parent: RoomId, session_id: i64, event: Event, now_ms: i64) -> DbResult<()> {
    if secret(conn)?.is_none() {
        return Ok(());
    }
    let urls = store::app_config::get(conn, URLS.0, URLS.1)?
        .as_deref()
        .and_then(parse_urls)
        .unwrap_or_default();
    if urls.is_empty() {
        return Ok(());
    }
    let Some(channel) = store::rooms::find_by_id(conn, parent)? else {
        return Ok(());
    };
    let id = uuid::Uuid::new_v4().to_string();
    let mut body = json!({
        "version": 1,
        "id": id,
        "type": event.type_name(),
        "time": now_ms,
        "channel": channel.token.to_string(),
        "session": session_id.to_string(),
    });
    match event {
        Event::SessionStarted => {}
        Event::SessionCompleted(reason) => body["reason"] = reason.name().into(),
        Event::AssistanceRequested { room } | Event::AssistanceReset { room } => body["room"] = room.to_string().into(),
    }
    let body = body.to_string();
    for url in urls {
        let delivery = store::webhooks::insert(conn, &id, &url, &body, now_ms)?;
        schedule::at(conn, JobKind::WebhookDelivery, &delivery.to_string(), now_ms, now_ms)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lists_of_http_urls_are_endpoints() {
        assert_eq!(
            parse_urls(r#"["http://127.0.0.1:9/a", "https://hooks.example/x?y=1"]"#),
            Some(vec![
                "http://127.0.0.1:9/a".to_owned(),
                "https://hooks.example/x?y=1".to_owned()
            ])
        );
        assert_eq!(parse_urls("[]"), Some(vec![]));
        for bad in [
            "",
            "http://example.com",
            r#""http://example.com""#,
            r#"["ftp://example.com"]"#,
            r#"["file:///etc/passwd"]"#,
            r#"["javascript:alert(1)"]"#,
            r#"["http://"]"#,
            r#"["example.com/hook"]"#,
            r#"[1]"#,
            r#"{"url": "http://example.com"}"#,
            r#"["http://example.com", null]"#,
        ] {
            assert_eq!(parse_urls(bad), None, "{bad}");
        }
    }

    #[test]
    fn retries_wait_from_one_second_doubling_to_ten_minutes() {
        assert_eq!(retry_delay_ms(1), 1_000);
        assert_eq!(retry_delay_ms(2), 2_000);
        assert_eq!(retry_delay_ms(9), 256_000);
        assert_eq!(retry_delay_ms(10), 512_000);
        assert_eq!(retry_delay_ms(11), MAX_RETRY_DELAY_MS);
        assert_eq!(retry_delay_ms(100), MAX_RETRY_DELAY_MS);
    }

    #[test]
    fn the_secret_is_never_shown() {
        assert_eq!(shown("spreed", "breakout_webhook_secret", "s3cret".into()), MASKED);
        assert_eq!(shown("spreed", "breakout_webhook_urls", "[]".into()), "[]");
    }
}
