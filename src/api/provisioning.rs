//! The provisioning API (`apps/provisioning_api`: `UsersController`, `GroupsController`,
//! `AppConfigController`) as far as Talk clients and test harnesses use it, plus the
//! `spreedcheats` test-reset route.
//!
//! Soft failures keep upstream's OCS codes (101 … 113, 998) and messages; v2 turns them into
//! HTTP 400 (or 404 for 998) in the envelope layer.

use crate::auth::{AdminUser, AuthUser, ADMIN_GROUP};
use crate::db::models::{Group, User};
use crate::db::{store, Conn, DbError};
use crate::domain::conversation;
use crate::ocs::{empty, Ocs, OcsError, OcsResult, Params, Path};
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::routing::{delete, get, put};
use axum::Router;
use serde_json::{json, Value};

pub fn routes(enable_test_reset: bool) -> Router<AppState> {
    let config = "/apps/provisioning_api/api/v1/config/apps";
    let router = Router::new()
        .route("/cloud/users", get(list_users).post(create_user))
        .route("/cloud/user", get(get_current_user))
        .route(
            "/cloud/users/{userid}",
            get(get_user).put(edit_user).delete(delete_user),
        )
        .route("/cloud/users/{userid}/enable", put(enable_user))
        .route("/cloud/users/{userid}/disable", put(disable_user))
        .route(
            "/cloud/users/{userid}/groups",
            get(get_users_groups).post(add_to_group).delete(remove_from_group),
        )
        .route("/cloud/groups", get(list_groups).post(create_group))
        .route("/cloud/groups/{groupid}", put(edit_group).delete(delete_group))
        .route("/cloud/groups/{groupid}/users", get(group_members))
        .route(config, get(config_apps))
        .route(&format!("{config}/{{app}}"), get(config_keys))
        .route(
            &format!("{config}/{{app}}/{{key}}"),
            get(config_get).post(config_set).delete(config_delete),
        );
    if enable_test_reset {
        router
            .route("/apps/spreedcheats/", delete(test_reset))
            .route("/apps/spreedcheats", delete(test_reset))
    } else {
        router
    }
}

/// Upstream's maximum password length (`IUserManager::MAX_PASSWORD_LENGTH`).
const MAX_PASSWORD_LENGTH: usize = 469;
/// Upstream's maximum user id length in bytes (`IUser::MAX_USERID_LENGTH`).
const MAX_USER_ID_LENGTH: usize = 64;
/// Names the data directory reserves (`Manager::verifyUid`).
const RESERVED_USER_IDS: &[&str] = &[
    ".htaccess",
    "files_external",
    "__groupfolders",
    ".ncdata",
    "owncloud.log",
    "nextcloud.log",
    "updater.log",
    "audit.log",
];

fn soft(code: u16, message: impl Into<String>) -> OcsError {
    OcsError::custom(code, message, empty())
}

/// `DbError` → the edge error, inside closures that return `OcsError`.
fn db(e: DbError) -> OcsError {
    OcsError::from(e)
}

/// Upstream's `Manager::validateUserId`, in its check order.
pub fn validate_user_id(uid: &str) -> Result<(), &'static str> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '.' | '@' | '-' | '\'');
    if !uid.chars().all(allowed) {
        return Err(
            r#"Only the following characters are allowed in an Login: "a-z", "A-Z", "0-9", spaces and "_.@-'""#,
        );
    }
    if uid.trim().is_empty() {
        return Err("A valid Login must be provided");
    }
    if uid.trim() != uid {
        return Err("Login contains whitespace at the beginning or at the end");
    }
    if uid == "." || uid == ".." {
        return Err("Login must not consist of dots only");
    }
    if uid.len() > MAX_USER_ID_LENGTH {
        return Err("Username is too long");
    }
    if RESERVED_USER_IDS.contains(&uid) || uid.starts_with("appdata_") {
        return Err("Login is invalid because files already exist for this user");
    }
    Ok(())
}

