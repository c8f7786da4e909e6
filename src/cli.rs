//! The command line: the operational contract described in README.md (Configuration).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "talk-breakout",
    version,
    about = "A small, fast, Nextcloud-compatible server for Nextcloud Talk's breakout rooms",
    long_about = "talk-breakout speaks Nextcloud's OCS API (status.php, capabilities, users, groups, app config) \
and the Nextcloud Talk conversation, participant, chat and breakout-room APIs, so existing Talk clients \
and test harnesses can use it as if it were a Nextcloud server.\n\n\
Data lives in an embedded SQLite file by default; point --database at PostgreSQL to run several \
instances against one database."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server until SIGINT or SIGTERM.
    Serve(ServeArgs),
}

#[derive(Debug, Clone, Args)]
#[command(override_usage = "talk-breakout serve [OPTIONS]")]
pub struct ServeArgs {
    /// Where to listen: HOST:PORT with an address or a name (`0.0.0.0:8080`, `[::]:8080`,
    /// `localhost:8080`), or a bare PORT meaning 127.0.0.1:PORT.
    #[arg(long, env = "TALK_LISTEN", default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,

    /// Database URL: sqlite://FILE (relative to the working directory), sqlite:///ABS/PATH,
    /// sqlite::memory: (throw-away), or postgres://USER:PASS@HOST/DB. Migrations run at start.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://talk-breakout.sqlite",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database: String,

    /// Make sure this admin account exists (created, or its password reset) on every start.
    /// Login rules as for the provisioning API: letters, digits, spaces and `_.@-'`, at most 64.
    #[arg(long, env = "TALK_ADMIN_USER", value_name = "NAME", requires = "admin_password")]
    pub admin_user: Option<String>,

    /// Password for --admin-user.
    #[arg(
        long,
        env = "TALK_ADMIN_PASSWORD",
        value_name = "PW",
        hide_env_values = true,
        requires = "admin_user"
    )]
    pub admin_password: Option<String>,

    /// Load users, groups and conversations from this JSON fixture file at start
    /// (idempotent): {"users": [{"id", "password", "displayName", "admin"}], "groups": [{"id",
    /// "displayName", "members"}], "conversations": [{"token", "name", "type", "owner",
    /// "moderators", "members", "groups"}]}.
    #[arg(long, env = "TALK_FIXTURES", value_name = "FILE")]
    pub fixtures: Option<PathBuf>,

    /// Enable the admin-only `DELETE /ocs/v2.php/apps/spreedcheats/` route that wipes all
    /// conversations (for conformance harnesses). Never enable it in production.
    #[arg(long, env = "TALK_ENABLE_TEST_RESET", value_parser = clap::builder::FalseyValueParser::new(), default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub enable_test_reset: bool,

    /// Database connections kept open by this instance (1 to 256).
    #[arg(long, env = "TALK_DB_POOL_SIZE", default_value_t = 8, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub db_pool_size: u32,

    /// Slow down and finally refuse (429) repeated failed logins from one address, as Nextcloud does.
    #[arg(long, env = "TALK_BRUTE_FORCE_PROTECTION", value_parser = clap::builder::FalseyValueParser::new(), default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub brute_force_protection: bool,

    /// The base URL clients reach this server at (`https://talk.example.org`), used in links the
    /// server hands out; by default derived from each request's Host header and scheme.
    #[arg(long, env = "TALK_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// Log line format: `text` (coloured only on a terminal; NO_COLOR turns colour off) or
    /// `json` (one object per line, for log collectors).
    #[arg(long, env = "TALK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}
