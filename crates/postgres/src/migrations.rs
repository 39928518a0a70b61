//! The embedded migrations of the root `migrations/` folder, run through diesel's
//! synchronous migration harness on a blocking thread.

use diesel::migration::{MigrationSource, MigrationVersion};
use diesel::pg::Pg;
use diesel::{Connection, RunQueryDsl};
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::PgError;

/// Every migration of the root `migrations/` folder, in order.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Key of the session advisory lock that serialises concurrent migration runs
/// against one database.
const MIGRATION_LOCK_KEY: i64 = 0x636c_6965_6e74_656c;

type SyncPgConnection = AsyncConnectionWrapper<AsyncPgConnection>;

/// Applies the pending migrations to the database at `database_url` and returns the
/// names of those it applied (such as `2026-12-04-000300_create_clients`), oldest
/// first. Concurrent calls on one database wait for each other.
pub async fn migrate(database_url: &str) -> Result<Vec<String>, PgError> {
    run_blocking(database_url, |conn| {
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|error| PgError::Migration(error.to_string()))?;
        Ok(names_of(&applied))
    })
    .await
}

/// Reverts every applied migration, newest first, and returns the names of those
/// it reverted. Meant for tests of the migrations' `down.sql`.
pub async fn revert_all(database_url: &str) -> Result<Vec<String>, PgError> {
    run_blocking(database_url, |conn| {
        let reverted = conn
            .revert_all_migrations(MIGRATIONS)
            .map_err(|error| PgError::Migration(error.to_string()))?;
        Ok(names_of(&reverted))
    })
    .await
}

/// Opens a synchronous connection on a blocking thread, takes the migration lock
/// and runs `work`. The lock is released when the connection closes.
async fn run_blocking<F>(database_url: &str, work: F) -> Result<Vec<String>, PgError>
where
    F: FnOnce(&mut SyncPgConnection) -> Result<Vec<String>, PgError> + Send + 'static,
{
    let database_url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = SyncPgConnection::establish(&database_url)?;
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            .execute(&mut conn)?;
        work(&mut conn)
    })
    .await
    .map_err(|error| PgError::Migration(format!("migration task failed: {error}")))?
}

/// Returns the full names of the embedded migrations with these versions, in the
/// order of `versions`.
fn names_of(versions: &[MigrationVersion<'_>]) -> Vec<String> {
    let migrations = MigrationSource::<Pg>::migrations(&MIGRATIONS).unwrap_or_default();
    versions
        .iter()
        .map(|version| {
            migrations
                .iter()
                .find(|migration| migration.name().version() == *version)
                .map_or_else(
                    || version.to_string(),
                    |migration| migration.name().to_string(),
                )
        })
        .collect()
}
