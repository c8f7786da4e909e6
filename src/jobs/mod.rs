//! The background job runner: timers stored as rows of the `jobs` table (see
//! `domain::schedule`), run when due by whichever instance claims them first.
//!
//! - **Claim.** A pass claims up to [`BATCH`] due rows for this runner until `now + LEASE`
//!   (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances claim disjoint rows without waiting for
//!   each other; SQLite: its single writer). A claim that runs out (the instance died) lets any
//!   instance take the job again.
//! - **Exactly once.** A job's effect and its completion (the row deleted, or rescheduled) commit
//!   in one transaction. The effect locks its conversation first (as requests do) and re-reads
//!   what it checks, so a run that comes second (after a request changed the state, or after
//!   another instance ran the job when this runner's claim ran out) finds nothing left to do.
//!   The completion then only succeeds while the row is still this runner's claim or gone: a
//!   job replaced meanwhile (new due time) or claimed again by another instance rolls back. The
//!   job row is touched after the conversation lock, the order requests take them in.
//! - **Time.** "Now" comes from the injected [`Clock`]. Between passes the runner sleeps until
//!   the next due time, at most [`POLL`] (jobs scheduled by other instances), and wakes at once
//!   when a manual clock is moved. Jobs that fell due while no server ran are due at start-up.
//! - **Failures** are retried with exponential backoff, up to [`MAX_ATTEMPTS`]; then the row
//!   stays, with its last error, for an operator to look at.
//! - **Webhook deliveries** (`webhook_delivery`) are claimed like every job but run by
//!   [`webhooks::Deliverer`] outside any transaction (an HTTP request must not hold the
//!   database), with their own retry schedule.
//! - **Shutdown.** [`Runner::shutdown`] lets the job under way finish its transaction, gives the
//!   claims it did not start back, and returns.

use crate::clock::Clock;
use crate::db::store::jobs::JobRow;
use crate::db::{store, Db, DbError, WriteTx};
use crate::domain::ids::RoomId;
use crate::domain::schedule::JobKind;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub mod webhooks;

/// Longest sleep between two looks at the table.
pub const POLL: Duration = Duration::from_millis(250);
/// How long a claim holds (ms); a job takes far less, so an expired claim means a dead instance.
pub const LEASE_MS: i64 = 60_000;
/// Jobs claimed in one pass.
pub const BATCH: i64 = 32;
/// Jobs one runner runs at the same time.
pub const CONCURRENCY: usize = 4;
/// Runs before a failing job is given up.
pub const MAX_ATTEMPTS: i32 = 10;

/// Why a run did not complete.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The row is no longer this runner's claim: the run's effect was rolled back.
    #[error("superseded")]
    Superseded,
    #[error("{0}")]
    Failed(String),
}

impl From<diesel::result::Error> for JobError {
    fn from(e: diesel::result::Error) -> Self {
        JobError::Failed(e.to_string())
    }
}

impl From<DbError> for JobError {
    fn from(e: DbError) -> Self {
        JobError::Failed(e.to_string())
    }
}

impl From<crate::domain::Refusal> for JobError {
    fn from(e: crate::domain::Refusal) -> Self {
        JobError::Failed(e.to_string())
    }
}

/// What a job asks for after its run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Remove the row.
    Done,
    /// Run again at this time (ms).
    Again(i64),
}

/// Runs one job's effect inside the caller's write transaction.
fn perform(conn: &mut WriteTx<'_, '_>, job: &JobRow, now_ms: i64) -> Result<Outcome, JobError> {
    let Some(kind) = JobKind::from_name(&job.kind) else {
        // Written by a newer version sharing the database: leave it to that version.
        return Err(JobError::Failed(format!("unknown job kind {:?}", job.kind)));
    };
    let id = || {
        job.job_key
            .parse::<i64>()
            .map_err(|_| JobError::Failed(format!("{} job with key {:?}", job.kind, job.job_key)))
    };
    match kind {
        JobKind::LobbyTimer => {
            crate::domain::conversation::open_lobby_on_timer(conn, RoomId(id()?), now_ms)?;
            Ok(Outcome::Done)
        }
        JobKind::RoundDeadline => {
            crate::domain::rounds::expire(conn, id()?, now_ms)?;
            Ok(Outcome::Done)
        }
        JobKind::ExpireMessages => Ok(match crate::domain::chat::expire_messages(conn, now_ms)? {
            Some(next) => Outcome::Again(next),
            None => Outcome::Done,
        }),
        // `pass` hands these to the deliverer; never run inside a transaction.
        JobKind::WebhookDelivery => Err(JobError::Failed("webhook delivery run as a transaction".to_owned())),
    }
}

/// The wait before retry `attempts` (1 = after the first failure): 1 s, doubling, at most an
/// hour.
pub fn backoff_ms(attempts: i32) -> i64 {
    let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(12);
    (1_000i64 << exponent).min(3_600_000)
}

/// The running job runner of one server instance.
pub struct Runner {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Runner {
    /// Starts the runner. Its first pass runs at once: jobs that fell due while the server was
    /// down run at start-up.
    pub fn start(db: Db, clock: Clock) -> Runner {
        let (stop, stopped) = watch::channel(false);
        let me = format!("{}-{}", std::process::id(), crate::domain::ids::generate_token());
        let task = tokio::spawn(run(db, clock, me, webhooks::Deliverer::new(), stopped));
        Runner { stop, task }
    }

