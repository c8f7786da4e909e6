//! Validated settings, built from the command line. Secrets never appear in `Debug`.

use crate::cli::ServeArgs;
use crate::db::{redact_url, DatabaseUrl};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database: DatabaseUrl,
    pub admin: Option<AdminAccount>,
    pub fixtures: Option<PathBuf>,
    pub enable_test_reset: bool,
    pub db_pool_size: u32,
    pub brute_force_protection: bool,
    /// The base URL clients reach this server at, without a trailing slash
    /// (`https://talk.example.org`); `None`: derived from each request's Host and scheme.
    pub public_url: Option<String>,
    /// How long a client may take to send its request headers (slow-loris protection); it
    /// also bounds idle keep-alive connections.
    pub header_read_timeout: std::time::Duration,
}

#[derive(Clone)]
pub struct AdminAccount {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let database = match &self.database {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
            DatabaseUrl::Postgres(url) => redact_url(url),
        };
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database", &database)
            .field("admin_user", &self.admin.as_ref().map(|a| a.user.as_str()))
            .field("fixtures", &self.fixtures)
            .field("enable_test_reset", &self.enable_test_reset)
            .field("db_pool_size", &self.db_pool_size)
            .field("brute_force_protection", &self.brute_force_protection)
            .field("public_url", &self.public_url)
            .finish()
    }
}

impl Settings {
    pub fn from_args(args: &ServeArgs) -> Result<Settings, String> {
        let listen = args
            .listen
            .parse::<SocketAddr>()
            .map_err(|e| format!("--listen {:?} is not an address:port ({e})", args.listen))?;
        let database = DatabaseUrl::parse(&args.database)?;
        let admin = match (&args.admin_user, &args.admin_password) {
            (Some(user), Some(password)) if !user.is_empty() && !password.is_empty() => Some(AdminAccount {
                user: user.clone(),
                password: password.clone(),
            }),
            (None, None) => None,
            _ => return Err("--admin-user and --admin-password must both be given and non-empty".to_owned()),
        };
        Ok(Settings {
            listen,
            database,
            admin,
            fixtures: args.fixtures.clone(),
            enable_test_reset: args.enable_test_reset,
            db_pool_size: args.db_pool_size.clamp(1, 256),
            brute_force_protection: args.brute_force_protection,
            public_url: args.public_url.as_deref().map(parse_public_url).transpose()?,
            header_read_timeout: std::time::Duration::from_secs(15),
        })
    }

    /// Settings for in-process tests: an ephemeral port and the given database.
    pub fn for_tests(database: DatabaseUrl) -> Settings {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database,
            admin: Some(AdminAccount {
                user: "admin".to_owned(),
                password: "admin".to_owned(),
            }),
            fixtures: None,
            enable_test_reset: true,
            db_pool_size: 4,
            brute_force_protection: false,
            public_url: None,
            header_read_timeout: std::time::Duration::from_secs(15),
        }
    }
}

/// `--public-url`: an absolute http(s) URL; stored without a trailing slash.
pub fn parse_public_url(value: &str) -> Result<String, String> {
    let trimmed = value.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| format!("--public-url {value:?} must start with http:// or https://"))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(['?', '#', ' ']) || rest.chars().any(char::is_control)
    {
        return Err(format!("--public-url {value:?} is not a base URL"));
    }
    Ok(trimmed.to_owned())
}
