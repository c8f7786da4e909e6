//! Who is calling. HTTP Basic auth with the account password (argon2id) or an app password
//! (keyed hash, [`token`]), and `Authorization: Bearer` with an app password. Verified
//! credentials are cached so that an authenticated request costs a lookup, not a hash (Talk
//! clients authenticate every request, and an argon2 hash costs tens of milliseconds).
//! [`authenticate`] is the one entry point every API face uses.
//!
//! Extractors mirror upstream's attributes, in upstream's check order: authentication (401) →
//! admin requirement (403) → the `OCS-APIRequest` CSRF rule (412).

pub mod invitation;
mod password;
mod single_flight;
pub mod throttle;
pub mod token;

pub use password::{hash_password, hash_password_async, verify_password, verify_password_async};

use crate::db::store;
use crate::domain::access::Caller;
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
pub use crate::domain::accounts::ADMIN_GROUP;

/// A logged-in user (the domain's [`Caller`]) as an extractor: 997 "Current user is not logged
/// in" without credentials, then the `OCS-APIRequest` rule.
pub type AuthUser = Caller;

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
    /// App passwords by their keyed hash, with the account as read then. Served for
    /// [`ACCOUNT_FRESH_FOR`] like account passwords; after that the token is looked up again,
    /// so a revocation elsewhere applies within that window.
    tokens: moka::sync::Cache<[u8; 32], VerifiedToken>,
    /// Bumped by every account change made through this instance; snapshots taken under an
    /// older generation are stale.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Password verifications under way, by credentials and stored hash: concurrent first
    /// requests with the same credentials share one argon2 run.
    verifying: std::sync::Arc<single_flight::SingleFlight<[u8; 32], bool>>,
}

#[derive(Clone)]
struct VerifiedLogin {
    stored_hash: String,
    account: AuthUser,
    read_at: std::time::Instant,
    generation: u64,
}

#[derive(Clone)]
struct VerifiedToken {
    token_id: i64,
    login_name: String,
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
            tokens: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(300))
                .build(),
            generation: Default::default(),
            verifying: Default::default(),
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

    /// Verifies `password` against `stored_hash`, sharing the work with any request verifying
    /// the same credentials against the same hash at this moment (the answer is the same).
    async fn verify(&self, key: &[u8; 32], stored_hash: String, password: String) -> bool {
        let mut flight = Sha256::new();
        flight.update(key);
        flight.update(stored_hash.as_bytes());
        self.verifying
            .run(flight.finalize().into(), || {
                verify_password_async(password, stored_hash)
            })
            .await
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

    fn fresh_token(&self, digest: &[u8; 32]) -> Option<VerifiedToken> {
        let token = self.tokens.get(digest)?;
        (token.generation == self.current_generation() && token.read_at.elapsed() < ACCOUNT_FRESH_FOR).then_some(token)
    }

    /// An app password was revoked through this instance: it stops working at once here.
    pub fn forget_token(&self, digest: &[u8; 32]) {
        self.tokens.invalidate(digest);
        self.user_data_changed();
    }

    /// Forgets everything (used when tests or admins want a clean slate).
    pub fn clear(&self) {
        self.verified.invalidate_all();
        self.tokens.invalidate_all();
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

/// How the request authenticated when it used an app password (Basic or Bearer): which one, so
/// that `DELETE /core/apppassword` can revoke it and `getapppassword` can refuse.
#[derive(Debug, Clone)]
pub struct AppPasswordUse {
    pub id: i64,
    pub digest: [u8; 32],
}

/// The authentication scheme of refused credentials (faces answer them differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Basic,
    Bearer,
}

/// A caller whose credentials verified.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: AuthUser,
    /// Set when the credential was an app password.
    pub app_password: Option<AppPasswordUse>,
}

/// Why credentials that were sent did not authenticate anybody.
#[derive(Debug, thiserror::Error)]
pub enum AuthFailure {
    /// Wrong credentials (or a disabled account); the failure was counted and delayed.
    #[error("credentials refused")]
    Rejected(Scheme),
    /// The address reached the maximum brute-force delay; nothing was checked.
    #[error("too many failed attempts")]
    TooManyRequests,
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

/// The credentials a request carries.
enum Presented {
    Basic { login: String, password: String },
    Bearer(String),
}

fn presented_credentials(headers: &HeaderMap) -> Option<Presented> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    if value.len() >= 7 && value[..7].eq_ignore_ascii_case("bearer ") {
        return Some(Presented::Bearer(value[7..].trim().to_owned()));
    }
    let (login, password) = basic_credentials(headers)?;
    // PHP's `empty()`: an empty string and "0" mean "no credentials".
    let absent = |v: &str| v.is_empty() || v == "0";
    if absent(&login) || absent(&password) {
        return None;
    }
    Some(Presented::Basic { login, password })
}

