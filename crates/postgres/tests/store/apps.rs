use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{ApiKeyId, AppId};
use clientela_domain::ports::{ApiKeyRecord, AppRepository};
use clientela_domain::tenant::App;
use diesel_async::SimpleAsyncConnection;

use crate::support::{Fixture, now};

fn key(app: AppId, hash_byte: u8) -> ApiKeyRecord {
    ApiKeyRecord {
        id: ApiKeyId::generate(),
        app_id: app,
        hash: [hash_byte; 32],
        prefix: "clt_abcd".to_owned(),
        created_at: now(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn app_found_by_slug() {
    let fixture = Fixture::new().await;
    let app = fixture.app("curso-de-ingles").await;

    let found = fixture
        .store
        .find_app_by_slug("curso-de-ingles")
        .await
        .expect("find");
    assert_eq!(found, Some(app));

    let missing = fixture
        .store
        .find_app_by_slug("no-such-app")
        .await
        .expect("find");
    assert_eq!(missing, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn app_slug_taken() {
    let fixture = Fixture::new().await;
    let first = fixture.app("academia").await;
    let second = App {
        id: AppId::generate(),
        name: "Another".to_owned(),
        ..first
    };

    let result = fixture.store.create_app(&second).await;
    assert_eq!(result, Err(RepositoryError::SlugTaken));
}

#[tokio::test(flavor = "multi_thread")]
async fn app_invalid_slug_rejected() {
    let fixture = Fixture::new().await;
    let app = App {
        id: AppId::generate(),
        slug: "Not A Slug".to_owned(),
        name: "Bad".to_owned(),
        time_zone: "America/Sao_Paulo".to_owned(),
        created_at: now(),
    };

    let result = fixture.store.create_app(&app).await;
    assert!(
        matches!(result, Err(RepositoryError::Other(_))),
        "got {result:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_key_finds_its_app() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let other = fixture.app("outra").await;
    let record = key(app.id, 7);
    fixture
        .store
        .create_api_key(&record)
        .await
        .expect("create key");
    fixture
        .store
        .create_api_key(&key(other.id, 8))
        .await
        .expect("create other key");

    let found = fixture
        .store
        .find_app_by_key_hash(&[7; 32])
        .await
        .expect("find");
    assert_eq!(found, Some((app, record.id)));

    let unknown = fixture
        .store
        .find_app_by_key_hash(&[9; 32])
        .await
        .expect("find");
    assert_eq!(unknown, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn api_key_revoked_not_found() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let record = key(app.id, 3);
    fixture
        .store
        .create_api_key(&record)
        .await
        .expect("create key");

    let mut conn = fixture.raw_connection().await;
    conn.batch_execute(&format!(
        "UPDATE api_keys SET revoked_at = now() WHERE id = '{}'",
        record.id
    ))
    .await
    .expect("revoke key");

    let found = fixture
        .store
        .find_app_by_key_hash(&[3; 32])
        .await
        .expect("find");
    assert_eq!(found, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn api_key_for_unknown_app() {
    let fixture = Fixture::new().await;

    let result = fixture
        .store
        .create_api_key(&key(AppId::generate(), 1))
        .await;
    assert_eq!(result, Err(RepositoryError::NotFound));
}

#[tokio::test(flavor = "multi_thread")]
async fn store_ping_and_bad_url() {
    let fixture = Fixture::new().await;
    fixture.store.ping().await.expect("ping");

    let unreachable =
        clientela_postgres::PgStore::connect("postgres://postgres@127.0.0.1:1/none", 1).await;
    assert!(
        matches!(
            unreachable,
            Err(clientela_postgres::PgError::Unavailable(_))
        ),
        "got {unreachable:?}"
    );
    let zero = clientela_postgres::PgStore::connect(fixture.database.url(), 0).await;
    assert!(
        matches!(zero, Err(clientela_postgres::PgError::PoolSetup(_))),
        "got {zero:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn apps_listed_by_slug() {
    let fixture = Fixture::new().await;
    let zeta = fixture.app("zeta").await;
    let alfa = fixture.app("alfa").await;

    let apps = fixture.store.list_apps().await.expect("list apps");

    assert_eq!(apps, vec![alfa, zeta]);
}
