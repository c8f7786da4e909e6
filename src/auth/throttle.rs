//! Brute-force protection in the manner of Nextcloud's `Throttler`: every failed attempt of an
//! action (a login, a lookup of an unknown conversation token) from one address raises that
//! address's delay (100 ms × 2^attempts, so 200 ms after the first failure, capped at 25 s);
//! once the cap is reached the address gets 429 without its attempt being examined.
//! Successful attempts are never delayed and clear the address's record for that action.
//!
//! The record lives in memory, bounded in entries and age. With several instances each keeps
//! its own record, so an attacker spreading guesses over N instances gets N times the budget;
//! `docs/compatibility.md` lists this.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What is being throttled, as upstream names its actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Login,
    /// `talkRoomToken`: a conversation token that does not resolve for the caller.
    RoomToken,
}

const FIRST_DELAY_MS: u64 = 100;
pub const MAX_DELAY: Duration = Duration::from_secs(25);
/// Failures are forgotten after this long without a new one (upstream counts 12 hours).
const WINDOW: Duration = Duration::from_secs(12 * 3600);

#[derive(Debug, Clone, Copy)]
struct Record {
    attempts: u32,
    last: Instant,
}

/// Outcome of asking before an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead.
    Allow,
    /// The address reached the maximum delay: answer 429.
    TooManyRequests,
}

#[derive(Clone)]
pub struct Throttler {
    enabled: bool,
    records: Arc<moka::sync::Cache<(IpAddr, Action), Record>>,
}

impl Throttler {
    pub fn new(enabled: bool) -> Throttler {
        Throttler {
            enabled,
            records: Arc::new(
                moka::sync::Cache::builder()
                    .max_capacity(100_000)
                    .time_to_idle(WINDOW)
                    .build(),
            ),
        }
    }

    fn attempts(&self, ip: IpAddr, action: Action) -> u32 {
        self.records
            .get(&(ip, action))
            .filter(|r| r.last.elapsed() < WINDOW)
            .map(|r| r.attempts)
            .unwrap_or(0)
    }

    /// The delay the address has earned for this action.
    pub fn delay(&self, ip: IpAddr, action: Action) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        delay_for_attempts(self.attempts(ip, action))
    }

    pub fn check(&self, ip: IpAddr, action: Action) -> Verdict {
        if self.delay(ip, action) >= MAX_DELAY {
            Verdict::TooManyRequests
        } else {
            Verdict::Allow
        }
    }

    /// Records a failure and returns how long the failed request should be held.
    pub fn register_failure(&self, ip: IpAddr, action: Action) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        // An atomic upsert: parallel failures from one address must all count.
        let entry = self.records.entry((ip, action)).and_upsert_with(|existing| {
            let previous = existing.map(|e| e.into_value()).filter(|r| r.last.elapsed() < WINDOW);
            Record {
                attempts: previous.map_or(0, |r| r.attempts).saturating_add(1),
                last: Instant::now(),
            }
        });
        delay_for_attempts(entry.into_value().attempts)
    }

    pub fn reset(&self, ip: IpAddr, action: Action) {
        if self.enabled {
            self.records.invalidate(&(ip, action));
        }
    }
}

fn delay_for_attempts(attempts: u32) -> Duration {
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
    }

    #[test]
    fn failures_are_per_address_and_action() {
        let t = Throttler::new(true);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..8 {
            t.register_failure(a, Action::Login);
        }
        assert_eq!(t.check(a, Action::Login), Verdict::TooManyRequests);
        assert_eq!(t.check(a, Action::RoomToken), Verdict::Allow);
        assert_eq!(t.check(b, Action::Login), Verdict::Allow);
        t.reset(a, Action::Login);
        assert_eq!(t.check(a, Action::Login), Verdict::Allow);
        let off = Throttler::new(false);
        off.register_failure(a, Action::Login);
        assert_eq!(off.delay(a, Action::Login), Duration::ZERO);
    }
}
