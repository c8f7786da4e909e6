//! Storage: a connection pool for SQLite (embedded default) or PostgreSQL (several instances on
//! one database), migrations, and the query layer in [`store`].
//!
//! Queries are written once in diesel's common DSL inside [`backend!`], which compiles the same
//! body for each concrete connection type. Only this module knows that there are two backends.

pub mod models;
pub mod schema;
pub mod store;
pub mod types;

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, ManageConnection, Pool, R2D2Connection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Any key will do as long as every instance uses the same one.
const MIGRATION_LOCK_KEY: i64 = 0x0074_616c_6b62_726b; // "talkbrk"

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("query failed: {0}")]
    Query(diesel::result::Error),
    #[error("{0}")]
    Internal(String),
}

impl From<diesel::result::Error> for DbError {
    /// A statement that failed because the server went away is an outage (503), not a failed
    /// query: with no test query on check-out, this is where a lost connection shows first.
    fn from(e: diesel::result::Error) -> DbError {
        if connection_is_gone(&e) {
            DbError::Unavailable(e.to_string())
        } else {
            DbError::Query(e)
        }
    }
}

impl DbError {
    /// True for a unique-constraint violation: a concurrent request created the same row first.
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Which backend a URL selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path, or `:memory:`.
    Sqlite(String),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        if url == "sqlite::memory:" || url == "sqlite://:memory:" {
            return Ok(DatabaseUrl::Sqlite(":memory:".to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| {
                format!(
                    "unsupported database URL scheme (use sqlite:// or postgres://): {}",
                    redact_url(url)
                )
            })?;
        if path.is_empty() {
            return Err("the sqlite:// URL names no file".to_owned());
        }
        Ok(DatabaseUrl::Sqlite(path.to_owned()))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }

    /// Where the data lives, safe for logs: the SQLite file as an absolute path, or the
    /// PostgreSQL URL with its password hidden.
    pub fn display(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) if path == ":memory:" => "sqlite::memory:".to_owned(),
            DatabaseUrl::Sqlite(path) => std::path::absolute(path)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| path.clone()),
            DatabaseUrl::Postgres(url) => redact_url(url),
        }
    }
}

/// The one-line reason a SQLite file cannot be used: the path as given, the working directory
/// when the path is relative, and the operating system's reason.
fn sqlite_open_error(path: &str, reason: &str) -> DbError {
    let location = if std::path::Path::new(path).is_absolute() {
        path.to_owned()
    } else {
        match std::env::current_dir() {
            Ok(dir) => format!("{path} (relative to the working directory {})", dir.display()),
            Err(_) => path.to_owned(),
        }
    };
    DbError::Internal(format!("cannot open the SQLite database {location}: {reason}"))
}

/// Opens (creating if needed) the SQLite file with the operating system first: SQLite itself
/// only says "unable to open the database file", without the reason.
fn check_sqlite_file(path: &str) -> DbResult<()> {
    let p = std::path::Path::new(path);
    if p.is_dir() {
        return Err(sqlite_open_error(path, "it is a directory, not a file"));
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(p)
        .map(drop)
        .map_err(|e| {
            let missing_directory = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty() && !d.exists())
                .map(|d| format!(" (the directory {} does not exist)", d.display()))
                .unwrap_or_default();
            sqlite_open_error(path, &format!("{e}{missing_directory}"))
        })
}

/// libpq's multi-line message as one line, with the password hidden, and what to check.
fn postgres_connect_error(url: &str, message: &str) -> DbError {
    let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let one_line = redact_error(&one_line, url);
    DbError::Internal(format!(
        "cannot connect to PostgreSQL {}: {one_line} (check --database / DATABASE_URL)",
        redact_url(url)
    ))
}

/// Hides the password of `scheme://user:password@host/...` (and a `password=` query
/// parameter) for logs and `Debug`. A URL without a password is shown as it is.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
                None => base.to_owned(),
            },
            None => base.to_owned(),
        },
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&redacted.join("&"));
    }
    out
}

enum PoolKind {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Pg(Pool<PgManager>),
}

/// Watches every statement of one connection: logs it at `trace` level under `talk_breakout::sql`
/// (how statements per request are counted) and, on PostgreSQL, notes when the server is gone.
struct StatementWatch {
    /// Set once a statement failed because the connection is closed or cannot send.
    lost: Option<Arc<AtomicBool>>,
}

