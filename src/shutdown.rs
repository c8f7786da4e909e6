//! The server's "stopping" state, shared with the handlers that wait: once a shutdown begins,
//! chat long-polls answer at once (with upstream's 304 for "nothing new") instead of holding
//! the drain open for up to 30 seconds.

use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone, Debug)]
pub struct Stopping(Arc<watch::Sender<bool>>);

impl Default for Stopping {
    fn default() -> Self {
        Stopping(Arc::new(watch::Sender::new(false)))
    }
}

impl Stopping {
    /// Marks the server as stopping and wakes every waiter. Idempotent.
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    pub fn is_stopping(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once [`Stopping::begin`] was called (at once if it already was).
    pub async fn wait(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|stopping| *stopping).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_wake_when_stopping_begins() {
        let stopping = Stopping::default();
        assert!(!stopping.is_stopping());
        let waiter = tokio::spawn({
            let s = stopping.clone();
            async move { s.wait().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        stopping.begin();
        waiter.await.unwrap();
        assert!(stopping.is_stopping());
        // A late waiter returns at once.
        stopping.wait().await;
    }
}
