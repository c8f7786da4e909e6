//! What time it is. The server reads the system clock; tests hand in a [`Clock::manual`] and
//! move it, so timers (lobby timer, message expiration, round deadlines) fire without sleeping.
//! A clock is cheap to clone and clones share their time, so two server instances started
//! with clones of one manual clock see the same "now".

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Clone, Default)]
pub struct Clock {
    /// `None`: the system clock. `Some`: the manual time in epoch ms; the channel wakes the
    /// job runners of every instance sharing it when a test moves the time.
    manual: Option<Arc<watch::Sender<i64>>>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.manual {
            None => f.write_str("Clock(system)"),
            Some(ms) => write!(f, "Clock(manual at {} ms)", *ms.borrow()),
        }
    }
}

impl Clock {
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stands still at `epoch_ms` until it is set or advanced.
    pub fn manual(epoch_ms: i64) -> Clock {
        Clock {
            manual: Some(Arc::new(watch::Sender::new(epoch_ms))),
        }
    }

    /// A manual clock starting at the current system time.
    pub fn manual_now() -> Clock {
        Clock::manual(system_now_ms())
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            None => system_now_ms(),
            Some(ms) => *ms.borrow(),
        }
    }

    /// Seconds since the Unix epoch (upstream's timestamps).
    pub fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// Moves a manual clock forward. Panics on the system clock: only tests move time.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.manual_sender().send_modify(|ms| *ms = ms.saturating_add(by));
    }

    /// Sets a manual clock. Panics on the system clock: only tests move time.
    pub fn set_ms(&self, epoch_ms: i64) {
        self.manual_sender().send_replace(epoch_ms);
    }

    /// For a manual clock, a receiver that wakes whenever the time is moved.
    pub fn changes(&self) -> Option<watch::Receiver<i64>> {
        self.manual.as_ref().map(|ms| ms.subscribe())
    }

    fn manual_sender(&self) -> &watch::Sender<i64> {
        self.manual.as_deref().expect("only a manual clock can be moved")
    }
}

fn system_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_of_a_manual_clock_share_the_time() {
        let clock = Clock::manual(1_000);
        let other = clock.clone();
        clock.advance(Duration::from_millis(1_500));
        assert_eq!((other.now_ms(), other.now()), (2_500, 2));
        other.set_ms(-1);
        assert_eq!(clock.now(), -1);
    }

    #[tokio::test]
    async fn moving_a_manual_clock_wakes_its_watchers() {
        let clock = Clock::manual(0);
        let mut changes = clock.changes().unwrap();
        clock.advance(Duration::from_secs(1));
        changes.changed().await.unwrap();
        assert_eq!(*changes.borrow(), 1_000);
        assert!(Clock::system().changes().is_none());
    }
}
