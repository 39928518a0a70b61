use proptest::prelude::*;
use time::macros::datetime;

use super::*;
use crate::sale::CustomerData;
use crate::values::{Email, Platform};

const CHARGED: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);
const NEXT_CHARGE: OffsetDateTime = datetime!(2026-04-01 12:00 UTC);
const PAID_UNTIL: OffsetDateTime = datetime!(2026-04-02 00:00 UTC);
const CANCELLED: OffsetDateTime = datetime!(2026-03-15 09:30 UTC);
const RECEIVED: OffsetDateTime = datetime!(2026-03-15 09:31 UTC);

fn subscription(
    next_charge_at: Option<OffsetDateTime>,
    access_until: Option<OffsetDateTime>,
) -> SubscriptionRef {
    SubscriptionRef {
        external_id: "SUB-1".to_owned(),
        plan: None,
        recurrence: Some(1),
        next_charge_at,
        access_until,
    }
}

fn cancellation(
    cancelled_at: Option<OffsetDateTime>,
    access_until: Option<OffsetDateTime>,
) -> SubscriptionCancellation {
    SubscriptionCancellation {
        platform: Platform::Kiwify,
        event_type: "subscription_canceled".to_owned(),
        subscription_id: "SUB-1".to_owned(),
        customer: CustomerData {
            email: Email::parse("ana@example.com").expect("valid e-mail"),
            name: None,
            name_altered: false,
            phone: None,
            document: None,
        },
        products: Vec::new(),
        plan: None,
        cancelled_at,
        access_until,
    }
}

#[test]
fn charge_expiry_prefers_paid_period() {
    let both = subscription(Some(NEXT_CHARGE), Some(PAID_UNTIL));
    assert_eq!(charge_expiry(&both), Some(PAID_UNTIL));
}

#[test]
fn charge_expiry_from_next_charge_with_grace() {
    let next_only = subscription(Some(NEXT_CHARGE), None);
    assert_eq!(
        charge_expiry(&next_only),
        Some(NEXT_CHARGE + NEXT_CHARGE_GRACE)
    );
}

#[test]
fn charge_expiry_open_without_dates() {
    assert_eq!(charge_expiry(&subscription(None, None)), None);
}

#[test]
fn cancellation_ends_at_paid_period() {
    let end = SubscriptionEnd::of_cancellation(
        &cancellation(Some(CANCELLED), Some(PAID_UNTIL)),
        RECEIVED,
        CancellationTiming::EndOfPaidPeriod,
    );
    assert_eq!(end.cancelled_at, CANCELLED);
    assert_eq!(end.access_ends_at, PAID_UNTIL);
}

#[test]
fn cancellation_without_period_ends_at_once() {
    let end = SubscriptionEnd::of_cancellation(
        &cancellation(Some(CANCELLED), None),
        RECEIVED,
        CancellationTiming::EndOfPaidPeriod,
    );
    assert_eq!(end.access_ends_at, CANCELLED);
}

#[test]
fn cancellation_without_date_uses_receipt() {
    let end = SubscriptionEnd::of_cancellation(
        &cancellation(None, None),
        RECEIVED,
        CancellationTiming::EndOfPaidPeriod,
    );
    assert_eq!(end.cancelled_at, RECEIVED);
    assert_eq!(end.access_ends_at, RECEIVED);
}

#[test]
fn immediate_cancellation_ignores_paid_period() {
    let end = SubscriptionEnd::of_cancellation(
        &cancellation(Some(CANCELLED), Some(PAID_UNTIL)),
        RECEIVED,
        CancellationTiming::Immediately,
    );
    assert_eq!(end.access_ends_at, CANCELLED);

    // A paid period that already ended counts even then.
    let past = datetime!(2026-03-10 00:00 UTC);
    let end = SubscriptionEnd::of_cancellation(
        &cancellation(Some(CANCELLED), Some(past)),
        RECEIVED,
        CancellationTiming::Immediately,
    );
    assert_eq!(end.access_ends_at, past);
}

