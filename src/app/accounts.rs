//! Accounts, groups and app settings: the provisioning API's use cases. Each opens the one
//! transaction its work needs and re-checks inside it what a concurrent request could have
//! changed; refusals come back in upstream's check order as [`AccountRefusal`] values.

use crate::auth::hash_password_async;
use crate::db::models::{Group, User};
use crate::db::{store, Conn, Db, DbError};
use crate::domain::access::Caller;
use crate::domain::accounts::{AccountEdit, AccountRefusal, NewAccount, ADMIN_GROUP};
use crate::domain::conversation;

type Result<T> = std::result::Result<T, AccountRefusal>;

async fn hash(password: String) -> Result<String> {
    hash_password_async(password)
        .await
        .map_err(|e| AccountRefusal::Storage(DbError::Internal(e)))
}

/// An account with the ids of its groups.
pub struct AccountView {
    pub user: User,
    pub groups: Vec<String>,
}

/// One account with its groups, in one snapshot; `None` when there is no such account.
pub async fn find_account(db: &Db, user_id: String) -> Result<Option<AccountView>> {
    db.read(move |conn| -> Result<_> {
        let Some(user) = store::users::find(conn, &user_id)? else {
            return Ok(None);
        };
        let groups = store::users::groups_of(conn, &user_id)?;
        Ok(Some(AccountView { user, groups }))
    })
    .await
}

/// An account the caller may see: admins see every account, others only their own.
pub async fn visible_account(db: &Db, caller: &Caller, user_id: String) -> Result<AccountView> {
    let view = find_account(db, user_id).await?.ok_or(AccountRefusal::UserNotFound)?;
    if !caller.is_admin && caller.user_id != view.user.user_id {
        return Err(AccountRefusal::NotPermitted);
    }
    Ok(view)
}

/// Account ids matching `search` (id or display name, case-insensitive), paged.
pub async fn list_accounts(db: &Db, search: String, offset: usize, limit: Option<usize>) -> Result<Vec<String>> {
    let search = search.to_lowercase();
    let users = db.read_one(store::users::list).await?;
    Ok(users
        .into_iter()
        .filter(|u| {
            search.is_empty()
                || u.user_id.to_lowercase().contains(&search)
                || u.display_name.to_lowercase().contains(&search)
        })
        .map(|u| u.user_id.0)
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .collect())
}

/// Checks every group of a new account exists (and, for non-admins, that they may use it).
fn check_new_account_groups(conn: &mut Conn<'_>, groups: &[String], caller_is_admin: bool) -> Result<()> {
    for gid in groups {
        if store::groups::find(conn, gid)?.is_none() {
            return Err(AccountRefusal::GroupNotFound(gid.clone()));
        }
        if !caller_is_admin {
            return Err(AccountRefusal::GroupRightsRequired(gid.clone()));
        }
    }
    Ok(())
}

