//! Who is calling. HTTP Basic auth against stored argon2id hashes, with a cache of verified
//! credentials so that an authenticated request costs a lookup, not a hash (Talk clients
//! authenticate every request, and a hash costs tens of milliseconds).
//!
//! Extractors mirror upstream's attributes, in upstream's check order: authentication (401) →
//! admin requirement (403) → the `OCS-APIRequest` CSRF rule (412).

mod password;
pub mod throttle;

pub use password::{hash_password, hash_password_async, verify_password, verify_password_async};

use crate::db::store;
use crate::ocs::OcsError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use throttle::{Action, Verdict};

/// The group whose members are administrators, as in Nextcloud.
pub const ADMIN_GROUP: &str = "admin";

/// A logged-in user: 997 "Current user is not logged in" without credentials, then the
/// `OCS-APIRequest` rule.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: String,
    pub display_name: String,
    pub is_admin: bool,
}

/// A logged-in administrator.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

/// The caller if credentials were sent (wrong ones never get this far), for public endpoints.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<AuthUser>);

/// How long a verified caller is served from memory without reading the account again. Within
/// this window a change made on another instance (password, disabled account, admin flag,
/// display name) is not seen yet; changes made through this instance apply at once. One second
/// is shorter than many requests take end to end, and it turns a busy client's account lookups
/// into one per second instead of one per request.
const ACCOUNT_FRESH_FOR: Duration = Duration::from_secs(1);

/// Remembers credentials that verified against a given stored hash, with the account as it was
/// read then. The hash proof lasts minutes but only counts while the user's stored hash is
/// unchanged, so a password change (on any instance sharing the database) or a deleted account
/// invalidates it at the next read of the account; the account itself is re-read after
/// [`ACCOUNT_FRESH_FOR`] or as soon as this instance changes any account. Bounded.
#[derive(Clone)]
pub struct CredentialCache {
    verified: moka::sync::Cache<[u8; 32], VerifiedLogin>,
    /// Bumped by every account change made through this instance; snapshots taken under an
    /// older generation are stale.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

#[derive(Clone)]
struct VerifiedLogin {
    stored_hash: String,
    account: AuthUser,
    read_at: std::time::Instant,
    generation: u64,
}

impl Default for CredentialCache {
    fn default() -> Self {
        Self::new()
    }
}

impl CredentialCache {
    pub fn new() -> Self {
        CredentialCache {
            verified: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(300))
                .build(),
            generation: Default::default(),
        }
    }

    fn key(user_id: &str, password: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(user_id.as_bytes());
        h.update([0u8]);
        h.update(password.as_bytes());
        h.finalize().into()
    }

    fn current_generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The account behind these credentials if it was read recently enough to serve as is.
    fn fresh_account(&self, key: &[u8; 32]) -> Option<AuthUser> {
        let login = self.verified.get(key)?;
        (login.generation == self.current_generation() && login.read_at.elapsed() < ACCOUNT_FRESH_FOR)
            .then_some(login.account)
    }

    fn remembers(&self, key: &[u8; 32], stored_hash: &str) -> bool {
        self.verified.get(key).is_some_and(|l| l.stored_hash == stored_hash)
    }

    /// Records a successful login; `generation` is the one read before the account was.
    fn remember(&self, key: [u8; 32], stored_hash: String, account: AuthUser, generation: u64) {
        self.verified.insert(
            key,
            VerifiedLogin {
                stored_hash,
                account,
                read_at: std::time::Instant::now(),
                generation,
            },
        );
    }

    /// An account was changed through this instance: every caller is read again on its next
    /// request (the hash proofs stay, so nobody is hashed again for it).
    pub fn user_data_changed(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Forgets everything (used when tests or admins want a clean slate).
    pub fn clear(&self) {
        self.verified.invalidate_all();
        self.user_data_changed();
    }
}

/// `Authorization: Basic base64(user:password)`; the password may itself contain `:`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// The caller's address, for brute-force protection (unspecified when not served over TCP).
pub fn client_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED))
}

/// Nextcloud logs the caller in before routing: Basic credentials that are present (non-empty
/// user and password) must be valid on every OCS URL, public ones and unknown ones included, or
/// the front script answers 401 `Unauthorised`. Verified users are handed to the extractors
/// through the request extensions. Failed attempts cost the address a growing delay; past the
/// maximum the address gets 429. A disabled account with its right password is refused the
/// same way but is no guess, so it does not count (upstream throws `LoginException` there
/// instead of registering an attempt).
pub async fn front_login(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if let Some((login, password)) = basic_credentials(request.headers()) {
        // PHP's `empty()`: an empty string and "0" mean "no credentials".
        let absent = |v: &str| v.is_empty() || v == "0";
        if !absent(&login) && !absent(&password) {
            let (mut parts, body) = request.into_parts();
            let ip = client_ip(&parts);
            match verify_credentials(&state, ip, login, password).await {
                Ok(Login::Valid { user, clear_record }) => {
                    if clear_record {
                        state.throttler.reset(ip, Action::Login).await;
                    }
                    parts.extensions.insert(user);
                }
                Ok(Login::Throttled) => return OcsError::TooManyRequests.into_response(),
                Ok(Login::Invalid) => {
                    let delay = state.throttler.register_failure(ip, Action::Login).await;
                    tokio::time::sleep(delay).await;
                    return OcsError::LoginFailed.into_response();
                }
                Ok(Login::Disabled) => return OcsError::LoginFailed.into_response(),
                Err(e) => return e.into_response(),
            }
            request = Request::from_parts(parts, body);
        }
    }
    next.run(request).await
}

