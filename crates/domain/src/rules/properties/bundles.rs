//! Access with bundles, manual grants and expiry: a product stays accessible while
//! any active grant covers it, and a refund revokes only its own purchase grants.

use std::collections::BTreeSet;

use proptest::prelude::*;
use time::Duration;

use super::{NOW, grant};
use crate::grant::{Grant, GrantSource, Revocation, RevokeReason};
use crate::ids::{GrantId, ProductId, TransactionId};
use crate::rules::access::{accessible_products, grants_revoked_by_transaction};
use crate::tenant::Actor;

/// Facts of one generated grant: product index, source, transaction index,
/// whether it is revoked, and its expiry in hours from [`NOW`].
type GrantFacts = (usize, GrantSource, Option<usize>, bool, Option<i64>);

fn grant_facts() -> impl Strategy<Value = GrantFacts> {
    (
        0usize..4,
        proptest::sample::select(vec![
            GrantSource::Purchase,
            GrantSource::Subscription,
            GrantSource::Manual,
            GrantSource::Import,
        ]),
        proptest::option::of(0usize..3),
        any::<bool>(),
        proptest::option::of(-48i64..48),
    )
}

fn build(
    facts: &[GrantFacts],
    products: &[ProductId; 4],
    transactions: &[TransactionId; 3],
) -> Vec<Grant> {
    facts
        .iter()
        .map(|(product, source, transaction, is_revoked, expiry_hours)| {
            let mut grant = grant(
                products[*product],
                *source,
                transaction.map(|index| transactions[index]),
            );
            grant.expires_at = expiry_hours.map(|hours| NOW + Duration::hours(hours));
            if *is_revoked {
                grant.revocation = Some(Revocation {
                    at: NOW - Duration::DAY,
                    reason: RevokeReason::Manual,
                    by: Actor::System,
                });
            }
            grant
        })
        .collect()
}

fn is_paid_grant_of(grant: &Grant, transaction: TransactionId) -> bool {
    matches!(
        grant.source,
        GrantSource::Purchase | GrantSource::Subscription
    ) && grant.transaction_id == Some(transaction)
}

proptest! {
    #[test]
    fn access_is_union_of_active_grants(facts in proptest::collection::vec(grant_facts(), 0..12)) {
        let products = [(); 4].map(|_| ProductId::generate());
        let transactions = [(); 3].map(|_| TransactionId::generate());
        let grants = build(&facts, &products, &transactions);

        let expected: BTreeSet<ProductId> = grants
            .iter()
            .filter(|grant| {
                grant.revocation.is_none() && grant.expires_at.is_none_or(|expiry| expiry > NOW)
            })
            .map(|grant| grant.product_id)
            .collect();
        prop_assert_eq!(accessible_products(&grants, NOW), expected);
    }

    #[test]
    fn refund_revokes_only_its_own_active_paid_grants(
        facts in proptest::collection::vec(grant_facts(), 0..12),
        refunded in 0usize..3,
    ) {
        let products = [(); 4].map(|_| ProductId::generate());
        let transactions = [(); 3].map(|_| TransactionId::generate());
        let grants = build(&facts, &products, &transactions);
        let transaction = transactions[refunded];

        let revoked: BTreeSet<GrantId> =
            grants_revoked_by_transaction(&grants, transaction, NOW).into_iter().collect();
        let expected: BTreeSet<GrantId> = grants
            .iter()
            .filter(|grant| grant.is_active_at(NOW) && is_paid_grant_of(grant, transaction))
            .map(|grant| grant.id)
            .collect();
        prop_assert_eq!(&revoked, &expected);

        // A product stays accessible exactly when a grant the refund does not
        // touch still covers it.
        let remaining: Vec<Grant> = grants
            .iter()
            .filter(|grant| !revoked.contains(&grant.id))
            .cloned()
            .collect();
        for product in accessible_products(&grants, NOW) {
            let still_covered = grants.iter().any(|grant| {
                grant.product_id == product
                    && grant.is_active_at(NOW)
                    && !is_paid_grant_of(grant, transaction)
            });
            prop_assert_eq!(
                accessible_products(&remaining, NOW).contains(&product),
                still_covered
            );
        }
    }
}
