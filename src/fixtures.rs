//! Idempotent fixture loading (`--fixtures`); the format is described in `fixtures/README.md`.
//!
//! Everything is written in one write transaction: a file either loads completely or not at all.
//! Loading the same file again changes nothing: users only get a new display name or password
//! when the file says something different, groups and memberships are kept, and conversations
//! are keyed by their token, so an existing conversation only gains the attendees it lacks.

use crate::auth::{hash_password, verify_password};
use crate::db::models::{Group, User};
use crate::db::{store, Db, DbError};
use crate::domain::conversation::{new_room, RoomSpec};
use crate::domain::ids::{is_valid_token_syntax, LobbyState, ParticipantType, RoomToken, RoomType};
use crate::domain::participant::{add_users, NewMember};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    #[serde(default)]
    pub users: Vec<FixtureUser>,
    #[serde(default)]
    pub groups: Vec<FixtureGroup>,
    #[serde(default)]
    pub conversations: Vec<FixtureConversation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureUser {
    pub id: String,
    pub password: String,
    #[serde(rename = "displayName")]
    pub display_name: Option<String>,
    #[serde(default)]
    pub admin: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureGroup {
    pub id: String,
    #[serde(rename = "displayName")]
    pub display_name: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureConversation {
    pub token: String,
    pub name: String,
    #[serde(rename = "type")]
    pub room_type: i32,
    pub owner: String,
    #[serde(default)]
    pub moderators: Vec<String>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// Reads, validates and loads a fixture file; returns a summary for the log.
pub async fn load_file(db: &Db, path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let fixtures: Fixtures = serde_json::from_str(&text).map_err(|e| format!("invalid fixture file: {e}"))?;
    load(db, fixtures).await
}

/// Checks what can be checked without the database.
pub fn validate(f: &Fixtures) -> Result<(), String> {
    let mut users = HashSet::new();
    for u in &f.users {
        if u.id.trim().is_empty() || u.id.len() > 64 {
            return Err(format!("user id {:?} must be 1 to 64 characters", u.id));
        }
        if u.password.is_empty() {
            return Err(format!("user {:?} has an empty password", u.id));
        }
        if !users.insert(u.id.as_str()) {
            return Err(format!("user {:?} is listed twice", u.id));
        }
    }
    let mut groups = HashSet::new();
    for g in &f.groups {
        if g.id.trim().is_empty() || g.id.len() > 64 {
            return Err(format!("group id {:?} must be 1 to 64 characters", g.id));
        }
        if !groups.insert(g.id.as_str()) {
            return Err(format!("group {:?} is listed twice", g.id));
        }
    }
    let mut tokens = HashSet::new();
    for c in &f.conversations {
        if !is_valid_token_syntax(&c.token) {
            return Err(format!(
                "conversation token {:?} must be 4 to 30 lowercase letters or digits",
                c.token
            ));
        }
        if !tokens.insert(c.token.as_str()) {
            return Err(format!("conversation token {:?} is listed twice", c.token));
        }
        if !matches!(
            RoomType::from_value(c.room_type.into()),
            Some(RoomType::Group | RoomType::Public)
        ) {
            return Err(format!(
                "conversation {:?}: type must be 2 (group) or 3 (public), not {}",
                c.token, c.room_type
            ));
        }
        if c.name.trim().is_empty() || c.name.chars().count() > 255 {
            return Err(format!("conversation {:?}: name must be 1 to 255 characters", c.token));
        }
    }
    Ok(())
}

async fn load(db: &Db, f: Fixtures) -> Result<String, String> {
    validate(&f)?;
    // Hash only the passwords that changed: argon2 is slow by design, and restarts should not be.
    let ids: Vec<String> = f.users.iter().map(|u| u.id.clone()).collect();
    let stored: HashMap<String, String> = db
        .run(move |conn| -> Result<HashMap<String, String>, DbError> {
            let mut out = HashMap::new();
            for id in &ids {
                if let Some(user) = store::users::find(conn, id)? {
                    out.insert(user.user_id.0, user.password_hash);
                }
            }
            Ok(out)
        })
        .await
        .map_err(|e| e.to_string())?;
    let pairs: Vec<(String, String, Option<String>)> = f
        .users
        .iter()
        .map(|u| (u.id.clone(), u.password.clone(), stored.get(&u.id).cloned()))
        .collect();
    let new_hashes: HashMap<String, String> = tokio::task::spawn_blocking(move || {
        // The same password is usually shared by many fixture users: hash each distinct one once.
        let mut by_password: HashMap<String, String> = HashMap::new();
        let mut out = HashMap::new();
        for (id, password, existing) in pairs {
            if existing.as_deref().is_some_and(|h| verify_password(&password, h)) {
                continue;
            }
            let hash = match by_password.get(&password) {
                Some(h) => h.clone(),
                None => {
                    let h = hash_password(&password)?;
                    by_password.insert(password.clone(), h.clone());
                    h
                }
            };
            out.insert(id, hash);
        }
        Ok::<_, String>(out)
    })
    .await
    .map_err(|e| e.to_string())??;

    let summary = format!(
        "{} user{}, {} group{}, {} conversation{}",
        f.users.len(),
        plural(f.users.len()),
        f.groups.len(),
        plural(f.groups.len()),
        f.conversations.len(),
        plural(f.conversations.len())
    );
    db.run(move |conn| conn.write_tx(|conn| apply(conn, &f, &new_hashes)))
        .await
        .map_err(|e: LoadError| e.0)?;
    Ok(summary)
}

/// A load failure inside the transaction; any error rolls the whole file back.
struct LoadError(String);

impl From<String> for LoadError {
    fn from(e: String) -> Self {
        LoadError(e)
    }
}

impl From<DbError> for LoadError {
    fn from(e: DbError) -> Self {
        LoadError(e.to_string())
    }
}

impl From<diesel::result::Error> for LoadError {
    fn from(e: diesel::result::Error) -> Self {
        LoadError(e.to_string())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn apply(conn: &mut crate::db::Conn<'_>, f: &Fixtures, new_hashes: &HashMap<String, String>) -> Result<(), LoadError> {
    let db = |e: DbError| e.to_string();
    let now = crate::domain::now();
    for u in &f.users {
        let display_name = u.display_name.clone().unwrap_or_else(|| u.id.clone());
        match store::users::find(conn, &u.id).map_err(db)? {
            None => {
                let hash = new_hashes
                    .get(&u.id)
                    .ok_or_else(|| format!("user {:?} appeared while loading fixtures; try again", u.id))?;
                store::users::insert(
                    conn,
                    &User {
                        user_id: u.id.clone().into(),
                        display_name,
                        password_hash: hash.clone(),
                        email: None,
                        enabled: true,
                        created_at: now,
                        last_login: 0,
                    },
                )
                .map_err(db)?;
            }
            Some(existing) => {
                if existing.display_name != display_name {
                    store::users::set_display_name(conn, &u.id, &display_name).map_err(db)?;
                }
                if let Some(hash) = new_hashes.get(&u.id) {
                    store::users::set_password_hash(conn, &u.id, hash).map_err(db)?;
                }
            }
        }
        if u.admin {
            ensure_group(conn, crate::auth::ADMIN_GROUP, crate::auth::ADMIN_GROUP)?;
            store::groups::add_member(conn, crate::auth::ADMIN_GROUP, &u.id).map_err(db)?;
        }
    }

    for g in &f.groups {
        ensure_group(conn, &g.id, g.display_name.as_deref().unwrap_or(&g.id))?;
        for member in &g.members {
            require_user(conn, member, &format!("group {:?}", g.id))?;
            store::groups::add_member(conn, &g.id, member).map_err(db)?;
        }
    }

    for c in &f.conversations {
        let context = format!("conversation {:?}", c.token);
        // Owner first, then moderators, members and group members; the first role wins.
        let mut wanted: Vec<(String, ParticipantType)> = Vec::new();
        let mut seen = HashSet::new();
        let mut push = |id: &str, t: ParticipantType, wanted: &mut Vec<(String, ParticipantType)>| {
            if seen.insert(id.to_owned()) {
                wanted.push((id.to_owned(), t));
            }
        };
        push(&c.owner, ParticipantType::Owner, &mut wanted);
        for m in &c.moderators {
            push(m, ParticipantType::Moderator, &mut wanted);
        }
        for m in &c.members {
            push(m, ParticipantType::User, &mut wanted);
        }
        for g in &c.groups {
            if store::groups::find(conn, g).map_err(db)?.is_none() {
                return Err(format!("{context}: group {g:?} does not exist").into());
            }
            for (member, _) in store::groups::members(conn, g).map_err(db)? {
                push(&member, ParticipantType::User, &mut wanted);
            }
        }
        let mut members = Vec::with_capacity(wanted.len());
        for (id, participant_type) in wanted {
            let user = require_user(conn, &id, &context)?;
            members.push(NewMember {
                user_id: id,
                display_name: user.display_name,
                participant_type,
            });
        }
        let token = RoomToken::from(c.token.as_str());
        let room = match store::rooms::find_by_token(conn, &token).map_err(db)? {
            Some(room) => room,
            None => store::rooms::insert(
                conn,
                &new_room(
                    &RoomSpec {
                        // `validate` admitted group and public conversations only.
                        room_type: RoomType::from_value(c.room_type.into()).unwrap_or(RoomType::Group),
                        name: c.name.clone(),
                        object_type: String::new(),
                        object_id: String::new(),
                        lobby_state: LobbyState::NoLobby,
                    },
                    token,
                    now,
                ),
            )
            .map_err(db)?,
        };
        add_users(conn, &room, &members, None, now).map_err(db)?;
    }
    Ok(())
}

fn ensure_group(conn: &mut crate::db::Conn<'_>, id: &str, display_name: &str) -> Result<(), String> {
    if store::groups::find(conn, id).map_err(|e| e.to_string())?.is_none() {
        store::groups::insert(
            conn,
            &Group {
                group_id: id.to_owned(),
                display_name: display_name.to_owned(),
            },
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn require_user(conn: &mut crate::db::Conn<'_>, id: &str, context: &str) -> Result<User, String> {
    store::users::find(conn, id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{context}: user {id:?} does not exist"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Fixtures {
        serde_json::from_str(json).expect("parses")
    }

    #[test]
    fn rejects_bad_tokens_types_and_duplicates() {
        let bad_token = parse(r#"{"conversations":[{"token":"Ab","name":"x","type":2,"owner":"a"}]}"#);
        assert!(validate(&bad_token).unwrap_err().contains("token"));
        let bad_type = parse(r#"{"conversations":[{"token":"abcd","name":"x","type":1,"owner":"a"}]}"#);
        assert!(validate(&bad_type).unwrap_err().contains("type"));
        let dup = parse(r#"{"users":[{"id":"a","password":"p"},{"id":"a","password":"p"}]}"#);
        assert!(validate(&dup).unwrap_err().contains("twice"));
        let ok = parse(r#"{"conversations":[{"token":"class2026","name":"x","type":3,"owner":"a"}]}"#);
        assert!(validate(&ok).is_ok());
    }

    #[test]
    fn unknown_fields_are_errors() {
        assert!(serde_json::from_str::<Fixtures>(r#"{"user":[]}"#).is_err());
    }

    #[test]
    fn shipped_class_fixture_is_valid() {
        let text = include_str!("../fixtures/class.json");
        let f: Fixtures = serde_json::from_str(text).expect("class.json parses");
        validate(&f).expect("class.json is valid");
        assert_eq!(f.users.len(), 31);
    }
}
