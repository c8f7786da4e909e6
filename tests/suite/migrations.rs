//! Both migration trees have the same migrations in the same order, apply cleanly, produce the
//! same schema shape, and are safe to run again and from instances starting together.

use crate::common::replace_database;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use std::collections::BTreeMap;
use talk_breakout::db::{DatabaseUrl, Db};

fn migration_names(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| {
            for file in ["up.sql", "down.sql"] {
                assert!(e.path().join(file).is_file(), "{} lacks {file}", e.path().display());
            }
            e.file_name().to_string_lossy().into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn both_trees_have_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

/// Table → sorted column names.
type Shape = BTreeMap<String, Vec<String>>;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(QueryableByName)]
struct TableColumn {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
}

fn sqlite_shape(path: &str) -> Shape {
    let mut c = SqliteConnection::establish(path).unwrap();
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'",
    )
    .load(&mut c)
    .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let mut columns: Vec<String> =
                diesel::sql_query(format!("SELECT name FROM pragma_table_info('{}')", t.name))
                    .load::<Name>(&mut c)
                    .unwrap()
                    .into_iter()
                    .map(|n| n.name)
                    .collect();
            columns.sort();
            (t.name, columns)
        })
        .collect()
}

fn postgres_shape(url: &str) -> Shape {
    let mut c = PgConnection::establish(url).unwrap();
    let rows: Vec<TableColumn> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut c)
    .unwrap();
    let mut shape = Shape::new();
    for r in rows {
        shape.entry(r.table_name).or_default().push(r.column_name);
    }
    for columns in shape.values_mut() {
        columns.sort();
    }
    shape
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_apply_cleanly_to_the_same_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.sqlite").to_string_lossy().into_owned();
    for _ in 0..2 {
        // Connecting twice runs the migrations once and then finds nothing pending.
        let p = path.clone();
        tokio::task::spawn_blocking(move || Db::connect(&DatabaseUrl::Sqlite(p), 2))
            .await
            .unwrap()
            .expect("sqlite migrates");
    }
    let sqlite = sqlite_shape(&path);
    for table in [
        "users",
        "user_groups",
        "group_members",
        "app_config",
        "rooms",
        "attendees",
        "sessions",
        "messages",
        "brute_force_attempts",
        "server_secrets",
        "app_passwords",
        "login_flows",
        "breakout_sessions",
        "breakout_session_rooms",
        "breakout_assignments",
        "breakout_settings",
    ] {
        assert!(sqlite.contains_key(table), "{table} missing: {sqlite:?}");
    }

    let Some(admin_url) = crate::common::postgres_admin_url("both_backends_apply_cleanly_to_the_same_shape") else {
        return;
    };
    let name = format!("tb_migrations_{}", std::process::id());
    let mut admin = PgConnection::establish(&admin_url).unwrap();
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    let url = replace_database(&admin_url, &name);
    // Instances starting together: the advisory lock lets one migrate while the others wait.
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            tokio::task::spawn_blocking(move || Db::connect(&DatabaseUrl::Postgres(url), 2).map(|_| ()))
        })
        .collect();
    for s in starts {
        s.await.unwrap().expect("postgres migrates while others start");
    }
    let postgres = postgres_shape(&url);
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    assert_eq!(sqlite, postgres, "the two trees differ in shape");
}
