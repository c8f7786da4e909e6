//! Nextcloud's Login Flow v2 (`core` `ClientFlowLoginV2Controller`) and the web pages a person
//! uses during it. The client starts a flow (`POST /login/v2`), opens the `login` URL in a
//! browser and polls (`POST /login/v2/poll`) until the person has logged in and granted access;
//! the poll then hands out a new app password once.
//!
//! Everything a flow needs is in its database row, so any instance can serve any step. Tokens
//! are stored only as keyed hashes; the app password the flow will hand out is generated at the
//! start, stored hashed (it becomes a normal app password when access is granted) and sealed
//! with a key derived from the poll token, which only the client knows.
//!
//! The pages need no JavaScript. A browser is bound to the flow by a random cookie; forms carry
//! a CSRF token derived from the flow and that cookie; only the browser that logged in can
//! grant access.

use crate::auth::throttle::Action;
use crate::auth::token::{self, Purpose};
use crate::auth::{client_ip, AuthFailure, AuthUser};
use crate::db::models::{LoginFlow, NewAppPassword, NewLoginFlow};
use crate::db::{store, DbError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// A flow not completed within this time is gone (upstream: 20 minutes).
pub const FLOW_LIFETIME_SECS: i64 = 20 * 60;
/// Length of the poll and login tokens, as upstream.
const FLOW_TOKEN_LEN: usize = 128;
/// The cookie that binds a browser to the flows it opens.
const BROWSER_COOKIE: &str = "tb_login_flow";
/// Longest login name or password the form accepts.
const FIELD_MAX: usize = 1024;

pub fn routes() -> Router<AppState> {
    let flow = Router::new()
        .route("/login/v2", post(init))
        .route("/login/v2/poll", post(poll))
        .route("/login/v2/flow/{token}", get(login_page).post(log_in))
        .route("/login/v2/flow/{token}/grant", post(grant));
    Router::new().merge(flow.clone()).nest("/index.php", flow)
}

/// The base URL handed out: `--public-url`, else the request's scheme and `Host`.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.settings.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()) && !h.contains(['/', '\\', '@']))
        .map(str::to_owned)
        .unwrap_or_else(|| state.settings.listen.to_string());
    format!("http://{host}")
}

#[derive(Serialize)]
struct InitAnswer {
    poll: PollInfo,
    login: String,
}

#[derive(Serialize)]
struct PollInfo {
    token: String,
    endpoint: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Credentials {
    server: String,
    login_name: String,
    app_password: String,
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let mut response = (status, crate::ocs::to_php_json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "login flow failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal error",
        "<p>Something went wrong on the server. Please try again later.</p>",
    )
}

pub(crate) fn db_failure(e: DbError) -> Response {
    match e {
        DbError::Unavailable(reason) => {
            tracing::error!(error = %reason, "service unavailable");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable",
                "<p>The server cannot reach its database. Please try again later.</p>",
            )
        }
        other => internal(other),
    }
}

/// `POST /login/v2`: starts a flow for the client named by its `User-Agent`.
async fn init(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let poll_token = token::random_token(FLOW_TOKEN_LEN);
    let login_token = token::random_token(FLOW_TOKEN_LEN);
    let app_password = token::generate_app_password();
    let poll_hash = s.tokens.hash_hex(Purpose::FlowPoll, &poll_token);
    let login_hash = s.tokens.hash_hex(Purpose::FlowLogin, &login_token);
    let app_password_hash = s.tokens.hash_hex(Purpose::AppPassword, &app_password);
    let sealed = hex::encode(s.tokens.seal(&poll_token, app_password.as_bytes()));
    let client_name = super::app_password::device_name(&headers);
    let base = base_url(&s, &headers);
    let server = base.clone();
    let now = crate::domain::now();
    let stored =
        s.db.run(move |conn| {
            conn.write_tx(|conn| {
                store::app_passwords::delete_flows_before(conn, now - FLOW_LIFETIME_SECS)?;
                store::app_passwords::insert_flow(
                    conn,
                    &NewLoginFlow {
                        poll_token_hash: &poll_hash,
                        login_token_hash: &login_hash,
                        client_name: &client_name,
                        server: &server,
                        created_at: now,
                        app_password_hash: &app_password_hash,
                        app_password_sealed: &sealed,
                    },
                )
            })
        })
        .await;
    if let Err(e) = stored {
        return db_failure(e);
    }
    json_response(
        StatusCode::OK,
        &InitAnswer {
            poll: PollInfo {
                token: poll_token,
                endpoint: format!("{base}/login/v2/poll"),
            },
            login: format!("{base}/login/v2/flow/{login_token}"),
        },
    )
}