#[test]
fn capped_expiry_never_extends() {
    assert_eq!(capped_expiry(Some(NEXT_CHARGE), PAID_UNTIL), NEXT_CHARGE);
    assert_eq!(capped_expiry(Some(PAID_UNTIL), CANCELLED), CANCELLED);
    assert_eq!(capped_expiry(None, CANCELLED), CANCELLED);
}

#[test]
fn cancellation_covers_earlier_charges_only() {
    let end = SubscriptionEnd {
        cancelled_at: CANCELLED,
        access_ends_at: PAID_UNTIL,
    };
    assert!(end.covers_charge(CHARGED));
    assert!(end.covers_charge(CANCELLED));
    assert!(!end.covers_charge(CANCELLED + Duration::seconds(1)));
}

#[test]
fn late_charge_approval_is_capped() {
    let end = SubscriptionEnd {
        cancelled_at: CANCELLED,
        access_ends_at: datetime!(2026-03-20 00:00 UTC),
    };
    let charge = subscription(Some(NEXT_CHARGE), None);
    assert_eq!(
        charge_expiry_after(charge_expiry(&charge), CHARGED, Some(&end)),
        Some(datetime!(2026-03-20 00:00 UTC))
    );
    let open = subscription(None, None);
    assert_eq!(
        charge_expiry_after(charge_expiry(&open), CHARGED, Some(&end)),
        Some(datetime!(2026-03-20 00:00 UTC))
    );
}

#[test]
fn reactivation_charge_is_not_capped() {
    let end = SubscriptionEnd {
        cancelled_at: CANCELLED,
        access_ends_at: CANCELLED,
    };
    let charge = subscription(Some(NEXT_CHARGE), Some(PAID_UNTIL));
    let later = datetime!(2026-03-16 10:00 UTC);
    assert_eq!(
        charge_expiry_after(charge_expiry(&charge), later, Some(&end)),
        Some(PAID_UNTIL)
    );
    assert_eq!(
        charge_expiry_after(charge_expiry(&charge), later, None),
        Some(PAID_UNTIL)
    );
}

#[test]
fn merge_keeps_latest_cancellation() {
    let first = SubscriptionEnd {
        cancelled_at: CANCELLED,
        access_ends_at: PAID_UNTIL,
    };
    let second = SubscriptionEnd {
        cancelled_at: CANCELLED + Duration::days(20),
        access_ends_at: CANCELLED + Duration::days(25),
    };
    assert_eq!(first.merge(second), second);
    assert_eq!(second.merge(first), second);
}

fn instant() -> impl Strategy<Value = OffsetDateTime> {
    (0i64..6).prop_map(|day| CHARGED + Duration::days(day))
}

fn subscription_end() -> impl Strategy<Value = SubscriptionEnd> {
    (instant(), instant()).prop_map(|(cancelled_at, access_ends_at)| SubscriptionEnd {
        cancelled_at,
        access_ends_at,
    })
}

proptest! {
    #[test]
    fn merge_is_order_independent(a in subscription_end(), b in subscription_end(), c in subscription_end()) {
        prop_assert_eq!(a.merge(b), b.merge(a));
        prop_assert_eq!(a.merge(b).merge(c), a.merge(b.merge(c)));
        prop_assert_eq!(a.merge(a), a);
    }

    #[test]
    fn capping_is_idempotent_and_never_extends(
        current in proptest::option::of(instant()),
        end in instant(),
    ) {
        let once = capped_expiry(current, end);
        prop_assert_eq!(capped_expiry(Some(once), end), once);
        prop_assert!(once <= end);
        if let Some(current) = current {
            prop_assert!(once <= current);
        }
    }

    #[test]
    fn capped_charge_never_outlasts_cancellation(
        end in subscription_end(),
        charged_at in instant(),
        next_charge in proptest::option::of(instant()),
        access_until in proptest::option::of(instant()),
    ) {
        let charge = subscription(next_charge, access_until);
        let expiry = charge_expiry_after(charge_expiry(&charge), charged_at, Some(&end));
        if end.covers_charge(charged_at) {
            let expiry = expiry.expect("a covered charge always expires");
            prop_assert!(expiry <= end.access_ends_at);
        } else {
            prop_assert_eq!(expiry, charge_expiry(&charge));
        }
    }
}
