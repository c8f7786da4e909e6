//! The test-only reset of upstream's integration suite (`spreedcheats`): every conversation goes,
//! with its attendees, sessions, messages and breakout history (foreign keys cascade), and its
//! channel-linked accounts (see migration 000060); other accounts and groups stay.

use crate::db::{store, Db, DbResult};

pub async fn wipe_conversations(db: &Db) -> DbResult<()> {
    db.run(|conn| conn.write_tx(|tx| store::rooms::delete_all(tx))).await?;
    Ok(())
}
