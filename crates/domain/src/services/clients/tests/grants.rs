use std::sync::{Arc, Mutex};

use futures::executor::block_on;
use time::Duration;

use super::{Ports, field_errors, fields};
use crate::client::{Client, ClientStatus};
use crate::error::{DomainError, RepositoryError};
use crate::grant::{Grant, GrantSource, Revocation, RevokeReason};
use crate::ids::{ClientId, GrantId, ProductId, TransactionId};
use crate::notification::{Notification, NotificationContent, NotificationKind};
use crate::product::Product;
use crate::services::GrantInput;
use crate::services::test_support::{NOW, actor, app, product, stored_client};
use crate::tenant::{Actor, App};

fn expect_client(ports: &mut Ports, client: &Client) {
    let stored = client.clone();
    ports
        .clients
        .expect_find_client()
        .times(1)
        .returning(move |_, _| Ok(Some(stored.clone())));
}

fn expect_product(ports: &mut Ports, product: &Product) {
    let found = vec![product.clone()];
    let id = product.id;
    ports
        .products
        .expect_find_products()
        .withf(move |_, ids| ids == [id])
        .times(1)
        .returning(move |_, _| Ok(found.clone()));
}

fn stored_grant(app: &App, client: &Client, product: ProductId, source: GrantSource) -> Grant {
    Grant {
        id: GrantId::generate(),
        app_id: app.id,
        client_id: client.id,
        product_id: product,
        source,
        transaction_id: (source == GrantSource::Purchase).then(TransactionId::generate),
        granted_by: Actor::System,
        granted_at: NOW - Duration::days(20),
        expires_at: None,
        revocation: None,
    }
}

#[test]
fn grant_stores_manual_grant_with_audit() {
    let app = app();
    let actor = actor();
    let client = stored_client(&app);
    let course = product(&app, "Curso");
    let mut ports = Ports::default();
    expect_client(&mut ports, &client);
    expect_product(&mut ports, &course);
    let expires_at = NOW + Duration::days(30);
    let (client_id, course_id, granted_by) = (client.id, course.id, actor.clone());
    ports
        .grants
        .expect_insert_grant()
        .withf(move |grant, audit, _| {
            grant.client_id == client_id
                && grant.product_id == course_id
                && grant.source == GrantSource::Manual
                && grant.transaction_id.is_none()
                && grant.granted_by == granted_by
                && grant.granted_at == NOW
                && grant.expires_at == Some(expires_at)
                && audit.action == "grant.create"
                && audit.client_id == Some(client_id)
                && audit.before.is_none()
                && audit
                    .after
                    .as_ref()
                    .is_some_and(|after| after["product_id"] == course_id.to_string())
        })
        .times(1)
        .returning(|_, _, _| Ok(()));

    let input = GrantInput {
        product_id: course.id,
        expires_at: Some(expires_at),
    };
    let grant = block_on(ports.service().grant(&app, &actor, client.id, input)).expect("granted");
    assert_eq!(grant.product_id, course.id);
    assert_eq!(grant.revocation, None);
}

/// Expects one `insert_grant` call and returns the notifications it was given.
fn expect_insert(ports: &mut Ports) -> Arc<Mutex<Vec<Notification>>> {
    let queued = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&queued);
    ports
        .grants
        .expect_insert_grant()
        .times(1)
        .returning(move |_, _, notifications| {
            sink.lock().expect("lock").extend_from_slice(notifications);
            Ok(())
        });
    queued
}

#[test]
fn grant_queues_access_granted() {
    let app = app();
    let client = stored_client(&app);
    let course = product(&app, "Curso de Violão");
    let mut ports = Ports::default();
    expect_client(&mut ports, &client);
    expect_product(&mut ports, &course);
    let queued = expect_insert(&mut ports);

    let input = GrantInput {
        product_id: course.id,
        expires_at: None,
    };
    let grant = block_on(ports.service().grant(&app, &actor(), client.id, input)).expect("granted");

    let queued = queued.lock().expect("lock").clone();
    assert_eq!(queued.len(), 1, "{queued:#?}");
    let notification = &queued[0];
    assert_eq!(notification.kind(), NotificationKind::AccessGranted);
    assert_eq!(
        notification.dedupe_key,
        format!("access_granted:{}", grant.id)
    );
    assert_eq!(notification.app_id, app.id);
    assert_eq!(notification.client_id, client.id);
    assert_eq!(notification.recipient, client.email);
    assert_eq!(notification.next_attempt_at, NOW);
    assert_eq!(
        notification.content,
        NotificationContent::AccessGranted {
            client_name: "Ana Souza".to_owned(),
            product_name: "Curso de Violão".to_owned(),
        }
    );
}

#[test]
fn grant_to_inactive_client_queues_nothing() {
    let app = app();
    let client = Client {
        status: ClientStatus::Inactive,
        ..stored_client(&app)
    };
    let course = product(&app, "Curso");
    let mut ports = Ports::default();
    expect_client(&mut ports, &client);
    expect_product(&mut ports, &course);
    let queued = expect_insert(&mut ports);

    let input = GrantInput {
        product_id: course.id,
        expires_at: None,
    };
    block_on(ports.service().grant(&app, &actor(), client.id, input)).expect("granted");

    assert!(queued.lock().expect("lock").is_empty());
}

