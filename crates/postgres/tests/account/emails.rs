//! Account e-mails: link tokens stored with their notification, the cooldown,
//! and invalidation of older links.

use clientela_domain::account::{
    ACCOUNT_EMAIL_COOLDOWN, AccountEmail, AccountToken, SecretToken, TokenPurpose,
};
use clientela_domain::audit::AuditEntry;
use clientela_domain::client::Client;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::ClientId;
use clientela_domain::notification::{Notification, NotificationContent};
use clientela_domain::ports::AccountRepository;
use clientela_domain::tenant::Actor;
use time::{Duration, OffsetDateTime};

use crate::support::{Fixture, now};

/// Builds a password-reset e-mail of `client` issued at `at`, with its plain
/// token.
fn reset_email(client: &Client, at: OffsetDateTime) -> (SecretToken, AccountEmail) {
    let (plain, token) =
        AccountToken::issue(client.app_id, client.id, TokenPurpose::PasswordReset, at);
    let notification = Notification::new(
        client.app_id,
        client.id,
        client.email.clone(),
        NotificationContent::PasswordReset {
            client_name: client.name.as_str().to_owned(),
            token: plain.as_str().to_owned(),
        },
        format!("password_reset:{}", token.id),
        at,
    );
    let email = AccountEmail {
        notification,
        token: Some(token),
        cooldown_start: at - ACCOUNT_EMAIL_COOLDOWN,
        audit: None,
    };
    (plain, email)
}

#[tokio::test]
async fn queue_stores_token_and_notification() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let (plain, email) = reset_email(&client, now());

    let queued = fixture
        .store
        .queue_account_email(&email)
        .await
        .expect("queue");

    assert!(queued);
    let stored = fixture
        .store
        .find_token(app.id, plain.hash())
        .await
        .expect("lookup")
        .expect("token stored");
    assert_eq!(Some(stored), email.token);
    let notifications = fixture.detail(&client).await.notifications;
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0].kind, "password_reset");
    assert_eq!(notifications[0].status, "queued");
}

#[tokio::test]
async fn second_request_in_cooldown_queues_nothing() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let (first_plain, first) = reset_email(&client, now() - Duration::seconds(20));
    let (second_plain, second) = reset_email(&client, now());
    fixture
        .store
        .queue_account_email(&first)
        .await
        .expect("first queued");

    let queued = fixture
        .store
        .queue_account_email(&second)
        .await
        .expect("second request");

    assert!(!queued);
    assert_eq!(fixture.detail(&client).await.notifications.len(), 1);
    let first_token = fixture
        .store
        .find_token(app.id, first_plain.hash())
        .await
        .expect("lookup")
        .expect("first token kept");
    assert_eq!(first_token.invalidated_at, None);
    let second_token = fixture
        .store
        .find_token(app.id, second_plain.hash())
        .await
        .expect("lookup");
    assert!(second_token.is_none());
}

#[tokio::test]
async fn newer_link_invalidates_older() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let (old_plain, old) = reset_email(&client, now() - Duration::minutes(5));
    let (new_plain, new) = reset_email(&client, now());
    fixture
        .store
        .queue_account_email(&old)
        .await
        .expect("old queued");

    let queued = fixture
        .store
        .queue_account_email(&new)
        .await
        .expect("new queued");

    assert!(queued);
    let old_token = fixture
        .store
        .find_token(app.id, old_plain.hash())
        .await
        .expect("lookup")
        .expect("old token kept");
    let new_token = fixture
        .store
        .find_token(app.id, new_plain.hash())
        .await
        .expect("lookup")
        .expect("new token stored");
    assert_eq!(old_token.invalidated_at, Some(new.notification.created_at));
    assert!(new_token.is_usable_at(now()));
    assert_eq!(fixture.detail(&client).await.notifications.len(), 2);
}

#[tokio::test]
async fn cooldown_is_per_kind() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let mut welcome = Notification::new(
        app.id,
        client.id,
        client.email.clone(),
        NotificationContent::Welcome {
            client_name: "Ana Souza".to_owned(),
            set_password_token: None,
        },
        "welcome_resend:test",
        now(),
    );
    welcome.created_at = now() - Duration::seconds(10);
    let welcome_email = AccountEmail {
        cooldown_start: welcome.created_at - ACCOUNT_EMAIL_COOLDOWN,
        notification: welcome,
        token: None,
        audit: None,
    };
    fixture
        .store
        .queue_account_email(&welcome_email)
        .await
        .expect("welcome queued");
    let (_, reset) = reset_email(&client, now());

    let queued = fixture
        .store
        .queue_account_email(&reset)
        .await
        .expect("reset request");

    assert!(queued);
}

#[tokio::test]
async fn queue_writes_audit_entry() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let (_, mut email) = reset_email(&client, now());
    email.audit = Some(AuditEntry {
        app_id: app.id,
        client_id: Some(client.id),
        actor: Actor::Cli,
        action: "client.password_link_requested".to_owned(),
        before: None,
        after: Some(serde_json::json!({ "purpose": "password_reset" })),
        at: now(),
    });

    fixture
        .store
        .queue_account_email(&email)
        .await
        .expect("queued");

    let actions: Vec<String> = fixture
        .detail(&client)
        .await
        .audit
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert!(
        actions.contains(&"client.password_link_requested".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn queue_for_unknown_client_fails() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let mut client = fixture.client(&app, "ana@example.com", true).await;
    client.id = ClientId::generate();
    let (_, email) = reset_email(&client, now());

    let error = fixture
        .store
        .queue_account_email(&email)
        .await
        .expect_err("no such client");

    assert_eq!(error, RepositoryError::NotFound);
}
