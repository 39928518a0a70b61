use futures::executor::block_on;
use mockall::predicate::{always, eq};
use time::Duration;

use super::*;
use crate::account::{
    AccessEvent, EMAIL_THROTTLE, IP_THROTTLE, SESSION_TTL, Session, ThrottleKey, ThrottleKeyKind,
};
use crate::client::AccessKind;
use crate::services::test_support::NOW;

/// Expects `find_login` for `email` and returns `record`.
fn finding(ports: &mut Ports, email: &'static str, record: Option<LoginRecord>) {
    ports
        .accounts
        .expect_find_login()
        .withf(move |_, found| found.as_str() == email)
        .times(1)
        .returning(move |_, _| Ok(record.clone()));
}

fn not_locked(ports: &mut Ports) {
    ports
        .throttle
        .expect_locked_until()
        .times(1)
        .returning(|_, _, _| Ok(None));
}

/// Makes the stored hash match only [`PASSWORD`].
fn verifying(ports: &mut Ports) {
    ports
        .passwords
        .expect_verify()
        .withf(|_, phc| phc == STORED_HASH)
        .times(1)
        .returning(|password, _| Ok(password == PASSWORD));
}

/// Records the keys and policies of every counted failure.
fn counting_failures(ports: &mut Ports) -> Recorded<(ThrottleKey, u32)> {
    let (sink, failures) = recorder();
    ports
        .throttle
        .expect_record_failure()
        .returning(move |_, key, policy, now| {
            assert_eq!(now, NOW);
            sink.lock().expect("lock").push((*key, policy.max_failures));
            Ok(())
        });
    failures
}

/// Records every access-log entry written outside a session.
fn logging(ports: &mut Ports) -> Recorded<AccessEvent> {
    let (sink, events) = recorder();
    ports
        .accounts
        .expect_record_access()
        .returning(move |event| {
            sink.lock().expect("lock").push(event.clone());
            Ok(())
        });
    events
}

#[test]
fn login_starts_session() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default();
    finding(
        &mut ports,
        "ana.souza@example.com",
        Some(login_record(&client)),
    );
    not_locked(&mut ports);
    verifying(&mut ports);
    ports
        .throttle
        .expect_clear()
        .with(eq(app.id), eq(ThrottleKey::email("ana.souza@example.com")))
        .times(1)
        .returning(|_, _| Ok(()));
    let (sink, stored) = recorder::<(Session, AccessEvent)>();
    ports
        .sessions
        .expect_create_session()
        .times(1)
        .returning(move |session, login| {
            sink.lock()
                .expect("lock")
                .push((session.clone(), login.clone()));
            Ok(())
        });

    let success = block_on(ports.service().login(
        &app,
        " Ana.Souza@Example.com ",
        PASSWORD,
        &origin(),
    ))
    .expect("login succeeds");

    let stored = taken(&stored);
    let (session, login) = &stored[0];
    assert_eq!(session.token_hash, success.token.hash());
    assert_eq!(session.client_id, client.id);
    assert_eq!(session.app_id, app.id);
    assert_eq!(success.expires_at, NOW + SESSION_TTL);
    assert_eq!(login.kind, AccessKind::Login);
    assert_eq!(login.at, NOW);
    assert_eq!(login.ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(login.user_agent.as_deref(), Some(USER_AGENT));
    assert_eq!(success.client.last_access_at, Some(NOW));
    assert_eq!(success.client.first_access_at, Some(NOW));
}

#[test]
fn login_keeps_first_access() {
    let (app, mut client) = app_and_client();
    let first = NOW - Duration::days(40);
    client.first_access_at = Some(first);
    let mut ports = Ports::default();
    finding(
        &mut ports,
        "ana.souza@example.com",
        Some(login_record(&client)),
    );
    not_locked(&mut ports);
    verifying(&mut ports);
    ports.throttle.expect_clear().returning(|_, _| Ok(()));
    ports
        .sessions
        .expect_create_session()
        .returning(|_, _| Ok(()));

    let success = block_on(ports.service().login(
        &app,
        "ana.souza@example.com",
        PASSWORD,
        &origin(),
    ))
    .expect("login succeeds");

    assert_eq!(success.client.first_access_at, Some(first));
}

