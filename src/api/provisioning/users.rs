//! `UsersController`: accounts and their group memberships.

use super::{refusal, soft};
use crate::app::accounts::{self, AccountView, Membership};
use crate::auth::{AdminUser, AuthUser};
use crate::domain::accounts::{AccountRefusal as R, NewAccount};
use crate::ocs::{empty, Ocs, OcsError, OcsResult, Params, Path};
use crate::state::AppState;
use axum::extract::State;
use serde_json::{json, Value};

/// The user-details object (`AUserDataOCSController::getUserData`), in upstream's key order.
/// `privileged` adds the keys only admins see.
fn user_details(view: AccountView, privileged: bool) -> Value {
    let user = view.user;
    let mut data = serde_json::Map::new();
    if privileged {
        data.insert("enabled".into(), json!(user.enabled));
        data.insert(
            "storageLocation".into(),
            json!(format!("/var/www/html/data/{}", user.user_id)),
        );
    }
    // We keep one login time; the first login is only known to have happened.
    let rest = json!({
        "id": user.user_id,
        "firstLoginTimestamp": user.last_login,
        "lastLoginTimestamp": user.last_login,
        "lastLogin": user.last_login * 1000,
        "backend": "Database",
        "subadmin": [],
        "quota": {"free": -3, "used": 0, "total": -3, "relative": 0, "quota": -3},
        "manager": "",
        "email": user.email,
        "additional_mail": [],
        "displayname": user.display_name,
        "display-name": user.display_name,
        "phone": "",
        "address": "",
        "website": "",
        "twitter": "",
        "fediverse": "",
        "organisation": "",
        "role": "",
        "headline": "",
        "biography": "",
        "profile_enabled": "1",
        "pronouns": "",
        "groups": view.groups,
        "language": "en",
        "locale": "",
        "timezone": "",
        "notify_email": null,
        "backendCapabilities": {"setDisplayName": true, "setPassword": true}
    });
    if let Value::Object(rest) = rest {
        data.extend(rest);
    }
    Value::Object(data)
}

/// Every account change: the credential cache must not serve the old name, password, state or
/// admin flag on this instance (other instances re-read within a second).
fn changed(s: &AppState) -> OcsResult<Value> {
    s.credentials.user_data_changed();
    Ok(Ocs::ok(empty()))
}

/// # GET /cloud/users (UsersController::getUsers)
pub async fn list(State(s): State<AppState>, _admin: AdminUser, params: Params) -> OcsResult<Value> {
    let search = params.string("search").unwrap_or_default();
    let offset = params.int("offset").unwrap_or(0).max(0) as usize;
    let limit = params.int("limit").filter(|l| *l >= 0).map(|l| l as usize);
    let ids = accounts::list_accounts(&s.db, search, offset, limit)
        .await
        .map_err(|r| refusal(r, |_| None))?;
    Ok(Ocs::ok(json!({ "users": ids })))
}

/// # POST /cloud/users (UsersController::addUser)
pub async fn create(State(s): State<AppState>, caller: AuthUser, params: Params) -> OcsResult<Value> {
    let new = NewAccount {
        user_id: params.string("userid").unwrap_or_default(),
        password: params.string("password").unwrap_or_default(),
        email: params.string("email").unwrap_or_default(),
        display_name: params.string("displayName").unwrap_or_default(),
        groups: params.string_list("groups"),
    };
    let id = accounts::create_account(&s.db, &caller, new).await.map_err(|r| {
        refusal(r, |r| {
            Some(match r {
                R::UserExists => soft(102, "User already exists"),
                R::GroupNotFound(gid) => soft(104, format!("group {gid} does not exist")),
                R::GroupRightsRequired(gid) => soft(105, format!("insufficient privileges for group {gid}")),
                R::GroupRequired => soft(106, "no group specified (required for subadmins)"),
                R::PasswordTooLong => soft(101, "Invalid password value"),
                R::PasswordOrEmailRequired => {
                    soft(108, "To send a password link to the user an email address is required.")
                }
                R::InvalidUserId(message) => soft(101, *message),
                R::InvalidEmail => soft(101, "Invalid email address"),
                _ => return None,
            })
        })
    })?;
    Ok(Ocs::ok(json!({ "id": id })))
}

/// # GET /cloud/users/{userId} (UsersController::getUser)
pub async fn show(State(s): State<AppState>, caller: AuthUser, Path(user_id): Path<String>) -> OcsResult<Value> {
    let view = accounts::visible_account(&s.db, &caller, user_id).await.map_err(|r| {
        refusal(r, |r| match r {
            R::UserNotFound => Some(soft(404, "User does not exist")),
            R::NotPermitted => Some(soft(998, "")),
            _ => None,
        })
    })?;
    Ok(Ocs::ok(user_details(view, caller.is_admin)))
}

/// # GET /cloud/user (UsersController::getCurrentUser)
pub async fn current(State(s): State<AppState>, caller: AuthUser) -> OcsResult<Value> {
    let view = accounts::find_account(&s.db, caller.user_id.to_string())
        .await
        .map_err(|r| refusal(r, |_| None))?
        // Deleted since the credentials were checked.
        .ok_or(OcsError::Unauthorized)?;
    Ok(Ocs::ok(user_details(view, caller.is_admin)))
}

