//! Start-up and shutdown: connect and migrate, make sure the admin exists, load fixtures, bind,
//! serve until told to stop, finish requests in flight.

use crate::auth::ADMIN_GROUP;
use crate::config::Settings;
use crate::db::models::{Group, User};
use crate::db::{store, Db, DbError};
use crate::state::AppState;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::add_extension::AddExtension;

/// A server bound to its address and serving in the background.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting connections, ends waiting long-polls and waits for requests in flight
    /// to finish.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        self.trigger_shutdown();
        self.task.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }

    /// Waits until the server stops by itself (it only does on a fatal error).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }

    pub fn trigger_shutdown(&mut self) {
        self.state.stopping.begin();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Prepares the database and starts serving on `settings.listen`.
pub async fn start(settings: Settings) -> Result<RunningServer, String> {
    let url = settings.database.clone();
    let pool_size = settings.db_pool_size;
    let db = tokio::task::spawn_blocking(move || Db::connect(&url, pool_size))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| match e {
            // Already one line naming the database and what is wrong with it.
            DbError::Internal(message) => message,
            other => format!("cannot open the database {}: {other}", settings.database.display()),
        })?;
    if let Some(admin) = settings.admin.clone() {
        ensure_admin(&db, admin.user, admin.password)
            .await
            .map_err(|e| format!("cannot set up the admin account: {e}"))?;
    }
    crate::app::rounds::ensure_client_id(&db)
        .await
        .map_err(|e| format!("cannot set up the deployment's client id: {e}"))?;
    if let Some(path) = settings.fixtures.clone() {
        let summary = crate::fixtures::load_file(&db, &path)
            .await
            .map_err(|e| format!("cannot load fixtures {}: {e}", path.display()))?;
        tracing::info!(file = %path.display(), %summary, "fixtures loaded");
    }
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let tokens = crate::auth::token::TokenHasher::load(&db)
        .await
        .map_err(|e| format!("cannot read the token key: {e}"))?;
    let state = AppState::new(db, settings, tokens);
    let app = crate::api::router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let header_read_timeout = state.settings.header_read_timeout;
    // Background jobs run while the server serves (at once for those that fell due while it was
    // down); after the drain, the job under way finishes and the runner stops.
    let runner = state
        .settings
        .background_jobs
        .then(|| crate::jobs::Runner::start(state.db.clone(), state.settings.clock.clone()));
    let task = tokio::spawn(async move {
        let served = serve_connections(listener, app, header_read_timeout, rx).await;
        if let Some(runner) = runner {
            runner.shutdown().await;
        }
        served
    });
    tracing::info!(
        listen = %addr,
        backend = %state.db.backend_name(),
        database = %state.settings.database.display(),
        version = %env!("CARGO_PKG_VERSION"),
        "talk-breakout started"
    );
    Ok(RunningServer {
        addr,
        state,
        shutdown: Some(tx),
        task,
    })
}

/// After a shutdown signal, requests in flight get this long to finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// The accept loop: hyper with a header-read timeout (axum's `serve` has none), the peer address
/// for brute-force protection, and a graceful drain on shutdown.
async fn serve_connections(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    mut shutdown: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and similar: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = AddExtension::new(app.clone(), ConnectInfo(peer));
        let hyper_service = TowerToHyperService::new(service);
        let connection = builder
            .serve_connection(TokioIo::new(stream), hyper_service)
            .into_owned();
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = watched.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after the drain timeout; closing them");
    }
    Ok(())
}

/// Runs until SIGINT or SIGTERM, then ends waiting long-polls, drains and returns. A second
/// signal during the drain exits the process at once (status 128 + the signal's number).
pub async fn run(settings: Settings) -> Result<(), String> {
    let mut signals = Signals::new().map_err(|e| format!("cannot watch for SIGINT/SIGTERM: {e}"))?;
    // A signal during start-up (a slow migration, a database that does not answer) stops the
    // process at once.
    let mut server = tokio::select! {
        server = start(settings) => server?,
        (name, number) = signals.next() => {
            tracing::warn!(signal = %name, "signal during start-up: exiting immediately");
            std::process::exit(128 + number);
        }
    };
    let (name, _) = signals.next().await;
    tracing::info!(signal = %name, "shutting down: ending long-polls, finishing requests in flight");
    server.trigger_shutdown();
    tokio::select! {
        result = server.wait() => result.map_err(|e| e.to_string())?,
        (name, number) = signals.next() => {
            tracing::warn!(signal = %name, "second signal: exiting immediately");
            std::process::exit(128 + number);
        }
    }
    tracing::info!("talk-breakout stopped");
    Ok(())
}

/// SIGINT and SIGTERM, as many times as they come.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next signal's name and number.
    async fn next(&mut self) -> (&'static str, i32) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => ("SIGINT", 2),
                _ = self.terminate.recv() => ("SIGTERM", 15),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            ("SIGINT", 2)
        }
    }
}

/// Creates the admin account, or resets its password, and makes it a member of `admin`.
/// Safe on every start and on several instances at once.
pub async fn ensure_admin(db: &Db, user_id: String, password: String) -> Result<(), DbError> {
    let existing = {
        let id = user_id.clone();
        db.run(move |conn| store::users::find(conn, &id)).await?
    };
    let needs_hash = match &existing {
        Some(user) => {
            let (pw, stored) = (password.clone(), user.password_hash.clone());
            !crate::auth::verify_password_async(pw, stored).await
        }
        None => true,
    };
    let new_hash = if needs_hash {
        let pw = password.clone();
        Some(crate::auth::hash_password_async(pw).await.map_err(DbError::Internal)?)
    } else {
        None
    };
    db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), DbError> {
            match (store::users::find(conn, &user_id)?, &new_hash) {
                (None, Some(hash)) => store::users::insert(
                    conn,
                    &User {
                        user_id: user_id.clone().into(),
                        display_name: user_id.clone(),
                        password_hash: hash.clone(),
                        email: None,
                        enabled: true,
                        created_at: crate::domain::now(),
                        last_login: 0,
                    },
                )?,
                (Some(_), Some(hash)) => {
                    store::users::set_password_hash(conn, &user_id, hash)?;
                }
                _ => {}
            }
            if store::groups::find(conn, ADMIN_GROUP)?.is_none() {
                store::groups::insert(
                    conn,
                    &Group {
                        group_id: ADMIN_GROUP.to_owned(),
                        display_name: ADMIN_GROUP.to_owned(),
                    },
                )?;
            }
            store::groups::add_member(conn, ADMIN_GROUP, &user_id)?;
            Ok(())
        })
    })
    .await
}
