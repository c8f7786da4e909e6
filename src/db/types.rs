//! How the domain's typed ids and upstream enums are stored: ids as `BIGINT`/`TEXT`, enums as
//! `INTEGER` with upstream's numbers. One generic impl per shape serves both backends.

use crate::domain::ids::{
    AttendeeId, BreakoutRoomMode, BreakoutStatus, LobbyState, NotificationCalls, NotificationLevel, Origin,
    ParticipantType, ReadOnlyState, RoomId, RoomToken, RoomType, SessionState, UserId,
};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{BigInt, Integer, Text};
use diesel::sqlite::Sqlite;

macro_rules! stored_as_integer {
    ($($name:ty),+) => {$(
        // Per backend because the two bind values differently: SQLite takes the number by value,
        // PostgreSQL writes its bytes through a reborrowed output.
        impl ToSql<Integer, Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.value());
                Ok(IsNull::No)
            }
        }

        impl ToSql<Integer, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                let value = self.value();
                <i32 as ToSql<Integer, Pg>>::to_sql(&value, &mut out.reborrow())
            }
        }

        impl<DB: Backend> FromSql<Integer, DB> for $name
        where
            i32: FromSql<Integer, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let value = i32::from_sql(bytes)?;
                <$name>::from_value(value.into())
                    .ok_or_else(|| format!("{} has no value {value}", stringify!($name)).into())
            }
        }
    )+};
}

stored_as_integer!(
    RoomType,
    ParticipantType,
    BreakoutRoomMode,
    BreakoutStatus,
    LobbyState,
    NotificationLevel,
    NotificationCalls,
    ReadOnlyState,
    SessionState,
    Origin
);

/// Newtype ids: stored exactly as the value they wrap.
macro_rules! stored_as_inner {
    ($sql:ty, $inner:ty: $($name:ident),+) => {$(
        impl<DB: Backend> ToSql<$sql, DB> for $name
        where
            $inner: ToSql<$sql, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<$sql, DB> for $name
        where
            $inner: FromSql<$sql, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                <$inner>::from_sql(bytes).map($name)
            }
        }
    )+};
}

stored_as_inner!(BigInt, i64: RoomId, AttendeeId);
stored_as_inner!(Text, String: RoomToken, UserId);

/// An integer written into a statement's text instead of bound as a parameter, for comparisons
/// that decide whether a partial index serves the statement. SQLite proves a partial index
/// (`breakout_sessions_one_active`: `WHERE state = 1`) usable by comparing the statement's terms
/// with the index's condition. Under the query planner stability guarantee the server turns on
/// (`stable_query_plans` in `db`), a bound value never matches it, so a statement looking for
/// the active session read every session of the conversation (its whole history) through
/// `breakout_sessions_parent` instead of the one row of the partial index; without the guarantee,
/// SQLite would prepare such a statement again after every new binding. PostgreSQL's generic
/// plans cannot use such an index for a bound value either. The value is part of the type, so
/// the statement keeps a static id and stays in diesel's cache.
#[derive(Debug, Clone, Copy)]
pub struct IntegerLiteral<const V: i32>;

impl<const V: i32> diesel::expression::Expression for IntegerLiteral<V> {
    type SqlType = Integer;
}

impl<const V: i32, DB: Backend> diesel::query_builder::QueryFragment<DB> for IntegerLiteral<V> {
    fn walk_ast<'b>(&'b self, mut pass: diesel::query_builder::AstPass<'_, 'b, DB>) -> diesel::QueryResult<()> {
        // The states and types are single digits: their text needs no allocation per walk.
        const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
        match usize::try_from(V).ok().and_then(|digit| DIGITS.get(digit)) {
            Some(text) => pass.push_sql(text),
            None => pass.push_sql(&V.to_string()),
        }
        Ok(())
    }
}

impl<const V: i32> diesel::query_builder::QueryId for IntegerLiteral<V> {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<const V: i32, GB> diesel::expression::ValidGrouping<GB> for IntegerLiteral<V> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<const V: i32, QS> diesel::expression::AppearsOnTable<QS> for IntegerLiteral<V> {}

impl<const V: i32, QS> diesel::expression::SelectableExpression<QS> for IntegerLiteral<V> {}
