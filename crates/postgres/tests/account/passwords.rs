//! Password changes: with a link token (single use, expiry, invalidation) and
//! by an admin, ending the client's sessions.

use clientela_domain::account::{
    AccessEvent, AccountEmail, AccountToken, PasswordChange, SecretToken, Session, TokenPurpose,
};
use clientela_domain::audit::AuditEntry;
use clientela_domain::client::{AccessKind, Client};
use clientela_domain::notification::{Notification, NotificationContent};
use clientela_domain::ports::{AccountRepository, SessionRepository};
use clientela_domain::tenant::Actor;
use time::{Duration, OffsetDateTime};

use crate::support::{Fixture, event, now};

const NEW_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$bm92YQ$bm92YQ";

/// Stores a first-access token of `client` issued at `at`, as a first-access
/// request does.
async fn stored_token(
    fixture: &Fixture,
    client: &Client,
    at: OffsetDateTime,
) -> (SecretToken, AccountToken) {
    let (plain, token) =
        AccountToken::issue(client.app_id, client.id, TokenPurpose::FirstAccess, at);
    let notification = Notification::new(
        client.app_id,
        client.id,
        client.email.clone(),
        NotificationContent::FirstAccess {
            client_name: client.name.as_str().to_owned(),
            token: plain.as_str().to_owned(),
        },
        format!("first_access:{}", token.id),
        at,
    );
    let email = AccountEmail {
        notification,
        token: Some(token.clone()),
        cooldown_start: at,
        audit: None,
    };
    let queued = fixture
        .store
        .queue_account_email(&email)
        .await
        .expect("token stored");
    assert!(queued);
    (plain, token)
}

/// Stores a session of `client` started at `at`, and returns its token.
async fn stored_session(fixture: &Fixture, client: &Client, at: OffsetDateTime) -> SecretToken {
    let (token, session) = Session::start(client.app_id, client.id, at);
    fixture
        .store
        .create_session(&session, &event(client, AccessKind::Login, at))
        .await
        .expect("session stored");
    token
}

fn link_change(client: &Client, token: &AccountToken, at: OffsetDateTime) -> PasswordChange {
    PasswordChange {
        app_id: client.app_id,
        client_id: client.id,
        password_hash: NEW_HASH.to_owned(),
        at,
        token: Some(token.id),
        access: Some(event(client, AccessKind::FirstAccess, at)),
        audit: None,
    }
}

async fn stored_hash(fixture: &Fixture, client: &Client) -> Option<String> {
    fixture
        .store
        .find_login(client.app_id, &client.email)
        .await
        .expect("lookup")
        .expect("client exists")
        .password_hash
}

#[tokio::test]
async fn link_sets_password_once() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", false).await;
    let (plain, token) = stored_token(&fixture, &client, now()).await;
    let at = now();

    let first = fixture
        .store
        .change_password(&link_change(&client, &token, at))
        .await
        .expect("first use");
    let mut reuse = link_change(&client, &token, now());
    reuse.password_hash = "$argon2id$other".to_owned();
    let second = fixture
        .store
        .change_password(&reuse)
        .await
        .expect("second use");

    assert!(first);
    assert!(!second);
    assert_eq!(
        stored_hash(&fixture, &client).await.as_deref(),
        Some(NEW_HASH)
    );
    let used = fixture
        .store
        .find_token(app.id, plain.hash())
        .await
        .expect("lookup")
        .expect("token kept");
    assert_eq!(used.used_at, Some(at));
    assert_eq!(fixture.access_kinds(&client).await, ["first_access"]);
    let stored = fixture.reload(&client).await;
    assert!(stored.has_password);
    assert_eq!(stored.first_access_at, Some(at));
    assert_eq!(stored.last_access_at, Some(at));
}

#[tokio::test]
async fn expired_link_changes_nothing() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", false).await;
    let (_, token) = stored_token(&fixture, &client, now() - Duration::days(8)).await;

    let changed = fixture
        .store
        .change_password(&link_change(&client, &token, now()))
        .await
        .expect("change attempt");

    assert!(!changed);
    assert_eq!(stored_hash(&fixture, &client).await, None);
    assert!(fixture.access_kinds(&client).await.is_empty());
}

#[tokio::test]
async fn invalidated_link_changes_nothing() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", false).await;
    let (_, old) = stored_token(&fixture, &client, now() - Duration::minutes(5)).await;
    let (_, new) = stored_token(&fixture, &client, now()).await;

    let with_old = fixture
        .store
        .change_password(&link_change(&client, &old, now()))
        .await
        .expect("change attempt");
    let with_new = fixture
        .store
        .change_password(&link_change(&client, &new, now()))
        .await
        .expect("change attempt");

    assert!(!with_old);
    assert!(with_new);
}

#[tokio::test]
async fn link_of_other_client_changes_nothing() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let ana = fixture.client(&app, "ana@example.com", false).await;
    let bia = fixture.client(&app, "bia@example.com", false).await;
    let (_, token) = stored_token(&fixture, &ana, now()).await;

    let changed = fixture
        .store
        .change_password(&link_change(&bia, &token, now()))
        .await
        .expect("change attempt");

    assert!(!changed);
    assert_eq!(stored_hash(&fixture, &bia).await, None);
}

#[tokio::test]
async fn password_change_ends_sessions_and_links() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let session = stored_session(&fixture, &client, now() - Duration::hours(1)).await;
    let (plain, _) = stored_token(&fixture, &client, now() - Duration::minutes(2)).await;
    let at = now();
    let change = PasswordChange {
        app_id: app.id,
        client_id: client.id,
        password_hash: NEW_HASH.to_owned(),
        at,
        token: None,
        access: None,
        audit: Some(AuditEntry {
            app_id: app.id,
            client_id: Some(client.id),
            actor: Actor::Cli,
            action: "client.password_set".to_owned(),
            before: Some(serde_json::json!({ "has_password": true })),
            after: Some(serde_json::json!({ "has_password": true })),
            at,
        }),
    };

    let changed = fixture
        .store
        .change_password(&change)
        .await
        .expect("admin change");

    assert!(changed);
    let session = fixture
        .store
        .find_session(app.id, session.hash())
        .await
        .expect("lookup")
        .expect("session kept");
    assert_eq!(session.revoked_at, Some(at));
    let token = fixture
        .store
        .find_token(app.id, plain.hash())
        .await
        .expect("lookup")
        .expect("token kept");
    assert_eq!(token.invalidated_at, Some(at));
    let detail = fixture.detail(&client).await;
    assert!(
        detail
            .audit
            .iter()
            .any(|entry| entry.action == "client.password_set")
    );
    // An admin change is no access by the client.
    assert_eq!(detail.access_log.len(), 1);
    assert_eq!(
        stored_hash(&fixture, &client).await.as_deref(),
        Some(NEW_HASH)
    );
}

#[tokio::test]
async fn change_of_unknown_client_fails() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let other = fixture.app("loja-b").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let change = PasswordChange {
        app_id: other.id,
        client_id: client.id,
        password_hash: NEW_HASH.to_owned(),
        at: now(),
        token: None,
        access: None::<AccessEvent>,
        audit: None,
    };

    let error = fixture
        .store
        .change_password(&change)
        .await
        .expect_err("client is not in the other app");

    assert_eq!(error, clientela_domain::error::RepositoryError::NotFound);
}
