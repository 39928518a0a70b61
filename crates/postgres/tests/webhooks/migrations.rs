//! The webhook migrations revert cleanly and apply again.

use clientela_postgres::{migrate, revert_all};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::RunQueryDsl;

use crate::support::Fixture;

#[derive(QueryableByName)]
struct Regclass {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

async fn table_exists(fixture: &Fixture, table: &str) -> bool {
    let mut conn = fixture.raw_connection().await;
    let row: Regclass = diesel::sql_query("SELECT to_regclass($1)::text AS name")
        .bind::<Text, _>(table)
        .get_result(&mut conn)
        .await
        .expect("query to_regclass");
    row.name.is_some()
}

/// Counts the subscription columns `transactions` has.
async fn subscription_columns(fixture: &Fixture) -> i64 {
    let mut conn = fixture.raw_connection().await;
    let row: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM information_schema.columns \
         WHERE table_name = 'transactions' AND column_name IN \
             ('subscription_external_id', 'recurrence', 'status_changed_at')",
    )
    .get_result(&mut conn)
    .await
    .expect("query columns");
    row.count
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_migrations_revert_and_reapply() {
    let fixture = Fixture::new().await;
    let url = fixture.database.url().to_owned();
    assert!(table_exists(&fixture, "webhook_events").await);
    assert!(table_exists(&fixture, "subscription_cancellations").await);
    assert_eq!(subscription_columns(&fixture).await, 3);

    revert_all(&url).await.expect("revert all");
    assert!(!table_exists(&fixture, "webhook_events").await);
    assert!(!table_exists(&fixture, "subscription_cancellations").await);

    let applied = migrate(&url).await.expect("migrate again");
    assert!(applied.contains(&"2026-12-04-001000_create_webhook_events".to_owned()));
    assert!(applied.contains(&"2026-12-04-001100_add_subscriptions_to_transactions".to_owned()));
    assert!(table_exists(&fixture, "webhook_events").await);
    assert_eq!(subscription_columns(&fixture).await, 3);
}
