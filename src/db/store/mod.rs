//! Queries, grouped by aggregate. Each function does one job on a borrowed [`Conn`]; callers
//! decide the transaction boundaries.
//!
//! [`Conn`]: crate::db::Conn

pub mod app_config;
pub mod app_passwords;
pub mod attendees;
pub mod breakout_sessions;
pub mod brute_force;
pub mod groups;
pub mod jobs;
pub mod linked_users;
pub mod messages;
pub mod reactions;
pub mod rooms;
pub mod sessions;
pub mod users;
pub mod webhooks;

/// Declares `insert_many` for rows of `$row` into `$table`: on PostgreSQL one
/// `INSERT … SELECT * FROM unnest($1, $2, …)` with one array per column, up to
/// [`PG_INSERT_ROWS`] rows per statement; on SQLite
/// `$name`, statements whose text never changes, [`INSERT_WIDTH`] rows at a time and the rest
/// in widths of 16, 8, 4, 2 and 1 (at most five statements more than its multiples of 32, each
/// of them cached). For the bulk inserts of a start, a configure or a stop: hundreds of
/// attendees, system messages or history rows in one transaction.
///
/// Why not diesel's batch insert on SQLite: it ran one statement per row for these rows (the
/// profile of a start counted one per attendee and message; SQLite has no `DEFAULT` in a
/// `VALUES` list, which diesel's insertable rows allow for), and for each row it first built the
/// statement's text, hashed it for the statement cache and walked it again to ask whether it
/// may be cached. That was more than half of the cost of a row. `$name` has static query ids,
/// so the cache finds it by type; and with many rows per statement SQLite opens its cursors and
/// checks its foreign keys' tables once per statement instead of once per row. The row's fields
/// and the table's columns share their names.
///
/// Why arrays on PostgreSQL: a `VALUES` list of 500 rows of twelve columns is 6,000 parameters.
/// diesel does not cache such a statement (its text depends on the row count), so PostgreSQL
/// parsed, bound and planned all of them on every execution; in a start of 1,000 people the
/// parse and bind steps of the attendee and message inserts took 17 ms of the transaction's
/// 75 ms in PostgreSQL's own log, more than executing them. With one array per column the text
/// never changes (one cached statement per table) and binding is twelve parameters.
macro_rules! bulk_insert {
    ($name:ident, $row:ident, $table:ident { $($field:ident),+ $(,)? }) => {
        /// `N` rows in one `INSERT` (the type fixes `N`, so each width is one cached statement).
        pub(crate) struct $name<'a, const N: usize>(&'a [$row; N]);

        /// Inserts `rows`; answers how many were inserted.
        pub fn insert_many(conn: &mut crate::db::Conn<'_>, rows: &[$row]) -> crate::db::DbResult<usize> {
            let mut inserted = 0;
            match conn {
                crate::db::Conn::Sqlite(c) => {
                    let mut wide = rows.chunks_exact(super::INSERT_WIDTH);
                    for chunk in &mut wide {
                        let chunk = chunk.try_into().expect("chunks_exact gives full chunks");
                        inserted += $name::<{ super::INSERT_WIDTH }>(chunk).execute(&mut **c)?;
                    }
                    // The rest (under 32 rows) by its binary digits: at most five statements.
                    /// Inserts the first `N` rows of `rest` in one statement, if it has that many.
                    fn prefix<const N: usize>(
                        c: &mut diesel::SqliteConnection,
                        rest: &mut &[$row],
                    ) -> diesel::QueryResult<usize> {
                        let Some((head, tail)) = rest.split_first_chunk::<N>() else {
                            return Ok(0);
                        };
                        *rest = tail;
                        $name(head).execute(c)
                    }
                    let mut rest = wide.remainder();
                    inserted += prefix::<16>(c, &mut rest)?;
                    inserted += prefix::<8>(c, &mut rest)?;
                    inserted += prefix::<4>(c, &mut rest)?;
                    inserted += prefix::<2>(c, &mut rest)?;
                    inserted += prefix::<1>(c, &mut rest)?;
                    debug_assert!(rest.is_empty(), "a remainder of INSERT_WIDTH (32) has five binary digits");
                }
                crate::db::Conn::Pg(c) => {
                    /// The rows as one array per column, for one `INSERT … SELECT * FROM
                    /// unnest(…)`. The type parameters are the columns' Rust types, named after
                    /// the fields so that the macro needs no list of types.
                    #[allow(non_camel_case_types)]
                    struct Unnest<'a, $($field),+> {
                        $($field: Vec<&'a $field>),+
                    }
                    /// The statement's identity for diesel's cache: one per table.
                    struct UnnestId;

                    #[allow(non_camel_case_types)]
                    impl<$($field),+> diesel::query_builder::QueryId for Unnest<'_, $($field),+> {
                        type QueryId = UnnestId;
                        const HAS_STATIC_QUERY_ID: bool = true;
                    }

                    #[allow(non_camel_case_types)]
                    impl<'a, $($field),+> diesel::query_builder::QueryFragment<diesel::pg::Pg>
                        for Unnest<'a, $($field),+>
                    where
                        $(Vec<&'a $field>: diesel::serialize::ToSql<
                            diesel::sql_types::Array<diesel::helper_types::SqlTypeOf<$table::$field>>,
                            diesel::pg::Pg,
                        >,)+
                    {
                        fn walk_ast<'b>(
                            &'b self,
                            mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
                        ) -> diesel::QueryResult<()> {
                            static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                                let columns: &[&str] = &[$(<$table::$field as diesel::Column>::NAME),+];
                                format!(
                                    "INSERT INTO {} ({}) SELECT * FROM unnest(",
                                    stringify!($table),
                                    columns.join(", ")
                                )
                            });
                            out.push_sql(&SQL);
                            let mut first = true;
                            $(
                                if !std::mem::take(&mut first) {
                                    out.push_sql(", ");
                                }
                                out.push_bind_param::<
                                    diesel::sql_types::Array<diesel::helper_types::SqlTypeOf<$table::$field>>,
                                    _,
                                >(&self.$field)?;
                            )+
                            out.push_sql(")");
                            Ok(())
                        }
                    }

                    #[allow(non_camel_case_types)]
                    impl<Conn, $($field),+> diesel::RunQueryDsl<Conn> for Unnest<'_, $($field),+> {}

                    for chunk in rows.chunks(super::PG_INSERT_ROWS) {
                        let columns = Unnest {
                            $($field: chunk.iter().map(|row| &row.$field).collect()),+
                        };
                        inserted += columns.execute(&mut **c)?;
                    }
                }
            }
            Ok(inserted)
        }

        impl<const N: usize> diesel::query_builder::QueryId for $name<'_, N> {
            type QueryId = $name<'static, N>;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl<const N: usize> diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for $name<'_, N> {
            fn walk_ast<'b>(
                &'b self,
                mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
            ) -> diesel::QueryResult<()> {
                static HEAD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    let columns: &[&str] = &[$(<$table::$field as diesel::Column>::NAME),+];
                    format!("INSERT INTO {} ({}) VALUES ", stringify!($table), columns.join(", "))
                });
                out.push_sql(&HEAD);
                for (i, row) in self.0.iter().enumerate() {
                    // Naming every field, with no `..`: a field added to the row and not to the
                    // statement does not compile, instead of being silently left to its default.
                    let $row { $($field),+ } = row;
                    out.push_sql(if i == 0 { "(" } else { ", (" });
                    let mut first = true;
                    $(
                        if !std::mem::take(&mut first) {
                            out.push_sql(", ");
                        }
                        out.push_bind_param::<diesel::helper_types::SqlTypeOf<$table::$field>, _>($field)?;
                    )+
                    out.push_sql(")");
                }
                Ok(())
            }
        }

        impl<Conn, const N: usize> diesel::RunQueryDsl<Conn> for $name<'_, N> {}
    };
}
pub(crate) use bulk_insert;

/// Rows per SQLite statement of a [`bulk_insert`]: wide enough that a statement's set-up is
/// small beside its rows, and far under SQLite's limit of bound parameters for every table.
pub(crate) const INSERT_WIDTH: usize = 32;

/// Rows per `INSERT` on PostgreSQL, where a statement binds one array per column: a bound on
/// one message's size, not a width the statement's text depends on.
pub(crate) const PG_INSERT_ROWS: usize = 10_000;
// The remainder of a bulk insert is written in widths 16, 8, 4, 2 and 1.
const _: () = assert!(INSERT_WIDTH == 32);
