use futures::executor::block_on;
use serde_json::json;

use super::*;
use crate::account::{ACCOUNT_EMAIL_COOLDOWN, AccountEmail, PasswordChange, SecretToken};
use crate::ids::ClientId;
use crate::notification::{NotificationContent, NotificationKind};
use crate::services::test_support::{NOW, actor};

fn queueing(ports: &mut Ports) -> Recorded<AccountEmail> {
    let (sink, emails) = recorder();
    ports
        .accounts
        .expect_queue_account_email()
        .times(1)
        .returning(move |email| {
            sink.lock().expect("lock").push(email.clone());
            Ok(true)
        });
    emails
}

fn no_client(mut ports: Ports) -> Ports {
    ports
        .clients
        .expect_find_client()
        .returning(|_, _| Ok(None));
    ports
}

#[test]
fn admin_sets_password() {
    let (app, client) = app_and_client();
    let client = without_password(&client);
    let mut ports = Ports::default().with_client(&client).hashing();
    let (sink, changes) = recorder::<PasswordChange>();
    ports
        .accounts
        .expect_change_password()
        .times(1)
        .returning(move |change| {
            sink.lock().expect("lock").push(change.clone());
            Ok(true)
        });
    let actor = actor();

    block_on(
        ports
            .service()
            .admin_set_password(&app, &actor, client.id, "senha do admin"),
    )
    .expect("password set");

    let change = &taken(&changes)[0];
    assert_eq!(change.password_hash, NEW_HASH);
    assert_eq!(change.token, None);
    assert_eq!(change.access, None);
    let audit = change.audit.as_ref().expect("an audit entry");
    assert_eq!(audit.action, "client.password_set");
    assert_eq!(audit.actor, actor);
    assert_eq!(audit.before, Some(json!({ "has_password": false })));
    assert_eq!(audit.after, Some(json!({ "has_password": true })));
    assert!(!format!("{change:?}").contains(NEW_HASH));
}

#[test]
fn admin_password_is_validated() {
    let app = app();

    let error = block_on(Ports::default().service().admin_set_password(
        &app,
        &actor(),
        ClientId::generate(),
        &"x".repeat(129),
    ))
    .expect_err("password too long");

    assert_eq!(
        field_errors(error),
        vec![("password".to_owned(), "too_long")]
    );
}

#[test]
fn admin_password_of_unknown_client() {
    let app = app();
    let ports = no_client(Ports::default());

    let error = block_on(ports.service().admin_set_password(
        &app,
        &actor(),
        ClientId::generate(),
        "senha do admin",
    ))
    .expect_err("no such client");

    assert_eq!(error, AccountError::ClientNotFound);
}

#[test]
fn admin_reset_request_mails_link() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default().with_client(&client);
    let emails = queueing(&mut ports);

    block_on(
        ports
            .service()
            .admin_request_password_reset(&app, &actor(), client.id),
    )
    .expect("request queued");

    let email = &taken(&emails)[0];
    assert_eq!(email.kind(), NotificationKind::PasswordReset);
    let audit = email.audit.as_ref().expect("an audit entry");
    assert_eq!(audit.action, "client.password_link_requested");
    assert_eq!(audit.after, Some(json!({ "purpose": "password_reset" })));
    assert_eq!(audit.client_id, Some(client.id));
}

#[test]
fn admin_reset_request_for_inactive_client() {
    let (app, client) = app_and_client();
    let ports = Ports::default().with_client(&inactive(&client));

    let error = block_on(
        ports
            .service()
            .admin_request_password_reset(&app, &actor(), client.id),
    )
    .expect_err("client is inactive");

    assert_eq!(error, AccountError::ClientInactive);
}

#[test]
fn admin_reset_request_for_unknown_client() {
    let app = app();
    let ports = no_client(Ports::default());

    let error = block_on(ports.service().admin_request_password_reset(
        &app,
        &actor(),
        ClientId::generate(),
    ))
    .expect_err("no such client");

    assert_eq!(error, AccountError::ClientNotFound);
}

#[test]
fn welcome_resend_carries_link_without_password() {
    let (app, client) = app_and_client();
    let client = without_password(&client);
    let mut ports = Ports::default().with_client(&client);
    let emails = queueing(&mut ports);

    block_on(ports.service().resend_welcome(&app, &actor(), client.id)).expect("queued");

    let email = &taken(&emails)[0];
    let token = email.token.as_ref().expect("a first-access token");
    let NotificationContent::Welcome {
        set_password_token: Some(plain),
        ..
    } = &email.notification.content
    else {
        panic!(
            "not a welcome with a link: {:?}",
            email.notification.content
        );
    };
    let plain = SecretToken::parse(plain).expect("well-formed token");
    assert_eq!(plain.hash(), token.token_hash);
    assert_eq!(
        email.notification.dedupe_key,
        format!("welcome_resend:{}", email.notification.id)
    );
    assert_eq!(email.cooldown_start, NOW - ACCOUNT_EMAIL_COOLDOWN);
    assert_eq!(
        email.audit.as_ref().map(|audit| audit.action.as_str()),
        Some("client.welcome_resent")
    );
}

#[test]
fn welcome_resend_with_password_has_no_link() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default().with_client(&client);
    let emails = queueing(&mut ports);

    block_on(ports.service().resend_welcome(&app, &actor(), client.id)).expect("queued");

    let email = &taken(&emails)[0];
    assert_eq!(email.token, None);
    assert!(matches!(
        email.notification.content,
        NotificationContent::Welcome {
            set_password_token: None,
            ..
        }
    ));
}

#[test]
fn welcome_resend_for_inactive_client() {
    let (app, client) = app_and_client();
    let ports = Ports::default().with_client(&inactive(&client));

    let error = block_on(ports.service().resend_welcome(&app, &actor(), client.id))
        .expect_err("client is inactive");

    assert_eq!(error, AccountError::ClientInactive);
}