/// What a Basic login comes to.
enum Login {
    /// Right credentials of an enabled account; `clear_record` when the address had failures.
    Valid { user: AuthUser, clear_record: bool },
    /// Wrong login name or password: a guess.
    Invalid,
    /// Right password of a disabled account: refused, not a guess.
    Disabled,
    /// The address reached the maximum delay: its attempt is not examined.
    Throttled,
}

/// Upstream writes the last login time at most once a minute (`User::updateLastLoginTimestamp`).
const LAST_LOGIN_GRANULARITY: i64 = 60;

async fn verify_credentials(state: &AppState, ip: IpAddr, login: String, password: String) -> Result<Login, OcsError> {
    if login.is_empty() || password.is_empty() {
        return Ok(Login::Invalid);
    }
    let key = CredentialCache::key(&login, &password);
    // Credentials proven within the last second are no guess: served without reading anything.
    if let Some(account) = state.credentials.fresh_account(&key) {
        return Ok(Login::Valid {
            user: account,
            clear_record: false,
        });
    }
    // Read before the account: a change committed after this point bumps it past the snapshot.
    let generation = state.credentials.current_generation();
    let lookup_id = login.clone();
    let throttled = state.throttler.enabled();
    let address = throttle::address_key(ip);
    let since = throttle::window_start(crate::domain::now());
    let (attempts, found) = state
        .db
        .read(move |conn| -> Result<_, crate::db::DbError> {
            // The brute-force record comes with the account, in the same read.
            let attempts = if throttled {
                store::brute_force::attempts(conn, Action::Login.name(), &address, since)?.max(0) as u32
            } else {
                0
            };
            let Some(user) = store::users::find(conn, &lookup_id)? else {
                return Ok((attempts, None));
            };
            let is_admin = store::users::is_in_group(conn, &user.user_id, ADMIN_GROUP)?;
            Ok((attempts, Some((user, is_admin))))
        })
        .await?;
    if Verdict::for_attempts(attempts) == Verdict::TooManyRequests {
        return Ok(Login::Throttled);
    }
    let Some((user, is_admin)) = found else {
        // Spend the same time as a real check so that unknown and known users look alike.
        let _ = verify_password_async(password, password::DUMMY_HASH.to_owned()).await;
        return Ok(Login::Invalid);
    };
    if !state.credentials.remembers(&key, &user.password_hash) {
        let stored = user.password_hash.clone();
        let ok = verify_password_async(password, stored).await;
        if !ok {
            return Ok(Login::Invalid);
        }
    }
    if !user.enabled {
        return Ok(Login::Disabled);
    }
    let now = crate::domain::now();
    if now - user.last_login >= LAST_LOGIN_GRANULARITY {
        let user_id = user.user_id.clone();
        state
            .db
            .run(move |conn| conn.write_tx(|conn| store::users::touch_last_login(conn, &user_id, now)))
            .await?;
    }
    let account = AuthUser {
        user_id: user.user_id,
        display_name: user.display_name,
        is_admin,
    };
    state
        .credentials
        .remember(key, user.password_hash, account.clone(), generation);
    Ok(Login::Valid {
        user: account,
        clear_record: attempts > 0,
    })
}

/// Nextcloud refuses OCS calls without `OCS-APIRequest: true` (CSRF protection); a bearer
/// token also passes, as upstream lets it.
pub fn check_ocs_api_request(headers: &HeaderMap) -> Result<(), OcsError> {
    let header_ok = headers.get("ocs-apirequest").and_then(|v| v.to_str().ok()) == Some("true");
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    if header_ok || bearer {
        Ok(())
    } else {
        Err(OcsError::CsrfFailed)
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        let user = parts
            .extensions
            .get::<AuthUser>()
            .cloned()
            .ok_or(OcsError::Unauthorized)?;
        check_ocs_api_request(&parts.headers)?;
        Ok(user)
    }
}

/// The logged-in caller if they are an admin: 401 without a user, else `refusal` for
/// non-admins. Admin-only extractors differ only in their refusal and the CSRF rule.
pub fn logged_in_admin(parts: &Parts, refusal: OcsError) -> Result<AuthUser, OcsError> {
    let user = parts
        .extensions
        .get::<AuthUser>()
        .cloned()
        .ok_or(OcsError::Unauthorized)?;
    if user.is_admin {
        Ok(user)
    } else {
        Err(refusal)
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        let user = logged_in_admin(parts, OcsError::AdminRequired)?;
        check_ocs_api_request(&parts.headers)?;
        Ok(AdminUser(user))
    }
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        let user = parts.extensions.get::<AuthUser>().cloned();
        check_ocs_api_request(&parts.headers)?;
        Ok(MaybeUser(user))
    }
}
