//! The invitation page a channel-linked guest opens (`<public url>/login/invitation/<code>`,
//! accounts.md §3): no JavaScript, a button that redeems the code (a form POST carrying a CSRF
//! token bound to the code and the browser, as the Login Flow pages do), then the server
//! address, login name and app password with the `nc://login/…` link Nextcloud clients open to
//! add an account. Unknown codes count against the address's brute-force record, on the page
//! as on `POST /api/v1_0/auth/invitation`; the code itself is never logged (the request log
//! names only the route).

use super::login_flow::{
    base_url, browser_nonce, db_failure, escape, form_token, form_token_ok, page, set_browser_cookie,
};
use crate::app::linked as app;
use crate::auth::client_ip;
use crate::auth::invitation::{self, RedeemFailure};
use crate::auth::throttle::{Action, Verdict};
use crate::auth::token::{self, Purpose};
use crate::domain::linked::{self, Redeemed};
use crate::domain::Refusal;
use crate::state::{AppState, Now};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

pub fn routes() -> Router<AppState> {
    let pages = Router::new().route("/login/invitation/{code}", get(show).post(redeem));
    Router::new().merge(pages.clone()).nest("/index.php", pages)
}

/// What PHP's `urlencode` leaves alone (upstream encodes the login and the app password of its
/// `nc://login/` links with it).
const PHP_URLENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// The link Nextcloud clients open to add an account (upstream's
/// `ClientFlowLoginController::generateAppPassword` form).
pub fn nc_login_link(server: &str, login: &str, app_password: &str) -> String {
    format!(
        "nc://login/server:{server}&user:{}&password:{}",
        utf8_percent_encode(login, PHP_URLENCODE),
        utf8_percent_encode(app_password, PHP_URLENCODE)
    )
}

fn csrf_token(s: &AppState, code: &str, nonce: &str) -> String {
    form_token(s, Purpose::InvitationCsrf, code, nonce)
}

fn notice(status: StatusCode, title: &str, message: &str) -> Response {
    page(status, title, &format!(r#"<p class="error">{}</p>"#, escape(message)))
}

fn not_found() -> Response {
    notice(
        StatusCode::NOT_FOUND,
        "Invitation not found",
        "This invitation link is not valid. Please check that you opened the whole link.",
    )
}

fn expired() -> Response {
    notice(
        StatusCode::GONE,
        "Invitation expired",
        "This invitation has expired. Please ask the organiser for a new link.",
    )
}

fn too_many() -> Response {
    notice(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts",
        "Too many failed attempts from your address. Please try again later.",
    )
}

/// `GET /login/invitation/{code}`: who the invitation is for, and the button that redeems it.
async fn show(State(s): State<AppState>, parts: Parts, Path(code): Path<String>, now: Now) -> Response {
    let ip = client_ip(&parts);
    if Verdict::for_attempts(s.throttler.attempts(ip, Action::Login).await) == Verdict::TooManyRequests {
        return too_many();
    }
    let found = if linked::looks_like_code(&code) {
        match app::invitation_by_code(&s.db, code.clone()).await {
            Ok(found) => found,
            Err(Refusal::Storage(e)) => return db_failure(e),
            Err(_) => None,
        }
    } else {
        None
    };
    let Some(view) = found else {
        let delay = s.throttler.register_failure(ip, Action::Login).await;
        tokio::time::sleep(delay).await;
        return not_found();
    };
    if view.expires <= now.ms() {
        return expired();
    }
    let (nonce, new_cookie) = match browser_nonce(&parts.headers) {
        Some(nonce) => (nonce, false),
        None => (token::random_token(43), true),
    };
    let body = format!(
        r#"<p>You are invited to <strong>{conversation}</strong> as <strong>{handle}</strong>.</p>
<p class="muted">Press the button to get your login for the Nextcloud Talk apps. Each press makes a new app password.</p>
<form method="post" action="{code}">
<input type="hidden" name="requesttoken" value="{csrf}">
<button type="submit">Get my login</button>
</form>"#,
        conversation = escape(&view.conversation),
        handle = escape(&view.handle),
        code = escape(&code),
        csrf = csrf_token(&s, &code, &nonce),
    );
    let mut response = page(StatusCode::OK, "Invitation", &body);
    if new_cookie {
        set_browser_cookie(&s, &parts.headers, &mut response, &nonce);
    }
    response
}

/// `POST /login/invitation/{code}`: redeems the code and shows the login once.
async fn redeem(State(s): State<AppState>, parts: Parts, Path(code): Path<String>, now: Now, body: Bytes) -> Response {
    let Some(nonce) = browser_nonce(&parts.headers) else {
        return notice(
            StatusCode::FORBIDDEN,
            "Access forbidden",
            "Your browser did not send the cookie of this page. Please enable cookies and open the link again.",
        );
    };
    let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "requesttoken")
        .map(|(_, v)| v);
    if !form_token_ok(&s, Purpose::InvitationCsrf, &code, &nonce, sent.as_ref()) {
        return notice(
            StatusCode::FORBIDDEN,
            "Access forbidden",
            "The form expired or was not sent from this page. Please open the link again.",
        );
    }
    let device = super::app_password::device_name(&parts.headers);
    match invitation::redeem(&s, client_ip(&parts), code, device, now.ms()).await {
        Ok((redeemed, password)) => credentials(&base_url(&s, &parts.headers), &redeemed, &password),
        Err(RedeemFailure::TooManyRequests) => too_many(),
        Err(RedeemFailure::Refused(Refusal::InvitationNotFound)) => not_found(),
        Err(RedeemFailure::Refused(Refusal::InvitationExpired)) => expired(),
        Err(RedeemFailure::Refused(Refusal::Storage(e))) => db_failure(e),
        Err(RedeemFailure::Refused(other)) => db_failure(crate::db::DbError::Internal(other.to_string())),
    }
}

fn credentials(server: &str, redeemed: &Redeemed, password: &str) -> Response {
    let body = format!(
        r#"<p>Welcome, <strong>{handle}</strong>. Your login is ready.</p>
<p><a href="{link}">Open it in the Nextcloud Talk app</a></p>
<p class="muted">Or add the account by hand in any Nextcloud client:</p>
<p>Server address<br><code id="server">{server}</code></p>
<p>Login name<br><code id="login">{login}</code></p>
<p>App password<br><code id="password">{password}</code></p>
<p class="muted">This page shows the app password only once. Keep it secret: it works until the organiser removes you.</p>"#,
        handle = escape(&redeemed.handle),
        link = escape(&nc_login_link(server, &redeemed.login_name, password)),
        server = escape(server),
        login = escape(&redeemed.login_name),
        password = escape(password),
    );
    page(StatusCode::OK, "Your login", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nc_links_encode_login_and_password_as_php() {
        assert_eq!(
            nc_login_link("https://talk.example.org", "linked-abc", "Pass0rd"),
            "nc://login/server:https://talk.example.org&user:linked-abc&password:Pass0rd"
        );
        assert_eq!(
            nc_login_link("http://h", "a&c", "x/y"),
            "nc://login/server:http://h&user:a%26c&password:x%2Fy"
        );
    }
}
