-- Background jobs: one row per thing to do later (a lobby timer, a round's deadline, the sweep
-- of expired messages). The row is the truth: any instance may run a due job, exactly one does
-- (see src/jobs/mod.rs). Times are epoch ms.
-- kind + job_key name the job (`lobby_timer` + room id): scheduling again replaces it.
-- claimed_until/locked_by: the instance running it and until when its claim holds; a claim that
-- ran out (the instance died) lets another instance take the job.
-- attempts/last_error: failed runs, retried with backoff up to a cap.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    job_key       TEXT    NOT NULL,
    due_at        BIGINT  NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    claimed_until BIGINT,
    locked_by     TEXT,
    created_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX jobs_kind_key ON jobs (kind, job_key);
-- The runner's claim: due rows in due order.
CREATE INDEX jobs_due ON jobs (due_at);

-- Running breakout sessions' deadlines, until now swept from breakout_sessions, become jobs.
INSERT INTO jobs (kind, job_key, due_at, attempts, created_at)
SELECT 'round_deadline', CAST(id AS TEXT), deadline, 0, deadline
FROM breakout_sessions
WHERE state = 1 AND deadline IS NOT NULL;
