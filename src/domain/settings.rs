//! Settings that change what Talk allows: server-wide ones from the app config (upstream's
//! `oc_appconfig`, set through the provisioning API) and, next to them, the per-conversation
//! switch the Horn face sets. The capabilities handler only presents them.

use crate::db::{store, Conn, DbResult};
use crate::domain::ids::RoomId;

/// The server-wide Talk settings clients depend on, read once per request.
#[derive(Debug, Clone)]
pub struct TalkSettings {
    /// App config `spreed`/`breakout_rooms` is exactly `yes` (the default when unset).
    pub breakout_rooms_enabled: bool,
}

impl TalkSettings {
    pub fn load(conn: &mut Conn<'_>) -> DbResult<TalkSettings> {
        let value = store::app_config::get(conn, "spreed", "breakout_rooms")?;
        Ok(TalkSettings {
            breakout_rooms_enabled: value.as_deref().unwrap_or("yes") == "yes",
        })
    }
}

/// Whether breakout rooms may be configured or reorganized in this conversation: the
/// server-wide setting and the conversation's own switch must both allow it.
pub fn breakout_rooms_allowed(conn: &mut Conn<'_>, parent_id: RoomId) -> DbResult<bool> {
    Ok(TalkSettings::load(conn)?.breakout_rooms_enabled && store::breakout_sessions::enabled(conn, parent_id)?)
}