/// Form fields of a body (`application/x-www-form-urlencoded`); anything unreadable is empty.
fn form_fields(body: &Bytes) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .map(|pairs| pairs.into_iter().collect())
        .unwrap_or_default()
}

/// `POST /login/v2/poll` with `token`: 404 until access was granted, then the credentials
/// once, then 404 again.
async fn poll(State(s): State<AppState>, Query(query): Query<HashMap<String, String>>, body: Bytes) -> Response {
    let not_found = || json_response(StatusCode::NOT_FOUND, &Vec::<()>::new());
    let fields = form_fields(&body);
    let Some(poll_token) = fields.get("token").or_else(|| query.get("token")).cloned() else {
        return not_found();
    };
    if poll_token.len() != FLOW_TOKEN_LEN {
        return not_found();
    }
    let poll_hash = s.tokens.hash_hex(Purpose::FlowPoll, &poll_token);
    let cutoff = crate::domain::now() - FLOW_LIFETIME_SECS;
    let taken =
        s.db.run(move |conn| {
            conn.write_tx(|conn| -> Result<Option<LoginFlow>, DbError> {
                let Some(flow) = store::app_passwords::flow_by_poll_hash(conn, &poll_hash)? else {
                    return Ok(None);
                };
                if !flow.granted || flow.created_at < cutoff {
                    return Ok(None);
                }
                // Handed out once: whoever deletes the row gets the credentials.
                Ok(store::app_passwords::delete_flow(conn, flow.id)?.then_some(flow))
            })
        })
        .await;
    let flow = match taken {
        Ok(Some(flow)) => flow,
        Ok(None) => return not_found(),
        Err(e) => return db_failure(e),
    };
    let Some(sealed) = hex::decode(&flow.app_password_sealed).ok() else {
        return internal("sealed app password is not hex");
    };
    let Ok(app_password) = String::from_utf8(s.tokens.seal(&poll_token, &sealed)) else {
        return internal("sealed app password does not open");
    };
    let login_name = flow.user_id.unwrap_or_default();
    json_response(
        StatusCode::OK,
        &Credentials {
            // The address the client started the flow with.
            server: flow.server,
            login_name,
            app_password,
        },
    )
}

