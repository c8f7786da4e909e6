//! Redeeming a channel-linked user's invitation code for an app password (horn.md §3
//! `POST /auth/invitation`, and the invitation web page). A code is a credential: unknown codes
//! count against the address's brute-force record exactly like failed logins, and an address
//! past the maximum delay gets no answer about its code.

use super::throttle::{Action, Verdict};
use super::token::{self, Purpose};
use crate::app::linked as app;
use crate::domain::linked::Redeemed;
use crate::domain::Refusal;
use crate::state::AppState;
use std::net::IpAddr;

/// Why a redemption gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum RedeemFailure {
    /// The address reached the maximum brute-force delay; the code was not looked at.
    #[error("too many failed attempts")]
    TooManyRequests,
    /// Unknown (counted and delayed) or expired code, or a storage failure.
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// Redeems `code`: a new app password (named after the client, `device`) for its account,
/// returned in clear once; only its keyed hash is stored.
pub async fn redeem(
    state: &AppState,
    ip: IpAddr,
    code: String,
    device: String,
    now_ms: i64,
) -> Result<(Redeemed, String), RedeemFailure> {
    let attempts = state.throttler.attempts(ip, Action::Login).await;
    if Verdict::for_attempts(attempts) == Verdict::TooManyRequests {
        return Err(RedeemFailure::TooManyRequests);
    }
    let password = token::generate_app_password();
    let hash = state.tokens.hash_hex(Purpose::AppPassword, &password);
    match app::redeem(&state.db, code, hash, device, now_ms).await {
        Ok(redeemed) => {
            if attempts > 0 {
                state.throttler.reset(ip, Action::Login).await;
            }
            Ok((redeemed, password))
        }
        Err(Refusal::InvitationNotFound) => {
            let delay = state.throttler.register_failure(ip, Action::Login).await;
            tokio::time::sleep(delay).await;
            Err(Refusal::InvitationNotFound.into())
        }
        Err(other) => Err(other.into()),
    }
}
