use futures::executor::block_on;
use mockall::predicate::eq;
use time::Duration;

use super::*;
use crate::account::{
    ACCOUNT_EMAIL_COOLDOWN, AccountEmail, AccountToken, PasswordChange, SecretToken, TokenPurpose,
};
use crate::client::AccessKind;
use crate::notification::{NotificationContent, NotificationKind};
use crate::services::test_support::NOW;

/// Records every queued account e-mail. The store returns `queued`.
fn queueing(ports: &mut Ports, queued: bool) -> Recorded<AccountEmail> {
    let (sink, emails) = recorder();
    ports
        .accounts
        .expect_queue_account_email()
        .returning(move |email| {
            sink.lock().expect("lock").push(email.clone());
            Ok(queued)
        });
    emails
}

fn finding_login(ports: &mut Ports, record: Option<LoginRecord>) {
    ports
        .accounts
        .expect_find_login()
        .times(1)
        .returning(move |_, _| Ok(record.clone()));
}

/// Returns the plain token an e-mail's content carries.
fn link_token(email: &AccountEmail) -> String {
    match &email.notification.content {
        NotificationContent::FirstAccess { token, .. }
        | NotificationContent::PasswordReset { token, .. } => token.clone(),
        other => panic!("not a link e-mail: {other:?}"),
    }
}

#[test]
fn first_access_mails_set_password_link() {
    let (app, client) = app_and_client();
    let client = without_password(&client);
    let mut ports = Ports::default();
    finding_login(&mut ports, Some(login_record(&client)));
    let emails = queueing(&mut ports, true);

    block_on(
        ports
            .service()
            .request_first_access(&app, "Ana.Souza@example.com"),
    )
    .expect("request accepted");

    let emails = taken(&emails);
    assert_eq!(emails.len(), 1);
    let email = &emails[0];
    let token = email.token.as_ref().expect("a link token");
    assert_eq!(email.kind(), NotificationKind::FirstAccess);
    assert_eq!(token.purpose, TokenPurpose::FirstAccess);
    assert_eq!(token.client_id, client.id);
    assert_eq!(token.expires_at, NOW + Duration::days(7));
    let plain = SecretToken::parse(&link_token(email)).expect("well-formed token");
    assert_eq!(plain.hash(), token.token_hash);
    assert_eq!(
        email.notification.dedupe_key,
        format!("first_access:{}", token.id)
    );
    assert_eq!(email.cooldown_start, NOW - ACCOUNT_EMAIL_COOLDOWN);
    assert_eq!(email.notification.recipient, client.email);
    assert_eq!(email.audit, None);
}

#[test]
fn reset_request_mails_reset_link() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default();
    finding_login(&mut ports, Some(login_record(&client)));
    let emails = queueing(&mut ports, true);

    block_on(
        ports
            .service()
            .request_password_reset(&app, "ana.souza@example.com"),
    )
    .expect("request accepted");

    let email = &taken(&emails)[0];
    let token = email.token.as_ref().expect("a link token");
    assert_eq!(email.kind(), NotificationKind::PasswordReset);
    assert_eq!(token.purpose, TokenPurpose::PasswordReset);
    assert_eq!(token.expires_at, NOW + Duration::hours(1));
}

#[test]
fn first_access_with_password_mails_reset() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default();
    finding_login(&mut ports, Some(login_record(&client)));
    let emails = queueing(&mut ports, true);

    block_on(
        ports
            .service()
            .request_first_access(&app, "ana.souza@example.com"),
    )
    .expect("request accepted");

    assert_eq!(taken(&emails)[0].kind(), NotificationKind::PasswordReset);
}

#[test]
fn link_request_for_unknown_email_queues_nothing() {
    let app = app();
    let mut ports = Ports::default();
    finding_login(&mut ports, None);

    block_on(
        ports
            .service()
            .request_password_reset(&app, "nobody@example.com"),
    )
    .expect("same answer as for a client");
}