impl Instrumentation for StatementWatch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { query, error, .. } = event {
            tracing::trace!(target: "talk_breakout::sql", failed = error.is_some(), "{query}");
            if let (Some(lost), Some(error)) = (&self.lost, error) {
                if connection_is_gone(error) {
                    lost.store(true, Ordering::Relaxed);
                }
            }
        }
    }
}

/// libpq reports a server that went away (or a socket that broke) as a closed connection or
/// as a command it could not send; such a connection never works again.
fn connection_is_gone(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        error,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ) | Error::BrokenTransactionManager
    )
}

/// A pooled PostgreSQL connection and whether it was found dead.
struct PgPooled {
    conn: PgConnection,
    lost: Arc<AtomicBool>,
    /// Dead connections found in the pool so far (shared by all its connections), and how many
    /// there were when this one last proved alive; see [`checkout_pg`].
    losses: Arc<AtomicU64>,
    seen_losses: u64,
}

/// The PostgreSQL pool's manager. There is no test query on check-out (it would cost a round
/// trip on every request); instead a connection whose statement failed because the server went
/// away is dropped when it returns to the pool, and the pool opens a new one (and the others are
/// tested once, see [`checkout_pg`]). Diesel's own
/// `has_broken` only looks at the transaction state, which misses a connection lost outside an
/// explicit transaction.
struct PgManager {
    connections: ConnectionManager<PgConnection>,
    losses: Arc<AtomicU64>,
}

impl ManageConnection for PgManager {
    type Connection = PgPooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PgPooled, diesel::r2d2::Error> {
        let mut conn = self.connections.connect()?;
        let lost = Arc::new(AtomicBool::new(false));
        conn.set_instrumentation(StatementWatch {
            lost: Some(lost.clone()),
        });
        Ok(PgPooled {
            conn,
            lost,
            losses: self.losses.clone(),
            seen_losses: self.losses.load(Ordering::Acquire),
        })
    }

    fn is_valid(&self, pooled: &mut PgPooled) -> Result<(), diesel::r2d2::Error> {
        pooled.conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, pooled: &mut PgPooled) -> bool {
        let broken = pooled.lost.load(Ordering::Relaxed) || self.connections.has_broken(&mut pooled.conn);
        if broken {
            self.losses.fetch_add(1, Ordering::AcqRel);
        }
        broken
    }
}

/// Takes a PostgreSQL connection from the pool. Once a connection was found dead (the server
/// restarted, or the network dropped), every other pooled connection is likely dead too: each
/// is tested with one round trip on its next check-out, and a dead one is dropped and the next
/// taken: a restart of PostgreSQL costs the one request that found it out a 503, not one per
/// pooled connection. In normal operation this is one atomic load.
fn checkout_pg(pool: &Pool<PgManager>) -> DbResult<diesel::r2d2::PooledConnection<PgManager>> {
    loop {
        let mut pooled = pool.get().map_err(|e| DbError::Unavailable(e.to_string()))?;
        let losses = pooled.losses.load(Ordering::Acquire);
        if pooled.seen_losses == losses {
            return Ok(pooled);
        }
        pooled.seen_losses = losses;
        if pooled.conn.ping().is_ok() {
            return Ok(pooled);
        }
        // Dropped on its return just below; the pool opens a replacement.
        pooled.lost.store(true, Ordering::Relaxed);
    }
}

/// A borrowed connection of either backend; what every store function takes.
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection. The body is compiled once per
/// backend, so it must be written in diesel's common DSL.
#[macro_export]
macro_rules! backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite($c) => {
                let $c: &mut ::diesel::SqliteConnection = &mut **$c;
                $body
            }
            $crate::db::Conn::Pg($c) => {
                let $c: &mut ::diesel::PgConnection = &mut **$c;
                $body
            }
        }
    };
}