/// # PUT /cloud/users/{userId} (UsersController::editUser)
pub async fn edit(
    State(s): State<AppState>,
    caller: AuthUser,
    Path(user_id): Path<String>,
    params: Params,
) -> OcsResult<Value> {
    let key = params.string("key").unwrap_or_default();
    let value = params.string("value").unwrap_or_default();
    accounts::edit_account(&s.db, &caller, user_id, &key, value)
        .await
        .map_err(|r| {
            refusal(r, |r| {
                Some(match r {
                    R::NotPermitted => soft(998, ""),
                    R::EmptyDisplayName | R::InvalidEmail | R::EmptyPassword => soft(101, ""),
                    R::PasswordTooLong => soft(102, "Invalid password value"),
                    R::UnknownField => soft(113, ""),
                    // Upstream's OCSForbiddenException for an edit the caller may not make.
                    R::LinkedAccount => OcsError::Status(403),
                    _ => return None,
                })
            })
        })?;
    changed(&s)
}

/// # DELETE /cloud/users/{userId} (UsersController::deleteUser)
pub async fn delete(State(s): State<AppState>, caller: AuthUser, Path(user_id): Path<String>) -> OcsResult<Value> {
    accounts::delete_account(&s.db, &caller, user_id).await.map_err(|r| {
        refusal(r, |r| match r {
            R::UserNotFound | R::NotPermitted => Some(soft(998, "")),
            R::SelfNotAllowed => Some(soft(101, "")),
            _ => None,
        })
    })?;
    changed(&s)
}

/// `PUT /cloud/users/{id}/enable|disable`: missing or self → 101; no rights → 998.
async fn set_enabled(s: AppState, caller: AuthUser, user_id: String, enabled: bool) -> OcsResult<Value> {
    accounts::set_account_enabled(&s.db, &caller, user_id, enabled)
        .await
        .map_err(|r| {
            refusal(r, |r| match r {
                R::SelfNotAllowed | R::UserNotFound => Some(soft(101, "")),
                R::NotPermitted => Some(soft(998, "")),
                _ => None,
            })
        })?;
    changed(&s)
}

/// # PUT /cloud/users/{userId}/enable (UsersController::enableUser)
pub async fn enable(State(s): State<AppState>, caller: AuthUser, Path(user_id): Path<String>) -> OcsResult<Value> {
    set_enabled(s, caller, user_id, true).await
}

/// # PUT /cloud/users/{userId}/disable (UsersController::disableUser)
pub async fn disable(State(s): State<AppState>, caller: AuthUser, Path(user_id): Path<String>) -> OcsResult<Value> {
    set_enabled(s, caller, user_id, false).await
}

/// # GET /cloud/users/{userId}/groups (UsersController::getUsersGroups)
pub async fn groups(State(s): State<AppState>, caller: AuthUser, Path(user_id): Path<String>) -> OcsResult<Value> {
    let view = accounts::visible_account(&s.db, &caller, user_id).await.map_err(|r| {
        refusal(r, |r| match r {
            R::UserNotFound | R::NotPermitted => Some(soft(998, "")),
            _ => None,
        })
    })?;
    Ok(Ocs::ok(json!({ "groups": view.groups })))
}

/// Membership changes share upstream's codes: 101 empty group id, 102 unknown group,
/// 103 unknown user, 104 no rights over the group, 105 an admin leaving the admin group.
async fn change_membership(
    s: AppState,
    caller: AuthUser,
    user_id: String,
    params: Params,
    change: Membership,
) -> OcsResult<Value> {
    let group_id = params.string("groupid").unwrap_or_default();
    accounts::change_membership(&s.db, &caller, user_id, group_id, change)
        .await
        .map_err(|r| {
            refusal(r, |r| {
                Some(match r {
                    R::EmptyGroupId => soft(101, ""),
                    R::GroupNotFound(_) => soft(102, ""),
                    R::UserNotFound => soft(103, ""),
                    R::NotPermitted => soft(104, ""),
                    R::LeaveAdminGroup => soft(105, "Cannot remove yourself from the admin group"),
                    R::LinkedAccount => OcsError::Status(403),
                    _ => return None,
                })
            })
        })?;
    changed(&s)
}

/// # POST /cloud/users/{userId}/groups (UsersController::addToGroup)
pub async fn add_to_group(
    State(s): State<AppState>,
    caller: AuthUser,
    Path(user_id): Path<String>,
    params: Params,
) -> OcsResult<Value> {
    change_membership(s, caller, user_id, params, Membership::Join).await
}

/// # DELETE /cloud/users/{userId}/groups (UsersController::removeFromGroup)
pub async fn remove_from_group(
    State(s): State<AppState>,
    caller: AuthUser,
    Path(user_id): Path<String>,
    params: Params,
) -> OcsResult<Value> {
    change_membership(s, caller, user_id, params, Membership::Leave).await
}