#[test]
fn link_request_for_inactive_queues_nothing() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default();
    finding_login(&mut ports, Some(login_record(&inactive(&client))));

    block_on(
        ports
            .service()
            .request_first_access(&app, "ana.souza@example.com"),
    )
    .expect("same answer as for an active client");
}

#[test]
fn link_request_during_cooldown_succeeds() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default();
    finding_login(&mut ports, Some(login_record(&client)));
    queueing(&mut ports, false);

    block_on(
        ports
            .service()
            .request_password_reset(&app, "ana.souza@example.com"),
    )
    .expect("a suppressed e-mail is not an error");
}

#[test]
fn link_request_rejects_invalid_email() {
    let app = app();

    let error = block_on(
        Ports::default()
            .service()
            .request_password_reset(&app, "ana@"),
    )
    .expect_err("invalid e-mail");

    assert_eq!(
        field_errors(error),
        vec![("email".to_owned(), "invalid_email")]
    );
}

/// Issues a usable token of `purpose` for `client` ten minutes before [`NOW`].
fn issued(client: &Client, purpose: TokenPurpose) -> (SecretToken, AccountToken) {
    AccountToken::issue(
        client.app_id,
        client.id,
        purpose,
        NOW - Duration::minutes(10),
    )
}

fn finding_token(ports: &mut Ports, plain: &SecretToken, record: AccountToken) {
    ports
        .accounts
        .expect_find_token()
        .with(eq(record.app_id), eq(plain.hash()))
        .times(1)
        .returning(move |_, _| Ok(Some(record.clone())));
}

/// Records every password change. The store returns `applied`.
fn changing(ports: &mut Ports, applied: bool) -> Recorded<PasswordChange> {
    let (sink, changes) = recorder();
    ports
        .accounts
        .expect_change_password()
        .returning(move |change| {
            sink.lock().expect("lock").push(change.clone());
            Ok(applied)
        });
    changes
}

#[test]
fn reset_link_sets_password() {
    let (app, client) = app_and_client();
    let (plain, record) = issued(&client, TokenPurpose::PasswordReset);
    let token_id = record.id;
    let mut ports = Ports::default().with_client(&client).hashing();
    finding_token(&mut ports, &plain, record);
    let changes = changing(&mut ports, true);

    block_on(ports.service().set_password_with_link(
        &app,
        TokenPurpose::PasswordReset,
        plain.as_str(),
        "nova senha segura",
        &origin(),
    ))
    .expect("password set");

    let change = &taken(&changes)[0];
    assert_eq!(change.password_hash, NEW_HASH);
    assert_eq!(change.token, Some(token_id));
    assert_eq!(change.client_id, client.id);
    assert_eq!(change.at, NOW);
    assert_eq!(change.audit, None);
    let access = change.access.as_ref().expect("an access entry");
    assert_eq!(access.kind, AccessKind::PasswordReset);
    assert_eq!(access.user_agent.as_deref(), Some(USER_AGENT));
}

#[test]
fn first_access_link_logs_first_access() {
    let (app, client) = app_and_client();
    let client = without_password(&client);
    let (plain, record) = issued(&client, TokenPurpose::FirstAccess);
    let mut ports = Ports::default().with_client(&client).hashing();
    finding_token(&mut ports, &plain, record);
    let changes = changing(&mut ports, true);

    block_on(ports.service().set_password_with_link(
        &app,
        TokenPurpose::FirstAccess,
        plain.as_str(),
        "nova senha segura",
        &origin(),
    ))
    .expect("password set");

    let change = &taken(&changes)[0];
    assert_eq!(
        change.access.as_ref().map(|access| access.kind),
        Some(AccessKind::FirstAccess)
    );
}

#[test]
fn link_of_other_purpose_is_invalid() {
    let (app, client) = app_and_client();
    let (plain, record) = issued(&client, TokenPurpose::FirstAccess);
    let mut ports = Ports::default();
    finding_token(&mut ports, &plain, record);

    let error = block_on(ports.service().set_password_with_link(
        &app,
        TokenPurpose::PasswordReset,
        plain.as_str(),
        "nova senha segura",
        &origin(),
    ))
    .expect_err("wrong purpose");

    assert_eq!(error, AccountError::InvalidToken);
}

