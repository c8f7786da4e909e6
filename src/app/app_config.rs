//! App settings (`oc_appconfig` upstream): read and changed by admins through the provisioning
//! API; the Talk face reads its own keys (e.g. `spreed.breakout_rooms`) from the same table.

use crate::db::{store, Db};
use crate::domain::accounts::{check_app_id, check_config_key, AccountRefusal};
use crate::domain::webhooks;

type Result<T> = std::result::Result<T, AccountRefusal>;

/// Every app with at least one stored key.
pub async fn apps(db: &Db) -> Result<Vec<String>> {
    Ok(db.read_one(store::app_config::apps).await?)
}

/// The stored keys of `app`.
pub async fn keys(db: &Db, app: String) -> Result<Vec<String>> {
    check_app_id(&app)?;
    Ok(db.read_one(move |conn| store::app_config::keys(conn, &app)).await?)
}

/// The stored value, or `None` when the key was never set (or was reset). A secret shows as
/// `********`.
pub async fn value(db: &Db, app: String, key: String) -> Result<Option<String>> {
    check_app_id(&app)?;
    let stored = db
        .read_one({
            let (app, key) = (app.clone(), key.clone());
            move |conn| store::app_config::get(conn, &app, &key)
        })
        .await?;
    Ok(stored.map(|v| webhooks::shown(&app, &key, v)))
}

pub async fn set(db: &Db, app: String, key: String, value: String) -> Result<()> {
    check_app_id(&app)?;
    check_config_key(&app, &key, &value)?;
    webhooks::check_setting(&app, &key, &value)?;
    Ok(db
        .run(move |conn| conn.write_tx(|conn| store::app_config::set(conn, &app, &key, &value)))
        .await?)
}

/// Resets the key to its default by forgetting the stored value.
pub async fn reset(db: &Db, app: String, key: String) -> Result<()> {
    check_app_id(&app)?;
    check_config_key(&app, &key, "")?;
    Ok(db
        .run(move |conn| conn.write_tx(|conn| store::app_config::delete(conn, &app, &key)))
        .await?)
}
