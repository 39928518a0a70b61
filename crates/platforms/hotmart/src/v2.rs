//! Hotmart webhook 2.0.0: a JSON envelope `{id, creation_date, event, version,
//! data, hottok}` whose `data` shape depends on `event`.

use clientela_domain::sale::{
    IgnoreReason, IgnoredEvent, ReceivedCustomer, ReceivedPhone, SaleEvent,
    SubscriptionCancellation, SubscriptionChange, SubscriptionChangeKind, SubscriptionRef,
    TransactionEvent, UnrecognizedEvent,
};
use clientela_domain::values::{Platform, TransactionStatus, TransactionStatusKind};
use clientela_platform::{ParseError, parse_json};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use time::OffsetDateTime;

use crate::fields::{
    WireItem, WirePrice, customer, full_name, is_test_send, money, non_empty, payment_method, plan,
    product, text, timestamp,
};

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    id: Option<Value>,
    event: Option<String>,
    creation_date: Option<Value>,
    /// Hotmart's test send of `CLUB_FIRST_ACCESS` spells the timestamp in camel case.
    #[serde(rename = "creationDate")]
    creation_date_camel: Option<Value>,
    data: Option<T>,
}

impl<T> Envelope<T> {
    fn event(&self) -> &str {
        self.event.as_deref().map(str::trim).unwrap_or_default()
    }

    fn created_at(&self) -> Result<Option<OffsetDateTime>, ParseError> {
        match timestamp("creation_date", self.creation_date.as_ref())? {
            Some(created_at) => Ok(Some(created_at)),
            None => timestamp("creationDate", self.creation_date_camel.as_ref()),
        }
    }
}

// Purchase events (PURCHASE_*).

#[derive(Debug, Deserialize)]
struct PurchaseData {
    product: Option<WireItem>,
    buyer: Option<Buyer>,
    purchase: Option<Purchase>,
    subscription: Option<PurchaseSubscription>,
}

