use std::time::Duration;

use clientela_domain::error::RepositoryError;
use clientela_domain::ids::ClientId;
use clientela_domain::ports::ClientRepository;
use clientela_postgres::{PgStore, PoolOptions};
use diesel_async::{AnsiTransactionManager, SimpleAsyncConnection, TransactionManager};

use crate::support::Fixture;

/// Opens a transaction on a separate connection that locks `clients`, so every
/// query of the table waits until the connection is dropped.
async fn lock_clients(fixture: &Fixture) -> diesel_async::AsyncPgConnection {
    let mut conn = fixture.raw_connection().await;
    AnsiTransactionManager::begin_transaction(&mut conn)
        .await
        .expect("begin");
    conn.batch_execute("LOCK TABLE clients IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock clients");
    conn
}

#[tokio::test(flavor = "multi_thread")]
async fn statement_timeout_is_unavailable() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let options = PoolOptions {
        max_connections: 1,
        statement_timeout: Duration::from_millis(200),
        ..PoolOptions::default()
    };
    let store = PgStore::connect_with(fixture.database.url(), &options)
        .await
        .expect("connect");
    let _lock = lock_clients(&fixture).await;

    let result = store.find_client(app.id, ClientId::generate()).await;
    assert!(
        matches!(result, Err(RepositoryError::Unavailable(_))),
        "got {result:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pool_wait_timeout_is_unavailable() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let options = PoolOptions {
        max_connections: 1,
        wait_timeout: Duration::from_millis(100),
        statement_timeout: Duration::from_secs(5),
        ..PoolOptions::default()
    };
    let store = PgStore::connect_with(fixture.database.url(), &options)
        .await
        .expect("connect");
    let lock = lock_clients(&fixture).await;

    // The first query takes the only connection and waits for the lock.
    let busy_store = store.clone();
    let busy =
        tokio::spawn(async move { busy_store.find_client(app.id, ClientId::generate()).await });
    tokio::time::sleep(Duration::from_millis(200)).await;

    let result = store.find_client(app.id, ClientId::generate()).await;
    assert!(
        matches!(result, Err(RepositoryError::Unavailable(_))),
        "got {result:?}"
    );

    drop(lock);
    let first = busy.await.expect("busy task");
    assert_eq!(
        first,
        Ok(None),
        "the waiting query finishes once the lock is gone"
    );
}
