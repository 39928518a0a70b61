use futures::executor::block_on;
use mockall::predicate::eq;
use time::Duration;

use super::*;
use crate::account::{AccessEvent, SESSION_TTL, SecretToken, Session};
use crate::client::AccessKind;
use crate::grant::{Grant, GrantSource, Revocation, RevokeReason};
use crate::ids::{GrantId, ProductId};
use crate::product::Product;
use crate::services::test_support::{NOW, product};
use crate::tenant::Actor;

/// Starts a session of `client` `age` before [`NOW`] and returns its token and
/// record.
fn session(client: &Client, age: Duration) -> (SecretToken, Session) {
    Session::start(client.app_id, client.id, NOW - age)
}

fn finding_session(ports: &mut Ports, token: &SecretToken, session: Session) {
    ports
        .sessions
        .expect_find_session()
        .with(eq(session.app_id), eq(token.hash()))
        .times(1)
        .returning(move |_, _| Ok(Some(session.clone())));
}

fn grant(client: &Client, product: ProductId, expires_at: Option<time::OffsetDateTime>) -> Grant {
    Grant {
        id: GrantId::generate(),
        app_id: client.app_id,
        client_id: client.id,
        product_id: product,
        source: GrantSource::Purchase,
        transaction_id: None,
        granted_by: Actor::System,
        granted_at: NOW - Duration::days(20),
        expires_at,
        revocation: None,
    }
}

#[test]
fn logout_revokes_session() {
    let app = app();
    let token = SecretToken::generate();
    let mut ports = Ports::default();
    ports
        .sessions
        .expect_revoke_session()
        .with(eq(app.id), eq(token.hash()), eq(NOW))
        .times(1)
        .returning(|_, _, _| Ok(true));

    block_on(ports.service().logout(&app, token.as_str())).expect("logout succeeds");
}

#[test]
fn logout_unknown_session_fails() {
    let app = app();
    let mut ports = Ports::default();
    ports
        .sessions
        .expect_revoke_session()
        .returning(|_, _, _| Ok(false));

    let error = block_on(
        ports
            .service()
            .logout(&app, SecretToken::generate().as_str()),
    )
    .expect_err("nothing to revoke");

    assert_eq!(error, AccountError::InvalidSession);
}

#[test]
fn malformed_session_token_fails_without_lookup() {
    let app = app();
    let service = Ports::default().service();

    let logout = block_on(service.logout(&app, "abc")).expect_err("malformed token");
    let me = block_on(service.me(&app, "abc", &origin())).expect_err("malformed token");

    assert_eq!(logout, AccountError::InvalidSession);
    assert_eq!(me, AccountError::InvalidSession);
}

#[test]
fn me_lists_only_current_products() {
    let (app, client) = app_and_client();
    let (token, session) = session(&client, Duration::hours(1));
    let violao = product(&app, "Violão Básico");
    let harmonia = product(&app, "Harmonia");
    let expired = ProductId::generate();
    let refunded = ProductId::generate();
    let mut refunded_grant = grant(&client, refunded, None);
    refunded_grant.revocation = Some(Revocation {
        at: NOW - Duration::days(1),
        reason: RevokeReason::Refund,
        by: Actor::System,
    });
    let grants = vec![
        grant(&client, violao.id, None),
        grant(&client, harmonia.id, Some(NOW + Duration::days(3))),
        grant(&client, expired, Some(NOW - Duration::seconds(1))),
        refunded_grant,
    ];

    let mut ports = Ports::default().with_client(&client);
    finding_session(&mut ports, &token, session);
    ports
        .grants
        .expect_client_grants()
        .with(eq(app.id), eq(client.id))
        .returning(move |_, _| Ok(grants.clone()));
    let catalogue: Vec<Product> = vec![violao.clone(), harmonia.clone()];
    ports
        .products
        .expect_find_products()
        .withf(move |_, ids| {
            let mut ids = ids.to_vec();
            ids.sort();
            let mut expected = vec![violao.id, harmonia.id];
            expected.sort();
            ids == expected
        })
        .times(1)
        .returning(move |_, _| Ok(catalogue.clone()));

    let profile =
        block_on(ports.service().me(&app, token.as_str(), &origin())).expect("profile returned");

    let names: Vec<&str> = profile
        .products
        .iter()
        .map(|item| item.product.name.as_str())
        .collect();
    assert_eq!(names, ["Harmonia", "Violão Básico"]);
    assert_eq!(
        profile.products[0].access_expires_at,
        Some(NOW + Duration::days(3))
    );
    assert_eq!(profile.products[1].access_expires_at, None);
    assert_eq!(profile.client.id, client.id);
}

