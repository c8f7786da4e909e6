//! Marks the PostgreSQL tests as ignored, with the reason, when the suite is built without a
//! PostgreSQL server to run them against: `cargo test` then reports them as ignored instead of
//! counting them as passed. Setting or unsetting the variable rebuilds the crate's tests.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(talk_test_postgres)");
    println!("cargo::rerun-if-env-changed=TALK_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("TALK_TEST_POSTGRES_URL").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=talk_test_postgres");
    }
}
