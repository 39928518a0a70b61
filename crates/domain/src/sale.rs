//! Sales events from platforms, in the domain's own terms: what a webhook adapter
//! produces after verifying and parsing a delivery.
//!
//! Adapters turn each platform's payload into [`SaleEvent`]s and handle no requests
//! here. The helpers convert amounts, times and contact data exactly, and contact
//! data leniently, because a sale is never lost over a bad phone or document.

mod amount;
mod customer;
mod timestamp;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::values::{Money, PaymentMethod, Platform, TransactionStatus};

pub use amount::{
    AmountError, parse_decimal_amount, parse_json_amount, parse_json_cents,
    parse_json_number_amount,
};
pub use customer::{CustomerData, DataIssue, ReceivedCustomer, ReceivedPhone};
pub use timestamp::{TimestampError, parse_sao_paulo_local, utc_from_millis};

/// A product as the platform identifies it. The domain links it to its own products,
/// creating one the first time it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformProduct {
    /// The platform's product id, as text even where the platform sends a number.
    pub external_id: String,
    /// The product's name at the platform, or `None` when the event carries none.
    pub name: Option<String>,
}

/// A subscription plan (or offer) as the platform identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformPlan {
    pub external_id: Option<String>,
    pub name: Option<String>,
}

/// The subscription a transaction belongs to, with the platform's data about the
/// charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionRef {
    /// The platform's subscription id, the same across renewals.
    pub external_id: String,
    pub plan: Option<PlatformPlan>,
    /// Position of this charge in the subscription, 1 for the first, when the
    /// platform sends it.
    pub recurrence: Option<u32>,
    /// When the platform will charge next, when it sends that date.
    pub next_charge_at: Option<OffsetDateTime>,
    /// End of the period this charge pays for, when the platform sends it.
    pub access_until: Option<OffsetDateTime>,
}

/// A purchase or renewal charge and its current status at the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionEvent {
    pub platform: Platform,
    /// The platform's event name (`PURCHASE_APPROVED`, `order_refunded`, ...).
    pub event_type: String,
    /// The platform's transaction id, the same across all events of one charge.
    pub external_id: String,
    pub customer: CustomerData,
    pub products: Vec<PlatformProduct>,
    pub amount: Money,
    pub payment_method: PaymentMethod,
    pub status: TransactionStatus,
    /// When the platform reports this status was reached (UTC).
    pub occurred_at: OffsetDateTime,
    /// When the buyer placed the order (UTC), when the platform sends it.
    pub ordered_at: Option<OffsetDateTime>,
    pub subscription: Option<SubscriptionRef>,
}

/// A subscription that was cancelled: access ends at `access_until`, or at once
/// when the app is set so or the platform gives no end of the paid period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionCancellation {
    pub platform: Platform,
    pub event_type: String,
    pub subscription_id: String,
    pub customer: CustomerData,
    pub products: Vec<PlatformProduct>,
    pub plan: Option<PlatformPlan>,
    /// When the subscription was cancelled (UTC). `None` when the platform sends no
    /// date, and the receiver then uses the delivery time.
    pub cancelled_at: Option<OffsetDateTime>,
    /// End of the paid period (UTC), when the platform sends it.
    pub access_until: Option<OffsetDateTime>,
}

/// Kind of change to a subscription that stays active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SubscriptionChangeKind {
    /// A charge failed and the platform is retrying it.
    Late,
    /// The subscriber moved to another plan.
    PlanSwitch { plan: Option<PlatformPlan> },
    /// The day of the month the subscription is charged changed.
    ChargeDateChange {
        charge_day: Option<u8>,
        next_charge_at: Option<OffsetDateTime>,
    },
}

/// A change of a subscription that grants or revokes no access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionChange {
    pub platform: Platform,
    pub event_type: String,
    pub subscription_id: String,
    /// The subscriber, when the event names one.
    pub customer: Option<CustomerData>,
    pub products: Vec<PlatformProduct>,
    pub change: SubscriptionChangeKind,
    /// When the platform reports the change happened (UTC).
    pub occurred_at: OffsetDateTime,
}