/// Upstream's `AppManager::cleanAppId`: leading `[0-9_-]` go, anything outside `[a-z0-9_-]`
/// goes, trailing `[_-]` go.
pub fn clean_app_id(app: &str) -> String {
    let kept: String = app
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    kept.trim_start_matches(|c: char| c.is_ascii_digit() || c == '_' || c == '-')
        .trim_end_matches(['_', '-'])
        .to_owned()
}

async fn hash(password: String) -> Result<String, OcsError> {
    crate::auth::hash_password_async(password)
        .await
        .map_err(OcsError::internal)
}

/// The user-details object (`AUserDataOCSController::getUserData`), in upstream's key order.
/// `privileged` adds the keys only admins see.
fn user_details(user: &User, groups: Vec<String>, privileged: bool) -> Value {
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
        "groups": groups,
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

async fn load_user(state: &AppState, user_id: String) -> Result<Option<(User, Vec<String>)>, OcsError> {
    state
        .db
        .run(move |conn| {
            conn.read_tx(|conn| -> Result<_, DbError> {
                let Some(user) = store::users::find(conn, &user_id)? else {
                    return Ok(None);
                };
                let groups = store::users::groups_of(conn, &user_id)?;
                Ok(Some((user, groups)))
            })
        })
        .await
        .map_err(db)
}

/// # GET /cloud/users (UsersController::getUsers)
async fn list_users(State(s): State<AppState>, _admin: AdminUser, params: Params) -> OcsResult<Value> {
    let search = params.string("search").unwrap_or_default().to_lowercase();
    let offset = params.int("offset").unwrap_or(0).max(0) as usize;
    let limit = params.int("limit").filter(|l| *l >= 0).map(|l| l as usize);
    let users = s.db.run(store::users::list).await.map_err(db)?;
    let ids: Vec<String> = users
        .into_iter()
        .filter(|u| {
            search.is_empty()
                || u.user_id.to_lowercase().contains(&search)
                || u.display_name.to_lowercase().contains(&search)
        })
        .map(|u| u.user_id.0)
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    Ok(Ocs::ok(json!({ "users": ids })))
}

/// # POST /cloud/users (UsersController::addUser)
async fn create_user(State(s): State<AppState>, caller: AuthUser, params: Params) -> OcsResult<Value> {
    let user_id = params.string("userid").unwrap_or_default();
    let password = params.string("password").unwrap_or_default();
    let email = params.string("email").unwrap_or_default();
    let display_name = params.string("displayName").unwrap_or_default();
    let groups = params.string_list("groups");

    // Checks that need the database, in upstream's order, before any hashing.
    {
        let (user_id, groups, is_admin) = (user_id.clone(), groups.clone(), caller.is_admin);
        s.db.run(move |conn| -> Result<(), OcsError> {
            conn.read_tx(|conn| {
                if store::users::find(conn, &user_id).map_err(db)?.is_some() {
                    return Err(soft(102, "User already exists"));
                }
                for gid in &groups {
                    if store::groups::find(conn, gid).map_err(db)?.is_none() {
                        return Err(soft(104, format!("group {gid} does not exist")));
                    }
                    if !is_admin {
                        return Err(soft(105, format!("insufficient privileges for group {gid}")));
                    }
                }
                if groups.is_empty() && !is_admin {
                    return Err(soft(106, "no group specified (required for subadmins)"));
                }
                Ok(())
            })
        })
        .await?;
    }
    if password.len() > MAX_PASSWORD_LENGTH {
        return Err(soft(101, "Invalid password value"));
    }
    if password.is_empty() && email.is_empty() {
        return Err(soft(
            108,
            "To send a password link to the user an email address is required.",
        ));
    }
    validate_user_id(&user_id).map_err(|m| soft(101, m))?;
    if !email.is_empty() && !is_valid_email(&email) {
        return Err(soft(101, "Invalid email address"));
    }

    let password_hash = if password.is_empty() {
        // No password yet (a link would be mailed): nothing verifies against a random hash.
        let random: String = {
            use rand::Rng;
            let mut rng = rand::thread_rng();
            (0..32)
                .map(|_| rng.sample(rand::distributions::Alphanumeric) as char)
                .collect()
        };
        hash(random).await?
    } else {
        hash(password).await?
    };
    let user = User {
        user_id: user_id.clone().into(),
        display_name: if display_name.is_empty() {
            user_id.clone()
        } else {
            display_name
        },
        password_hash,
        email: (!email.is_empty()).then_some(email),
        enabled: true,
        created_at: crate::domain::now(),
        last_login: 0,
    };
    s.db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), OcsError> {
            // Groups are checked again inside the transaction: one may have gone meanwhile.
            for gid in &groups {
                if store::groups::find(conn, gid).map_err(db)?.is_none() {
                    return Err(soft(104, format!("group {gid} does not exist")));
                }
            }
            store::users::insert(conn, &user).map_err(|e| {
                if e.is_unique_violation() {
                    soft(102, "User already exists")
                } else {
                    db(e)
                }
            })?;
            for gid in &groups {
                store::groups::add_member(conn, gid, &user.user_id).map_err(db)?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(Ocs::ok(json!({ "id": user_id })))
}

/// PHP's `FILTER_VALIDATE_EMAIL`, approximately: one `@`, a non-empty local part and a domain
/// with a dot-free-of-edges shape.
fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !email.chars().any(char::is_whitespace)
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@')
}

/// # GET /cloud/users/{userId} (UsersController::getUser)
async fn get_user(State(s): State<AppState>, caller: AuthUser, Path(user_id): Path<String>) -> OcsResult<Value> {
    let Some((user, groups)) = load_user(&s, user_id).await? else {
        return Err(soft(404, "User does not exist"));
    };
    if !caller.is_admin && caller.user_id != user.user_id {
        return Err(soft(998, ""));
    }
    Ok(Ocs::ok(user_details(&user, groups, caller.is_admin)))
}

/// # GET /cloud/user (UsersController::getCurrentUser)
async fn get_current_user(State(s): State<AppState>, caller: AuthUser) -> OcsResult<Value> {
    let Some((user, groups)) = load_user(&s, caller.user_id.to_string()).await? else {
        return Err(OcsError::Unauthorized);
    };
    Ok(Ocs::ok(user_details(&user, groups, caller.is_admin)))
}

/// What one `PUT /cloud/users/{id}` changes.
enum Edit {
    DisplayName(String),
    Email(Option<String>),
    PasswordHash(String),
}

/// # PUT /cloud/users/{userId} (UsersController::editUser)
async fn edit_user(
    State(s): State<AppState>,
    caller: AuthUser,
    Path(user_id): Path<String>,
    params: Params,
) -> OcsResult<Value> {
    let key = params.string("key").unwrap_or_default();
    let value = params.string("value").unwrap_or_default();
    let exists = {
        let id = user_id.clone();
        s.db.run(move |conn| store::users::find(conn, &id)).await.map_err(db)?
    };
    if exists.is_none() || (!caller.is_admin && caller.user_id != user_id) {
        return Err(soft(998, ""));
    }
    let edit = match key.as_str() {
        "display" | "displayname" => {
            if value.trim().is_empty() {
                return Err(soft(101, ""));
            }
            Edit::DisplayName(value)
        }
        "email" => {
            if value.is_empty() {
                Edit::Email(None)
            } else if is_valid_email(&value) {
                Edit::Email(Some(value))
            } else {
                return Err(soft(101, ""));
            }
        }
        "password" => {
            if value.len() > MAX_PASSWORD_LENGTH {
                return Err(soft(102, "Invalid password value"));
            }
            if value.is_empty() {
                return Err(soft(101, ""));
            }
            Edit::PasswordHash(hash(value).await?)
        }
        _ => return Err(soft(113, "")),
    };
    s.db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), OcsError> {
            let changed = match &edit {
                Edit::DisplayName(name) => store::users::set_display_name(conn, &user_id, name).and_then(|changed| {
                    // Talk shows the new name in every conversation, as upstream's listener does.
                    store::attendees::set_display_name_for_actor(conn, "users", &user_id, name)?;
                    Ok(changed)
                }),
                Edit::Email(email) => store::users::set_email(conn, &user_id, email.as_deref()),
                Edit::PasswordHash(h) => store::users::set_password_hash(conn, &user_id, h),
            }
            .map_err(db)?;
            if !changed {
                // Deleted since the check above.
                return Err(soft(998, ""));
            }
            Ok(())
        })
    })
    .await?;
    // The caller cache must not serve the old name, password, state or admin flag.
    s.credentials.user_data_changed();
    Ok(Ocs::ok(empty()))
}