    /// Stops after the job under way (its transaction commits or rolls back as usual); jobs
    /// claimed but not started are given back for another instance or the next start.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "job runner failed");
        }
    }
}

async fn run(db: Db, clock: Clock, me: String, deliverer: webhooks::Deliverer, mut stopped: watch::Receiver<bool>) {
    let mut clock_moved = clock.changes();
    loop {
        if *stopped.borrow() {
            break;
        }
        let wait = match pass(&db, &clock, &me, &deliverer, &stopped).await {
            Ok(Some(next_due)) => {
                let until = next_due.saturating_sub(clock.now_ms()).max(0);
                // Manual time does not pass by itself: only a move of the clock (or the poll)
                // brings a job due.
                if clock.is_manual() && until > 0 {
                    POLL
                } else {
                    POLL.min(Duration::from_millis(u64::try_from(until).unwrap_or(0)))
                }
            }
            Ok(None) => POLL,
            Err(e) => {
                tracing::warn!(error = %e, "job runner pass failed");
                POLL
            }
        };
        if wait.is_zero() {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped.changed() => {}
            _ = async {
                match clock_moved.as_mut() {
                    Some(rx) => { let _ = rx.changed().await; }
                    None => std::future::pending::<()>().await,
                }
            } => {}
        }
    }
    let released = {
        let me = me.clone();
        db.run(move |conn| conn.write_tx(|conn| store::jobs::release(conn, &me)))
            .await
    };
    if let Err(e) = released {
        tracing::warn!(error = %e, "job runner could not give back its claims");
    }
}

/// One pass: claims what is due and runs it. Returns when to look again: the next due time,
/// now (after running jobs), or `None` (nothing scheduled that this instance may claim).
async fn pass(
    db: &Db,
    clock: &Clock,
    me: &str,
    deliverer: &webhooks::Deliverer,
    stopped: &watch::Receiver<bool>,
) -> Result<Option<i64>, DbError> {
    let now = clock.now_ms();
    // One statement, so no transaction around it: a poll is one round trip, not three.
    let next = db
        .read_one(move |conn| store::jobs::next_due(conn, now, MAX_ATTEMPTS))
        .await?;
    if next.is_none_or(|due| due > now) {
        return Ok(next);
    }
    let claimed = {
        let me = me.to_owned();
        db.run(move |conn| {
            conn.write_tx(|conn| store::jobs::claim(conn, now, &me, now.saturating_add(LEASE_MS), BATCH, MAX_ATTEMPTS))
        })
        .await?
    };
    if claimed.is_empty() {
        // Due, but other instances hold every due row.
        return Ok(None);
    }
    // Jobs of one batch touch different conversations (or re-check under their lock), so a few
    // run side by side: on PostgreSQL one job's round trips overlap another's.
    let mut running = tokio::task::JoinSet::new();
    for job in claimed {
        if *stopped.borrow() {
            // What is not started is given back when the loop ends.
            break;
        }
        while running.len() >= CONCURRENCY {
            let _ = running.join_next().await;
        }
        let (db, clock, me) = (db.clone(), clock.clone(), me.to_owned());
        if job.kind == JobKind::WebhookDelivery.name() {
            let deliverer = deliverer.clone();
            running.spawn(async move { deliverer.run(&db, &clock, &me, job).await });
        } else {
            running.spawn(async move { execute(&db, &clock, &me, job).await });
        }
    }
    // A shutdown waits here for the jobs under way.
    while running.join_next().await.is_some() {}
    // Look again at once: more may have fallen due meanwhile.
    Ok(Some(clock.now_ms()))
}

/// Runs one claimed job: its effect and its completion in one transaction; on failure the
/// failure is recorded in another.
async fn execute(db: &Db, clock: &Clock, me: &str, job: JobRow) {
    let now = clock.now_ms();
    let result = {
        let (me, job) = (me.to_owned(), job.clone());
        db.run(move |conn| {
            conn.write_tx(|conn| -> Result<(), JobError> {
                let completed = match perform(conn, &job, now)? {
                    Outcome::Done => store::jobs::complete(conn, job.id, &me)?,
                    Outcome::Again(at) => store::jobs::reschedule(conn, job.id, &me, at)?,
                };
                if completed {
                    Ok(())
                } else {
                    Err(JobError::Superseded)
                }
            })
        })
        .await
    };
    match result {
        Ok(()) => tracing::debug!(job.kind = %job.kind, job.key = %job.job_key, "job done"),
        Err(JobError::Superseded) => {
            tracing::debug!(job.kind = %job.kind, job.key = %job.job_key, "job superseded; rolled back")
        }
        Err(JobError::Failed(error)) => {
            let attempts = job.attempts.saturating_add(1);
            let retry_at = now.saturating_add(backoff_ms(attempts));
            if attempts >= MAX_ATTEMPTS {
                tracing::error!(job.kind = %job.kind, job.key = %job.job_key, attempts, %error, "job failed; giving up");
            } else {
                tracing::warn!(job.kind = %job.kind, job.key = %job.job_key, attempts, %error, "job failed; will retry");
            }
            let (me, id) = (me.to_owned(), job.id);
            let recorded = db
                .run(move |conn| conn.write_tx(|conn| store::jobs::fail(conn, id, &me, &error, retry_at)))
                .await;
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "could not record a job failure");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 1_000);
        assert_eq!(backoff_ms(2), 2_000);
        assert_eq!(backoff_ms(5), 16_000);
        assert_eq!(backoff_ms(30), 3_600_000);
        assert_eq!(backoff_ms(0), 1_000);
    }
}
