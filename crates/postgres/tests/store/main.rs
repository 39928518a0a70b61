//! Tests of the PostgreSQL adapter against a real server. Each test creates its own
//! database from the migrated template; set `TEST_DATABASE_URL` to the server, such
//! as `postgres://postgres@127.0.0.1:55432/postgres`.

mod app_settings;
mod apps;
mod clients;
mod detail;
mod grants;
mod links;
mod migrations;
mod notifications;
mod pool;
mod products;
mod search;
mod support;