/// Turns a request's credentials into the account they authenticate, for every API face:
/// `Authorization: Basic` with the account password or an app password, or
/// `Authorization: Bearer` with an app password. `Ok(None)` when the request carries no
/// credentials. Failures count against the address's brute-force record and are held for its
/// delay before returning; past the maximum delay nothing is checked
/// ([`AuthFailure::TooManyRequests`]). The right password of a disabled account is refused
/// without counting as a guess. Successful checks are served from memory for up to one second;
/// changes made through this instance apply at once.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    ip: IpAddr,
) -> Result<Option<Authenticated>, AuthFailure> {
    let Some(presented) = presented_credentials(headers) else {
        return Ok(None);
    };
    let (outcome, scheme) = match presented {
        Presented::Bearer(token) => (verify_app_password(state, ip, None, &token).await?, Scheme::Bearer),
        Presented::Basic { login, password } => {
            let outcome = match verify_app_password(state, ip, Some(&login), &password).await? {
                Login::Invalid => verify_credentials(state, ip, login, password).await?,
                other => other,
            };
            (outcome, Scheme::Basic)
        }
    };
    match outcome {
        Login::Valid {
            user,
            app_password,
            clear_record,
        } => {
            if clear_record {
                state.throttler.reset(ip, Action::Login).await;
            }
            Ok(Some(Authenticated { user, app_password }))
        }
        Login::Throttled => Err(AuthFailure::TooManyRequests),
        Login::Invalid => {
            let delay = state.throttler.register_failure(ip, Action::Login).await;
            tokio::time::sleep(delay).await;
            Err(AuthFailure::Rejected(scheme))
        }
        Login::Disabled => Err(AuthFailure::Rejected(scheme)),
    }
}

/// Checks `token` as an app password (for Basic, issued to `login`). One keyed hash, and when
/// the token was not verified within the last second one read for the token, its account and
/// the address's brute-force record.
async fn verify_app_password(
    state: &AppState,
    ip: IpAddr,
    login: Option<&str>,
    token: &str,
) -> Result<Login, crate::db::DbError> {
    if !token::looks_like_app_password(token) {
        return Ok(Login::Invalid);
    }
    let digest = state.tokens.hash(token::Purpose::AppPassword, &[token.as_bytes()]);
    let (verified, attempts) = match state.credentials.fresh_token(&digest) {
        // Proven within the last second: no guess, served without reading anything.
        Some(verified) => (verified, 0),
        None => {
            let generation = state.credentials.current_generation();
            let digest_hex = hex::encode(digest);
            let throttled = state.throttler.enabled();
            let address = throttle::address_key(ip);
            let since = throttle::window_start(crate::domain::now());
            let (attempts, found) = state
                .db
                .read(move |conn| -> Result<_, crate::db::DbError> {
                    let attempts = if throttled {
                        store::brute_force::attempts(conn, Action::Login.name(), &address, since)?.max(0) as u32
                    } else {
                        0
                    };
                    let found = store::app_passwords::find_by_hash(conn, &digest_hex, ADMIN_GROUP)?;
                    Ok((attempts, found))
                })
                .await?;
            if Verdict::for_attempts(attempts) == Verdict::TooManyRequests {
                return Ok(Login::Throttled);
            }
            let Some((row, user, is_admin)) = found else {
                return Ok(Login::Invalid);
            };
            if login.is_some_and(|login| login != row.login_name) {
                return Ok(Login::Invalid);
            }
            if !user.enabled {
                return Ok(Login::Disabled);
            }
            let verified = VerifiedToken {
                token_id: row.id,
                login_name: row.login_name,
                account: AuthUser {
                    user_id: user.user_id,
                    display_name: user.display_name,
                    is_admin,
                },
                read_at: std::time::Instant::now(),
                generation,
            };
            state.credentials.tokens.insert(digest, verified.clone());
            (verified, attempts)
        }
    };
    if login.is_some_and(|login| login != verified.login_name) {
        return Ok(Login::Invalid);
    }
    Ok(Login::Valid {
        user: verified.account,
        app_password: Some(AppPasswordUse {
            id: verified.token_id,
            digest,
        }),
        clear_record: attempts > 0,
    })
}

/// Nextcloud logs the caller in before routing: Basic credentials that are present (non-empty
/// user and password) must be valid on every OCS URL, public ones and unknown ones included, or
/// the front script answers 401 `Unauthorised`. A Bearer token that is not valid leaves the
/// request unauthenticated, as upstream's `tryTokenLogin` does (after counting the failure).
/// Verified users are handed to the extractors through the request extensions. Past the
/// maximum brute-force delay the address gets 429.
pub async fn front_login(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let ip = client_ip(&parts);
    match authenticate(&state, &parts.headers, ip).await {
        Ok(Some(authenticated)) => {
            parts.extensions.insert(authenticated.user);
            if let Some(used) = authenticated.app_password {
                parts.extensions.insert(used);
            }
        }
        Ok(None) | Err(AuthFailure::Rejected(Scheme::Bearer)) => {}
        Err(AuthFailure::Rejected(Scheme::Basic)) => return OcsError::LoginFailed.into_response(),
        Err(AuthFailure::TooManyRequests) => return OcsError::TooManyRequests.into_response(),
        Err(AuthFailure::Db(e)) => return OcsError::from(e).into_response(),
    }
    next.run(Request::from_parts(parts, body)).await
}

