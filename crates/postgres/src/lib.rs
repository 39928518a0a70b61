//! The PostgreSQL adapter of Clientela.
//!
//! [`PgStore`] implements the domain's repository ports (`AppRepository`,
//! `ClientRepository`, `GrantRepository`, `ProductRepository`, the e-mail
//! outbox's `NotificationQueue` and `AppMailSettingsRepository`) on a
//! diesel-async connection pool. Every query filters by the app id, and changes that touch
//! several rows run in one database transaction. [`migrate`] applies the
//! migrations of the workspace's `migrations/` folder, which are embedded in the
//! crate.
//!
//! Timestamps are stored with microsecond precision, so a time read back can
//! differ from the one written in its nanoseconds.
//!
//! The `testing` feature adds [`testing::TestDatabase`], a fresh migrated database
//! per test.

mod account;
mod app_settings;
mod apps;
mod audit;
mod cached;
mod clients;
mod detail;
mod error;
mod grants;
mod links;
mod migrations;
mod notifications;
mod pool;
mod products;
mod schema;
mod search;
#[cfg(feature = "testing")]
pub mod testing;
mod webhooks;

pub use error::PgError;
pub use migrations::{MIGRATIONS, migrate, revert_all};
pub use notifications::OutboxListener;
pub use pool::{PgStore, PoolOptions};
