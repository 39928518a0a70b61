//! The connection pool: one deadpool of diesel-async connections, built once and
//! shared by every clone of `PgStore`.

use std::time::Duration;

use deadpool::Runtime;
use diesel_async::pooled_connection::deadpool::{Hook, HookError, Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, PoolError};
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};

use crate::error::PgError;

/// Settings of the connection pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolOptions {
    /// Maximum number of open connections.
    pub max_connections: usize,
    /// How long a caller waits for a free connection before getting
    /// `PgError::Unavailable`.
    pub wait_timeout: Duration,
    /// How long opening a new connection may take.
    pub connect_timeout: Duration,
    /// PostgreSQL `statement_timeout` of every pooled connection.
    pub statement_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            wait_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// `application_name` of every pooled connection, as shown in `pg_stat_activity`.
const APPLICATION_NAME: &str = "clientela";

/// The PostgreSQL store: implements the domain's repository ports. Cloning is
/// cheap and clones share one pool.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool<AsyncPgConnection>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool", &self.pool.status())
            .finish()
    }
}

impl PgStore {
    /// Builds a pool of at most `max_connections` connections with the default
    /// timeouts of [`PoolOptions`], and opens one connection to check the URL and
    /// the server.
    pub async fn connect(database_url: &str, max_connections: usize) -> Result<Self, PgError> {
        let options = PoolOptions {
            max_connections,
            ..PoolOptions::default()
        };
        Self::connect_with(database_url, &options).await
    }

    /// Builds a pool with the given settings, and opens one connection to check the
    /// URL and the server.
    pub async fn connect_with(database_url: &str, options: &PoolOptions) -> Result<Self, PgError> {
        if options.max_connections == 0 {
            return Err(PgError::PoolSetup(
                "max_connections must be at least 1".to_owned(),
            ));
        }
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(database_url);
        let setup_sql = format!(
            "SET application_name = '{APPLICATION_NAME}'; SET statement_timeout = {}",
            options.statement_timeout.as_millis()
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections)
            .wait_timeout(Some(options.wait_timeout))
            .create_timeout(Some(options.connect_timeout))
            .runtime(Runtime::Tokio1)
            .post_create(Hook::async_fn(
                move |conn: &mut AsyncPgConnection, _metrics| {
                    let setup_sql = setup_sql.clone();
                    Box::pin(async move {
                        conn.batch_execute(&setup_sql)
                            .await
                            .map_err(|error| HookError::Backend(PoolError::QueryError(error)))
                    })
                },
            ))
            .build()
            .map_err(|error| PgError::PoolSetup(error.to_string()))?;

        let store = Self { pool };
        store.ping().await?;
        Ok(store)
    }

    /// Checks that a pooled connection can be had and runs a query, for readiness
    /// probes.
    pub async fn ping(&self) -> Result<(), PgError> {
        let mut conn = self.conn().await?;
        conn.batch_execute("SELECT 1").await?;
        Ok(())
    }

    pub(crate) async fn conn(&self) -> Result<Object<AsyncPgConnection>, PgError> {
        Ok(self.pool.get().await?)
    }
}