#[test]
fn wrong_password_counts_and_logs() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default();
    finding(
        &mut ports,
        "ana.souza@example.com",
        Some(login_record(&client)),
    );
    not_locked(&mut ports);
    verifying(&mut ports);
    let failures = counting_failures(&mut ports);
    let events = logging(&mut ports);

    let error = block_on(ports.service().login(
        &app,
        "ana.souza@example.com",
        "senha errada",
        &origin(),
    ))
    .expect_err("login fails");

    assert_eq!(error, AccountError::InvalidCredentials);
    assert_eq!(
        taken(&failures),
        vec![
            (
                ThrottleKey::email("ana.souza@example.com"),
                EMAIL_THROTTLE.max_failures
            ),
            (ThrottleKey::ip(IpAddr::V4(IP)), IP_THROTTLE.max_failures),
        ]
    );
    let events = taken(&events);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, AccessKind::LoginFailed);
    assert_eq!(events[0].client_id, client.id);
}

#[test]
fn unknown_email_verifies_dummy_hash() {
    let app = app();
    let mut ports = Ports::default();
    finding(&mut ports, "nobody@example.com", None);
    not_locked(&mut ports);
    ports
        .passwords
        .expect_hash()
        .times(1)
        .returning(|_| Ok("$argon2id$dummy".to_owned()));
    // Even a dummy hash that matched would not let anyone in.
    ports
        .passwords
        .expect_verify()
        .with(eq(PASSWORD), eq("$argon2id$dummy"))
        .times(1)
        .returning(|_, _| Ok(true));
    let failures = counting_failures(&mut ports);

    let error = block_on(
        ports
            .service()
            .login(&app, "nobody@example.com", PASSWORD, &origin()),
    )
    .expect_err("login fails");

    assert_eq!(error, AccountError::InvalidCredentials);
    assert_eq!(taken(&failures).len(), 2);
}

#[test]
fn dummy_hash_made_once() {
    let app = app();
    let mut ports = Ports::default();
    ports
        .accounts
        .expect_find_login()
        .times(2)
        .returning(|_, _| Ok(None));
    ports
        .throttle
        .expect_locked_until()
        .times(2)
        .returning(|_, _, _| Ok(None));
    ports
        .passwords
        .expect_hash()
        .times(1)
        .returning(|_| Ok("$argon2id$dummy".to_owned()));
    ports
        .passwords
        .expect_verify()
        .times(2)
        .returning(|_, _| Ok(false));
    counting_failures(&mut ports);
    let service = ports.service();

    for _ in 0..2 {
        let error = block_on(service.login(&app, "nobody@example.com", PASSWORD, &origin()))
            .expect_err("login fails");
        assert_eq!(error, AccountError::InvalidCredentials);
    }
}

#[test]
fn client_without_password_gets_same_error() {
    let (app, client) = app_and_client();
    let client = without_password(&client);
    let mut ports = Ports::default();
    finding(
        &mut ports,
        "ana.souza@example.com",
        Some(login_record(&client)),
    );
    not_locked(&mut ports);
    ports
        .passwords
        .expect_hash()
        .times(1)
        .returning(|_| Ok("$argon2id$dummy".to_owned()));
    ports
        .passwords
        .expect_verify()
        .with(always(), eq("$argon2id$dummy"))
        .times(1)
        .returning(|_, _| Ok(false));
    counting_failures(&mut ports);
    let events = logging(&mut ports);

    let error = block_on(
        ports
            .service()
            .login(&app, "ana.souza@example.com", PASSWORD, &origin()),
    )
    .expect_err("login fails");

    assert_eq!(error, AccountError::InvalidCredentials);
    assert_eq!(taken(&events)[0].kind, AccessKind::LoginFailed);
}

#[test]
fn malformed_email_is_invalid_credentials() {
    let app = app();
    let mut ports = Ports::default();
    not_locked(&mut ports);
    ports
        .passwords
        .expect_hash()
        .returning(|_| Ok("$argon2id$dummy".to_owned()));
    ports
        .passwords
        .expect_verify()
        .times(1)
        .returning(|_, _| Ok(false));
    let failures = counting_failures(&mut ports);

    let error = block_on(
        ports
            .service()
            .login(&app, "not an e-mail", PASSWORD, &origin()),
    )
    .expect_err("login fails");

    assert_eq!(error, AccountError::InvalidCredentials);
    assert_eq!(taken(&failures)[0].0, ThrottleKey::email("not an e-mail"));
}