#[test]
fn grant_rejects_expiry_not_in_future() {
    let app = app();
    let client = stored_client(&app);
    let course = product(&app, "Curso");
    for expires_at in [NOW, NOW - Duration::DAY] {
        let mut ports = Ports::default();
        expect_client(&mut ports, &client);
        expect_product(&mut ports, &course);
        let input = GrantInput {
            product_id: course.id,
            expires_at: Some(expires_at),
        };
        let error = block_on(ports.service().grant(&app, &actor(), client.id, input))
            .expect_err("expiry in the past");
        assert_eq!(field_errors(error), fields(&[("expires_at", "in_past")]));
    }
}

#[test]
fn grant_of_unknown_product() {
    let app = app();
    let client = stored_client(&app);
    let mut ports = Ports::default();
    expect_client(&mut ports, &client);
    ports
        .products
        .expect_find_products()
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let unknown = ProductId::generate();
    let input = GrantInput {
        product_id: unknown,
        expires_at: None,
    };
    let error =
        block_on(ports.service().grant(&app, &actor(), client.id, input)).expect_err("unknown");
    assert_eq!(error, DomainError::ProductNotFound(unknown));
}

#[test]
fn grant_to_missing_client() {
    let mut ports = Ports::default();
    ports
        .clients
        .expect_find_client()
        .times(1)
        .returning(|_, _| Ok(None));
    let input = GrantInput {
        product_id: ProductId::generate(),
        expires_at: None,
    };
    let error = block_on(
        ports
            .service()
            .grant(&app(), &actor(), ClientId::generate(), input),
    )
    .expect_err("missing client");
    assert_eq!(error, DomainError::ClientNotFound);
}

#[test]
fn grant_already_active() {
    let app = app();
    let client = stored_client(&app);
    let course = product(&app, "Curso");
    let mut ports = Ports::default();
    expect_client(&mut ports, &client);
    expect_product(&mut ports, &course);
    ports
        .grants
        .expect_insert_grant()
        .times(1)
        .returning(|_, _, _| Err(RepositoryError::GrantExists));
    let input = GrantInput {
        product_id: course.id,
        expires_at: None,
    };
    let error =
        block_on(ports.service().grant(&app, &actor(), client.id, input)).expect_err("exists");
    assert_eq!(error, DomainError::GrantExists);
}

#[test]
fn revoke_every_active_grant_of_product() {
    let app = app();
    let actor = actor();
    let client = stored_client(&app);
    let (course, ebook) = (ProductId::generate(), ProductId::generate());
    let purchase = stored_grant(&app, &client, course, GrantSource::Purchase);
    let manual = stored_grant(&app, &client, course, GrantSource::Manual);
    let other_product = stored_grant(&app, &client, ebook, GrantSource::Manual);
    let already_revoked = Grant {
        revocation: Some(Revocation {
            at: NOW - Duration::DAY,
            reason: RevokeReason::Refund,
            by: Actor::System,
        }),
        ..stored_grant(&app, &client, course, GrantSource::Purchase)
    };
    let stored = vec![
        purchase.clone(),
        other_product,
        manual.clone(),
        already_revoked,
    ];

    let mut ports = Ports::default();
    expect_client(&mut ports, &client);
    ports
        .grants
        .expect_client_grants()
        .times(1)
        .returning(move |_, _| Ok(stored.clone()));
    let expected_ids = vec![purchase.id, manual.id];
    let (ids, revoked_by) = (expected_ids.clone(), actor.clone());
    ports
        .grants
        .expect_revoke_grants()
        .withf(move |_, grants, revocation, audit| {
            grants == ids.as_slice()
                && revocation.at == NOW
                && revocation.reason == RevokeReason::Manual
                && revocation.by == revoked_by
                && audit.action == "grant.revoke"
                && audit
                    .before
                    .as_ref()
                    .is_some_and(|before| before[0]["revoked_at"].is_null())
                && audit
                    .after
                    .as_ref()
                    .is_some_and(|after| after[1]["revoke_reason"] == "manual")
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));

    let revoked =
        block_on(ports.service().revoke(&app, &actor, client.id, course)).expect("revoked");

    assert_eq!(
        revoked.iter().map(|g| g.id).collect::<Vec<_>>(),
        expected_ids
    );
    for grant in &revoked {
        let revocation = grant.revocation.as_ref().expect("revocation set");
        assert_eq!(revocation.reason, RevokeReason::Manual);
        assert_eq!(revocation.by, actor);
        assert_eq!(revocation.at, NOW);
    }
}

#[test]
fn revoke_without_active_grant() {
    let app = app();
    let client = stored_client(&app);
    let course = ProductId::generate();
    let expired = Grant {
        expires_at: Some(NOW - Duration::DAY),
        ..stored_grant(&app, &client, course, GrantSource::Manual)
    };
    let other_product = stored_grant(&app, &client, ProductId::generate(), GrantSource::Manual);
    let mut ports = Ports::default();
    expect_client(&mut ports, &client);
    ports
        .grants
        .expect_client_grants()
        .times(1)
        .returning(move |_, _| Ok(vec![expired.clone(), other_product.clone()]));

    let error = block_on(ports.service().revoke(&app, &actor(), client.id, course))
        .expect_err("nothing to revoke");
    assert_eq!(error, DomainError::GrantNotFound);
}

#[test]
fn revoke_for_missing_client() {
    let mut ports = Ports::default();
    ports
        .clients
        .expect_find_client()
        .times(1)
        .returning(|_, _| Ok(None));
    let error = block_on(ports.service().revoke(
        &app(),
        &actor(),
        ClientId::generate(),
        ProductId::generate(),
    ))
    .expect_err("missing client");
    assert_eq!(error, DomainError::ClientNotFound);
}
