use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::values::TransactionStatusKind::*;

const T0: OffsetDateTime = datetime!(2026-03-10 12:00 UTC);

fn event(kind: TransactionStatusKind, minutes: i64) -> StatusEvent {
    StatusEvent {
        status: TransactionStatus {
            kind,
            raw: Some(kind.as_str().to_uppercase()),
        },
        occurred_at: T0 + time::Duration::minutes(minutes),
    }
}

#[test]
fn rank_orders_a_charge_life() {
    let order = [
        Pending,
        Overdue,
        Cancelled,
        Paid,
        Disputed,
        PartiallyRefunded,
        Refunded,
        Chargeback,
    ];
    for pair in order.windows(2) {
        assert!(
            rank(pair[0]) < rank(pair[1]),
            "{:?} < {:?}",
            pair[0],
            pair[1]
        );
    }
    assert_eq!(rank(Expired), rank(Cancelled));
}

#[test]
fn access_states() {
    for kind in TransactionStatusKind::ALL {
        let expected = matches!(kind, Paid | Disputed | PartiallyRefunded);
        assert_eq!(grants_access(kind), expected, "{kind:?}");
    }
}

#[test]
fn revoke_reasons() {
    assert_eq!(revoke_reason(Refunded), Some(RevokeReason::Refund));
    assert_eq!(revoke_reason(Chargeback), Some(RevokeReason::Chargeback));
    for kind in [
        Pending,
        Overdue,
        Expired,
        Cancelled,
        Paid,
        Disputed,
        PartiallyRefunded,
    ] {
        assert_eq!(revoke_reason(kind), None, "{kind:?}");
    }
}

#[test]
fn fold_of_nothing_is_none() {
    assert_eq!(fold_status(&[]), None);
}

#[test]
fn refund_before_approval_ends_refunded() {
    let paid = event(Paid, 0);
    let refunded = event(Refunded, 60);
    assert_eq!(fold_status([&refunded, &paid]), Some(refunded.clone()));
    assert_eq!(fold_status([&paid, &refunded]), Some(refunded));
}

#[test]
fn late_pending_does_not_override_paid() {
    let pending = event(Pending, 0);
    let paid = event(Paid, 5);
    assert_eq!(fold_status([&paid, &pending]), Some(paid));
}

#[test]
fn duplicate_event_changes_nothing() {
    let paid = event(Paid, 0);
    assert_eq!(fold_status([&paid, &paid]), Some(paid.clone()));
    assert!(!supersedes(&paid, &paid));
}

#[test]
fn same_rank_later_event_wins() {
    let expired = event(Expired, 0);
    let cancelled = event(Cancelled, 10);
    assert!(supersedes(&cancelled, &expired));
    assert!(!supersedes(&expired, &cancelled));
    assert_eq!(fold_status([&cancelled, &expired]), Some(cancelled));
}

#[test]
fn higher_rank_wins_even_if_older() {
    let chargeback = event(Chargeback, 0);
    let paid = event(Paid, 30);
    assert!(supersedes(&chargeback, &paid));
    assert_eq!(fold_status([&chargeback, &paid]), Some(chargeback));
}

#[test]
fn tie_on_time_breaks_on_raw_value() {
    let mut first = event(Paid, 0);
    first.status.raw = Some("APPROVED".to_owned());
    let mut second = event(Paid, 0);
    second.status.raw = Some("COMPLETE".to_owned());
    assert!(supersedes(&second, &first));
    assert_eq!(
        fold_status([&second, &first]),
        fold_status([&first, &second])
    );
}

#[test]
fn effect_of_first_status() {
    assert_eq!(access_effect(None, Paid), AccessEffect::Grant);
    assert_eq!(access_effect(None, Disputed), AccessEffect::Grant);
    assert_eq!(access_effect(None, Pending), AccessEffect::None);
    assert_eq!(access_effect(None, Refunded), AccessEffect::None);
    assert_eq!(access_effect(None, Chargeback), AccessEffect::None);
}

#[test]
fn effect_of_approval() {
    assert_eq!(access_effect(Some(Pending), Paid), AccessEffect::Grant);
    assert_eq!(access_effect(Some(Overdue), Paid), AccessEffect::Grant);
    assert_eq!(access_effect(Some(Paid), Paid), AccessEffect::None);
    assert_eq!(access_effect(Some(Paid), Disputed), AccessEffect::None);
}

#[test]
fn effect_of_refund_and_chargeback() {
    assert_eq!(
        access_effect(Some(Paid), Refunded),
        AccessEffect::Revoke(RevokeReason::Refund)
    );
    assert_eq!(
        access_effect(Some(Disputed), Chargeback),
        AccessEffect::Revoke(RevokeReason::Chargeback)
    );
    assert_eq!(
        access_effect(Some(Refunded), Chargeback),
        AccessEffect::None
    );
    assert_eq!(access_effect(Some(Pending), Refunded), AccessEffect::None);
}

#[test]
fn effect_of_non_paying_states() {
    for kind in [Pending, Overdue, Expired, Cancelled] {
        assert_eq!(
            access_effect(Some(Pending), kind),
            AccessEffect::None,
            "{kind:?}"
        );
    }
}
