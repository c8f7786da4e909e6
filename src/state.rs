//! What every handler gets: the database and the settings. No globals.

use crate::auth::CredentialCache;
use crate::config::Settings;
use crate::db::Db;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub credentials: CredentialCache,
}

impl AppState {
    pub fn new(db: Db, settings: Settings) -> AppState {
        AppState {
            db,
            settings: Arc::new(settings),
            credentials: CredentialCache::new(),
        }
    }
}
