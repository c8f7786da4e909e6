//! The integration suite: every test starts the real server (in-process on an ephemeral port, or
//! the built binary) and speaks HTTP to it. One test binary for all areas, so that the server
//! library and the shared helper (`tests/common`) are linked once, not once per area.
#![recursion_limit = "256"]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod app_passwords;
mod authorization;
mod background_jobs;
mod binary;
mod breakout_concurrency;
mod breakout_properties;
mod breakout_rooms;
mod browser_login;
mod brute_force;
mod capabilities;
mod chat_changes;
mod conversations;
mod crash_safety;
mod database_outage;
mod fixtures;
mod front_script;
mod horn;
mod horn_extensions;
mod invitation_page;
mod linked_users;
mod login_flow;
mod mention_suggestions;
mod mentions;
mod migrations;
mod naming;
mod ocs_envelope;
mod openapi;
mod provisioning;
mod reactions;
mod readme;
mod room_settings;
mod round_history;
mod webhooks;