/// Removes a deleted account from every conversation; a conversation left without any user
/// goes too, so no orphans remain.
fn remove_from_conversations(conn: &mut Conn<'_>, user_id: &str) -> Result<(), DbError> {
    let room_ids = store::attendees::delete_for_actor(conn, "users", user_id)?;
    for room_id in room_ids {
        let Some(room) = store::rooms::find_by_id(conn, room_id)? else {
            continue; // went with its parent
        };
        if store::attendees::count_of_type(conn, room_id, "users")? == 0 {
            conversation::delete_room(conn, &room)?;
        }
    }
    Ok(())
}

/// # DELETE /cloud/users/{userId} (UsersController::deleteUser)
async fn delete_user(State(s): State<AppState>, caller: AuthUser, Path(user_id): Path<String>) -> OcsResult<Value> {
    s.db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), OcsError> {
            if store::users::find(conn, &user_id).map_err(db)?.is_none() {
                return Err(soft(998, ""));
            }
            if user_id == caller.user_id {
                return Err(soft(101, ""));
            }
            if !caller.is_admin {
                return Err(soft(998, ""));
            }
            remove_from_conversations(conn, &user_id).map_err(db)?;
            if !store::users::delete(conn, &user_id).map_err(db)? {
                return Err(soft(101, ""));
            }
            Ok(())
        })
    })
    .await?;
    // The caller cache must not serve the old name, password, state or admin flag.
    s.credentials.user_data_changed();
    Ok(Ocs::ok(empty()))
}

