//! Delivery of queued webhook events (`domain::webhooks`): the job runner hands each claimed
//! `webhook_delivery` job here instead of running it in a transaction, because a POST may take
//! seconds and must not hold the database.
//!
//! One run: read the outbox row and the current secret; sign the exact stored body
//! (`X-Horn-Signature: base64(HMAC-SHA256(secret, body))`); POST it with a timeout, reading at
//! most [`RESPONSE_CAP`] bytes of the answer. A 2xx answer delivers: the job and the outbox row
//! go in one transaction. Anything else is a failed attempt, retried after
//! `webhooks::retry_delay_ms`; the last of `webhooks::MAX_ATTEMPTS` drops the event with one
//! warning. Only the runner holding the claim records the outcome (a claim that ran out lets
//! another instance deliver again: receivers de-duplicate by the event's `id`).

use crate::clock::Clock;
use crate::db::store::jobs::JobRow;
use crate::db::{store, Db, DbError};
use crate::domain::webhooks;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// Longest wait for one POST, answer included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of an answer read at most (the status is what counts; the rest is read only so the
/// connection can be reused).
pub const RESPONSE_CAP: usize = 64 * 1024;
/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Horn-Signature";

/// `base64(HMAC-SHA256(secret, body))`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The HTTP client of one runner.
#[derive(Clone)]
pub struct Deliverer {
    client: Result<reqwest::Client, String>,
}

impl Default for Deliverer {
    fn default() -> Self {
        Self::new()
    }
}

impl Deliverer {
    pub fn new() -> Deliverer {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            // A redirect could lead anywhere: the configured URL is the endpoint.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("talk-breakout/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string());
        if let Err(e) = &client {
            tracing::error!(error = %e, "no HTTP client for webhooks; deliveries will fail");
        }
        Deliverer { client }
    }

    /// POSTs `body` to `url`; `Ok` on a 2xx answer.
    async fn post(&self, url: &str, body: String, signature: String) -> Result<(), String> {
        let client = self.client.as_ref().map_err(Clone::clone)?;
        let mut response = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            // Without the URL: it may carry credentials.
            .map_err(|e| e.without_url().to_string())?;
        let status = response.status();
        let mut read = 0usize;
        while read < RESPONSE_CAP {
            match response.chunk().await {
                Ok(Some(chunk)) => read = read.saturating_add(chunk.len()),
                Ok(None) | Err(_) => break,
            }
        }
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {}", status.as_u16()))
        }
    }

    /// Runs one claimed `webhook_delivery` job for runner `me`.
    pub async fn run(&self, db: &Db, clock: &Clock, me: &str, job: JobRow) {
        let Ok(delivery_id) = job.job_key.parse::<i64>() else {
            tracing::warn!(job.key = %job.job_key, "webhook delivery job without a delivery id; dropped");
            finish(db, &job, me, None).await;
            return;
        };
        let found = db
            .read(move |conn| -> Result<_, DbError> {
                Ok((store::webhooks::find(conn, delivery_id)?, webhooks::secret(conn)?))
            })
            .await;
        let (delivery, secret) = match found {
            Ok((Some(delivery), Some(secret))) => (delivery, secret),
            Ok((None, _)) => {
                // Delivered by an instance whose claim had run out; nothing left to send.
                finish(db, &job, me, None).await;
                return;
            }
            Ok((Some(delivery), None)) => {
                tracing::info!(event.id = %delivery.event_id, "webhook secret removed; event not sent");
                finish(db, &job, me, Some(delivery_id)).await;
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read a webhook delivery");
                return;
            }
        };
        let signature = signature(&secret, delivery.body.as_bytes());
        match self.post(&delivery.url, delivery.body, signature).await {
            Ok(()) => {
                tracing::debug!(event.id = %delivery.event_id, "webhook delivered");
                finish(db, &job, me, Some(delivery_id)).await;
            }
            Err(error) => {
                let attempts = job.attempts.saturating_add(1);
                let endpoint = endpoint_of(&delivery.url);
                if attempts >= webhooks::MAX_ATTEMPTS {
                    tracing::warn!(
                        event.id = %delivery.event_id,
                        endpoint = %endpoint,
                        attempts,
                        %error,
                        "webhook event dropped after its last attempt"
                    );
                    finish(db, &job, me, Some(delivery_id)).await;
                    return;
                }
                tracing::debug!(event.id = %delivery.event_id, endpoint = %endpoint, attempts, %error, "webhook attempt failed");
                let retry_at = clock.now_ms().saturating_add(webhooks::retry_delay_ms(attempts));
                let (me, id) = (me.to_owned(), job.id);
                let recorded = db
                    .run(move |conn| conn.write_tx(|conn| store::jobs::fail(conn, id, &me, &error, retry_at)))
                    .await;
                if let Err(e) = recorded {
                    tracing::warn!(error = %e, "could not record a webhook failure");
                }
            }
        }
    }
}

/// Scheme, host and port of an endpoint, for logs (its path or user info may be secret).
fn endpoint_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            format!("{}://{}", u.scheme(), u.host_str().unwrap_or_default())
                + &u.port().map(|p| format!(":{p}")).unwrap_or_default()
        }
        Err(_) => "(invalid)".to_owned(),
    }
}

/// Ends a delivery job `me` holds: the job row, and with it the outbox row `delivery`. A job no
/// longer `me`'s claim is left to its new holder.
async fn finish(db: &Db, job: &JobRow, me: &str, delivery: Option<i64>) {
    let (me, id) = (me.to_owned(), job.id);
    let done = db
        .run(move |conn| {
            conn.write_tx(|conn| -> Result<(), DbError> {
                if store::jobs::complete(conn, id, &me)? {
                    if let Some(delivery) = delivery {
                        store::webhooks::delete(conn, delivery)?;
                    }
                }
                Ok(())
            })
        })
        .await;
    if let Err(e) = done {
        tracing::warn!(error = %e, "could not finish a webhook delivery");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_base64_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            base64::engine::general_purpose::STANDARD
                .encode(hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843").unwrap())
        );
    }

    #[test]
    fn logs_show_only_the_endpoint() {
        assert_eq!(
            endpoint_of("https://u:p@hooks.example:8443/x?token=1"),
            "https://hooks.example:8443"
        );
        assert_eq!(endpoint_of("http://127.0.0.1/a"), "http://127.0.0.1");
    }
}