/// Reason an authentic event creates no client, grant or e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreReason {
    /// A checkout started and left unpaid: a lead, not a sale.
    AbandonedCart,
    /// Activity in the platform's own members area.
    MembersAreaActivity,
    /// Shipping of a physical product.
    Fulfillment,
    /// A test delivery the platform sends with fixed sample data.
    TestDelivery,
}

impl IgnoreReason {
    /// Stable machine code of the reason.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::AbandonedCart => "abandoned_cart",
            Self::MembersAreaActivity => "members_area_activity",
            Self::Fulfillment => "fulfillment",
            Self::TestDelivery => "test_delivery",
        }
    }
}

/// An authentic event that is stored and marked ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoredEvent {
    pub platform: Platform,
    pub event_type: String,
    pub reason: IgnoreReason,
}

/// An authentic event of a type the adapter does not know. It is stored and
/// reported, never treated as an error, so the platform does not retry it forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnrecognizedEvent {
    pub platform: Platform,
    /// The event name or raw status as received, empty when the event had none.
    pub event_type: String,
}

/// One event of a platform delivery, in the domain's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SaleEvent {
    Transaction(TransactionEvent),
    SubscriptionCancelled(SubscriptionCancellation),
    SubscriptionChanged(SubscriptionChange),
    Ignored(IgnoredEvent),
    Unrecognized(UnrecognizedEvent),
}

impl SaleEvent {
    pub fn platform(&self) -> Platform {
        match self {
            Self::Transaction(event) => event.platform,
            Self::SubscriptionCancelled(event) => event.platform,
            Self::SubscriptionChanged(event) => event.platform,
            Self::Ignored(event) => event.platform,
            Self::Unrecognized(event) => event.platform,
        }
    }

    /// Returns the platform's event name as received.
    pub fn event_type(&self) -> &str {
        match self {
            Self::Transaction(event) => &event.event_type,
            Self::SubscriptionCancelled(event) => &event.event_type,
            Self::SubscriptionChanged(event) => &event.event_type,
            Self::Ignored(event) => &event.event_type,
            Self::Unrecognized(event) => &event.event_type,
        }
    }

    /// Stable machine code of the event's kind, for storage and reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Transaction(_) => "transaction",
            Self::SubscriptionCancelled(_) => "subscription_cancelled",
            Self::SubscriptionChanged(_) => "subscription_changed",
            Self::Ignored(_) => "ignored",
            Self::Unrecognized(_) => "unrecognized",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(event_type: &str) -> SaleEvent {
        SaleEvent::Ignored(IgnoredEvent {
            platform: Platform::Kiwify,
            event_type: event_type.to_owned(),
            reason: IgnoreReason::AbandonedCart,
        })
    }

    #[test]
    fn sale_event_accessors() {
        let event = ignored("abandoned_cart");
        assert_eq!(event.platform(), Platform::Kiwify);
        assert_eq!(event.event_type(), "abandoned_cart");
        assert_eq!(event.kind(), "ignored");

        let unknown = SaleEvent::Unrecognized(UnrecognizedEvent {
            platform: Platform::Hotmart,
            event_type: "NEW_THING".to_owned(),
        });
        assert_eq!(unknown.kind(), "unrecognized");
        assert_eq!(unknown.event_type(), "NEW_THING");
    }

    #[test]
    fn sale_event_serializes_with_kind_tag() {
        let json = serde_json::to_value(ignored("x")).expect("serializable");
        assert_eq!(json["kind"], "ignored");
        assert_eq!(json["reason"], "abandoned_cart");
    }

    #[test]
    fn ignore_reason_codes_are_distinct() {
        let codes = [
            IgnoreReason::AbandonedCart,
            IgnoreReason::MembersAreaActivity,
            IgnoreReason::Fulfillment,
            IgnoreReason::TestDelivery,
        ]
        .map(|reason| reason.as_str());
        let mut unique = codes.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }
}