#[derive(Debug, Deserialize)]
struct Buyer {
    email: Option<String>,
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    checkout_phone_code: Option<Value>,
    checkout_phone: Option<Value>,
    document: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Purchase {
    transaction: Option<String>,
    status: Option<String>,
    price: Option<WirePrice>,
    order_date: Option<Value>,
    approved_date: Option<Value>,
    payment: Option<Payment>,
    recurrence_number: Option<Value>,
    date_next_charge: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Payment {
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PurchaseSubscription {
    subscriber: Option<SubscriberCode>,
    plan: Option<WireItem>,
}

#[derive(Debug, Deserialize)]
struct SubscriberCode {
    code: Option<String>,
}

// SUBSCRIPTION_CANCELLATION: no buyer or purchase; the phone is split into DDD and
// number.

#[derive(Debug, Deserialize)]
struct CancellationData {
    date_next_charge: Option<Value>,
    cancellation_date: Option<Value>,
    product: Option<WireItem>,
    subscriber: Option<Subscriber>,
    subscription: Option<CancelledSubscription>,
}

#[derive(Debug, Deserialize)]
struct Subscriber {
    code: Option<String>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<SubscriberPhone>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriberPhone {
    ddd_phone: Option<Value>,
    phone: Option<Value>,
    ddd_cell: Option<Value>,
    cell: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct CancelledSubscription {
    plan: Option<WireItem>,
}

// SWITCH_PLAN.

#[derive(Debug, Deserialize)]
struct SwitchPlanData {
    switch_plan_date: Option<Value>,
    subscription: Option<SwitchedSubscription>,
    plans: Option<Vec<SwitchPlan>>,
}

#[derive(Debug, Deserialize)]
struct SwitchedSubscription {
    subscriber_code: Option<String>,
    product: Option<WireItem>,
    user: Option<SwitchUser>,
}

#[derive(Debug, Deserialize)]
struct SwitchUser {
    email: Option<String>,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SwitchPlan {
    id: Option<Value>,
    name: Option<String>,
    current: Option<bool>,
}

// UPDATE_SUBSCRIPTION_CHARGE_DATE.

#[derive(Debug, Deserialize)]
struct ChargeDateData {
    subscriber: Option<Subscriber>,
    subscription: Option<ChargeDateSubscription>,
    product: Option<WireItem>,
}

#[derive(Debug, Deserialize)]
struct ChargeDateSubscription {
    new_charge_day: Option<Value>,
    date_next_charge: Option<Value>,
}

/// Meaning of a Hotmart event name for Clientela.
enum EventKind {
    Purchase(TransactionStatusKind),
    Cancellation,
    SwitchPlan,
    ChargeDate,
    Ignored(IgnoreReason),
    Unknown,
}

fn classify(event: &str) -> EventKind {
    use TransactionStatusKind::*;
    match event {
        "PURCHASE_APPROVED" | "PURCHASE_COMPLETE" => EventKind::Purchase(Paid),
        "PURCHASE_BILLET_PRINTED" => EventKind::Purchase(Pending),
        "PURCHASE_DELAYED" => EventKind::Purchase(Overdue),
        "PURCHASE_EXPIRED" => EventKind::Purchase(Expired),
        "PURCHASE_CANCELED" => EventKind::Purchase(Cancelled),
        "PURCHASE_PROTEST" => EventKind::Purchase(Disputed),
        "PURCHASE_REFUNDED" => EventKind::Purchase(Refunded),
        "PURCHASE_CHARGEBACK" => EventKind::Purchase(Chargeback),
        "SUBSCRIPTION_CANCELLATION" => EventKind::Cancellation,
        "SWITCH_PLAN" => EventKind::SwitchPlan,
        "UPDATE_SUBSCRIPTION_CHARGE_DATE" => EventKind::ChargeDate,
        "PURCHASE_OUT_OF_SHOPPING_CART" => EventKind::Ignored(IgnoreReason::AbandonedCart),
        "ORDER_FULFILLMENT" => EventKind::Ignored(IgnoreReason::Fulfillment),
        event if event.starts_with("CLUB_") => {
            EventKind::Ignored(IgnoreReason::MembersAreaActivity)
        }
        _ => EventKind::Unknown,
    }
}

/// Returns the envelope `id`, or, when it is absent, the event name with the
/// transaction or subscriber code and the purchase status.
pub(crate) fn dedupe_key(body: &[u8]) -> Result<String, ParseError> {
    #[derive(Deserialize)]
    struct KeyData {
        purchase: Option<KeyPurchase>,
        subscriber: Option<SubscriberCode>,
    }
    #[derive(Deserialize)]
    struct KeyPurchase {
        transaction: Option<String>,
        status: Option<String>,
    }

    let envelope: Envelope<KeyData> = parse_json(body)?;
    if let Some(id) = text(envelope.id.as_ref()) {
        return Ok(id);
    }
    let data = envelope.data.as_ref();
    let purchase = data.and_then(|data| data.purchase.as_ref());
    let reference = purchase
        .and_then(|purchase| non_empty(purchase.transaction.as_deref()))
        .or_else(|| {
            data.and_then(|data| data.subscriber.as_ref())
                .and_then(|subscriber| non_empty(subscriber.code.as_deref()))
        })
        .ok_or_else(|| ParseError::missing("id"))?;
    let status = purchase
        .and_then(|purchase| non_empty(purchase.status.as_deref()))
        .unwrap_or_default();
    Ok(format!("{reference}:{}:{status}", envelope.event()))
}

pub(crate) fn parse(body: &[u8]) -> Result<Vec<SaleEvent>, ParseError> {
    let envelope: Envelope<IgnoredAny> = parse_json(body)?;
    let event_type = envelope.event().to_owned();

    let event = match classify(&event_type) {
        EventKind::Purchase(status) => parse_purchase(body, event_type, status)?,
        EventKind::Cancellation => parse_cancellation(body, event_type)?,
        EventKind::SwitchPlan => parse_switch_plan(body, event_type)?,
        EventKind::ChargeDate => parse_charge_date(body, event_type)?,
        EventKind::Ignored(reason) => ignored(event_type, reason),
        // TODO: one legacy integration reports subscription cancellations as JSON
        // without `event` (userEmail, productName, cancellationDate); that shape is
        // unconfirmed, so it is reported as unrecognized.
        EventKind::Unknown => SaleEvent::Unrecognized(UnrecognizedEvent {
            platform: Platform::Hotmart,
            event_type,
        }),
    };
    Ok(vec![event])
}

fn ignored(event_type: String, reason: IgnoreReason) -> SaleEvent {
    SaleEvent::Ignored(IgnoredEvent {
        platform: Platform::Hotmart,
        event_type,
        reason,
    })
}

fn parse_purchase(
    body: &[u8],
    event_type: String,
    status: TransactionStatusKind,
) -> Result<SaleEvent, ParseError> {
    let envelope: Envelope<PurchaseData> = parse_json(body)?;
    let created_at = envelope.created_at()?;
    let data = envelope.data.ok_or_else(|| ParseError::missing("data"))?;
    let purchase = data
        .purchase
        .ok_or_else(|| ParseError::missing("data.purchase"))?;
    let buyer = data
        .buyer
        .ok_or_else(|| ParseError::missing("data.buyer"))?;

    let product_id = data
        .product
        .as_ref()
        .and_then(|item| text(item.id.as_ref()));
    if is_test_send(
        buyer.email.as_deref(),
        purchase.transaction.as_deref(),
        product_id.as_deref(),
    ) {
        return Ok(ignored(event_type, IgnoreReason::TestDelivery));
    }

    let external_id = non_empty(purchase.transaction.as_deref())
        .ok_or_else(|| ParseError::missing("data.purchase.transaction"))?
        .to_owned();
    let raw_status = non_empty(purchase.status.as_deref()).map(str::to_owned);
    // The event decides the status, but a refund's raw status marks a partial one.
    let status = match (status, raw_status.as_deref()) {
        (TransactionStatusKind::Refunded, Some("PARTIALLY_REFUNDED")) => {
            TransactionStatusKind::PartiallyRefunded
        }
        (status, _) => status,
    };

    let ordered_at = timestamp("data.purchase.order_date", purchase.order_date.as_ref())?;
    let approved_at = timestamp(
        "data.purchase.approved_date",
        purchase.approved_date.as_ref(),
    )?;
    let occurred_at = created_at
        .or(approved_at)
        .or(ordered_at)
        .ok_or_else(|| ParseError::missing("creation_date"))?;

    let subscription = match data.subscription {
        Some(subscription) => purchase_subscription(&purchase, subscription)?,
        None => None,
    };

    Ok(SaleEvent::Transaction(TransactionEvent {
        platform: Platform::Hotmart,
        event_type,
        external_id,
        customer: buyer_customer(buyer)?,
        products: vec![product("data.product", data.product.as_ref())?],
        amount: money("data.purchase.price", purchase.price.as_ref())?,
        payment_method: payment_method(
            purchase
                .payment
                .as_ref()
                .and_then(|payment| payment.kind.as_deref()),
        ),
        status: TransactionStatus {
            kind: status,
            raw: raw_status,
        },
        occurred_at,
        ordered_at,
        subscription,
    }))
}

fn buyer_customer(buyer: Buyer) -> Result<clientela_domain::sale::CustomerData, ParseError> {
    // `checkout_phone_code` is either the DDD or the country code "55" in front of
    // a DDD and number; joining the two reads correctly either way.
    let phone = text(buyer.checkout_phone.as_ref()).map(|number| ReceivedPhone::Split {
        prefix: text(buyer.checkout_phone_code.as_ref()).unwrap_or_default(),
        number,
    });
    customer(
        "data.buyer.email",
        ReceivedCustomer {
            email: buyer.email.unwrap_or_default(),
            name: full_name(
                buyer.name.as_deref(),
                buyer.first_name.as_deref(),
                buyer.last_name.as_deref(),
            ),
            phone,
            document: text(buyer.document.as_ref()),
        },
    )
}

fn purchase_subscription(
    purchase: &Purchase,
    subscription: PurchaseSubscription,
) -> Result<Option<SubscriptionRef>, ParseError> {
    let Some(code) = subscription
        .subscriber
        .as_ref()
        .and_then(|subscriber| non_empty(subscriber.code.as_deref()))
    else {
        return Ok(None);
    };
    let recurrence = match text(purchase.recurrence_number.as_ref()) {
        Some(number) => Some(number.parse::<u32>().map_err(|_| {
            ParseError::invalid("data.purchase.recurrence_number", "not a positive integer")
        })?),
        None => None,
    };
    Ok(Some(SubscriptionRef {
        external_id: code.to_owned(),
        plan: plan(subscription.plan.as_ref()),
        recurrence,
        next_charge_at: timestamp(
            "data.purchase.date_next_charge",
            purchase.date_next_charge.as_ref(),
        )?,
        access_until: None,
    }))
}

fn parse_cancellation(body: &[u8], event_type: String) -> Result<SaleEvent, ParseError> {
    let envelope: Envelope<CancellationData> = parse_json(body)?;
    let created_at = envelope.created_at()?;
    let data = envelope.data.ok_or_else(|| ParseError::missing("data"))?;
    let subscriber = data
        .subscriber
        .ok_or_else(|| ParseError::missing("data.subscriber"))?;

    let product_id = data
        .product
        .as_ref()
        .and_then(|item| text(item.id.as_ref()));
    if is_test_send(subscriber.email.as_deref(), None, product_id.as_deref()) {
        return Ok(ignored(event_type, IgnoreReason::TestDelivery));
    }

    // Purchases name the subscription by the subscriber code, so cancellations must
    // too, or they would match nothing.
    let subscription_id = non_empty(subscriber.code.as_deref())
        .ok_or_else(|| ParseError::missing("data.subscriber.code"))?
        .to_owned();
    let cancelled_at =
        timestamp("data.cancellation_date", data.cancellation_date.as_ref())?.or(created_at);
    // The next charge that will not happen is where the paid period ends.
    let access_until = timestamp("data.date_next_charge", data.date_next_charge.as_ref())?;

    let phone = subscriber.phone.as_ref().and_then(subscriber_phone);
    let customer = customer(
        "data.subscriber.email",
        ReceivedCustomer {
            email: subscriber.email.unwrap_or_default(),
            name: subscriber.name,
            phone,
            document: None,
        },
    )?;

    Ok(SaleEvent::SubscriptionCancelled(SubscriptionCancellation {
        platform: Platform::Hotmart,
        event_type,
        subscription_id,
        customer,
        products: vec![product("data.product", data.product.as_ref())?],
        plan: plan(
            data.subscription
                .as_ref()
                .and_then(|subscription| subscription.plan.as_ref()),
        ),
        cancelled_at,
        access_until,
    }))
}

/// Prefers the mobile (`dddCell` + `cell`) over the landline.
fn subscriber_phone(phone: &SubscriberPhone) -> Option<ReceivedPhone> {
    let split = |ddd: &Option<Value>, number: &Option<Value>| {
        text(number.as_ref()).map(|number| ReceivedPhone::Split {
            prefix: text(ddd.as_ref()).unwrap_or_default(),
            number,
        })
    };
    split(&phone.ddd_cell, &phone.cell).or_else(|| split(&phone.ddd_phone, &phone.phone))
}

fn parse_switch_plan(body: &[u8], event_type: String) -> Result<SaleEvent, ParseError> {
    let envelope: Envelope<SwitchPlanData> = parse_json(body)?;
    let created_at = envelope.created_at()?;
    let data = envelope.data.ok_or_else(|| ParseError::missing("data"))?;
    let subscription = data
        .subscription
        .ok_or_else(|| ParseError::missing("data.subscription"))?;

    let email = subscription
        .user
        .as_ref()
        .and_then(|user| non_empty(user.email.as_deref()));
    let product_id = subscription
        .product
        .as_ref()
        .and_then(|item| text(item.id.as_ref()));
    if is_test_send(email, None, product_id.as_deref()) {
        return Ok(ignored(event_type, IgnoreReason::TestDelivery));
    }

    let subscription_id = non_empty(subscription.subscriber_code.as_deref())
        .ok_or_else(|| ParseError::missing("data.subscription.subscriber_code"))?
        .to_owned();
    let customer = match subscription.user {
        Some(user) if non_empty(user.email.as_deref()).is_some() => Some(customer(
            "data.subscription.user.email",
            ReceivedCustomer {
                email: user.email.unwrap_or_default(),
                name: user.name,
                ..ReceivedCustomer::default()
            },
        )?),
        _ => None,
    };
    // NOTE: `current` is read as "the plan now in force", which third-party type
    // definitions suggest but no Hotmart sample confirms.
    let new_plan = data
        .plans
        .unwrap_or_default()
        .into_iter()
        .find(|plan| plan.current == Some(true))
        .and_then(|current| {
            plan(Some(&WireItem {
                id: current.id,
                name: current.name,
            }))
        });
    let occurred_at = timestamp("data.switch_plan_date", data.switch_plan_date.as_ref())?
        .or(created_at)
        .ok_or_else(|| ParseError::missing("creation_date"))?;
    let products = match subscription.product {
        Some(item) => vec![product("data.subscription.product", Some(&item))?],
        None => Vec::new(),
    };

    Ok(SaleEvent::SubscriptionChanged(SubscriptionChange {
        platform: Platform::Hotmart,
        event_type,
        subscription_id,
        customer,
        products,
        change: SubscriptionChangeKind::PlanSwitch { plan: new_plan },
        occurred_at,
    }))
}

fn parse_charge_date(body: &[u8], event_type: String) -> Result<SaleEvent, ParseError> {
    let envelope: Envelope<ChargeDateData> = parse_json(body)?;
    let created_at = envelope.created_at()?;
    let data = envelope.data.ok_or_else(|| ParseError::missing("data"))?;
    let subscriber = data
        .subscriber
        .ok_or_else(|| ParseError::missing("data.subscriber"))?;

    let product_id = data
        .product
        .as_ref()
        .and_then(|item| text(item.id.as_ref()));
    if is_test_send(subscriber.email.as_deref(), None, product_id.as_deref()) {
        return Ok(ignored(event_type, IgnoreReason::TestDelivery));
    }

    let subscription_id = non_empty(subscriber.code.as_deref())
        .ok_or_else(|| ParseError::missing("data.subscriber.code"))?
        .to_owned();
    let subscription = data.subscription.as_ref();
    let charge_day = match text(subscription.and_then(|s| s.new_charge_day.as_ref())) {
        Some(day) => Some(
            day.parse::<u8>()
                .ok()
                .filter(|day| (1..=31).contains(day))
                .ok_or_else(|| {
                    ParseError::invalid(
                        "data.subscription.new_charge_day",
                        "not a day of the month",
                    )
                })?,
        ),
        None => None,
    };
    let next_charge_at = timestamp(
        "data.subscription.date_next_charge",
        subscription.and_then(|s| s.date_next_charge.as_ref()),
    )?;
    let customer = if non_empty(subscriber.email.as_deref()).is_some() {
        Some(customer(
            "data.subscriber.email",
            ReceivedCustomer {
                email: subscriber.email.unwrap_or_default(),
                name: subscriber.name,
                phone: subscriber.phone.as_ref().and_then(subscriber_phone),
                document: None,
            },
        )?)
    } else {
        None
    };
    let products = match data.product {
        Some(item) => vec![product("data.product", Some(&item))?],
        None => Vec::new(),
    };

    Ok(SaleEvent::SubscriptionChanged(SubscriptionChange {
        platform: Platform::Hotmart,
        event_type,
        subscription_id,
        customer,
        products,
        change: SubscriptionChangeKind::ChargeDateChange {
            charge_day,
            next_charge_at,
        },
        occurred_at: created_at.ok_or_else(|| ParseError::missing("creation_date"))?,
    }))
}
