//! One computation per key at a time, its result shared by every caller that asked for it
//! while it ran.
//!
//! Why: the Talk apps open several requests at once when they start, all with the same
//! credentials. Before the first of them is proven and cached, each would run its own argon2
//! verification: 19 MiB and tens of milliseconds of CPU apiece, for the same answer.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::OnceCell;

pub struct SingleFlight<K, V> {
    in_flight: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for SingleFlight<K, V> {
    fn default() -> Self {
        SingleFlight {
            in_flight: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> SingleFlight<K, V> {
    /// The value of `compute` for `key`: computed here, or awaited from a caller already
    /// computing it. If that caller goes away unfinished (its request was dropped), one of the
    /// waiting callers computes it instead. `compute` must give the same answer whoever runs it.
    pub async fn run<F, Fut>(&self, key: K, compute: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = self.lock().entry(key.clone()).or_default().clone();
        let seat = Seat {
            flights: self,
            key,
            cell,
        };
        seat.cell.get_or_init(compute).await.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Arc<OnceCell<V>>>> {
        self.in_flight.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Callers currently waiting on or computing `key`.
    #[cfg(test)]
    fn callers(&self, key: &K) -> usize {
        self.lock().get(key).map_or(0, |cell| Arc::strong_count(cell) - 1)
    }
}

/// One caller's place in a flight. Leaving it, finished or dropped, takes the flight off the
/// map once its result is known (later callers compute afresh) or nobody else waits for it.
struct Seat<'a, K: Eq + Hash, V> {
    flights: &'a SingleFlight<K, V>,
    key: K,
    cell: Arc<OnceCell<V>>,
}

impl<K: Eq + Hash, V> Drop for Seat<'_, K, V> {
    fn drop(&mut self) {
        let mut map = self.flights.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        let ours = map.get(&self.key).is_some_and(|cell| Arc::ptr_eq(cell, &self.cell));
        // The map's reference and this seat's: nobody else is in this flight.
        if ours && (self.cell.initialized() || Arc::strong_count(&self.cell) <= 2) {
            map.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Waits until `what` holds; a state that never comes fails the test instead of hanging it.
    async fn until(what: impl Fn() -> bool) {
        let waiting = async {
            while !what() {
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
            .await
            .expect("the expected state within 10 s");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_computation() {
        let flights: Arc<SingleFlight<u32, bool>> = Arc::default();
        let computed = Arc::new(AtomicUsize::new(0));
        let release = Arc::new(tokio::sync::Notify::new());
        let callers: Vec<_> = (0..8)
            .map(|_| {
                let (flights, computed, release) = (flights.clone(), computed.clone(), release.clone());
                tokio::spawn(async move {
                    flights
                        .run(7, || async {
                            computed.fetch_add(1, Ordering::SeqCst);
                            release.notified().await;
                            true
                        })
                        .await
                })
            })
            .collect();
        until(|| flights.callers(&7) == 8 && computed.load(Ordering::SeqCst) == 1).await;
        release.notify_one();
        for caller in callers {
            assert!(caller.await.unwrap());
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1, "one computation for eight callers");
        assert_eq!(flights.callers(&7), 0, "the finished flight left the map");
        // Afterwards the key is computed afresh, and other keys never waited on it.
        assert!(!flights.run(7, || async { false }).await);
        assert!(flights.run(8, || async { true }).await);
        assert!(flights.lock().is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiter_takes_over_when_the_computing_caller_is_dropped() {
        let flights: Arc<SingleFlight<u32, u32>> = Arc::default();
        let first = {
            let flights = flights.clone();
            tokio::spawn(async move { flights.run(1, std::future::pending::<u32>).await })
        };
        until(|| flights.callers(&1) == 1).await;
        let second = {
            let flights = flights.clone();
            tokio::spawn(async move { flights.run(1, || async { 42 }).await })
        };
        until(|| flights.callers(&1) == 2).await;
        first.abort();
        assert_eq!(second.await.unwrap(), 42);
        assert_eq!(flights.callers(&1), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flight_everybody_left_is_not_kept() {
        let flights: Arc<SingleFlight<u32, u32>> = Arc::default();
        let only = {
            let flights = flights.clone();
            tokio::spawn(async move { flights.run(1, std::future::pending::<u32>).await })
        };
        until(|| flights.callers(&1) == 1).await;
        only.abort();
        let _ = only.await;
        assert!(flights.lock().is_empty());
    }
}
