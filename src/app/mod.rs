//! Use cases: each opens the read or write transaction its work needs, resolves the caller's
//! access, calls the domain and returns what the faces present.

pub mod accounts;
pub mod app_config;
pub mod breakout;
pub mod chat;
pub mod conversation;
pub mod conversation_settings;
pub mod linked;
pub mod participants;
pub mod reactions;
pub mod rounds;
pub mod test_reset;
