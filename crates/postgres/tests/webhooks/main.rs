//! Tests of webhook ingestion against a real PostgreSQL server. Each test creates
//! its own database from the migrated template. Set `TEST_DATABASE_URL` to the
//! server, such as `postgres://postgres@127.0.0.1:55432/postgres`. Deliveries are
//! built from the sample payloads in `<workspace>/../shared/fixtures/webhooks`.

mod concurrency;
mod customer_data;
mod ingest;
mod migrations;
mod ordering;
mod replay;
mod subscriptions;
mod support;