/// `PUT /cloud/users/{id}/enable|disable`: missing or self → 101; no rights → 998.
async fn set_enabled(s: AppState, caller: AuthUser, user_id: String, enabled: bool) -> OcsResult<Value> {
    s.db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), OcsError> {
            if user_id == caller.user_id || store::users::find(conn, &user_id).map_err(db)?.is_none() {
                return Err(soft(101, ""));
            }
            if !caller.is_admin {
                return Err(soft(998, ""));
            }
            store::users::set_enabled(conn, &user_id, enabled).map_err(db)?;
            Ok(())
        })
    })
    .await?;
    // The caller cache must not serve the old name, password, state or admin flag.
    s.credentials.user_data_changed();
    Ok(Ocs::ok(empty()))
}

/// # PUT /cloud/users/{userId}/enable (UsersController::enableUser)
async fn enable_user(State(s): State<AppState>, caller: AuthUser, Path(user_id): Path<String>) -> OcsResult<Value> {
    set_enabled(s, caller, user_id, true).await
}

/// # PUT /cloud/users/{userId}/disable (UsersController::disableUser)
async fn disable_user(State(s): State<AppState>, caller: AuthUser, Path(user_id): Path<String>) -> OcsResult<Value> {
    set_enabled(s, caller, user_id, false).await
}

/// # GET /cloud/users/{userId}/groups (UsersController::getUsersGroups)
async fn get_users_groups(
    State(s): State<AppState>,
    caller: AuthUser,
    Path(user_id): Path<String>,
) -> OcsResult<Value> {
    let Some((user, groups)) = load_user(&s, user_id).await? else {
        return Err(soft(998, ""));
    };
    if !caller.is_admin && caller.user_id != user.user_id {
        return Err(soft(998, ""));
    }
    Ok(Ocs::ok(json!({ "groups": groups })))
}

