//! When access from a subscription ends: the expiry of the grants of one charge,
//! and the end of access a cancellation sets.
//!
//! A cancellation is kept per subscription as a [`SubscriptionEnd`]. It caps the
//! grants of every charge made up to the cancellation, including charges whose
//! approval arrives after it, and leaves charges made later (a reactivation)
//! alone. Capping takes a minimum, so seeing a cancellation twice, or two
//! cancellations in any order, ends in the same expiry, and a cancellation never
//! extends access nor leaves it open-ended.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::sale::{SubscriptionCancellation, SubscriptionRef};

/// Time added to the next charge date when a charge carries no end of its paid
/// period: the renewal's approval reaches Clientela after the charge date, and a
/// boleto takes up to three business days to clear.
// NOTE: three days is an estimate, not a platform figure.
pub const NEXT_CHARGE_GRACE: Duration = Duration::days(3);

/// Returns the expiry of the grants of one subscription charge: the end of the
/// paid period when the platform sends it, otherwise the next charge date plus
/// [`NEXT_CHARGE_GRACE`]. Without either date it returns `None`, and the grant
/// lasts until a cancellation ends it.
pub fn charge_expiry(subscription: &SubscriptionRef) -> Option<OffsetDateTime> {
    subscription.access_until.or_else(|| {
        subscription
            .next_charge_at
            .map(|next_charge| next_charge + NEXT_CHARGE_GRACE)
    })
}

/// When a cancelled subscription stops giving access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancellationTiming {
    /// At the end of the paid period when the platform sends it, otherwise at the
    /// cancellation.
    EndOfPaidPeriod,
    /// At the cancellation.
    Immediately,
}

/// A subscription's cancellation: when it happened and when access ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SubscriptionEnd {
    pub cancelled_at: OffsetDateTime,
    pub access_ends_at: OffsetDateTime,
}

impl SubscriptionEnd {
    /// Reads the cancellation from the event. Without a cancellation date in the
    /// event, `received_at` counts as the cancellation time. Access never ends
    /// later than the paid period the platform reports.
    pub fn of_cancellation(
        event: &SubscriptionCancellation,
        received_at: OffsetDateTime,
        timing: CancellationTiming,
    ) -> Self {
        let cancelled_at = event.cancelled_at.unwrap_or(received_at);
        let access_ends_at = match (timing, event.access_until) {
            (CancellationTiming::EndOfPaidPeriod, Some(access_until)) => access_until,
            (CancellationTiming::EndOfPaidPeriod, None) => cancelled_at,
            (CancellationTiming::Immediately, Some(access_until)) => cancelled_at.min(access_until),
            (CancellationTiming::Immediately, None) => cancelled_at,
        };
        Self {
            cancelled_at,
            access_ends_at,
        }
    }

    /// Combines two cancellations of one subscription: the later one wins,
    /// because it follows a reactivation, and of two at the same time the earlier
    /// end of access wins. The result does not depend on the order of arguments.
    pub fn merge(self, other: Self) -> Self {
        match self.cancelled_at.cmp(&other.cancelled_at) {
            std::cmp::Ordering::Less => other,
            std::cmp::Ordering::Greater => self,
            std::cmp::Ordering::Equal => Self {
                cancelled_at: self.cancelled_at,
                access_ends_at: self.access_ends_at.min(other.access_ends_at),
            },
        }
    }

    /// Returns whether the cancellation ends the access of a charge made at
    /// `charged_at`, that is, of a charge made at or before the cancellation.
    pub fn covers_charge(&self, charged_at: OffsetDateTime) -> bool {
        charged_at <= self.cancelled_at
    }
}

/// Returns the expiry of a grant after a cancellation that ends access at
/// `access_ends_at`. It is the earlier of the two, so a cancellation never
/// extends access, and an open-ended grant always gets an expiry.
pub fn capped_expiry(
    current: Option<OffsetDateTime>,
    access_ends_at: OffsetDateTime,
) -> OffsetDateTime {
    match current {
        Some(expiry) => expiry.min(access_ends_at),
        None => access_ends_at,
    }
}

/// Returns the expiry of the grants of a charge made at `charged_at`. That is
/// the charge's own expiry from [`charge_expiry`] (`None` for a purchase without
/// a period), capped by the subscription's cancellation when one was seen and
/// covers the charge.
pub fn charge_expiry_after(
    own_expiry: Option<OffsetDateTime>,
    charged_at: OffsetDateTime,
    cancellation: Option<&SubscriptionEnd>,
) -> Option<OffsetDateTime> {
    match cancellation {
        Some(end) if end.covers_charge(charged_at) => {
            Some(capped_expiry(own_expiry, end.access_ends_at))
        }
        _ => own_expiry,
    }
}

#[cfg(test)]
mod tests;