/// What checking credentials comes to.
enum Login {
    /// Right credentials of an enabled account; `clear_record` when the address had failures.
    Valid {
        user: AuthUser,
        app_password: Option<AppPasswordUse>,
        clear_record: bool,
    },
    /// Wrong login name or password: a guess.
    Invalid,
    /// Right password of a disabled account: refused, not a guess.
    Disabled,
    /// The address reached the maximum delay: its attempt is not examined.
    Throttled,
}

/// Checks an account password (not an app password) for a login form, honouring and updating
/// the address's brute-force record like a Basic login.
pub async fn check_account_password(
    state: &AppState,
    ip: IpAddr,
    login: String,
    password: String,
) -> Result<Option<AuthUser>, AuthFailure> {
    match verify_credentials(state, ip, login, password).await? {
        Login::Valid { user, clear_record, .. } => {
            if clear_record {
                state.throttler.reset(ip, Action::Login).await;
            }
            Ok(Some(user))
        }
        Login::Throttled => Err(AuthFailure::TooManyRequests),
        Login::Invalid => {
            let delay = state.throttler.register_failure(ip, Action::Login).await;
            tokio::time::sleep(delay).await;
            Ok(None)
        }
        Login::Disabled => Ok(None),
    }
}

/// Whether `password` is the account password of `user_id` (an app password is not: upstream's
/// `IUserManager::checkPassword`). Counts nothing; the caller throttles under its own action.
pub async fn is_account_password(
    state: &AppState,
    user_id: String,
    password: String,
) -> Result<bool, crate::db::DbError> {
    if password.is_empty() || password.len() > 4096 {
        return Ok(false);
    }
    let key = CredentialCache::key(&user_id, &password);
    let user = state
        .db
        .read_one(move |conn| store::users::find(conn, &user_id))
        .await?;
    Ok(password_matches(state, &key, user.as_ref(), password).await)
}

/// The account password check of both the login and [`is_account_password`]: a pair proven
/// before against the same stored hash passes without hashing, anything else is verified; an
/// unknown account (`None`) spends the same time on a dummy hash, so that unknown and known
/// users look alike.
async fn password_matches(
    state: &AppState,
    key: &[u8; 32],
    user: Option<&crate::db::models::User>,
    password: String,
) -> bool {
    let Some(user) = user else {
        let _ = verify_password_async(password, password::DUMMY_HASH.to_owned()).await;
        return false;
    };
    state.credentials.remembers(key, &user.password_hash)
        || state
            .credentials
            .verify(key, user.password_hash.clone(), password)
            .await
}

/// Checks an app password issued to `login` (not an account password) for the Login Flow's
/// app-password form, honouring and updating the address's brute-force record like a login.
pub async fn check_app_password(
    state: &AppState,
    ip: IpAddr,
    login: String,
    password: String,
) -> Result<Option<AuthUser>, AuthFailure> {
    match verify_app_password(state, ip, Some(&login), &password).await? {
        Login::Valid { user, clear_record, .. } => {
            if clear_record {
                state.throttler.reset(ip, Action::Login).await;
            }
            Ok(Some(user))
        }
        Login::Throttled => Err(AuthFailure::TooManyRequests),
        Login::Invalid => {
            let delay = state.throttler.register_failure(ip, Action::Login).await;
            tokio::time::sleep(delay).await;
            Ok(None)
        }
        Login::Disabled => Ok(None),
    }
}

/// Upstream writes the last login time at most once a minute (`User::updateLastLoginTimestamp`).
const LAST_LOGIN_GRANULARITY: i64 = 60;

async fn verify_credentials(
    state: &AppState,
    ip: IpAddr,
    login: String,
    password: String,
) -> Result<Login, crate::db::DbError> {
    if login.is_empty() || password.is_empty() {
        return Ok(Login::Invalid);
    }
    let key = CredentialCache::key(&login, &password);
    // Credentials proven within the last second are no guess: served without reading anything.
    if let Some(account) = state.credentials.fresh_account(&key) {
        return Ok(Login::Valid {
            user: account,
            app_password: None,
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
    if !password_matches(state, &key, found.as_ref().map(|(user, _)| user), password).await {
        return Ok(Login::Invalid);
    }
    let Some((user, is_admin)) = found else {
        return Ok(Login::Invalid);
    };
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
        app_password: None,
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
