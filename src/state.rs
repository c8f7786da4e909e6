//! What every handler gets: the database and the settings. No globals.

use crate::auth::throttle::Throttler;
use crate::auth::token::TokenHasher;
use crate::auth::CredentialCache;
use crate::config::Settings;
use crate::db::Db;
use crate::shutdown::Stopping;
use std::sync::Arc;

/// Cloned for every extractor and middleware of every request, so it is one reference count:
/// cloning the parts (the pool, two caches, the throttler, …) was a dozen atomic operations per
/// clone, 2–3% of a cached `GET /room/{token}` in the profile.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`], reached through it by `Deref`.
pub struct Shared {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub credentials: CredentialCache,
    pub throttler: Throttler,
    /// Set when a shutdown begins; long-polls end at once.
    pub stopping: Stopping,
    /// The keyed hash for app passwords and login-flow tokens (key shared through the database).
    pub tokens: TokenHasher,
}

impl AppState {
    pub fn new(db: Db, settings: Settings, tokens: TokenHasher) -> AppState {
        let throttler = Throttler::new(settings.brute_force_protection, db.clone());
        AppState(Arc::new(Shared {
            db,
            settings: Arc::new(settings),
            credentials: CredentialCache::new(),
            throttler,
            stopping: Stopping::default(),
            tokens,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.settings.clock
    }
}

/// The request's "now" in epoch ms, read from the clock once per request: every extractor and
/// the handler of one request agree on the time (a lobby timer cannot pass between the access
/// check and the reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now(pub i64);

impl Now {
    pub fn ms(self) -> i64 {
        self.0
    }

    /// Unix seconds, as upstream's timestamps.
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1000)
    }
}

impl axum::extract::FromRequestParts<AppState> for Now {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(now) = parts.extensions.get::<Now>() {
            return Ok(*now);
        }
        let now = Now(state.clock().now_ms());
        parts.extensions.insert(now);
        Ok(now)
    }
}
