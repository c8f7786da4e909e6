//! Settings that change what Talk allows: server-wide ones from the app config (upstream's
//! `oc_appconfig`, set through the provisioning API) and, next to them, the per-conversation
//! switch the Horn face sets. The capabilities handler only presents them.

use crate::db::{store, Conn, DbResult};
use crate::domain::ids::RoomId;

/// App and key of the server-wide breakout rooms switch.
pub const BREAKOUT_ROOMS: (&str, &str) = ("spreed", "breakout_rooms");

/// The server-wide Talk settings clients depend on, read once per request.
#[derive(Debug, Clone)]
pub struct TalkSettings {
    /// App config `spreed`/`breakout_rooms` is exactly `yes` (the default when unset).
    pub breakout_rooms_enabled: bool,
}

impl TalkSettings {
    pub fn load(conn: &mut Conn<'_>) -> DbResult<TalkSettings> {
        let value = store::app_config::get(conn, BREAKOUT_ROOMS.0, BREAKOUT_ROOMS.1)?;
        Ok(TalkSettings::from_stored(value.as_deref()))
    }

    /// The settings from the stored value of [`BREAKOUT_ROOMS`] (`None` when unset), for
    /// callers that read it together with other rows.
    pub fn from_stored(breakout_rooms: Option<&str>) -> TalkSettings {
        TalkSettings {
            breakout_rooms_enabled: breakout_rooms.unwrap_or("yes") == "yes",
        }
    }
}

/// Whether breakout rooms may be configured or reorganized in this conversation: the
/// server-wide setting and the conversation's own switch must both allow it.
pub fn breakout_rooms_allowed(conn: &mut Conn<'_>, parent_id: RoomId) -> DbResult<bool> {
    Ok(TalkSettings::load(conn)?.breakout_rooms_enabled && store::breakout_sessions::enabled(conn, parent_id)?)
}
