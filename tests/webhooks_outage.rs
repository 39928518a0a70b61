#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! A webhook that arrives while the database is unreachable gets 503, so the
//! platform retries it, and the retry is applied once.

mod common;

use common::Env;
use common::webhooks::{
    HOTTOK, WebhookRequest, fixture, notifications_of_kind, server_sql, set_sample_credentials,
};
use reqwest::StatusCode;

/// Makes the test's database refuse new connections and ends the server's open
/// ones, as when the database server goes down.
async fn take_database_down(env: &Env) {
    let name = env.database.name();
    server_sql(&format!(
        "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
    ))
    .await;
    server_sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .await;
}

async fn bring_database_back(env: &Env) {
    let name = env.database.name();
    server_sql(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true")).await;
}

#[tokio::test]
async fn database_outage_answers_503_then_retry_applies_once() {
    let env = Env::start().await;
    set_sample_credentials(env.database.url(), "loja-a").await;
    let request = WebhookRequest::hotmart(
        "loja-a",
        fixture("hotmart/purchase_approved_card.json"),
        Some(HOTTOK),
    );

    take_database_down(&env).await;
    let during = env.webhook(&request).await;
    let again = env.webhook(&request).await;
    bring_database_back(&env).await;
    let retry = env.webhook(&request).await;
    let repeat = env.webhook(&request).await;

    assert_eq!(
        during.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:#}",
        during.body
    );
    assert_eq!(during.code(), "service_unavailable");
    assert_eq!(
        again.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:#}",
        again.body
    );
    assert_eq!(retry.status, StatusCode::OK, "{:#}", retry.body);
    assert_eq!(retry.body["status"], "processed");
    assert_eq!(repeat.body["status"], "duplicate");
    assert_eq!(env.webhook_events("").await.len(), 1);
    let detail = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    assert_eq!(detail["transactions"].as_array().unwrap().len(), 1);
    assert_eq!(detail["grants"].as_array().unwrap().len(), 1);
    assert_eq!(notifications_of_kind(&detail, "welcome"), 1);
}
