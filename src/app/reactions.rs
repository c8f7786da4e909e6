//! Reactions to chat messages (spreed `ReactionController`): add, revoke, list. Each runs in
//! one transaction and answers the message's reactions grouped by emoji, as the change left
//! them.

use crate::db::Db;
use crate::domain::access::Member;
use crate::domain::reactions::{self, Reacted, ReactionEntry};
use crate::domain::Result;
use indexmap::IndexMap;

/// A message's reactions grouped by emoji, in the order they were given.
pub type Grouped = IndexMap<String, Vec<ReactionEntry>>;

pub async fn react(db: &Db, member: Member, message_id: i64, reaction: String, now: i64) -> Result<(Reacted, Grouped)> {
    db.run(move |conn| {
        conn.write_tx(|tx| {
            let reacted = reactions::react(tx, &member, message_id, &reaction, now)?;
            Ok((reacted, reactions::grouped(tx, message_id, None)?))
        })
    })
    .await
}

pub async fn unreact(db: &Db, member: Member, message_id: i64, reaction: String, now: i64) -> Result<Grouped> {
    db.run(move |conn| {
        conn.write_tx(|tx| {
            reactions::unreact(tx, &member, message_id, &reaction, now)?;
            reactions::grouped(tx, message_id, None)
        })
    })
    .await
}

pub async fn list(db: &Db, member: Member, message_id: i64, only: Option<String>, now: i64) -> Result<Grouped> {
    db.read(move |conn| reactions::list(conn, &member, message_id, only.as_deref(), now))
        .await
}