impl Conn<'_> {
    /// One write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, so concurrent writers
    /// queue on the busy timeout instead of failing when a read lock cannot be upgraded. `f`
    /// gets a [`WriteTx`]: the only thing a conversation can be locked on.
    pub fn write_tx<T, E>(&mut self, f: impl FnOnce(&mut WriteTx<'_, '_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        match self {
            Conn::Sqlite(c) => c.immediate_transaction(|c| f(&mut WriteTx(&mut Conn::Sqlite(c)))),
            Conn::Pg(c) => c.transaction(|c| f(&mut WriteTx(&mut Conn::Pg(c)))),
        }
    }

    /// A read-only snapshot across several queries.
    pub fn read_tx<T, E>(&mut self, f: impl FnOnce(&mut Conn<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        match self {
            Conn::Sqlite(c) => c.transaction(|c| f(&mut Conn::Sqlite(c))),
            Conn::Pg(c) => c.build_transaction().read_only().run(|c| f(&mut Conn::Pg(c))),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Conn::Sqlite(_))
    }
}

/// A connection inside a write transaction ([`Conn::write_tx`]). It derefs to [`Conn`], so every
/// store function takes it; locking a conversation is only possible here, so a lock can never be
/// taken (and silently released at once) outside a transaction.
pub struct WriteTx<'t, 'c>(&'t mut Conn<'c>);

impl<'c> std::ops::Deref for WriteTx<'_, 'c> {
    type Target = Conn<'c>;

    fn deref(&self) -> &Conn<'c> {
        self.0
    }
}

impl<'c> std::ops::DerefMut for WriteTx<'_, 'c> {
    fn deref_mut(&mut self) -> &mut Conn<'c> {
        self.0
    }
}

impl WriteTx<'_, '_> {
    /// [`WriteTx::lock_room`] and the room read under that lock, in one statement: on PostgreSQL
    /// `SELECT … FOR UPDATE` waits for the lock and answers the row as it is once the lock is
    /// held, which is what locking and then reading answered, one round trip sooner. `None`:
    /// no such room.
    pub fn lock_and_read_room(&mut self, room_id: crate::domain::ids::RoomId) -> DbResult<Option<models::Room>> {
        use diesel::{OptionalExtension, QueryDsl, SelectableHelper};
        let room = || schema::rooms::table.find(room_id);
        // Why a match: `FOR UPDATE` is PostgreSQL's; SQLite's one writer needs no row lock.
        Ok(match &mut *self.0 {
            Conn::Sqlite(c) => room().select(models::Room::as_select()).first(&mut **c).optional()?,
            Conn::Pg(c) => room()
                .select(models::Room::as_select())
                .for_update()
                .first(&mut **c)
                .optional()?,
        })
    }

    /// Serialises writers on one room across server instances. PostgreSQL takes a row lock for
    /// the rest of the transaction; SQLite needs nothing because `BEGIN IMMEDIATE` already
    /// admits one writer at a time.
    pub fn lock_room(&mut self, room_id: crate::domain::ids::RoomId) -> DbResult<()> {
        match &mut *self.0 {
            Conn::Sqlite(_) => Ok(()),
            Conn::Pg(c) => {
                diesel::sql_query("SELECT id FROM rooms WHERE id = $1 FOR UPDATE")
                    .bind::<diesel::sql_types::BigInt, _>(room_id)
                    .execute(&mut **c)?;
                Ok(())
            }
        }
    }
}

/// Process-wide SQLite settings, applied once before the first connection opens (SQLite accepts
/// them only before it initialises; a later call is refused and changes nothing).
/// - Multi-thread mode: a connection is only ever used by one thread at a time (the pool hands it
///   out), so the per-connection mutexes of the default serialized mode are pure overhead.
/// - No memory statistics: they take one process-wide mutex on every allocation, which the
///   profile of concurrent reads showed as lock contention between connections.
/// - Every connection gets the query planner stability guarantee, see [`stable_query_plans`].
fn configure_sqlite_library() {
    use libsqlite3_sys as ffi;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is called before any connection exists in this process (or,
        // if one already did, SQLite answers SQLITE_MISUSE and ignores it); the variadic
        // arguments match what these options take (none, and one int). The auto extension has
        // the entry-point signature SQLite calls it with.
        unsafe {
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MULTITHREAD);
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::os::raw::c_int);
            ffi::sqlite3_auto_extension(Some(stable_query_plans));
        }
    });
}

