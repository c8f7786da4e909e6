//! Capabilities follow the app config set through the provisioning API, and the
//! `X-Nextcloud-Talk-Hash` clients watch changes with them.

mod common;

use common::TestApp;
use serde_json::{json, Value};

const CONFIG: &str = "/ocs/v2.php/apps/provisioning_api/api/v1/config/apps/spreed/breakout_rooms";
const ROOMS: &str = "/ocs/v2.php/apps/spreed/api/v4/room";

async fn breakout_capability(app: &TestApp) -> Value {
    let r = app.as_user("participant1").get("/ocs/v2.php/cloud/capabilities").await;
    r.assert_status(200);
    r.data()["capabilities"]["spreed"]["config"]["call"]["breakout-rooms"].clone()
}

async fn talk_hash(app: &TestApp) -> String {
    let r = app.as_user("participant1").get(ROOMS).await;
    r.assert_status(200);
    r.header("x-nextcloud-talk-hash").expect("talk hash header")
}

async fn breakout_rooms_capability_follows_app_config(app: &TestApp) {
    app.create_user("participant1").await;
    let admin = app.as_user("admin");

    // Unset: enabled.
    assert_eq!(breakout_capability(app).await, json!(true));
    let hash_default = talk_hash(app).await;

    admin.post(CONFIG, &[("value", "no")]).await.assert_status(200);
    assert_eq!(breakout_capability(app).await, json!(false));
    let hash_no = talk_hash(app).await;
    assert_ne!(hash_no, hash_default);

    admin.post(CONFIG, &[("value", "yes")]).await.assert_status(200);
    assert_eq!(breakout_capability(app).await, json!(true));
    assert_eq!(talk_hash(app).await, hash_default);

    admin.post(CONFIG, &[("value", "no")]).await.assert_status(200);
    assert_eq!(talk_hash(app).await, hash_no);
    admin.delete(CONFIG, &[]).await.assert_status(200);
    assert_eq!(breakout_capability(app).await, json!(true));
    assert_eq!(talk_hash(app).await, hash_default);

    // A refused change leaves both alone.
    app.as_user("participant1")
        .post(CONFIG, &[("value", "no")])
        .await
        .assert_status(403);
    assert_eq!(breakout_capability(app).await, json!(true));
    assert_eq!(talk_hash(app).await, hash_default);
}

both_backends!(breakout_rooms_capability_follows_app_config);
