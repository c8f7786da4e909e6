//! Accounts, groups and app settings as Nextcloud's provisioning API manages them: the rules a
//! login, a password, an e-mail address, a group change or a setting must satisfy, and why a
//! request is refused. The provisioning face (`api::provisioning`) decides which OCS status code
//! and message each refusal gets, because upstream gives the same reason different codes in
//! different controllers (a too-long password is 101 when creating an account, 102 when editing).

use crate::db::DbError;

/// Upstream's maximum password length (`IUserManager::MAX_PASSWORD_LENGTH`).
pub const MAX_PASSWORD_LENGTH: usize = 469;
/// Upstream's maximum user id length in bytes (`IUser::MAX_USERID_LENGTH`).
pub const MAX_USER_ID_LENGTH: usize = 64;
/// The group whose members are administrators.
pub const ADMIN_GROUP: &str = "admin";
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

/// Why an account, group or setting request is refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountRefusal {
    /// The caller may neither see nor change this account (not an admin, not themself).
    #[error("not permitted")]
    NotPermitted,
    /// An admin-only action by someone who is not an admin.
    #[error("administrator rights required")]
    AdminRequired,
    /// Adding accounts to this group needs rights the caller lacks.
    #[error("insufficient privileges for group {0}")]
    GroupRightsRequired(String),
    /// A non-admin creating an account must name a group they administer.
    #[error("no group specified")]
    GroupRequired,
    #[error("user not found")]
    UserNotFound,
    #[error("user already exists")]
    UserExists,
    #[error("group {0} not found")]
    GroupNotFound(String),
    #[error("group exists")]
    GroupExists,
    #[error("empty group id")]
    EmptyGroupId,
    /// The admin group cannot be deleted.
    #[error("protected group")]
    ProtectedGroup,
    /// An admin cannot delete or disable their own account.
    #[error("cannot do this to oneself")]
    SelfNotAllowed,
    /// An admin cannot leave the admin group themself.
    #[error("cannot leave the admin group")]
    LeaveAdminGroup,
    /// The login breaks one of upstream's rules; the text is upstream's message.
    #[error("invalid login: {0}")]
    InvalidUserId(&'static str),
    #[error("password too long")]
    PasswordTooLong,
    #[error("empty password")]
    EmptyPassword,
    /// Without a password a link would be mailed, which needs an address.
    #[error("a password or an e-mail address is required")]
    PasswordOrEmailRequired,
    #[error("invalid e-mail address")]
    InvalidEmail,
    #[error("empty display name")]
    EmptyDisplayName,
    /// The field to edit is not one this server lets be edited.
    #[error("unknown field")]
    UnknownField,
    /// A channel-linked account gets no password, group or admin rights (it logs in only with
    /// the app passwords its invitation gives).
    #[error("not possible for a channel-linked account")]
    LinkedAccount,
    /// The app id is not in upstream's clean form.
    #[error("invalid app id")]
    InvalidAppId,
    /// The setting may not be changed through the API.
    #[error("protected setting")]
    ProtectedSetting,
    #[error(transparent)]
    Storage(#[from] DbError),
}

impl From<diesel::result::Error> for AccountRefusal {
    fn from(e: diesel::result::Error) -> Self {
        DbError::from(e).into()
    }
}

/// Upstream's `Manager::validateUserId`, in its check order; the error is upstream's message.
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

/// PHP's `FILTER_VALIDATE_EMAIL`, approximately: one `@`, a non-empty local part and a domain
/// with a dot-free-of-edges shape.
pub fn is_valid_email(email: &str) -> bool {
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

/// An app id must already be in its clean form.
pub fn check_app_id(app: &str) -> Result<(), AccountRefusal> {
    if clean_app_id(app) != app {
        return Err(AccountRefusal::InvalidAppId);
    }
    Ok(())
}

/// `AppConfigController::verifyConfigKey`: keys the API may not set (or delete, checked with an
/// empty value).
pub fn check_config_key(app: &str, key: &str, value: &str) -> Result<(), AccountRefusal> {
    let protected = matches!(key, "installed_version" | "enabled" | "types")
        || (app == "core" && key == "encryption_enabled" && value != "yes")
        || (app == "core" && (key.starts_with("public_") || key.starts_with("remote_")));
    if protected {
        return Err(AccountRefusal::ProtectedSetting);
    }
    Ok(())
}

/// One field change of `PUT /cloud/users/{id}`, validated. The password is still clear text
/// here; the use case hashes it.
#[derive(Debug)]
pub enum AccountEdit {
    DisplayName(String),
    Email(Option<String>),
    Password(String),
}

impl AccountEdit {
    /// Upstream's `editUser` checks for the keys this server supports, in its order.
    pub fn parse(key: &str, value: String) -> Result<AccountEdit, AccountRefusal> {
        match key {
            "display" | "displayname" => {
                if value.trim().is_empty() {
                    return Err(AccountRefusal::EmptyDisplayName);
                }
                Ok(AccountEdit::DisplayName(value))
            }
            "email" => {
                if value.is_empty() {
                    Ok(AccountEdit::Email(None))
                } else if is_valid_email(&value) {
                    Ok(AccountEdit::Email(Some(value)))
                } else {
                    Err(AccountRefusal::InvalidEmail)
                }
            }
            "password" => {
                if value.len() > MAX_PASSWORD_LENGTH {
                    return Err(AccountRefusal::PasswordTooLong);
                }
                if value.is_empty() {
                    return Err(AccountRefusal::EmptyPassword);
                }
                Ok(AccountEdit::Password(value))
            }
            _ => Err(AccountRefusal::UnknownField),
        }
    }
}

/// A new account as `POST /cloud/users` describes it.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub user_id: String,
    pub password: String,
    pub email: String,
    pub display_name: String,
    pub groups: Vec<String>,
}

impl NewAccount {
    /// The checks of `addUser` that need no database, in upstream's order (after the existence
    /// and group checks, which the use case makes first).
    pub fn validate(&self) -> Result<(), AccountRefusal> {
        if self.password.len() > MAX_PASSWORD_LENGTH {
            return Err(AccountRefusal::PasswordTooLong);
        }
        if self.password.is_empty() && self.email.is_empty() {
            return Err(AccountRefusal::PasswordOrEmailRequired);
        }
        validate_user_id(&self.user_id).map_err(AccountRefusal::InvalidUserId)?;
        if !self.email.is_empty() && !is_valid_email(&self.email) {
            return Err(AccountRefusal::InvalidEmail);
        }
        Ok(())
    }
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

    #[test]
    fn edits_are_checked_in_upstream_order() {
        assert!(matches!(
            AccountEdit::parse("displayname", " ".into()),
            Err(AccountRefusal::EmptyDisplayName)
        ));
        assert!(matches!(
            AccountEdit::parse("email", "".into()),
            Ok(AccountEdit::Email(None))
        ));
        assert!(matches!(
            AccountEdit::parse("password", "x".repeat(470)),
            Err(AccountRefusal::PasswordTooLong)
        ));
        assert!(matches!(
            AccountEdit::parse("quota", "1".into()),
            Err(AccountRefusal::UnknownField)
        ));
    }
}