/// Runs for every new SQLite connection. Without the query planner stability guarantee, SQLite
/// marks a prepared statement for recompilation whenever a parameter the planner looked at is
/// bound again — diesel binds `LIMIT` as a parameter, so every `.first()` query was parsed and
/// planned anew on each execution despite diesel's statement cache (a third of the CPU time of
/// an authenticated GET in the profile). Our queries use plain indexes whose choice never
/// depends on parameter values, so a stable plan loses nothing.
unsafe extern "C" fn stable_query_plans(
    db: *mut libsqlite3_sys::sqlite3,
    _error: *mut *mut std::os::raw::c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> std::os::raw::c_int {
    // SAFETY: `db` is the connection SQLite is opening; the option takes an int and an
    // optional int pointer for the previous value.
    unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::os::raw::c_int,
            std::ptr::null_mut::<std::os::raw::c_int>(),
        );
    }
    libsqlite3_sys::SQLITE_OK
}

#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // The busy timeout comes first: switching to WAL needs a lock that other connections of
        // the pool may hold while they open. WAL lets readers run beside the writer; NORMAL sync is durable against process crashes
        // in WAL mode; the busy timeout makes writers wait for each other instead of failing.
        // No automatic checkpoints: the checkpointer thread makes them (see `spawn_checkpointer`).
        conn.batch_execute(
            "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA wal_autocheckpoint = 0;",
        )
        .map_err(diesel::r2d2::Error::QueryError)?;
        conn.set_instrumentation(StatementWatch { lost: None });
        Ok(())
    }
}

/// How often the checkpointer copies the write-ahead log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Copies SQLite's write-ahead log into the database file in the background, on its own
/// connection, until the pool is dropped.
///
/// Why: SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000
/// pages, and with it two `fsync`s, which took up to 26 ms each on the machine the benchmark ran
/// on: whichever request was unlucky paid them (a Horn start of 1,000 people crossed the mark
/// about every other time). The pooled connections have automatic checkpoints off. A `PASSIVE`
/// checkpoint never waits: it copies what no reader still needs and leaves the rest for the
/// next turn. Once everything is copied, the next writer starts the log from its beginning
/// again, so it holds about half a second of writes, more only while a long read keeps old
/// pages in use (as with SQLite's own checkpoints).
fn spawn_checkpointer(mut conn: SqliteConnection, pool: std::sync::Weak<PoolKind>) -> DbResult<()> {
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            let mut failing = false;
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                if pool.strong_count() == 0 {
                    break;
                }
                match conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
                    Ok(()) => failing = false,
                    // Once per run of failures, not every half second.
                    Err(e) if !std::mem::replace(&mut failing, true) => {
                        tracing::warn!(error = %e, "SQLite checkpoint failed; retrying in the background");
                    }
                    Err(_) => {}
                }
            }
        })
        // Without it the log would only grow: a server that cannot start a thread does not start.
        .map_err(|e| DbError::Internal(format!("cannot start the SQLite checkpointer: {e}")))?;
    Ok(())
}

/// Connection errors inside the pool: one warning each through `tracing`, password hidden
/// (r2d2's default handler logs every retry at error level, with the raw message).
#[derive(Debug)]
struct PoolErrorLog;

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for PoolErrorLog {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        let message = error.to_string();
        let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
        tracing::warn!(error = %redact_password_words(&one_line), "database connection failed");
    }
}

/// Hides anything that looks like `user:password@` in a free-text message.
fn redact_password_words(message: &str) -> String {
    message.split(' ').map(redact_url).collect::<Vec<_>>().join(" ")
}

/// Runs on the blocking thread after a [`Db::run`] when no other database work is waiting, its
/// connection back in the pool. The binary hands the thread's freed memory back to the system
/// here (`main.rs`): such a thread may wait idle for a long time after a large write, and the
/// allocator returns freed pages only when their thread allocates or frees again. Unset (tests,
/// embedders), nothing runs.
static AFTER_BLOCKING_WORK: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets the [`AFTER_BLOCKING_WORK`] hook, once per process; a second call changes nothing.
pub fn set_after_blocking_work(hook: fn()) {
    let _ = AFTER_BLOCKING_WORK.set(hook);
}

/// The shared handle: cheap to clone, safe to use from every request.
#[derive(Clone)]
pub struct Db {
    pool: Arc<PoolKind>,
    /// One permit per pooled connection. Requests wait for a permit on the async runtime, so
    /// only as many blocking threads run database work as there are connections; without it
    /// every concurrent request parks an OS thread on the pool, and context switches and
    /// per-thread allocator arenas dominate.
    permits: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match &*self.pool {
            PoolKind::Sqlite(_) => "Db(sqlite)",
            PoolKind::Pg(_) => "Db(postgres)",
        })
    }
}

