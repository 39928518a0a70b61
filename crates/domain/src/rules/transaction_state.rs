//! How a transaction's status moves when platform events arrive, in any order and
//! any number of times.
//!
//! Statuses are ranked; a transaction takes the highest-ranked status it has seen,
//! and among events of equal rank the latest by the platform's time. Taking a
//! maximum is idempotent, commutative and associative, so a duplicate changes
//! nothing and every arrival order of the same events ends in the same state. A
//! refund seen before its approval therefore still ends refunded.

use time::OffsetDateTime;

use crate::grant::RevokeReason;
use crate::values::{TransactionStatus, TransactionStatusKind};

/// Rank of a status: a higher rank is a later stage of a charge's life that an
/// earlier stage never overrides.
pub fn rank(kind: TransactionStatusKind) -> u8 {
    use TransactionStatusKind::*;
    match kind {
        Pending => 0,
        Overdue => 1,
        Expired | Cancelled => 2,
        Paid => 3,
        Disputed => 4,
        PartiallyRefunded => 5,
        Refunded => 6,
        Chargeback => 7,
    }
}

/// Whether a transaction in this status gives access to its products. A disputed
/// or partially refunded charge keeps access until it is refunded or charged back.
pub fn grants_access(kind: TransactionStatusKind) -> bool {
    use TransactionStatusKind::*;
    matches!(kind, Paid | Disputed | PartiallyRefunded)
}

/// Why a transaction in this status loses the grants it created, if it does.
pub fn revoke_reason(kind: TransactionStatusKind) -> Option<RevokeReason> {
    match kind {
        TransactionStatusKind::Refunded => Some(RevokeReason::Refund),
        TransactionStatusKind::Chargeback => Some(RevokeReason::Chargeback),
        _ => None,
    }
}

/// A status reported by one platform event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    pub status: TransactionStatus,
    pub occurred_at: OffsetDateTime,
}

/// Whether `incoming` replaces `current` as the transaction's status: it ranks
/// higher, or ranks the same and happened later. Ties on time fall back to the
/// status and then the raw value, so the order is total and no arrival order wins.
pub fn supersedes(incoming: &StatusEvent, current: &StatusEvent) -> bool {
    order_key(incoming) > order_key(current)
}

fn order_key(event: &StatusEvent) -> (u8, OffsetDateTime, TransactionStatusKind, Option<&str>) {
    (
        rank(event.status.kind),
        event.occurred_at,
        event.status.kind,
        event.status.raw.as_deref(),
    )
}

/// The status a transaction ends in after all `events`, in the order given.
pub fn fold_status<'a>(events: impl IntoIterator<Item = &'a StatusEvent>) -> Option<StatusEvent> {
    events
        .into_iter()
        .fold(None, |current, event| match current {
            Some(current) if !supersedes(event, &current) => Some(current),
            _ => Some(event.clone()),
        })
}

/// What a status change does to the transaction's grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessEffect {
    /// Create the grants of the transaction's products.
    Grant,
    /// Revoke the grants this transaction created.
    Revoke(RevokeReason),
    /// Leave grants as they are.
    None,
}

/// The effect on grants of moving from `before` (none for a new transaction) to
/// `after`.
pub fn access_effect(
    before: Option<TransactionStatusKind>,
    after: TransactionStatusKind,
) -> AccessEffect {
    let had_access = before.is_some_and(grants_access);
    if let Some(reason) = revoke_reason(after) {
        return if had_access {
            AccessEffect::Revoke(reason)
        } else {
            AccessEffect::None
        };
    }
    if grants_access(after) && !had_access {
        return AccessEffect::Grant;
    }
    AccessEffect::None
}

#[cfg(test)]
mod tests;
