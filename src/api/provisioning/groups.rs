//! `GroupsController`: groups and their members (admins only).

use super::{refusal, soft};
use crate::app::accounts;
use crate::domain::accounts::AccountRefusal as R;
use crate::ocs::{empty, Ocs, OcsError, OcsResult, Params, Path};
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use serde_json::{json, Value};

/// `AuthorizedAdminSetting(Users)`: admins only, with that attribute's refusal message.
pub struct GroupAdmin;

impl FromRequestParts<AppState> for GroupAdmin {
    type Rejection = OcsError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        // Upstream's order: logged in (401) → authorized setting (403) → CSRF (412).
        let refused = soft(
            403,
            "Logged in account must be an admin, a sub admin or gotten special right to access this setting",
        );
        crate::auth::logged_in_admin(parts, refused)?;
        crate::auth::check_ocs_api_request(&parts.headers)?;
        Ok(GroupAdmin)
    }
}

/// # GET /cloud/groups (GroupsController::getGroups)
pub async fn list(State(s): State<AppState>, _admin: GroupAdmin, params: Params) -> OcsResult<Value> {
    let search = params.string("search").unwrap_or_default();
    let groups = accounts::list_groups(&s.db, search)
        .await
        .map_err(|r| refusal(r, |_| None))?;
    Ok(Ocs::ok(json!({ "groups": groups })))
}

/// # POST /cloud/groups (GroupsController::addGroup)
pub async fn create(State(s): State<AppState>, _admin: GroupAdmin, params: Params) -> OcsResult<Value> {
    let group_id = params.string("groupid").unwrap_or_default();
    let display_name = params.non_empty_string("displayname");
    accounts::create_group(&s.db, group_id, display_name)
        .await
        .map_err(|r| {
            refusal(r, |r| match r {
                R::EmptyGroupId => Some(soft(101, "Invalid group name")),
                R::GroupExists => Some(soft(102, "group exists")),
                _ => None,
            })
        })?;
    Ok(Ocs::ok(empty()))
}

/// # PUT /cloud/groups/{groupId} (GroupsController::updateGroup)
pub async fn edit(
    State(s): State<AppState>,
    _admin: GroupAdmin,
    Path(group_id): Path<String>,
    params: Params,
) -> OcsResult<Value> {
    let key = params.string("key").unwrap_or_default();
    let value = params.string("value").unwrap_or_default();
    accounts::edit_group(&s.db, group_id, key, value).await.map_err(|r| {
        refusal(r, |r| match r {
            R::GroupNotFound(_) => Some(soft(998, "Group does not exist")),
            R::UnknownField => Some(soft(999, "")),
            _ => None,
        })
    })?;
    Ok(Ocs::ok(empty()))
}

/// # DELETE /cloud/groups/{groupId} (GroupsController::deleteGroup)
pub async fn delete(State(s): State<AppState>, _admin: GroupAdmin, Path(group_id): Path<String>) -> OcsResult<Value> {
    accounts::delete_group(&s.db, group_id).await.map_err(|r| {
        refusal(r, |r| match r {
            R::GroupNotFound(_) => Some(soft(101, "")),
            R::ProtectedGroup => Some(soft(102, "")),
            _ => None,
        })
    })?;
    Ok(Ocs::ok(empty()))
}

/// # GET /cloud/groups/{groupId}/users (GroupsController::getGroupUsers)
pub async fn members(State(s): State<AppState>, _admin: GroupAdmin, Path(group_id): Path<String>) -> OcsResult<Value> {
    let ids = accounts::group_members(&s.db, group_id).await.map_err(|r| {
        refusal(r, |r| match r {
            R::GroupNotFound(_) => Some(soft(998, "The requested group could not be found")),
            _ => None,
        })
    })?;
    Ok(Ocs::ok(json!({ "users": ids })))
}