impl Db {
    /// Opens the pool and runs pending migrations.
    pub fn connect(url: &DatabaseUrl, pool_size: u32) -> DbResult<Db> {
        let timeout = Duration::from_secs(5);
        let size = match url {
            // Every connection to ":memory:" would be its own database, so keep exactly one.
            DatabaseUrl::Sqlite(path) if path == ":memory:" => 1,
            _ => pool_size.max(1),
        };
        let mut checkpointer = None;
        let pool = match url {
            DatabaseUrl::Sqlite(path) => {
                configure_sqlite_library();
                if path != ":memory:" {
                    check_sqlite_file(path)?;
                    // WAL is a property of the file: switch it once, before the pool opens
                    // several connections that would otherwise race for the exclusive lock.
                    let mut first =
                        SqliteConnection::establish(path).map_err(|e| sqlite_open_error(path, &e.to_string()))?;
                    first
                        .batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
                        .map_err(|e| sqlite_open_error(path, &e.to_string()))?;
                    checkpointer = Some(first);
                }
                let pool = Pool::builder()
                    .max_size(size)
                    .connection_timeout(timeout)
                    .error_handler(Box::new(PoolErrorLog))
                    // A local file cannot go away between requests; a test query on every
                    // checkout would only add a round trip to each database call.
                    .test_on_check_out(false)
                    .connection_customizer(Box::new(SqlitePragmas))
                    .build(ConnectionManager::<SqliteConnection>::new(path.as_str()))
                    .map_err(|e| DbError::Unavailable(e.to_string()))?;
                PoolKind::Sqlite(pool)
            }
            DatabaseUrl::Postgres(pg_url) => {
                // One direct attempt first: a wrong host, port, role, password or database is
                // reported at once in one line, instead of the pool retrying every connection.
                PgConnection::establish(pg_url).map_err(|e| postgres_connect_error(pg_url, &e.to_string()))?;
                let pool = Pool::builder()
                    .error_handler(Box::new(PoolErrorLog))
                    .max_size(pool_size.max(1))
                    .connection_timeout(timeout)
                    // Dead connections are found by the statements themselves (see PgManager).
                    .test_on_check_out(false)
                    .build(PgManager {
                        connections: ConnectionManager::<PgConnection>::new(pg_url.as_str()),
                        losses: Arc::new(AtomicU64::new(0)),
                    })
                    .map_err(|e| DbError::Unavailable(redact_error(&e.to_string(), pg_url)))?;
                PoolKind::Pg(pool)
            }
        };
        let db = Db {
            pool: Arc::new(pool),
            permits: Arc::new(tokio::sync::Semaphore::new(size as usize)),
        };
        if let Some(conn) = checkpointer {
            spawn_checkpointer(conn, Arc::downgrade(&db.pool))?;
        }
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&self) -> DbResult<()> {
        let migration_error =
            |e: Box<dyn std::error::Error + Send + Sync>| DbError::Internal(format!("migration failed: {e}"));
        match &*self.pool {
            PoolKind::Sqlite(pool) => {
                let mut conn = pool.get().map_err(|e| DbError::Unavailable(e.to_string()))?;
                conn.run_pending_migrations(SQLITE_MIGRATIONS)
                    .map_err(migration_error)?;
            }
            PoolKind::Pg(pool) => {
                let mut pooled = pool.get().map_err(|e| DbError::Unavailable(e.to_string()))?;
                let conn = &mut pooled.conn;
                // Instances starting together take turns; the later ones find nothing pending.
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")).execute(conn)?;
                let result = conn
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|_| ())
                    .map_err(migration_error);
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(conn)?;
                result?;
            }
        }
        Ok(())
    }

    /// Runs blocking database work on the blocking thread pool, never on the async runtime.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| DbError::Internal(e.to_string()))?;
        let pool = self.pool.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let work = || match &*pool {
                PoolKind::Sqlite(p) => {
                    let mut c = p.get().map_err(|e| DbError::Unavailable(e.to_string()))?;
                    f(&mut Conn::Sqlite(&mut c))
                }
                PoolKind::Pg(p) => {
                    let mut c = checkout_pg(p)?;
                    f(&mut Conn::Pg(&mut c.conn))
                }
            };
            let result = work();
            // Only when no other database work waits for this thread's permit: in a burst of
            // writes the next one would fault the same pages back in, and the last of the burst
            // finds the pool free and hands its memory back.
            if permit.semaphore().available_permits() > 0 {
                if let Some(hook) = AFTER_BLOCKING_WORK.get() {
                    hook();
                }
            }
            drop(permit);
            result
        })
        .await;
        match joined {
            Ok(result) => result,
            Err(e) => Err(DbError::Internal(format!("database task failed: {e}")).into()),
        }
    }

    /// Like [`Db::run`], for work that only reads. On SQLite it runs right here on the async
    /// runtime: in WAL mode a reader never waits for a lock (writers append to the log, readers
    /// keep their snapshot), so a read is a few microseconds of CPU work, less than the thread
    /// hand-off of [`Db::run`] that the profile showed as the largest cost of a small GET. A
    /// permit guarantees a free connection, so taking it from the pool does not wait either.
    /// PostgreSQL reads wait on the network and go to the blocking pool as usual. `f` runs in
    /// one read transaction, so its statements see one snapshot.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        self.read_one(move |conn| conn.read_tx(f)).await
    }

    /// Like [`Db::read`] for a read that is a single statement: one statement sees one snapshot
    /// by itself, so it runs without a transaction around it, which on PostgreSQL saves the
    /// `BEGIN` and `COMMIT` round trips. A closure that runs more than one statement must use
    /// [`Db::read`], or its statements may see different states of the database.
    pub async fn read_one<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn<'_>) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        match &*self.pool {
            PoolKind::Sqlite(p) => {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|e| DbError::Internal(e.to_string()))?;
                let mut c = p.get().map_err(|e| DbError::Unavailable(e.to_string()))?;
                f(&mut Conn::Sqlite(&mut c))
            }
            PoolKind::Pg(_) => self.run(f).await,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match &*self.pool {
            PoolKind::Sqlite(_) => "sqlite",
            PoolKind::Pg(_) => "postgres",
        }
    }
}

