//! Reactions to chat messages: who reacted with which emoji to which message (upstream's
//! `reactions` table). The reaction's own chat message (verb `reaction`) holds its time and
//! the reacting actor's display name.

use crate::backend;
use crate::db::schema::{messages, reactions};
use crate::db::{Conn, DbResult};
use crate::domain::ids::RoomId;
use diesel::prelude::*;

/// One reaction as a message's reaction list shows it.
#[derive(Debug, Clone, Queryable)]
pub struct ReactionRow {
    pub reaction: String,
    pub actor_type: String,
    pub actor_id: String,
    pub actor_display_name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reactions)]
pub struct NewReaction<'a> {
    pub room_id: RoomId,
    pub parent_id: i64,
    pub message_id: i64,
    pub actor_type: &'a str,
    pub actor_id: &'a str,
    pub reaction: &'a str,
}

pub fn insert(conn: &mut Conn<'_>, row: &NewReaction<'_>) -> DbResult<()> {
    backend!(conn, c => diesel::insert_into(reactions::table).values(row).execute(c))?;
    Ok(())
}

/// The reaction's row id and the id of its chat message, if the actor reacted so.
pub fn find(
    conn: &mut Conn<'_>,
    parent_id: i64,
    actor_type: &str,
    actor_id: &str,
    reaction: &str,
) -> DbResult<Option<(i64, i64)>> {
    Ok(backend!(conn, c => reactions::table
        .filter(reactions::parent_id.eq(parent_id))
        .filter(reactions::actor_type.eq(actor_type))
        .filter(reactions::actor_id.eq(actor_id))
        .filter(reactions::reaction.eq(reaction))
        .select((reactions::id, reactions::message_id))
        .first(c)
        .optional())?)
}

pub fn delete(conn: &mut Conn<'_>, id: i64) -> DbResult<()> {
    backend!(conn, c => diesel::delete(reactions::table.find(id)).execute(c))?;
    Ok(())
}

/// How often each emoji was used on a message, most used first (ties: the earlier first).
pub fn counts(conn: &mut Conn<'_>, parent_id: i64) -> DbResult<Vec<(String, i64)>> {
    let mut rows: Vec<(String, i64, Option<i64>)> = backend!(conn, c => reactions::table
        .filter(reactions::parent_id.eq(parent_id))
        .group_by(reactions::reaction)
        .select((reactions::reaction, diesel::dsl::count_star(), diesel::dsl::min(reactions::id)))
        .load(c))?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    Ok(rows.into_iter().map(|(reaction, count, _)| (reaction, count)).collect())
}

/// The reactions to a message in the order they were given, optionally of one emoji only.
pub fn list(conn: &mut Conn<'_>, parent_id: i64, only: Option<&str>) -> DbResult<Vec<ReactionRow>> {
    Ok(backend!(conn, c => {
        let mut query = reactions::table
            .inner_join(messages::table.on(messages::id.eq(reactions::message_id)))
            .filter(reactions::parent_id.eq(parent_id))
            .into_boxed();
        if let Some(reaction) = only {
            query = query.filter(reactions::reaction.eq(reaction));
        }
        query
            .order(reactions::id.asc())
            .select((
                reactions::reaction,
                reactions::actor_type,
                reactions::actor_id,
                messages::actor_display_name,
                messages::created_at,
            ))
            .load(c)
    })?)
}

/// An actor's reactions to the messages of a room with ids in `from..=to` (one chat page), as
/// (message id, emoji) in the order they were given. A range rather than a list of ids keeps
/// the statement's shape, so it stays prepared.
pub fn by_actor_between(
    conn: &mut Conn<'_>,
    room_id: RoomId,
    (actor_type, actor_id): (&str, &str),
    from: i64,
    to: i64,
) -> DbResult<Vec<(i64, String)>> {
    Ok(backend!(conn, c => reactions::table
        .filter(reactions::room_id.eq(room_id))
        .filter(reactions::actor_type.eq(actor_type))
        .filter(reactions::actor_id.eq(actor_id))
        .filter(reactions::parent_id.between(from, to))
        .order(reactions::id.asc())
        .select((reactions::parent_id, reactions::reaction))
        .load(c))?)
}
