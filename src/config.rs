//! Validated settings, built from the command line. Secrets never appear in `Debug`.

use crate::cli::ServeArgs;
use crate::db::DatabaseUrl;
use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};
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
    /// Where "now" comes from: the system clock, or a clock tests move.
    pub clock: crate::clock::Clock,
    /// Whether this instance runs background jobs (always in `serve`; tests may switch it off
    /// to see what requests alone do).
    pub background_jobs: bool,
}

#[derive(Clone)]
pub struct AdminAccount {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let database = self.database.display();
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database", &database)
            .field("admin_user", &self.admin.as_ref().map(|a| a.user.as_str()))
            .field("fixtures", &self.fixtures)
            .field("enable_test_reset", &self.enable_test_reset)
            .field("db_pool_size", &self.db_pool_size)
            .field("brute_force_protection", &self.brute_force_protection)
            .field("public_url", &self.public_url)
            .field("clock", &self.clock)
            .field("background_jobs", &self.background_jobs)
            .finish()
    }
}

impl Settings {
    pub fn from_args(args: &ServeArgs) -> Result<Settings, String> {
        let listen = parse_listen(&args.listen)?;
        let database = DatabaseUrl::parse(&args.database).map_err(|e| format!("--database: {e}"))?;
        let admin = match (&args.admin_user, &args.admin_password) {
            (Some(user), Some(password)) => {
                crate::domain::accounts::validate_user_id(user)
                    .map_err(|rule| format!("--admin-user {user:?} is not a valid login: {rule}"))?;
                if password.is_empty() {
                    return Err("--admin-password is empty".to_owned());
                }
                Some(AdminAccount {
                    user: user.clone(),
                    password: password.clone(),
                })
            }
            (None, None) => None,
            _ => return Err("--admin-user and --admin-password must be given together".to_owned()),
        };
        if args.db_pool_size == 0 {
            return Err("--db-pool-size must be at least 1".to_owned());
        }
        let public_url = args.public_url.as_deref().map(parse_public_url).transpose()?;
        Ok(Settings {
            listen,
            database,
            admin,
            fixtures: args.fixtures.clone(),
            enable_test_reset: args.enable_test_reset,
            db_pool_size: args.db_pool_size,
            brute_force_protection: args.brute_force_protection,
            public_url,
            header_read_timeout: std::time::Duration::from_secs(15),
            clock: crate::clock::Clock::system(),
            background_jobs: true,
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
            clock: crate::clock::Clock::system(),
            background_jobs: true,
        }
    }
}

/// `--listen`: `HOST:PORT` with an address (`0.0.0.0:8080`, `[::]:8080`) or a name
/// (`localhost:8080`, resolved once at start; IPv4 preferred when a name has both), or a bare
/// `PORT` meaning `127.0.0.1:PORT`.
pub fn parse_listen(value: &str) -> Result<SocketAddr, String> {
    let value = value.trim();
    if let Ok(port) = value.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    if let Ok(addr) = value.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let expected = "expected HOST:PORT (0.0.0.0:8080, [::]:8080, localhost:8080) or a bare PORT";
    let Some((host, port)) = value.rsplit_once(':') else {
        return Err(format!("--listen {value:?}: {expected}"));
    };
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(format!("--listen {value:?}: {expected}"));
    }
    let addrs: Vec<SocketAddr> = value
        .to_socket_addrs()
        .map_err(|e| format!("--listen {value:?}: cannot resolve {host:?}: {e}"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| format!("--listen {value:?}: {host:?} resolves to no address"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_accepts_addresses_names_and_bare_ports() {
        assert_eq!(parse_listen("8080").unwrap(), "127.0.0.1:8080".parse().unwrap());
        assert_eq!(parse_listen("0.0.0.0:80").unwrap(), "0.0.0.0:80".parse().unwrap());
        assert_eq!(parse_listen("[::]:8080").unwrap(), "[::]:8080".parse().unwrap());
        assert_eq!(
            parse_listen("localhost:8081").unwrap(),
            "127.0.0.1:8081".parse().unwrap()
        );
        for bad in [
            "",
            "localhost",
            "localhost:99999",
            ":8080",
            "not-an-address",
            "65536",
            "host:port",
        ] {
            let e = parse_listen(bad).unwrap_err();
            assert!(e.starts_with("--listen "), "{bad:?}: {e}");
        }
    }

    #[test]
    fn public_url_is_absolute_http_without_trailing_slash() {
        assert_eq!(
            parse_public_url("https://talk.example.org/").unwrap(),
            "https://talk.example.org"
        );
        assert_eq!(
            parse_public_url("http://10.0.0.1:8080/talk").unwrap(),
            "http://10.0.0.1:8080/talk"
        );
        for bad in [
            "talk.example.org",
            "ftp://x",
            "https://",
            "https://a b",
            "https://x/?q=1",
        ] {
            assert!(
                parse_public_url(bad).unwrap_err().starts_with("--public-url "),
                "{bad:?}"
            );
        }
    }
}