/// The browser's cookie (set by the Login Flow and invitation pages), if it sent a well-formed
/// one.
pub(crate) fn browser_nonce(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == BROWSER_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| v.len() == 43 && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A form's CSRF token: a keyed hash of what the page is about (`subject`) and the browser's
/// cookie, so only a page this server gave that browser can post the form.
pub(crate) fn form_token(s: &AppState, purpose: Purpose, subject: &str, nonce: &str) -> String {
    hex::encode(s.tokens.hash(purpose, &[subject.as_bytes(), nonce.as_bytes()]))
}

/// Whether a posted form carries the token [`form_token`] gives (compared in constant time).
pub(crate) fn form_token_ok(s: &AppState, purpose: Purpose, subject: &str, nonce: &str, sent: Option<&String>) -> bool {
    let expected = form_token(s, purpose, subject, nonce);
    sent.is_some_and(|sent| bool::from(sent.as_bytes().ct_eq(expected.as_bytes())))
}

fn csrf_token(s: &AppState, login_token: &str, nonce: &str) -> String {
    form_token(s, Purpose::FlowCsrf, login_token, nonce)
}

fn csrf_ok(s: &AppState, login_token: &str, nonce: &str, sent: Option<&String>) -> bool {
    form_token_ok(s, Purpose::FlowCsrf, login_token, nonce, sent)
}

/// The flow a login token names, if it exists and has not expired.
async fn live_flow(s: &AppState, login_token: &str) -> Result<Option<LoginFlow>, DbError> {
    if login_token.len() != FLOW_TOKEN_LEN || !login_token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let hash = s.tokens.hash_hex(Purpose::FlowLogin, login_token);
    let cutoff = crate::domain::now() - FLOW_LIFETIME_SECS;
    let flow =
        s.db.read_one(move |conn| store::app_passwords::flow_by_login_hash(conn, &hash))
            .await?;
    Ok(flow.filter(|f| f.created_at >= cutoff && !f.granted))
}

/// Upstream's `loginTokenForbiddenResponse`.
fn token_forbidden() -> Response {
    error_page(StatusCode::FORBIDDEN, "Your login token is invalid or has expired")
}

/// `GET /login/v2/flow/{token}`: the log-in form (or the grant page if this browser already
/// logged in to this flow).
async fn login_page(State(s): State<AppState>, Path(login_token): Path<String>, headers: HeaderMap) -> Response {
    let flow = match live_flow(&s, &login_token).await {
        Ok(Some(flow)) => flow,
        Ok(None) => return token_forbidden(),
        Err(e) => return db_failure(e),
    };
    let (nonce, new_cookie) = match browser_nonce(&headers) {
        Some(nonce) => (nonce, false),
        None => (token::random_token(43), true),
    };
    let logged_in_here = flow.browser_hash.as_deref() == Some(s.tokens.hash_hex(Purpose::FlowBrowser, &nonce).as_str())
        && flow.user_id.is_some();
    let mut response = if logged_in_here {
        match grant_page_for(&s, &flow, &login_token, &nonce).await {
            Ok(r) => r,
            Err(e) => return db_failure(e),
        }
    } else {
        login_form(&s, &flow, &login_token, &nonce, "", None, StatusCode::OK)
    };
    if new_cookie {
        set_browser_cookie(&s, &headers, &mut response, &nonce);
    }
    response
}

pub(crate) fn set_browser_cookie(s: &AppState, headers: &HeaderMap, response: &mut Response, nonce: &str) {
    let secure = if base_url(s, headers).starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{BROWSER_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// `POST /login/v2/flow/{token}`: checks the login name and password; wrong ones are throttled
/// like every failed login.
async fn log_in(State(s): State<AppState>, parts: Parts, Path(login_token): Path<String>, body: Bytes) -> Response {
    let flow = match live_flow(&s, &login_token).await {
        Ok(Some(flow)) => flow,
        Ok(None) => return token_forbidden(),
        Err(e) => return db_failure(e),
    };
    let Some(nonce) = browser_nonce(&parts.headers) else {
        return error_page(
            StatusCode::FORBIDDEN,
            "Your browser did not send the cookie of this page. Please enable cookies and open the link again.",
        );
    };
    let fields = form_fields(&body);
    if !csrf_ok(&s, &login_token, &nonce, fields.get("requesttoken")) {
        return error_page(
            StatusCode::FORBIDDEN,
            "The form expired or was not sent from this page. Please open the link again.",
        );
    }
    let login = fields.get("user").map(|v| v.trim()).unwrap_or("").to_owned();
    let password = fields.get("password").cloned().unwrap_or_default();
    let ip = client_ip(&parts);
    let checked = if login.len() > FIELD_MAX || password.len() > FIELD_MAX {
        let delay = s.throttler.register_failure(ip, Action::Login).await;
        tokio::time::sleep(delay).await;
        Ok(None)
    } else {
        crate::auth::check_account_password(&s, ip, login.clone(), password).await
    };
    let account = match checked {
        Ok(account) => account,
        Err(AuthFailure::TooManyRequests) => {
            return login_form(
                &s,
                &flow,
                &login_token,
                &nonce,
                &login,
                Some("Too many failed attempts from your address. Please try again later."),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Err(AuthFailure::Rejected(_)) => None,
        Err(AuthFailure::Db(e)) => return db_failure(e),
    };
    let Some(account) = account else {
        return login_form(
            &s,
            &flow,
            &login_token,
            &nonce,
            &login,
            Some("Wrong login or password."),
            StatusCode::OK,
        );
    };
    let browser_hash = s.tokens.hash_hex(Purpose::FlowBrowser, &nonce);
    let (id, user_id) = (flow.id, account.user_id.clone());
    let recorded = s
        .db
        .run(move |conn| conn.write_tx(|conn| store::app_passwords::flow_logged_in(conn, id, &user_id, &browser_hash)))
        .await;
    match recorded {
        Ok(true) => grant_page(&s, &flow, &account, &login_token, &nonce),
        Ok(false) => token_forbidden(),
        Err(e) => db_failure(e),
    }
}

async fn grant_page_for(s: &AppState, flow: &LoginFlow, login_token: &str, nonce: &str) -> Result<Response, DbError> {
    let user_id = flow.user_id.clone().unwrap_or_default();
    let user = s.db.read_one(move |conn| store::users::find(conn, &user_id)).await?;
    Ok(match user {
        Some(user) if user.enabled => {
            let account = AuthUser {
                user_id: user.user_id,
                display_name: user.display_name,
                is_admin: false,
            };
            grant_page(s, flow, &account, login_token, nonce)
        }
        _ => token_forbidden(),
    })
}

/// `POST /login/v2/flow/{token}/grant`: the browser that logged in grants the client access;
/// the flow's app password becomes valid and the poll hands it out.
async fn grant(
    State(s): State<AppState>,
    Path(login_token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let flow = match live_flow(&s, &login_token).await {
        Ok(Some(flow)) => flow,
        Ok(None) => return token_forbidden(),
        Err(e) => return db_failure(e),
    };
    let fields = form_fields(&body);
    let Some(nonce) = browser_nonce(&headers) else {
        return error_page(StatusCode::FORBIDDEN, "Please log in first.");
    };
    if !csrf_ok(&s, &login_token, &nonce, fields.get("requesttoken")) {
        return error_page(
            StatusCode::FORBIDDEN,
            "The form expired or was not sent from this page. Please open the link again.",
        );
    }
    let browser_hash = s.tokens.hash_hex(Purpose::FlowBrowser, &nonce);
    let (Some(user_id), true) = (
        flow.user_id.clone(),
        flow.browser_hash.as_deref() == Some(browser_hash.as_str()),
    ) else {
        return error_page(StatusCode::FORBIDDEN, "Please log in first.");
    };
    let granted =
        s.db.run(move |conn| {
            conn.write_tx(|conn| -> Result<bool, DbError> {
                let Some(user) = store::users::find(conn, &user_id)? else {
                    return Ok(false);
                };
                if !user.enabled || !store::app_passwords::flow_granted(conn, flow.id)? {
                    return Ok(false);
                }
                store::app_passwords::insert(
                    conn,
                    &NewAppPassword {
                        user_id: &user_id,
                        login_name: &user_id,
                        token_hash: &flow.app_password_hash,
                        name: &flow.client_name,
                        created_at: crate::domain::now(),
                    },
                )?;
                Ok(true)
            })
        })
        .await;
    match granted {
        Ok(true) => page(
            StatusCode::OK,
            "Account connected",
            "<p>Your client should now be connected.<br>You can close this window.</p>",
        ),
        Ok(false) => error_page(StatusCode::FORBIDDEN, "Could not complete login"),
        Err(e) => db_failure(e),
    }
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn client_label(flow: &LoginFlow) -> String {
    if flow.client_name.is_empty() {
        "an unnamed client".to_owned()
    } else {
        flow.client_name.clone()
    }
}

fn login_form(
    s: &AppState,
    flow: &LoginFlow,
    login_token: &str,
    nonce: &str,
    login: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, escape(e)))
        .unwrap_or_default();
    let body = format!(
        r#"<p>Log in to connect <strong>{client}</strong> to your account.</p>
{error}<form method="post" action="{token}">
<input type="hidden" name="requesttoken" value="{csrf}">
<label for="user">Login</label>
<input id="user" name="user" type="text" value="{login}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>"#,
        client = escape(&client_label(flow)),
        token = escape(login_token),
        csrf = csrf_token(s, login_token, nonce),
        login = escape(login),
    );
    page(status, "Log in", &body)
}

fn grant_page(s: &AppState, flow: &LoginFlow, account: &AuthUser, login_token: &str, nonce: &str) -> Response {
    let body = format!(
        r#"<p>Grant access to <strong>{client}</strong>?</p>
<p class="muted">It will be able to use the account <strong>{name}</strong> ({user}) until you revoke its app password.</p>
<form method="post" action="{token}/grant">
<input type="hidden" name="requesttoken" value="{csrf}">
<button type="submit">Grant access</button>
</form>"#,
        client = escape(&client_label(flow)),
        name = escape(&account.display_name),
        user = escape(&account.user_id),
        token = escape(login_token),
        csrf = csrf_token(s, login_token, nonce),
    );
    page(StatusCode::OK, "Account access", &body)
}

fn error_page(status: StatusCode, message: &str) -> Response {
    page(
        status,
        "Access forbidden",
        &format!(r#"<p class="error">{}</p>"#, escape(message)),
    )
}

/// Nextcloud's security headers for its pages: no framing by other sites, no scripts at all
/// (these pages have none), forms only to this server.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none';base-uri 'none';manifest-src 'self';style-src 'unsafe-inline';img-src 'self' data:;font-src 'self' data:;connect-src 'self';form-action 'self';frame-ancestors 'self'";

/// Adds the security headers every HTML page carries.
pub fn secure_page_headers(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, "content-type", "text/html; charset=utf-8");
    set(headers, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(headers, "x-frame-options", "SAMEORIGIN");
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-robots-tag", "noindex, nofollow");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "x-permitted-cross-domain-policies", "none");
    set(headers, "x-xss-protection", "1; mode=block");
    set(headers, "cache-control", "no-cache, no-store, must-revalidate");
}

const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;
background:linear-gradient(135deg,#0b5fa5 0%,#0082c9 55%,#3aa7e0 100%);color:#222}
main{background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);padding:32px 36px;width:min(92vw,400px)}
.brand{font-size:13px;letter-spacing:.08em;text-transform:uppercase;color:#0082c9;font-weight:600;margin:0 0 6px}
h1{font-size:24px;margin:0 0 16px}
p{line-height:1.5;margin:0 0 14px}
.muted{color:#555;font-size:14px}
.error{background:#fdecea;color:#a1160a;border-radius:8px;padding:10px 12px}
label{display:block;font-size:14px;font-weight:600;margin:14px 0 6px}
input[type=text],input[type=password]{width:100%;padding:10px 12px;font-size:16px;border:1px solid #bbb;border-radius:8px}
input:focus{outline:2px solid #0082c9;border-color:#0082c9}
button{margin-top:20px;width:100%;padding:12px;font-size:16px;font-weight:600;color:#fff;background:#0082c9;border:0;border-radius:8px;cursor:pointer}
button:hover{background:#006aa3}
code{word-break:break-all;background:#f3f3f3;padding:2px 4px;border-radius:4px}
a{color:#0082c9}
";

/// A complete page with the security headers.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>{title} – talk-breakout</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<p class=\"brand\">talk-breakout</p>\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title),
    );
    let mut response = (status, html).into_response();
    secure_page_headers(response.headers_mut());
    response
}
