//! Queries, grouped by aggregate. Each function does one job on a borrowed [`Conn`]; callers
//! decide the transaction boundaries.
//!
//! [`Conn`]: crate::db::Conn

pub mod app_config;
pub mod app_passwords;
pub mod attendees;
pub mod breakout_sessions;
pub mod brute_force;
pub mod groups;
pub mod jobs;
pub mod linked_users;
pub mod messages;
pub mod reactions;
pub mod rooms;
pub mod sessions;
pub mod users;
pub mod webhooks;
