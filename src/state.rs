//! What every handler gets: the database and the settings. No globals.

use crate::auth::throttle::Throttler;
use crate::auth::token::TokenHasher;
use crate::auth::CredentialCache;
use crate::config::Settings;
use crate::db::Db;
use crate::shutdown::Stopping;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
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
        AppState {
            db,
            settings: Arc::new(settings),
            credentials: CredentialCache::new(),
            throttler,
            stopping: Stopping::default(),
            tokens,
        }
    }
}
