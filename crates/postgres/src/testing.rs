//! Fresh, migrated databases for tests.
//!
//! `TEST_DATABASE_URL` names a PostgreSQL server through one of its existing
//! databases (such as `postgres://postgres@127.0.0.1:55432/postgres`); the role
//! needs the right to create databases. The first test of a process makes sure
//! the server has a template database with the current migrations applied, named
//! after a hash of the migration files, and every [`TestDatabase`] is a copy of
//! that template.
//!
//! ```no_run
//! # async fn example() {
//! use clientela_postgres::PgStore;
//! use clientela_postgres::testing::TestDatabase;
//!
//! let database = TestDatabase::new().await;
//! let store = PgStore::connect(database.url(), 4).await.unwrap();
//! // The database is dropped when `database` goes out of scope.
//! # }
//! ```

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use tokio::sync::OnceCell;

use crate::error::PgError;

/// Name of the environment variable that contains the server URL.
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// Key of the advisory lock held while a process checks for or builds the
/// template, so that test processes starting together build it once.
const TEMPLATE_LOCK_KEY: i64 = 0x636c_6965_6e74_7470;

/// The template of this build's migrations, once a test of this process has made
/// sure it exists.
static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// A database created for one test from the migrated template, dropped (with any
/// connections still open to it) when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    server_url: String,
}

impl TestDatabase {
    /// Creates a fresh database with every migration applied.
    ///
    /// # Panics
    ///
    /// When `TEST_DATABASE_URL` is not set or the server cannot create the
    /// database. The panic message names the failure.
    pub async fn new() -> Self {
        let server_url = std::env::var(TEST_DATABASE_URL).unwrap_or_else(|_| {
            panic!(
                "{TEST_DATABASE_URL} is not set; set it to a PostgreSQL server URL such as \
                 postgres://postgres@127.0.0.1:55432/postgres"
            )
        });
        let template = TEMPLATE
            .get_or_try_init(|| ensure_template(&server_url))
            .await
            .unwrap_or_else(|error| {
                panic!("could not prepare the test template database: {error}")
            });

        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let created = async {
            let mut conn = AsyncPgConnection::establish(&server_url).await?;
            conn.batch_execute(&format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_identifier(&name),
                quote_identifier(template)
            ))
            .await?;
            Ok::<_, PgError>(())
        };
        created
            .await
            .unwrap_or_else(|error| panic!("could not create test database {name}: {error}"));

        Self {
            url: with_database(&server_url, &name),
            name,
            server_url,
        }
    }

    /// Returns the URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Returns the name of this database.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    /// Drops the database from a separate thread with its own runtime, so that this
    /// works inside and outside a tokio runtime. Failures are reported on stderr
    /// and otherwise ignored.
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let statement = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_identifier(&self.name)
        );
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime.block_on(async {
                let mut conn = AsyncPgConnection::establish(&server_url)
                    .await
                    .map_err(|error| error.to_string())?;
                conn.batch_execute(&statement)
                    .await
                    .map_err(|error| error.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("could not drop test database {}: {error}", self.name),
            Err(_) => eprintln!(
                "could not drop test database {}: the thread panicked",
                self.name
            ),
        }
    }
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// Makes sure the server has the template of this build's migrations and returns its
/// name. The template is built under another name and renamed once migrated, so a
/// process that dies half-way leaves no half-migrated template behind.
// TODO: drop templates of older migration sets, which stay on the server.
async fn ensure_template(server_url: &str) -> Result<String, PgError> {
    let name = format!("clientela_template_{}", env!("CLIENTELA_MIGRATIONS_HASH"));
    let building = format!("{name}_building");

    let mut conn = AsyncPgConnection::establish(server_url).await?;
    conn.batch_execute(&format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"))
        .await?;

    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(&name)
            .get_result(&mut conn)
            .await?;
    if !found.exists {
        // Separate statements: a multi-statement string runs as one transaction,
        // which DROP and CREATE DATABASE reject.
        let building_identifier = quote_identifier(&building);
        conn.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {building_identifier} WITH (FORCE)"
        ))
        .await?;
        conn.batch_execute(&format!("CREATE DATABASE {building_identifier}"))
            .await?;
        crate::migrate(&with_database(server_url, &building)).await?;
        conn.batch_execute(&format!(
            "ALTER DATABASE {} RENAME TO {}",
            quote_identifier(&building),
            quote_identifier(&name)
        ))
        .await?;
    }

    conn.batch_execute(&format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"))
        .await?;
    Ok(name)
}

fn quote_identifier(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Replaces the database name in a `postgres://` URL, keeping any query string.
fn with_database(server_url: &str, database: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |index| authority_start + index);
    let mut url = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_the_path() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55432/postgres", "test_1"),
            "postgres://postgres@127.0.0.1:55432/test_1"
        );
    }

    #[test]
    fn with_database_keeps_the_query() {
        assert_eq!(
            with_database("postgres://u:p@host/db?sslmode=disable", "test_1"),
            "postgres://u:p@host/test_1?sslmode=disable"
        );
    }

    #[test]
    fn with_database_adds_a_missing_path() {
        assert_eq!(
            with_database("postgres://host:5432", "x"),
            "postgres://host:5432/x"
        );
    }

    #[test]
    fn quote_identifier_doubles_quotes() {
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