/// Membership checks shared by add and remove: 101 empty group id, 102 unknown group,
/// 103 unknown user, 104 no rights over the group.
fn check_membership_change(
    conn: &mut Conn<'_>,
    caller: &AuthUser,
    group_id: &str,
    user_id: &str,
) -> Result<(), OcsError> {
    if group_id.is_empty() {
        return Err(soft(101, ""));
    }
    if store::groups::find(conn, group_id).map_err(db)?.is_none() {
        return Err(soft(102, ""));
    }
    if store::users::find(conn, user_id).map_err(db)?.is_none() {
        return Err(soft(103, ""));
    }
    if !caller.is_admin {
        return Err(soft(104, ""));
    }
    Ok(())
}

/// # POST /cloud/users/{userId}/groups (UsersController::addToGroup)
async fn add_to_group(
    State(s): State<AppState>,
    caller: AuthUser,
    Path(user_id): Path<String>,
    params: Params,
) -> OcsResult<Value> {
    let group_id = params.string("groupid").unwrap_or_default();
    s.db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), OcsError> {
            check_membership_change(conn, &caller, &group_id, &user_id)?;
            store::groups::add_member(conn, &group_id, &user_id).map_err(db)
        })
    })
    .await?;
    // The caller cache must not serve the old name, password, state or admin flag.
    s.credentials.user_data_changed();
    Ok(Ocs::ok(empty()))
}

/// # DELETE /cloud/users/{userId}/groups (UsersController::removeFromGroup)
async fn remove_from_group(
    State(s): State<AppState>,
    caller: AuthUser,
    Path(user_id): Path<String>,
    params: Params,
) -> OcsResult<Value> {
    let group_id = params.string("groupid").unwrap_or_default();
    s.db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), OcsError> {
            check_membership_change(conn, &caller, &group_id, &user_id)?;
            if user_id == caller.user_id && group_id == ADMIN_GROUP {
                return Err(soft(105, "Cannot remove yourself from the admin group"));
            }
            store::groups::remove_member(conn, &group_id, &user_id).map_err(db)?;
            Ok(())
        })
    })
    .await?;
    // The caller cache must not serve the old name, password, state or admin flag.
    s.credentials.user_data_changed();
    Ok(Ocs::ok(empty()))
}

/// `AuthorizedAdminSetting(Users)`: admins only, with that attribute's refusal message.
pub struct GroupAdmin(pub AuthUser);

impl FromRequestParts<AppState> for GroupAdmin {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        // Upstream's order: logged in (401) → authorized setting (403) → CSRF (412).
        let refusal = soft(
            403,
            "Logged in account must be an admin, a sub admin or gotten special right to access this setting",
        );
        let user = crate::auth::logged_in_admin(parts, refusal)?;
        crate::auth::check_ocs_api_request(&parts.headers)?;
        Ok(GroupAdmin(user))
    }
}

/// # GET /cloud/groups (GroupsController::getGroups)
async fn list_groups(State(s): State<AppState>, _admin: GroupAdmin, params: Params) -> OcsResult<Value> {
    let search = params.string("search").unwrap_or_default().to_lowercase();
    let groups = s.db.run(store::groups::list_ids).await.map_err(db)?;
    let groups: Vec<String> = groups
        .into_iter()
        .filter(|g| search.is_empty() || g.to_lowercase().contains(&search))
        .collect();
    Ok(Ocs::ok(json!({ "groups": groups })))
}

/// # POST /cloud/groups (GroupsController::addGroup)
async fn create_group(State(s): State<AppState>, _admin: GroupAdmin, params: Params) -> OcsResult<Value> {
    let group_id = params.string("groupid").unwrap_or_default();
    let display_name = params
        .non_empty_string("displayname")
        .unwrap_or_else(|| group_id.clone());
    if group_id.is_empty() {
        return Err(soft(101, "Invalid group name"));
    }
    s.db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), OcsError> {
            if store::groups::find(conn, &group_id).map_err(db)?.is_some() {
                return Err(soft(102, "group exists"));
            }
            let group = Group { group_id, display_name };
            store::groups::insert(conn, &group).map_err(|e| {
                if e.is_unique_violation() {
                    soft(102, "group exists")
                } else {
                    db(e)
                }
            })
        })
    })
    .await?;
    Ok(Ocs::ok(empty()))
}

