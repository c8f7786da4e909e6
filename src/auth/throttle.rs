//! Brute-force protection in the manner of Nextcloud's `Throttler`: every failed attempt of an
//! action (a login, a lookup of an unknown conversation token) from one address raises that
//! address's delay (100 ms × 2^attempts, so 200 ms after the first failure, capped at 25 s);
//! once the cap is reached the address gets 429 without its attempt being examined.
//!
//! The record is a database table, so every instance on the database sees the same failures:
//! spreading guesses over several instances does not multiply the budget. Only failures write
//! (one upsert each); a request with valid credentials reads the record together with the
//! account and writes only to clear a record that exists. IPv6 addresses count per /64, as
//! upstream does, because one host usually holds a whole /64.

use crate::db::{store, Db};
use std::net::IpAddr;
use std::time::Duration;

/// What is being throttled, as upstream names its actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Login,
    /// `talkRoomToken`: a conversation token that does not resolve for the caller.
    RoomToken,
    /// `sudo`: confirming the account password (`AppPasswordController::confirmUserPassword`).
    Sudo,
}

impl Action {
    /// The name stored in the record (upstream's action names).
    pub fn name(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::RoomToken => "talkRoomToken",
            Action::Sudo => "sudo",
        }
    }
}

const FIRST_DELAY_MS: u64 = 100;
pub const MAX_DELAY: Duration = Duration::from_secs(25);
/// Failures are forgotten after this long without a new one (upstream counts 12 hours).
pub const WINDOW_SECONDS: i64 = 12 * 3600;

/// Outcome of asking before an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead.
    Allow,
    /// The address reached the maximum delay: answer 429.
    TooManyRequests,
}

impl Verdict {
    pub fn for_attempts(attempts: u32) -> Verdict {
        if delay_for_attempts(attempts) >= MAX_DELAY {
            Verdict::TooManyRequests
        } else {
            Verdict::Allow
        }
    }
}

#[derive(Clone)]
pub struct Throttler {
    enabled: bool,
    db: Db,
}

/// The oldest failure time that still counts at `now`.
pub fn window_start(now: i64) -> i64 {
    now - WINDOW_SECONDS
}

/// The key an address is recorded under: IPv4 as is, IPv6 by its /64 network.
pub fn address_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let network = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{network}/64")
        }
    }
}

impl Throttler {
    pub fn new(enabled: bool, db: Db) -> Throttler {
        Throttler { enabled, db }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Failures on record for the address. A storage failure counts as none (and is logged):
    /// the request then meets the same storage failure on its own.
    pub async fn attempts(&self, ip: IpAddr, action: Action) -> u32 {
        if !self.enabled {
            return 0;
        }
        let address = address_key(ip);
        let since = window_start(crate::domain::now());
        match self
            .db
            .read_one(move |conn| store::brute_force::attempts(conn, action.name(), &address, since))
            .await
        {
            Ok(n) => n.max(0) as u32,
            Err(e) => {
                tracing::error!(error = %e, "failed to read the brute-force record");
                0
            }
        }
    }

    /// The delay the address has earned for this action.
    pub async fn delay(&self, ip: IpAddr, action: Action) -> Duration {
        delay_for_attempts(self.attempts(ip, action).await)
    }

    /// Records a failure and returns how long the failed request should be held.
    pub async fn register_failure(&self, ip: IpAddr, action: Action) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        let address = address_key(ip);
        let now = crate::domain::now();
        let result = self
            .db
            .run(move |conn| {
                conn.write_tx(|conn| {
                    let n = store::brute_force::register(conn, action.name(), &address, now, window_start(now))?;
                    // Expired records of any address go with the next failure.
                    store::brute_force::purge(conn, window_start(now))?;
                    Ok::<_, crate::db::DbError>(n)
                })
            })
            .await;
        match result {
            Ok(n) => delay_for_attempts(n.max(0) as u32),
            Err(e) => {
                tracing::error!(error = %e, "failed to record a brute-force attempt");
                MAX_DELAY
            }
        }
    }

    /// Clears the address's failures for this action (after valid credentials).
    pub async fn reset(&self, ip: IpAddr, action: Action) {
        if !self.enabled {
            return;
        }
        let address = address_key(ip);
        let result = self
            .db
            .run(move |conn| conn.write_tx(|conn| store::brute_force::clear(conn, action.name(), &address)))
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "failed to clear a brute-force record");
        }
    }
}

pub fn delay_for_attempts(attempts: u32) -> Duration {
    if attempts == 0 {
        return Duration::ZERO;
    }
    let ms = FIRST_DELAY_MS.saturating_mul(1u64.checked_shl(attempts.min(20)).unwrap_or(u64::MAX));
    Duration::from_millis(ms).min(MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_to_the_cap() {
        assert_eq!(delay_for_attempts(0), Duration::ZERO);
        assert_eq!(delay_for_attempts(1), Duration::from_millis(200));
        assert_eq!(delay_for_attempts(2), Duration::from_millis(400));
        assert_eq!(delay_for_attempts(7), Duration::from_millis(12_800));
        assert_eq!(delay_for_attempts(8), MAX_DELAY);
        assert_eq!(delay_for_attempts(40), MAX_DELAY);
        assert_eq!(Verdict::for_attempts(7), Verdict::Allow);
        assert_eq!(Verdict::for_attempts(8), Verdict::TooManyRequests);
    }

    #[test]
    fn ipv6_counts_per_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), "2001:db8:1:2::/64");
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(address_key(v4), "192.0.2.7");
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_key(mapped), "192.0.2.7");
    }
}
