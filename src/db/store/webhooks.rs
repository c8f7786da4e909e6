//! The webhook outbox (`webhook_deliveries`): one row per event and endpoint, written with the
//! change it reports; its `jobs` row (see `domain::webhooks`) drives the delivery.

use crate::backend;
use crate::db::schema::webhook_deliveries as t;
use crate::db::{Conn, DbResult};
use diesel::prelude::*;

/// One event for one endpoint, as the delivery needs it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct DeliveryRow {
    pub id: i64,
    pub event_id: String,
    pub url: String,
    pub body: String,
}

/// Stores `body` for `url`; returns the new row's id.
pub fn insert(conn: &mut Conn<'_>, event_id: &str, url: &str, body: &str, now: i64) -> DbResult<i64> {
    Ok(backend!(conn, c => diesel::insert_into(t::table)
        .values((
            t::event_id.eq(event_id),
            t::url.eq(url),
            t::body.eq(body),
            t::created_at.eq(now),
        ))
        .returning(t::id)
        .get_result::<i64>(c))?)
}

pub fn find(conn: &mut Conn<'_>, id: i64) -> DbResult<Option<DeliveryRow>> {
    Ok(backend!(conn, c => t::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(c)
        .optional())?)
}

pub fn delete(conn: &mut Conn<'_>, id: i64) -> DbResult<()> {
    backend!(conn, c => diesel::delete(t::table.find(id)).execute(c))?;
    Ok(())
}

/// Every stored delivery, oldest first (for operators and tests).
pub fn all(conn: &mut Conn<'_>) -> DbResult<Vec<DeliveryRow>> {
    Ok(backend!(conn, c => t::table
        .order(t::id.asc())
        .select(DeliveryRow::as_select())
        .load(c))?)
}