/// `POST /cloud/users`: the checks that need the database come first (before any hashing, which
/// is slow on purpose), then the field rules, then the insert with the groups re-checked.
pub async fn create_account(db: &Db, caller: &Caller, new: NewAccount) -> Result<String> {
    {
        let (user_id, groups, is_admin) = (new.user_id.clone(), new.groups.clone(), caller.is_admin);
        db.read(move |conn| -> Result<()> {
            if store::users::find(conn, &user_id)?.is_some() {
                return Err(AccountRefusal::UserExists);
            }
            check_new_account_groups(conn, &groups, is_admin)?;
            if groups.is_empty() && !is_admin {
                return Err(AccountRefusal::GroupRequired);
            }
            Ok(())
        })
        .await?;
    }
    new.validate()?;

    let password_hash = if new.password.is_empty() {
        // No password yet (a link would be mailed): nothing verifies against a random hash.
        hash(crate::auth::token::random_token(32)).await?
    } else {
        hash(new.password.clone()).await?
    };
    let user = User {
        user_id: new.user_id.clone().into(),
        display_name: if new.display_name.is_empty() {
            new.user_id.clone()
        } else {
            new.display_name
        },
        password_hash,
        email: (!new.email.is_empty()).then_some(new.email),
        enabled: true,
        created_at: crate::domain::now(),
        last_login: 0,
    };
    let groups = new.groups;
    db.run(move |conn| {
        conn.write_tx(|conn| -> Result<()> {
            // A group may have gone since the first check.
            check_new_account_groups(conn, &groups, true)?;
            store::users::insert(conn, &user).map_err(|e| {
                if e.is_unique_violation() {
                    AccountRefusal::UserExists
                } else {
                    e.into()
                }
            })?;
            for gid in &groups {
                store::groups::add_member(conn, gid, &user.user_id)?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(new.user_id)
}

/// `PUT /cloud/users/{id}`: the account must exist and be the caller's own or the caller an
/// admin; then one field changes.
pub async fn edit_account(db: &Db, caller: &Caller, user_id: String, key: &str, value: String) -> Result<()> {
    let (exists, linked) = {
        let id = user_id.clone();
        db.read(move |conn| -> std::result::Result<_, DbError> {
            let exists = store::users::find(conn, &id)?.is_some();
            Ok((exists, crate::domain::linked::is_linked(conn, &id)?))
        })
        .await?
    };
    if !exists || (!caller.is_admin && caller.user_id != user_id) {
        return Err(AccountRefusal::NotPermitted);
    }
    if linked && key == "password" {
        return Err(AccountRefusal::LinkedAccount);
    }
    /// The edit with the password already hashed, ready for the transaction.
    enum Stored {
        DisplayName(String),
        Email(Option<String>),
        PasswordHash(String),
    }
    let stored = match AccountEdit::parse(key, value)? {
        AccountEdit::DisplayName(name) => Stored::DisplayName(name),
        AccountEdit::Email(email) => Stored::Email(email),
        AccountEdit::Password(password) => Stored::PasswordHash(hash(password).await?),
    };
    db.run(move |conn| {
        conn.write_tx(|conn| -> Result<()> {
            let changed = match &stored {
                Stored::DisplayName(name) => {
                    let changed = store::users::set_display_name(conn, &user_id, name)?;
                    // Talk shows the new name in every conversation, as upstream's listener does.
                    store::attendees::set_display_name_for_actor(conn, "users", &user_id, name)?;
                    changed
                }
                Stored::Email(email) => store::users::set_email(conn, &user_id, email.as_deref())?,
                Stored::PasswordHash(h) => store::users::set_password_hash(conn, &user_id, h)?,
            };
            if !changed {
                // Deleted since the check above.
                return Err(AccountRefusal::NotPermitted);
            }
            Ok(())
        })
    })
    .await
}

/// Removes a deleted account from every conversation; a conversation left without any user
/// goes too, so no orphans remain.
fn remove_from_conversations(conn: &mut Conn<'_>, user_id: &str) -> std::result::Result<(), DbError> {
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

/// `DELETE /cloud/users/{id}`: an admin deletes another account, which leaves every
/// conversation.
pub async fn delete_account(db: &Db, caller: &Caller, user_id: String) -> Result<()> {
    let caller = caller.clone();
    db.run(move |conn| {
        conn.write_tx(|conn| -> Result<()> {
            if store::users::find(conn, &user_id)?.is_none() {
                return Err(AccountRefusal::UserNotFound);
            }
            if user_id == caller.user_id {
                return Err(AccountRefusal::SelfNotAllowed);
            }
            if !caller.is_admin {
                return Err(AccountRefusal::NotPermitted);
            }
            remove_from_conversations(conn, &user_id)?;
            store::users::delete(conn, &user_id)?;
            Ok(())
        })
    })
    .await
}

/// `PUT /cloud/users/{id}/enable|disable`: an admin, on another account.
pub async fn set_account_enabled(db: &Db, caller: &Caller, user_id: String, enabled: bool) -> Result<()> {
    let caller = caller.clone();
    db.run(move |conn| {
        conn.write_tx(|conn| -> Result<()> {
            if user_id == caller.user_id {
                return Err(AccountRefusal::SelfNotAllowed);
            }
            if store::users::find(conn, &user_id)?.is_none() {
                return Err(AccountRefusal::UserNotFound);
            }
            if !caller.is_admin {
                return Err(AccountRefusal::NotPermitted);
            }
            store::users::set_enabled(conn, &user_id, enabled)?;
            Ok(())
        })
    })
    .await
}

/// Which way a membership changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Join,
    Leave,
}

/// `POST|DELETE /cloud/users/{id}/groups`, in upstream's check order: group id given, group
/// exists, account exists, caller is an admin (and does not leave the admin group themself).
pub async fn change_membership(
    db: &Db,
    caller: &Caller,
    user_id: String,
    group_id: String,
    change: Membership,
) -> Result<()> {
    let caller = caller.clone();
    db.run(move |conn| {
        conn.write_tx(|conn| -> Result<()> {
            if group_id.is_empty() {
                return Err(AccountRefusal::EmptyGroupId);
            }
            if store::groups::find(conn, &group_id)?.is_none() {
                return Err(AccountRefusal::GroupNotFound(group_id.clone()));
            }
            if store::users::find(conn, &user_id)?.is_none() {
                return Err(AccountRefusal::UserNotFound);
            }
            if !caller.is_admin {
                return Err(AccountRefusal::NotPermitted);
            }
            match change {
                Membership::Join if crate::domain::linked::is_linked(conn, &user_id)? => {
                    return Err(AccountRefusal::LinkedAccount);
                }
                Membership::Join => store::groups::add_member(conn, &group_id, &user_id)?,
                Membership::Leave => {
                    if user_id == caller.user_id && group_id == ADMIN_GROUP {
                        return Err(AccountRefusal::LeaveAdminGroup);
                    }
                    store::groups::remove_member(conn, &group_id, &user_id)?;
                }
            }
            Ok(())
        })
    })
    .await
}

/// Group ids matching `search` (case-insensitive).
pub async fn list_groups(db: &Db, search: String) -> Result<Vec<String>> {
    let search = search.to_lowercase();
    let groups = db.read_one(store::groups::list_ids).await?;
    Ok(groups
        .into_iter()
        .filter(|g| search.is_empty() || g.to_lowercase().contains(&search))
        .collect())
}

/// `POST /cloud/groups`.
pub async fn create_group(db: &Db, group_id: String, display_name: Option<String>) -> Result<()> {
    if group_id.is_empty() {
        return Err(AccountRefusal::EmptyGroupId);
    }
    let display_name = display_name.unwrap_or_else(|| group_id.clone());
    db.run(move |conn| {
        conn.write_tx(|conn| -> Result<()> {
            if store::groups::find(conn, &group_id)?.is_some() {
                return Err(AccountRefusal::GroupExists);
            }
            let group = Group { group_id, display_name };
            store::groups::insert(conn, &group).map_err(|e| {
                if e.is_unique_violation() {
                    AccountRefusal::GroupExists
                } else {
                    e.into()
                }
            })
        })
    })
    .await
}

/// `PUT /cloud/groups/{id}`: only the display name can change.
pub async fn edit_group(db: &Db, group_id: String, key: String, value: String) -> Result<()> {
    db.run(move |conn| {
        conn.write_tx(|conn| -> Result<()> {
            if store::groups::find(conn, &group_id)?.is_none() {
                return Err(AccountRefusal::GroupNotFound(group_id.clone()));
            }
            if key != "displayname" {
                return Err(AccountRefusal::UnknownField);
            }
            store::groups::set_display_name(conn, &group_id, &value)?;
            Ok(())
        })
    })
    .await
}

/// `DELETE /cloud/groups/{id}`: any group but the admin group.
pub async fn delete_group(db: &Db, group_id: String) -> Result<()> {
    db.run(move |conn| {
        conn.write_tx(|conn| -> Result<()> {
            if store::groups::find(conn, &group_id)?.is_none() {
                return Err(AccountRefusal::GroupNotFound(group_id.clone()));
            }
            if group_id == ADMIN_GROUP || !store::groups::delete(conn, &group_id)? {
                return Err(AccountRefusal::ProtectedGroup);
            }
            Ok(())
        })
    })
    .await
}

/// The account ids in a group, in one snapshot with the group's existence.
pub async fn group_members(db: &Db, group_id: String) -> Result<Vec<String>> {
    db.read(move |conn| -> Result<_> {
        if store::groups::find(conn, &group_id)?.is_none() {
            return Err(AccountRefusal::GroupNotFound(group_id.clone()));
        }
        Ok(store::groups::members(conn, &group_id)?
            .into_iter()
            .map(|(id, _)| id)
            .collect())
    })
    .await
}
