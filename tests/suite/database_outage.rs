//! When the database becomes unreachable the server answers 503 in the OCS envelope (never a
//! hang, never a panic) and recovers by itself when the database comes back. PostgreSQL is
//! reached through a TCP proxy that the test can cut.

use crate::common::{replace_database, Backend, TestApp};
use diesel::{Connection, PgConnection, RunQueryDsl};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use talk_breakout::config::Settings;
use talk_breakout::db::DatabaseUrl;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// Forwards connections to `upstream` until `cut` is notified; then drops every connection and
/// stops listening, as a database host going away would.
async fn start_proxy(listen: SocketAddr, upstream: SocketAddr, cut: Arc<Notify>) -> tokio::task::JoinHandle<()> {
    let listener = TcpListener::bind(listen).await.expect("proxy listens");
    tokio::spawn(async move {
        let mut pipes = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((mut inbound, _)) = accepted else { continue };
                    pipes.spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                }
                _ = cut.notified() => break,
            }
        }
        pipes.abort_all();
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn database_outage_gives_503_and_the_server_recovers() {
    let Some(admin_url) = crate::common::postgres_admin_url("database_outage_gives_503_and_the_server_recovers") else {
        return;
    };
    let name = format!("tb_outage_{}", std::process::id());
    {
        let mut c = PgConnection::establish(&admin_url).expect("postgres reachable");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut c)
            .unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .unwrap();
    }
    let proxy_addr: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let upstream: SocketAddr = "127.0.0.1:5432".parse().unwrap();
    let cut = Arc::new(Notify::new());
    let proxy = start_proxy(proxy_addr, upstream, cut.clone()).await;

    // Same credentials and database as the admin URL, but through the proxy's port.
    let through_proxy = replace_database(&admin_url, &name).replacen(":5432", &format!(":{}", proxy_addr.port()), 1);
    assert!(
        through_proxy.contains(&proxy_addr.port().to_string()),
        "URL must name 127.0.0.1:5432: {admin_url}"
    );
    let settings = Settings::for_tests(DatabaseUrl::Postgres(through_proxy));
    let app = TestApp::start(settings, Backend::Postgres).await;
    let path = "/ocs/v2.php/cloud/capabilities";
    app.anonymous().get(path).await.assert_status(200);

    cut.notify_one();
    proxy.await.unwrap();
    let started = Instant::now();
    let r = app.anonymous().get(path).await;
    r.assert_status(503);
    assert_eq!(
        r.body,
        r#"{"ocs":{"meta":{"status":"failure","statuscode":503,"message":"Service unavailable"},"data":[]}}"#
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "outage answered only after {:?}",
        started.elapsed()
    );

    // The database comes back on the same address: the next requests succeed again.
    let cut_again = Arc::new(Notify::new());
    let proxy = start_proxy(proxy_addr, upstream, cut_again.clone()).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = app.anonymous().get(path).await;
        if r.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "no recovery: {} {}", r.status, r.body);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.stop().await;
    cut_again.notify_one();
    proxy.await.unwrap();
    let mut c = PgConnection::establish(&admin_url).unwrap();
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut c)
        .unwrap();
}

/// PostgreSQL dropping every connection (a restart) is noticed by the first statement that
/// meets a dead connection; the other pooled connections are then tested before use, so at most
/// that one request fails and the pool heals itself without a test query on every check-out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(talk_test_postgres),
    ignore = "PostgreSQL: TALK_TEST_POSTGRES_URL was not set when the tests were built"
)]
async fn dropped_connections_cost_at_most_one_request() {
    let Some(admin_url) = crate::common::postgres_admin_url("dropped_connections_cost_at_most_one_request") else {
        return;
    };
    let name = format!("tb_dropped_{}", std::process::id());
    let mut admin = PgConnection::establish(&admin_url).expect("postgres reachable");
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .unwrap();
    let settings = Settings::for_tests(DatabaseUrl::Postgres(replace_database(&admin_url, &name)));
    let app = TestApp::start(settings, Backend::Postgres).await;
    let path = "/ocs/v2.php/cloud/capabilities";
    // Several requests at once, so that the pool holds several connections.
    let clients: Vec<_> = (0..8).map(|_| app.anonymous()).collect();
    let warm = futures_util::future::join_all(clients.iter().map(|c| c.get(path))).await;
    assert!(warm.iter().all(|r| r.status == 200));

    let dropped = diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .execute(&mut admin)
    .unwrap();
    assert!(dropped > 1, "the server held {dropped} connections");

    let mut failed = 0;
    for _ in 0..20 {
        let r = app.anonymous().get(path).await;
        match r.status {
            200 => {}
            503 => failed += 1,
            other => panic!("unexpected status {other}: {}", r.body),
        }
    }
    assert!(
        failed <= 1,
        "{failed} of 20 requests failed after the connections dropped"
    );
    let last = app.anonymous().get(path).await;
    last.assert_status(200);
    app.stop().await;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
}