#[test]
fn me_without_grants_skips_catalogue() {
    let (app, client) = app_and_client();
    let (token, session) = session(&client, Duration::hours(1));
    let mut ports = Ports::default().with_client(&client);
    finding_session(&mut ports, &token, session);
    ports
        .grants
        .expect_client_grants()
        .returning(|_, _| Ok(Vec::new()));

    let profile =
        block_on(ports.service().me(&app, token.as_str(), &origin())).expect("profile returned");

    assert!(profile.products.is_empty());
}

#[test]
fn day_old_session_is_refreshed() {
    let (app, client) = app_and_client();
    let (token, session) = session(&client, Duration::days(2));
    let session_id = session.id;
    let mut ports = Ports::default().with_client(&client);
    finding_session(&mut ports, &token, session);
    let (sink, refreshes) = recorder::<AccessEvent>();
    ports
        .sessions
        .expect_refresh_session()
        .withf(move |_, id, expires_at, _| *id == session_id && *expires_at == NOW + SESSION_TTL)
        .times(1)
        .returning(move |_, _, _, event| {
            sink.lock().expect("lock").push(event.clone());
            Ok(true)
        });
    ports
        .grants
        .expect_client_grants()
        .returning(|_, _| Ok(Vec::new()));

    let profile =
        block_on(ports.service().me(&app, token.as_str(), &origin())).expect("profile returned");

    let refreshes = taken(&refreshes);
    assert_eq!(refreshes[0].kind, AccessKind::SessionRefresh);
    assert_eq!(refreshes[0].at, NOW);
    assert_eq!(refreshes[0].ip.as_deref(), Some("203.0.113.9"));
    assert_eq!(profile.client.last_access_at, Some(NOW));
}

#[test]
fn refresh_of_revoked_session_fails() {
    let (app, client) = app_and_client();
    let (token, session) = session(&client, Duration::days(2));
    let mut ports = Ports::default().with_client(&client);
    finding_session(&mut ports, &token, session);
    ports
        .sessions
        .expect_refresh_session()
        .returning(|_, _, _, _| Ok(false));

    let error = block_on(ports.service().me(&app, token.as_str(), &origin()))
        .expect_err("session was revoked meanwhile");

    assert_eq!(error, AccountError::InvalidSession);
}

#[test]
fn expired_session_is_invalid() {
    let (app, client) = app_and_client();
    let (token, session) = session(&client, SESSION_TTL);
    let mut ports = Ports::default();
    finding_session(&mut ports, &token, session);

    let error =
        block_on(ports.service().me(&app, token.as_str(), &origin())).expect_err("session expired");

    assert_eq!(error, AccountError::InvalidSession);
}

#[test]
fn revoked_session_is_invalid() {
    let (app, client) = app_and_client();
    let (token, mut session) = session(&client, Duration::hours(1));
    session.revoked_at = Some(NOW - Duration::minutes(1));
    let mut ports = Ports::default();
    finding_session(&mut ports, &token, session);

    let error =
        block_on(ports.service().me(&app, token.as_str(), &origin())).expect_err("session revoked");

    assert_eq!(error, AccountError::InvalidSession);
}

#[test]
fn unknown_session_is_invalid() {
    let app = app();
    let mut ports = Ports::default();
    ports
        .sessions
        .expect_find_session()
        .returning(|_, _| Ok(None));

    let error = block_on(
        ports
            .service()
            .me(&app, SecretToken::generate().as_str(), &origin()),
    )
    .expect_err("no such session");

    assert_eq!(error, AccountError::InvalidSession);
}

#[test]
fn inactive_client_session_refused() {
    let (app, client) = app_and_client();
    let (token, session) = session(&client, Duration::hours(1));
    let mut ports = Ports::default().with_client(&inactive(&client));
    finding_session(&mut ports, &token, session);

    let error = block_on(ports.service().me(&app, token.as_str(), &origin()))
        .expect_err("client is inactive");

    assert_eq!(error, AccountError::AccountDisabled);
}