/// # PUT /cloud/groups/{groupId} (GroupsController::updateGroup)
async fn edit_group(
    State(s): State<AppState>,
    _admin: GroupAdmin,
    Path(group_id): Path<String>,
    params: Params,
) -> OcsResult<Value> {
    let key = params.string("key").unwrap_or_default();
    let value = params.string("value").unwrap_or_default();
    s.db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), OcsError> {
            if store::groups::find(conn, &group_id).map_err(db)?.is_none() {
                return Err(soft(998, "Group does not exist"));
            }
            if key != "displayname" {
                return Err(soft(999, ""));
            }
            store::groups::set_display_name(conn, &group_id, &value).map_err(db)?;
            Ok(())
        })
    })
    .await?;
    Ok(Ocs::ok(empty()))
}

/// # DELETE /cloud/groups/{groupId} (GroupsController::deleteGroup)
async fn delete_group(State(s): State<AppState>, _admin: GroupAdmin, Path(group_id): Path<String>) -> OcsResult<Value> {
    s.db.run(move |conn| {
        conn.write_tx(|conn| -> Result<(), OcsError> {
            if store::groups::find(conn, &group_id).map_err(db)?.is_none() {
                return Err(soft(101, ""));
            }
            if group_id == ADMIN_GROUP || !store::groups::delete(conn, &group_id).map_err(db)? {
                return Err(soft(102, ""));
            }
            Ok(())
        })
    })
    .await?;
    Ok(Ocs::ok(empty()))
}

/// # GET /cloud/groups/{groupId}/users (GroupsController::getGroupUsers)
async fn group_members(
    State(s): State<AppState>,
    _admin: GroupAdmin,
    Path(group_id): Path<String>,
) -> OcsResult<Value> {
    let members =
        s.db.run(move |conn| {
            conn.read_tx(|conn| -> Result<_, DbError> {
                if store::groups::find(conn, &group_id)?.is_none() {
                    return Ok(None);
                }
                Ok(Some(store::groups::members(conn, &group_id)?))
            })
        })
        .await
        .map_err(db)?;
    let Some(members) = members else {
        return Err(soft(998, "The requested group could not be found"));
    };
    let ids: Vec<String> = members.into_iter().map(|(id, _)| id).collect();
    Ok(Ocs::ok(json!({ "users": ids })))
}

fn refused(message: &str) -> OcsError {
    OcsError::custom(403, "", json!({ "data": { "message": message } }))
}

fn check_app_id(app: &str) -> Result<(), OcsError> {
    if clean_app_id(app) != app {
        return Err(refused("Invalid app id given"));
    }
    Ok(())
}

/// `AppConfigController::verifyConfigKey`.
fn check_config_key(app: &str, key: &str, value: &str) -> Result<(), OcsError> {
    let refused_key = matches!(key, "installed_version" | "enabled" | "types")
        || (app == "core" && key == "encryption_enabled" && value != "yes")
        || (app == "core" && (key.starts_with("public_") || key.starts_with("remote_")));
    if refused_key {
        return Err(refused("The given key can not be set"));
    }
    Ok(())
}

/// # GET /apps/provisioning_api/api/v1/config/apps (AppConfigController::getApps)
async fn config_apps(State(s): State<AppState>, _admin: AdminUser) -> OcsResult<Value> {
    let apps = s.db.run(store::app_config::apps).await.map_err(db)?;
    Ok(Ocs::ok(json!({ "data": apps })))
}

/// # GET …/config/apps/{app} (AppConfigController::getKeys)
async fn config_keys(State(s): State<AppState>, _admin: AdminUser, Path(app): Path<String>) -> OcsResult<Value> {
    check_app_id(&app)?;
    let keys =
        s.db.run(move |conn| store::app_config::keys(conn, &app))
            .await
            .map_err(db)?;
    Ok(Ocs::ok(json!({ "data": keys })))
}

