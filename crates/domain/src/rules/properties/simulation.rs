//! Events applied one at a time, as the webhook handler applies them, end with the
//! access the final status calls for, whatever the order and the repeats.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::{NOW, deliveries, grant};
use crate::grant::{Grant, GrantSource, Revocation};
use crate::ids::{ProductId, TransactionId};
use crate::rules::access::{accessible_products, grants_revoked_by_transaction};
use crate::rules::transaction_state::{
    AccessEffect, StatusEvent, access_effect, fold_status, grants_access, supersedes,
};
use crate::tenant::Actor;
use crate::values::TransactionStatusKind;

/// One transaction of a two-product bundle, next to a manual grant of one of the
/// bundle's products and another purchase of a third product.
struct Simulation {
    transaction: TransactionId,
    bundle: [ProductId; 2],
    status: Option<StatusEvent>,
    grants: Vec<Grant>,
    grant_effects: usize,
}

impl Simulation {
    fn new() -> Self {
        let bundle = [ProductId::generate(), ProductId::generate()];
        let other_product = ProductId::generate();
        Self {
            transaction: TransactionId::generate(),
            bundle,
            status: None,
            grants: vec![
                grant(bundle[1], GrantSource::Manual, None),
                grant(
                    other_product,
                    GrantSource::Purchase,
                    Some(TransactionId::generate()),
                ),
            ],
            grant_effects: 0,
        }
    }

    /// Applies one delivered event: a stale or repeated event is skipped, a newer
    /// one moves the status and has its effect on the grants.
    fn apply(&mut self, event: &StatusEvent) {
        if let Some(current) = &self.status
            && !supersedes(event, current)
        {
            return;
        }
        let before = self.status.as_ref().map(|current| current.status.kind);
        match access_effect(before, event.status.kind) {
            AccessEffect::Grant => {
                self.grant_effects += 1;
                for product in self.bundle {
                    self.grants.push(grant(
                        product,
                        GrantSource::Purchase,
                        Some(self.transaction),
                    ));
                }
            }
            AccessEffect::Revoke(reason) => {
                let revoked = grants_revoked_by_transaction(&self.grants, self.transaction, NOW);
                for grant in self.grants.iter_mut().filter(|g| revoked.contains(&g.id)) {
                    grant.revocation = Some(Revocation {
                        at: NOW,
                        reason,
                        by: Actor::System,
                    });
                }
            }
            AccessEffect::None => {}
        }
        self.status = Some(event.clone());
    }

    /// Computes the access the final status calls for: the untouched grants, plus
    /// the bundle while the transaction's status gives access.
    fn expected_access(&self) -> BTreeSet<ProductId> {
        let mut expected: BTreeSet<ProductId> = self.grants[..2]
            .iter()
            .map(|grant| grant.product_id)
            .collect();
        if self
            .status
            .as_ref()
            .is_some_and(|s| grants_access(s.status.kind))
        {
            expected.extend(self.bundle);
        }
        expected
    }
}

proptest! {
    #[test]
    fn stepwise_access_matches_final_status((in_order, shuffled) in deliveries()) {
        for delivered in [&in_order, &shuffled] {
            let mut simulation = Simulation::new();
            for event in delivered.iter() {
                simulation.apply(event);
            }

            prop_assert_eq!(&simulation.status, &fold_status(delivered.iter()));
            prop_assert_eq!(
                accessible_products(&simulation.grants, NOW),
                simulation.expected_access()
            );
            prop_assert!(simulation.grant_effects <= 1, "bundle granted twice");

            // A refund or chargeback ends access for good, whenever it arrives.
            let refunded = delivered.iter().any(|event| {
                matches!(
                    event.status.kind,
                    TransactionStatusKind::Refunded | TransactionStatusKind::Chargeback
                )
            });
            if refunded {
                let access = accessible_products(&simulation.grants, NOW);
                prop_assert!(!access.contains(&simulation.bundle[0]), "refunded bundle still accessible");
            }
        }
    }
}