fn redact_error(message: &str, url: &str) -> String {
    message.replace(url, &redact_url(url))
}

#[cfg(test)]
mod tests {
    use super::{redact_url, DatabaseUrl, Db, DbError};
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};

    thread_local! {
        /// Set by this module's database work, so that the hook counts only its own calls (the
        /// hook is process-wide, and other tests run database work beside these).
        static MARKED: Cell<bool> = const { Cell::new(false) };
    }
    static HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

    fn count_marked_work() {
        if MARKED.with(|m| m.replace(false)) {
            HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The hook after blocking work runs on the thread that did the work, once the pool has a
    /// free connection again, and not while every connection is taken (the next write would
    /// fault back in what it gave away).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_after_work_hook_runs_only_when_no_work_waits() {
        super::set_after_blocking_work(count_marked_work);
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("hook.sqlite").to_string_lossy().into_owned());
        let db = Db::connect(&url, 2).unwrap();
        let marked = |_: &mut super::Conn<'_>| -> Result<(), DbError> {
            MARKED.with(|m| m.set(true));
            Ok(())
        };
        let before = HOOK_CALLS.load(Ordering::SeqCst);
        db.run(marked).await.unwrap();
        assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), before + 1, "idle pool: the hook ran");

        // The other connection taken: nothing is free while this work runs.
        let held = db.permits.clone().acquire_owned().await.unwrap();
        db.run(marked).await.unwrap();
        assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), before + 1, "saturated pool: no hook");
        drop(held);
    }

    #[test]
    fn only_passwords_are_hidden() {
        assert_eq!(
            redact_url("postgres://talk:secret@db/talk"),
            "postgres://talk:***@db/talk"
        );
        assert_eq!(redact_url("postgres://talk@db/talk"), "postgres://talk@db/talk");
        assert_eq!(redact_url("postgres://db/talk"), "postgres://db/talk");
        assert_eq!(
            redact_url("postgres://talk@db/talk?sslmode=require&password=secret"),
            "postgres://talk@db/talk?sslmode=require&password=***"
        );
        assert_eq!(redact_url("postgres://u:p@ss@db/x"), "postgres://u:***@db/x");
        assert_eq!(redact_url("sqlite://talk.sqlite"), "sqlite://talk.sqlite");
    }
}