#[test]
fn unusable_links_are_invalid() {
    let (app, client) = app_and_client();
    let (plain, fresh) = issued(&client, TokenPurpose::PasswordReset);
    let cases = [
        AccountToken {
            used_at: Some(NOW - Duration::minutes(5)),
            ..fresh.clone()
        },
        AccountToken {
            invalidated_at: Some(NOW - Duration::minutes(5)),
            ..fresh.clone()
        },
        AccountToken {
            expires_at: NOW,
            ..fresh
        },
    ];

    for record in cases {
        let mut ports = Ports::default();
        finding_token(&mut ports, &plain, record.clone());

        let error = block_on(ports.service().set_password_with_link(
            &app,
            TokenPurpose::PasswordReset,
            plain.as_str(),
            "nova senha segura",
            &origin(),
        ))
        .expect_err("token is not usable");

        assert_eq!(error, AccountError::InvalidToken, "{record:?}");
    }
}

#[test]
fn unknown_or_malformed_link_is_invalid() {
    let app = app();
    let mut ports = Ports::default();
    ports
        .accounts
        .expect_find_token()
        .times(1)
        .returning(|_, _| Ok(None));
    let service = ports.service();

    let unknown = block_on(service.check_link(
        &app,
        TokenPurpose::FirstAccess,
        SecretToken::generate().as_str(),
    ))
    .expect_err("unknown token");
    let malformed = block_on(service.check_link(&app, TokenPurpose::FirstAccess, "x"))
        .expect_err("malformed token");

    assert_eq!(unknown, AccountError::InvalidToken);
    assert_eq!(malformed, AccountError::InvalidToken);
}

#[test]
fn check_link_accepts_usable_token() {
    let (app, client) = app_and_client();
    let (plain, record) = issued(&client, TokenPurpose::FirstAccess);
    let mut ports = Ports::default();
    finding_token(&mut ports, &plain, record);

    block_on(
        ports
            .service()
            .check_link(&app, TokenPurpose::FirstAccess, plain.as_str()),
    )
    .expect("token is usable");
}

#[test]
fn link_with_short_password_is_rejected() {
    let (app, client) = app_and_client();
    let (plain, record) = issued(&client, TokenPurpose::PasswordReset);
    let mut ports = Ports::default();
    finding_token(&mut ports, &plain, record);

    let error = block_on(ports.service().set_password_with_link(
        &app,
        TokenPurpose::PasswordReset,
        plain.as_str(),
        "curta",
        &origin(),
    ))
    .expect_err("password too short");

    assert_eq!(
        field_errors(error),
        vec![("password".to_owned(), "too_short")]
    );
}

#[test]
fn link_used_concurrently_is_invalid() {
    let (app, client) = app_and_client();
    let (plain, record) = issued(&client, TokenPurpose::PasswordReset);
    let mut ports = Ports::default().with_client(&client).hashing();
    finding_token(&mut ports, &plain, record);
    changing(&mut ports, false);

    let error = block_on(ports.service().set_password_with_link(
        &app,
        TokenPurpose::PasswordReset,
        plain.as_str(),
        "nova senha segura",
        &origin(),
    ))
    .expect_err("the store refused the token");

    assert_eq!(error, AccountError::InvalidToken);
}

#[test]
fn link_of_inactive_client_refused() {
    let (app, client) = app_and_client();
    let (plain, record) = issued(&client, TokenPurpose::PasswordReset);
    let mut ports = Ports::default().with_client(&inactive(&client));
    finding_token(&mut ports, &plain, record);

    let error = block_on(ports.service().set_password_with_link(
        &app,
        TokenPurpose::PasswordReset,
        plain.as_str(),
        "nova senha segura",
        &origin(),
    ))
    .expect_err("client is inactive");

    assert_eq!(error, AccountError::AccountDisabled);
}
