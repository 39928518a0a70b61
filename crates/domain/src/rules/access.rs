//! Which products a client may access, derived from their grants.

use std::collections::BTreeSet;

use time::OffsetDateTime;

use crate::grant::{Grant, GrantSource};
use crate::ids::{GrantId, ProductId, TransactionId};

/// The products that at least one active grant covers at `now`. A product stays
/// accessible while any grant covers it, so revoking one bundle keeps the products
/// another purchase or a manual grant still covers.
pub fn accessible_products(grants: &[Grant], now: OffsetDateTime) -> BTreeSet<ProductId> {
    grants
        .iter()
        .filter(|grant| grant.is_active_at(now))
        .map(|grant| grant.product_id)
        .collect()
}

/// The active grants a refund or chargeback of `transaction` revokes: those the
/// transaction created. Manual and import grants are never revoked by a platform
/// event.
pub fn grants_revoked_by_transaction(
    grants: &[Grant],
    transaction: TransactionId,
    now: OffsetDateTime,
) -> Vec<GrantId> {
    grants
        .iter()
        .filter(|grant| grant.is_active_at(now))
        .filter(|grant| {
            matches!(
                grant.source,
                GrantSource::Purchase | GrantSource::Subscription
            )
        })
        .filter(|grant| grant.transaction_id == Some(transaction))
        .map(|grant| grant.id)
        .collect()
}

/// The active grants an admin's removal of `product` revokes: every grant that
/// covers it, whatever its source, so the client loses access.
pub fn grants_revoked_by_admin(
    grants: &[Grant],
    product: ProductId,
    now: OffsetDateTime,
) -> Vec<GrantId> {
    grants
        .iter()
        .filter(|grant| grant.is_active_at(now) && grant.product_id == product)
        .map(|grant| grant.id)
        .collect()
}

#[cfg(test)]
mod tests;