#[test]
fn locked_login_skips_password_check() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default();
    finding(
        &mut ports,
        "ana.souza@example.com",
        Some(login_record(&client)),
    );
    ports
        .throttle
        .expect_locked_until()
        .withf(|_, keys, now| {
            *now == NOW
                && keys.len() == 2
                && keys[0].kind == ThrottleKeyKind::Email
                && keys[1].kind == ThrottleKeyKind::Ip
        })
        .times(1)
        .returning(|_, _, _| Ok(Some(NOW + Duration::minutes(10))));
    let events = logging(&mut ports);

    let error = block_on(
        ports
            .service()
            .login(&app, "ana.souza@example.com", PASSWORD, &origin()),
    )
    .expect_err("login is throttled");

    assert_eq!(
        error,
        AccountError::Throttled {
            retry_after: Duration::minutes(10)
        }
    );
    assert_eq!(taken(&events)[0].kind, AccessKind::LoginFailed);
}

#[test]
fn login_without_ip_counts_email_only() {
    let app = app();
    let mut ports = Ports::default();
    finding(&mut ports, "nobody@example.com", None);
    ports
        .throttle
        .expect_locked_until()
        .withf(|_, keys, _| keys == [ThrottleKey::email("nobody@example.com")])
        .returning(|_, _, _| Ok(None));
    ports
        .passwords
        .expect_hash()
        .returning(|_| Ok("$argon2id$dummy".to_owned()));
    ports.passwords.expect_verify().returning(|_, _| Ok(false));
    let failures = counting_failures(&mut ports);

    let error = block_on(ports.service().login(
        &app,
        "nobody@example.com",
        PASSWORD,
        &AccessOrigin::default(),
    ))
    .expect_err("login fails");

    assert_eq!(error, AccountError::InvalidCredentials);
    assert_eq!(taken(&failures).len(), 1);
}

#[test]
fn inactive_client_refused_after_password() {
    let (app, client) = app_and_client();
    let client = inactive(&client);
    let mut ports = Ports::default();
    finding(
        &mut ports,
        "ana.souza@example.com",
        Some(login_record(&client)),
    );
    not_locked(&mut ports);
    verifying(&mut ports);
    let events = logging(&mut ports);

    let error = block_on(
        ports
            .service()
            .login(&app, "ana.souza@example.com", PASSWORD, &origin()),
    )
    .expect_err("login is refused");

    assert_eq!(error, AccountError::AccountDisabled);
    assert_eq!(taken(&events)[0].kind, AccessKind::LoginFailed);
}

#[test]
fn inactive_client_wrong_password_hides_status() {
    let (app, client) = app_and_client();
    let client = inactive(&client);
    let mut ports = Ports::default();
    finding(
        &mut ports,
        "ana.souza@example.com",
        Some(login_record(&client)),
    );
    not_locked(&mut ports);
    verifying(&mut ports);
    counting_failures(&mut ports);
    logging(&mut ports);

    let error = block_on(ports.service().login(
        &app,
        "ana.souza@example.com",
        "senha errada",
        &origin(),
    ))
    .expect_err("login fails");

    assert_eq!(error, AccountError::InvalidCredentials);
}

#[test]
fn damaged_hash_is_unexpected() {
    let (app, client) = app_and_client();
    let mut ports = Ports::default();
    finding(
        &mut ports,
        "ana.souza@example.com",
        Some(login_record(&client)),
    );
    not_locked(&mut ports);
    ports.passwords.expect_verify().returning(|_, _| {
        Err(crate::ports::PasswordError::Hashing(
            "invalid PHC string".to_owned(),
        ))
    });

    let error = block_on(
        ports
            .service()
            .login(&app, "ana.souza@example.com", PASSWORD, &origin()),
    )
    .expect_err("login fails");

    assert!(matches!(error, AccountError::Unexpected(_)), "{error:?}");
}
