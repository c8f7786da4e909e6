//! talk-breakout: a Nextcloud-compatible OCS server for Nextcloud Talk's breakout rooms.
//!
//! A request travels: layers (log, OCS envelope) → route in [`api`] → extractors (user,
//! participant, parameters) → handler → [`domain`] rules → [`db::store`] queries in one
//! transaction → wire shape → [`ocs`] renders the envelope.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod fixtures;
pub mod horn;
pub mod jobs;
pub mod ocs;
pub mod server;
pub mod shutdown;
pub mod state;
pub mod telemetry;
