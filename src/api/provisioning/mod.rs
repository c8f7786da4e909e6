//! The provisioning API (`apps/provisioning_api`: `UsersController`, `GroupsController`,
//! `AppConfigController`) as far as Talk clients and test harnesses use it, plus the
//! `spreedcheats` test-reset route. One module per upstream controller.
//!
//! Soft failures keep upstream's OCS codes (101 … 113, 998) and messages; v2 turns them into
//! HTTP 400 (or 404 for 998) in the envelope layer. Which code a refusal gets depends on the
//! controller method (upstream numbers them per method), so each handler maps the use case's
//! [`AccountRefusal`](crate::domain::accounts::AccountRefusal) itself, through [`soft`].

mod app_config;
mod groups;
mod test_reset;
mod users;

use crate::domain::accounts::AccountRefusal;
use crate::ocs::{empty, OcsError};
use crate::state::AppState;
use axum::routing::{delete, get, put};
use axum::Router;

pub fn routes(enable_test_reset: bool) -> Router<AppState> {
    let config = "/apps/provisioning_api/api/v1/config/apps";
    let router = Router::new()
        .route("/cloud/users", get(users::list).post(users::create))
        .route("/cloud/user", get(users::current))
        .route(
            "/cloud/users/{userid}",
            get(users::show).put(users::edit).delete(users::delete),
        )
        .route("/cloud/users/{userid}/enable", put(users::enable))
        .route("/cloud/users/{userid}/disable", put(users::disable))
        .route(
            "/cloud/users/{userid}/groups",
            get(users::groups)
                .post(users::add_to_group)
                .delete(users::remove_from_group),
        )
        .route("/cloud/groups", get(groups::list).post(groups::create))
        .route("/cloud/groups/{groupid}", put(groups::edit).delete(groups::delete))
        .route("/cloud/groups/{groupid}/users", get(groups::members))
        .route(config, get(app_config::apps))
        .route(&format!("{config}/{{app}}"), get(app_config::keys))
        .route(
            &format!("{config}/{{app}}/{{key}}"),
            get(app_config::value).post(app_config::set).delete(app_config::reset),
        );
    if enable_test_reset {
        router
            .route("/apps/spreedcheats/", delete(test_reset::reset))
            .route("/apps/spreedcheats", delete(test_reset::reset))
    } else {
        router
    }
}

/// An OCS soft failure: upstream's code and message, empty data.
fn soft(code: u16, message: impl Into<String>) -> OcsError {
    OcsError::custom(code, message, empty())
}

/// A storage failure is the same on every endpoint; every other refusal is mapped by the
/// handler, which knows upstream's code for it. `None` means the handler's table has no row
/// for the refusal, which would be a bug: answered as an internal error, never a wrong code.
fn refusal(r: AccountRefusal, code: impl FnOnce(&AccountRefusal) -> Option<OcsError>) -> OcsError {
    match r {
        AccountRefusal::Storage(e) => OcsError::from(e),
        other => code(&other).unwrap_or_else(|| OcsError::internal(format!("unmapped refusal: {other}"))),
    }
}
