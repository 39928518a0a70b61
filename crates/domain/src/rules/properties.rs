//! Property tests of the rules: any arrival order and any number of deliveries of
//! the same platform events must end in the same status and the same access.

use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::grant::{Grant, GrantSource};
use crate::ids::{AppId, ClientId, GrantId, ProductId, TransactionId};
use crate::rules::transaction_state::StatusEvent;
use crate::tenant::Actor;
use crate::values::{TransactionStatus, TransactionStatusKind};

mod bundles;
mod fold;
mod simulation;

/// The instant at which access is evaluated.
const NOW: OffsetDateTime = datetime!(2026-03-10 12:00 UTC);

/// Events of a few minutes and raw values, so equal times and equal kinds with
/// different raw values are common.
fn status_event() -> impl Strategy<Value = StatusEvent> {
    (
        proptest::sample::select(TransactionStatusKind::ALL.to_vec()),
        0i64..4,
        proptest::option::of(proptest::sample::select(vec!["a", "b"])),
    )
        .prop_map(|(kind, minute, raw)| StatusEvent {
            status: TransactionStatus {
                kind,
                raw: raw.map(str::to_owned),
            },
            occurred_at: datetime!(2026-03-01 12:00 UTC) + time::Duration::minutes(minute),
        })
}

/// Generates a multiset of events, some delivered more than once, in delivery
/// order and in a shuffled order.
fn deliveries() -> impl Strategy<Value = (Vec<StatusEvent>, Vec<StatusEvent>)> {
    (
        proptest::collection::vec(status_event(), 1..8),
        proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
    )
        .prop_flat_map(|(events, repeats)| {
            let mut delivered = events.clone();
            delivered.extend(repeats.iter().map(|index| index.get(&events).clone()));
            (Just(delivered.clone()), Just(delivered).prop_shuffle())
        })
}

/// Builds a grant with the given facts, granted before [`NOW`].
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
