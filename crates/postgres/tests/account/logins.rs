//! Login lookups and access-log entries.

use clientela_domain::client::AccessKind;
use clientela_domain::error::RepositoryError;
use clientela_domain::ports::AccountRepository;
use clientela_domain::values::Email;
use time::Duration;

use crate::support::{Fixture, STORED_HASH, event, now};

#[tokio::test]
async fn find_login_returns_password_hash() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let with = fixture.client(&app, "ana@example.com", true).await;
    let without = fixture.client(&app, "bia@example.com", false).await;

    let found = fixture
        .store
        .find_login(app.id, &with.email)
        .await
        .expect("lookup")
        .expect("client found");
    let found_without = fixture
        .store
        .find_login(app.id, &without.email)
        .await
        .expect("lookup")
        .expect("client found");

    assert_eq!(found.client.id, with.id);
    assert_eq!(found.password_hash.as_deref(), Some(STORED_HASH));
    assert!(found.client.has_password);
    assert_eq!(found_without.password_hash, None);
}

#[tokio::test]
async fn find_login_stays_in_app() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let other = fixture.app("loja-b").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let unknown = Email::parse("nobody@example.com").expect("valid e-mail");

    let from_other = fixture
        .store
        .find_login(other.id, &client.email)
        .await
        .expect("lookup");
    let missing = fixture
        .store
        .find_login(app.id, &unknown)
        .await
        .expect("lookup");

    assert!(from_other.is_none());
    assert!(missing.is_none());
}

#[tokio::test]
async fn successful_entry_updates_access_times() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let first = now() - Duration::hours(2);
    let second = now();

    fixture
        .store
        .record_access(&event(&client, AccessKind::FirstAccess, first))
        .await
        .expect("first entry");
    fixture
        .store
        .record_access(&event(&client, AccessKind::SessionRefresh, second))
        .await
        .expect("second entry");

    let stored = fixture.reload(&client).await;
    assert_eq!(stored.first_access_at, Some(first));
    assert_eq!(stored.last_access_at, Some(second));
    let detail = fixture.detail(&client).await;
    assert_eq!(detail.access_log.len(), 2);
    assert_eq!(detail.access_log[0].kind, "session_refresh");
    assert_eq!(detail.access_log[0].ip.as_deref(), Some("198.51.100.4"));
    assert_eq!(
        detail.access_log[0].user_agent.as_deref(),
        Some("Mozilla/5.0 (Teste)")
    );
}

#[tokio::test]
async fn older_entry_keeps_last_access() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let latest = now();

    fixture
        .store
        .record_access(&event(&client, AccessKind::Login, latest))
        .await
        .expect("newer entry");
    fixture
        .store
        .record_access(&event(
            &client,
            AccessKind::Login,
            latest - Duration::hours(1),
        ))
        .await
        .expect("older entry");

    assert_eq!(fixture.reload(&client).await.last_access_at, Some(latest));
}

#[tokio::test]
async fn failed_login_leaves_access_times() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;

    fixture
        .store
        .record_access(&event(&client, AccessKind::LoginFailed, now()))
        .await
        .expect("entry written");

    let stored = fixture.reload(&client).await;
    assert_eq!(stored.last_access_at, None);
    assert_eq!(stored.first_access_at, None);
    assert_eq!(fixture.access_kinds(&client).await, ["login_failed"]);
}

#[tokio::test]
async fn entry_of_other_app_client_fails() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let other = fixture.app("loja-b").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let mut entry = event(&client, AccessKind::Login, now());
    entry.app_id = other.id;

    let error = fixture
        .store
        .record_access(&entry)
        .await
        .expect_err("client is not in the other app");

    assert_eq!(error, RepositoryError::NotFound);
    assert_eq!(fixture.reload(&client).await.last_access_at, None);
}
