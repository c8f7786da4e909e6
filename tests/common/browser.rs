//! A browser without JavaScript for the server's HTML pages (Login Flow v2, invitations): it
//! keeps the cookie the pages set, opens links and submits forms; with the checks every page
//! must pass.

use super::{Resp, TestApp};

/// Keeps the cookie the pages set and sends it back.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookie: Option<String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser { app, cookie: None }
    }

    pub async fn request(&mut self, rb: reqwest::RequestBuilder) -> Resp {
        let rb = match &self.cookie {
            Some(c) => rb.header("Cookie", c.clone()),
            None => rb,
        };
        let r = self.app.anonymous().send(rb).await;
        if let Some(set) = r.header("set-cookie") {
            self.cookie = Some(set.split(';').next().unwrap().to_owned());
        }
        r
    }

    pub async fn open(&mut self, url: &str) -> Resp {
        let rb = self.app.raw_http().get(url);
        self.request(rb).await
    }

    pub async fn submit(&mut self, url: &str, form: &[(&str, &str)]) -> Resp {
        let rb = self.app.raw_http().post(url).form(form);
        self.request(rb).await
    }
}

/// The text between `before` and the next `after` in `body`.
pub fn between<'a>(body: &'a str, before: &str, after: &str) -> &'a str {
    let start = body.find(before).unwrap_or_else(|| panic!("{before:?} not in {body}")) + before.len();
    body[start..].split(after).next().unwrap()
}

/// The CSRF token of a page's form.
pub fn request_token(page: &Resp) -> String {
    between(&page.body, r#"name="requesttoken" value=""#, "\"").to_owned()
}

/// Nextcloud's security headers for its pages, and no scripts.
#[track_caller]
pub fn assert_secure_page(r: &Resp) {
    assert_eq!(r.header("content-type").as_deref(), Some("text/html; charset=utf-8"));
    let csp = r.header("content-security-policy").expect("CSP");
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("form-action 'self'"), "{csp}");
    assert!(!csp.contains("script-src"), "pages run no scripts: {csp}");
    assert_eq!(r.header("x-frame-options").as_deref(), Some("SAMEORIGIN"));
    assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(r.header("x-robots-tag").as_deref(), Some("noindex, nofollow"));
    assert_eq!(r.header("referrer-policy").as_deref(), Some("no-referrer"));
    assert_eq!(
        r.header("cache-control").as_deref(),
        Some("no-cache, no-store, must-revalidate")
    );
    assert!(!r.body.contains("<script"), "{}", r.body);
}
