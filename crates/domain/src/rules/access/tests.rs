use std::collections::BTreeSet;

use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::grant::{Revocation, RevokeReason};
use crate::ids::{AppId, ClientId};
use crate::tenant::Actor;

const NOW: OffsetDateTime = datetime!(2026-03-10 12:00 UTC);

fn grant(product: ProductId, source: GrantSource, transaction: Option<TransactionId>) -> Grant {
    Grant {
        id: GrantId::generate(),
        app_id: AppId::from_uuid(uuid::Uuid::nil()),
        client_id: ClientId::from_uuid(uuid::Uuid::nil()),
        product_id: product,
        source,
        transaction_id: transaction,
        granted_by: Actor::System,
        granted_at: datetime!(2026-01-01 12:00 UTC),
        expires_at: None,
        revocation: None,
    }
}

fn purchase(product: ProductId, transaction: TransactionId) -> Grant {
    grant(product, GrantSource::Purchase, Some(transaction))
}

fn revoked(mut grant: Grant) -> Grant {
    grant.revocation = Some(Revocation {
        at: datetime!(2026-02-01 12:00 UTC),
        reason: RevokeReason::Refund,
        by: Actor::System,
    });
    grant
}

fn products(ids: &[ProductId]) -> BTreeSet<ProductId> {
    ids.iter().copied().collect()
}

#[test]
fn accessible_products_of_active_grants() {
    let (course, ebook) = (ProductId::generate(), ProductId::generate());
    let grants = [
        purchase(course, TransactionId::generate()),
        grant(ebook, GrantSource::Manual, None),
    ];
    assert_eq!(
        accessible_products(&grants, NOW),
        products(&[course, ebook])
    );
}

#[test]
fn revoked_grant_gives_no_access() {
    let course = ProductId::generate();
    let grants = [revoked(purchase(course, TransactionId::generate()))];
    assert!(accessible_products(&grants, NOW).is_empty());
}

#[test]
fn expired_grant_gives_no_access() {
    let course = ProductId::generate();
    let mut expired = grant(course, GrantSource::Manual, None);
    expired.expires_at = Some(NOW - time::Duration::DAY);
    let mut expiring_now = grant(course, GrantSource::Manual, None);
    expiring_now.expires_at = Some(NOW);
    assert!(accessible_products(&[expired, expiring_now], NOW).is_empty());
}

#[test]
fn grant_with_future_expiry_gives_access() {
    let course = ProductId::generate();
    let mut grant = grant(course, GrantSource::Manual, None);
    grant.expires_at = Some(NOW + time::Duration::SECOND);
    assert_eq!(accessible_products(&[grant], NOW), products(&[course]));
}

#[test]
fn refunding_one_bundle_keeps_products_of_another() {
    let (course, ebook, mentoring) = (
        ProductId::generate(),
        ProductId::generate(),
        ProductId::generate(),
    );
    let (combo, second_purchase) = (TransactionId::generate(), TransactionId::generate());
    let mut grants = vec![
        purchase(course, combo),
        purchase(ebook, combo),
        purchase(ebook, second_purchase),
        purchase(mentoring, second_purchase),
    ];

    let revoked_ids = grants_revoked_by_transaction(&grants, combo, NOW);
    assert_eq!(revoked_ids, vec![grants[0].id, grants[1].id]);
    for grant in grants.iter_mut().filter(|g| revoked_ids.contains(&g.id)) {
        *grant = revoked(grant.clone());
    }

    assert_eq!(
        accessible_products(&grants, NOW),
        products(&[ebook, mentoring])
    );
}

#[test]
fn refund_keeps_manual_grant_of_same_product() {
    let course = ProductId::generate();
    let sale = TransactionId::generate();
    let grants = [
        purchase(course, sale),
        grant(course, GrantSource::Manual, None),
    ];
    let revoked_ids = grants_revoked_by_transaction(&grants, sale, NOW);
    assert_eq!(revoked_ids, vec![grants[0].id]);
    let after = [revoked(grants[0].clone()), grants[1].clone()];
    assert_eq!(accessible_products(&after, NOW), products(&[course]));
}

#[test]
fn transaction_revokes_only_its_own_paid_grants() {
    let course = ProductId::generate();
    let (sale, other_sale) = (TransactionId::generate(), TransactionId::generate());
    let grants = [
        purchase(course, sale),
        grant(course, GrantSource::Subscription, Some(sale)),
        grant(course, GrantSource::Manual, Some(sale)),
        grant(course, GrantSource::Import, Some(sale)),
        purchase(course, other_sale),
        revoked(purchase(course, sale)),
    ];
    assert_eq!(
        grants_revoked_by_transaction(&grants, sale, NOW),
        vec![grants[0].id, grants[1].id]
    );
}

#[test]
fn transaction_without_grants_revokes_nothing() {
    let grants = [purchase(ProductId::generate(), TransactionId::generate())];
    assert!(grants_revoked_by_transaction(&grants, TransactionId::generate(), NOW).is_empty());
}

#[test]
fn admin_revokes_every_active_grant_of_product() {
    let (course, ebook) = (ProductId::generate(), ProductId::generate());
    let grants = [
        purchase(course, TransactionId::generate()),
        grant(course, GrantSource::Manual, None),
        grant(course, GrantSource::Import, None),
        grant(ebook, GrantSource::Manual, None),
        revoked(grant(course, GrantSource::Manual, None)),
    ];
    assert_eq!(
        grants_revoked_by_admin(&grants, course, NOW),
        vec![grants[0].id, grants[1].id, grants[2].id]
    );
}

#[test]
fn admin_revoke_skips_expired_grants() {
    let course = ProductId::generate();
    let mut expired = grant(course, GrantSource::Manual, None);
    expired.expires_at = Some(NOW - time::Duration::DAY);
    assert!(grants_revoked_by_admin(&[expired], course, NOW).is_empty());
}
