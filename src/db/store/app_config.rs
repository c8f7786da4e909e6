use crate::backend;
use crate::db::models::AppConfigEntry;
use crate::db::schema::app_config;
use crate::db::{Conn, DbResult};
use diesel::prelude::*;
use diesel::upsert::excluded;

pub fn get(conn: &mut Conn<'_>, app: &str, key: &str) -> DbResult<Option<String>> {
    Ok(backend!(conn, c => app_config::table
        .find((app, key))
        .select(app_config::config_value)
        .first(c)
        .optional())?)
}

/// Sets a value, replacing any earlier one.
pub fn set(conn: &mut Conn<'_>, app: &str, key: &str, value: &str) -> DbResult<()> {
    let row = AppConfigEntry {
        app: app.to_owned(),
        config_key: key.to_owned(),
        config_value: value.to_owned(),
    };
    backend!(conn, c => diesel::insert_into(app_config::table)
        .values(&row)
        .on_conflict((app_config::app, app_config::config_key))
        .do_update()
        .set(app_config::config_value.eq(excluded(app_config::config_value)))
        .execute(c))?;
    Ok(())
}

/// Removes a value so the app default applies again.
pub fn delete(conn: &mut Conn<'_>, app: &str, key: &str) -> DbResult<()> {
    backend!(conn, c => diesel::delete(app_config::table.find((app, key))).execute(c))?;
    Ok(())
}

pub fn keys(conn: &mut Conn<'_>, app: &str) -> DbResult<Vec<String>> {
    Ok(backend!(conn, c => app_config::table
        .filter(app_config::app.eq(app))
        .select(app_config::config_key)
        .order(app_config::config_key.asc())
        .load(c))?)
}

pub fn apps(conn: &mut Conn<'_>) -> DbResult<Vec<String>> {
    Ok(backend!(conn, c => app_config::table.select(app_config::app).distinct().order(app_config::app.asc()).load(c))?)
}