/// # GET …/config/apps/{app}/{key} (AppConfigController::getValue)
async fn config_get(
    State(s): State<AppState>,
    _admin: AdminUser,
    Path((app, key)): Path<(String, String)>,
    params: Params,
) -> OcsResult<Value> {
    check_app_id(&app)?;
    let default = params.string("defaultValue").unwrap_or_default();
    let value =
        s.db.run(move |conn| store::app_config::get(conn, &app, &key))
            .await
            .map_err(db)?;
    Ok(Ocs::ok(json!({ "data": value.unwrap_or(default) })))
}

/// # POST …/config/apps/{app}/{key} (AppConfigController::setValue)
async fn config_set(
    State(s): State<AppState>,
    caller: AuthUser,
    Path((app, key)): Path<(String, String)>,
    params: Params,
) -> OcsResult<Value> {
    if !caller.is_admin {
        return Err(soft(
            403,
            "Logged in account must be an administrator or have authorization to edit this setting.",
        ));
    }
    let Some(value) = params.string("value") else {
        return Err(OcsError::Status(400));
    };
    check_app_id(&app)?;
    check_config_key(&app, &key, &value)?;
    s.db.run(move |conn| conn.write_tx(|conn| store::app_config::set(conn, &app, &key, &value)))
        .await
        .map_err(db)?;
    Ok(Ocs::ok(empty()))
}

/// # DELETE …/config/apps/{app}/{key} (AppConfigController::deleteKey)
async fn config_delete(
    State(s): State<AppState>,
    _admin: AdminUser,
    Path((app, key)): Path<(String, String)>,
) -> OcsResult<Value> {
    check_app_id(&app)?;
    check_config_key(&app, &key, "")?;
    s.db.run(move |conn| conn.write_tx(|conn| store::app_config::delete(conn, &app, &key)))
        .await
        .map_err(db)?;
    Ok(Ocs::ok(empty()))
}

/// An admin, without the `OCS-APIRequest` rule (the test-reset route is called by harnesses
/// that do not send it).
pub struct AdminNoCsrf(pub AuthUser);

impl FromRequestParts<AppState> for AdminNoCsrf {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        let user = crate::auth::logged_in_admin(parts, OcsError::AdminRequired)?;
        Ok(AdminNoCsrf(user))
    }
}

/// # DELETE /ocs/v2.php/apps/spreedcheats/ (test-only reset)
///
/// Wipes every conversation with its attendees, sessions and messages. Only routed when the
/// server was started with `--enable-test-reset`.
async fn test_reset(State(s): State<AppState>, _admin: AdminNoCsrf) -> OcsResult<Value> {
    s.db.run(|conn| conn.write_tx(store::rooms::delete_all))
        .await
        .map_err(db)?;
    Ok(Ocs::ok(empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_validated_in_upstream_order() {
        assert!(validate_user_id("alice").is_ok());
        assert!(validate_user_id("a.b@c-d_e' f").is_ok());
        assert_eq!(validate_user_id(""), Err("A valid Login must be provided"));
        assert_eq!(validate_user_id("   "), Err("A valid Login must be provided"));
        assert!(validate_user_id("a/b").unwrap_err().starts_with("Only the following"));
        assert!(validate_user_id(" a").unwrap_err().contains("whitespace"));
        assert_eq!(validate_user_id(".."), Err("Login must not consist of dots only"));
        assert_eq!(validate_user_id(&"a".repeat(65)), Err("Username is too long"));
        assert!(validate_user_id(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn email_shapes() {
        assert!(is_valid_email("a@example.com"));
        assert!(!is_valid_email("not-an-email"));
        assert!(!is_valid_email("@example.com"));
        assert!(!is_valid_email("a@"));
        assert!(!is_valid_email("a b@example.com"));
        assert!(!is_valid_email("a@.example.com"));
    }

    #[test]
    fn app_ids_must_be_clean() {
        assert_eq!(clean_app_id("spreed"), "spreed");
        assert_eq!(clean_app_id("Spreed"), "preed");
        assert_eq!(clean_app_id("1app_"), "app");
        assert_eq!(clean_app_id("files.x"), "filesx");
        assert_eq!(clean_app_id("provisioning_api"), "provisioning_api");
    }
}
