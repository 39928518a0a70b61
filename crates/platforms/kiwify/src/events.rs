//! Mapping of Kiwify deliveries to sale events.

use clientela_domain::sale::{
    AmountError, CustomerData, IgnoreReason, IgnoredEvent, PlatformPlan, PlatformProduct,
    ReceivedCustomer, ReceivedPhone, SaleEvent, SubscriptionCancellation, SubscriptionChange,
    SubscriptionChangeKind, SubscriptionRef, TransactionEvent, UnrecognizedEvent, parse_json_cents,
    parse_sao_paulo_local,
};
use clientela_domain::values::{
    Currency, EmailError, Money, PaymentMethod, PaymentMethodKind, Platform, TransactionStatus,
    TransactionStatusKind,
};
use clientela_platform::{ParseError, parse_json};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::wire::{Order, Shape};

/// Buyer e-mail of Kiwify's test sends, which use fixed sample data.
const TEST_EMAIL: &str = "johndoe@example.com";

/// Event type reported for abandoned carts, whose body carries none.
const ABANDONED_CART: &str = "abandoned_cart";

enum Body {
    Order(Box<Order>),
    AbandonedCart { id: Option<String>, status: String },
}

fn value_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => non_empty(Some(text)).map(str::to_owned),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|text| !text.is_empty())
}

/// Finds the order in the body: at the root, as Kiwify documents, or inside an
/// `order` wrapper that some third parties describe, when the root has no
/// `order_id`.
fn read_body(body: &[u8]) -> Result<Body, ParseError> {
    let shape: Shape = parse_json(body)?;
    if value_text(shape.order_id.as_ref()).is_some() {
        return Ok(Body::Order(Box::new(parse_json(body)?)));
    }
    if let Some(wrapped) = shape.order {
        return Ok(Body::Order(Box::new(parse_json(wrapped.get().as_bytes())?)));
    }
    let status = value_text(shape.status.as_ref()).unwrap_or_default();
    if status.eq_ignore_ascii_case("abandoned") {
        return Ok(Body::AbandonedCart {
            id: value_text(shape.id.as_ref()),
            status,
        });
    }
    Ok(Body::Order(Box::new(parse_json(body)?)))
}

pub(crate) fn dedupe_key(body: &[u8]) -> Result<String, ParseError> {
    match read_body(body)? {
        Body::AbandonedCart { id, status } => {
            let id = id.ok_or_else(|| ParseError::missing("id"))?;
            Ok(format!("{id}:{ABANDONED_CART}:{status}"))
        }
        Body::Order(order) => {
            let order_id = non_empty(order.order_id.as_deref())
                .ok_or_else(|| ParseError::missing("order_id"))?;
            let event_type = non_empty(order.webhook_event_type.as_deref()).unwrap_or_default();
            let status = non_empty(order.order_status.as_deref()).unwrap_or_default();
            Ok(format!("{order_id}:{event_type}:{status}"))
        }
    }
}

pub(crate) fn parse(body: &[u8]) -> Result<Vec<SaleEvent>, ParseError> {
    let order = match read_body(body)? {
        Body::AbandonedCart { .. } => {
            return Ok(vec![ignored(
                ABANDONED_CART.to_owned(),
                IgnoreReason::AbandonedCart,
            )]);
        }
        Body::Order(order) => order,
    };
    let event_type = non_empty(order.webhook_event_type.as_deref())
        .unwrap_or_default()
        .to_owned();

    let email = order
        .customer
        .as_ref()
        .and_then(|customer| customer.email.as_deref());
    if non_empty(email).is_some_and(|email| email.eq_ignore_ascii_case(TEST_EMAIL)) {
        return Ok(vec![ignored(event_type, IgnoreReason::TestDelivery)]);
    }

    use TransactionStatusKind::*;
    let event = match event_type.as_str() {
        "order_approved" | "subscription_renewed" => transaction(*order, event_type, Paid)?,
        "pix_created" | "billet_created" => transaction(*order, event_type, Pending)?,
        // Kiwify has no cancelled-order event; a refused charge is the nearest.
        "order_rejected" => transaction(*order, event_type, Cancelled)?,
        "order_refunded" => transaction(*order, event_type, Refunded)?,
        "chargeback" => transaction(*order, event_type, Chargeback)?,
        "subscription_canceled" => cancellation(*order, event_type)?,
        "subscription_late" => late(*order, event_type)?,
        _ => SaleEvent::Unrecognized(UnrecognizedEvent {
            platform: Platform::Kiwify,
            event_type,
        }),
    };
    Ok(vec![event])
}

fn ignored(event_type: String, reason: IgnoreReason) -> SaleEvent {
    SaleEvent::Ignored(IgnoredEvent {
        platform: Platform::Kiwify,
        event_type,
        reason,
    })
}

fn transaction(
    order: Order,
    event_type: String,
    kind: TransactionStatusKind,
) -> Result<SaleEvent, ParseError> {
    let external_id = non_empty(order.order_id.as_deref())
        .ok_or_else(|| ParseError::missing("order_id"))?
        .to_owned();
    let created_at = local_time("created_at", order.created_at.as_deref())?;
    let updated_at = local_time("updated_at", order.updated_at.as_deref())?;
    // The status's own date when Kiwify gives one, else the order's last update.
    let status_at = match kind {
        TransactionStatusKind::Paid => local_time("approved_date", order.approved_date.as_deref())?,
        TransactionStatusKind::Refunded => local_time("refunded_at", order.refunded_at.as_deref())?,
        _ => None,
    };
    let occurred_at = status_at
        .or(updated_at)
        .or(created_at)
        .ok_or_else(|| ParseError::missing("updated_at"))?;

    Ok(SaleEvent::Transaction(TransactionEvent {
        platform: Platform::Kiwify,
        event_type,
        external_id: external_id.clone(),
        customer: customer(&order)?,
        products: vec![product(&order)?],
        amount: amount(&order)?,
        payment_method: payment_method(order.payment_method.as_deref()),
        status: TransactionStatus {
            kind,
            raw: non_empty(order.order_status.as_deref()).map(str::to_owned),
        },
        occurred_at,
        ordered_at: created_at,
        subscription: subscription_ref(&order, &external_id)?,
    }))
}

fn cancellation(order: Order, event_type: String) -> Result<SaleEvent, ParseError> {
    let subscription = order.subscription.as_ref();
    Ok(SaleEvent::SubscriptionCancelled(SubscriptionCancellation {
        platform: Platform::Kiwify,
        event_type,
        subscription_id: subscription_id(&order)
            .ok_or_else(|| ParseError::missing("subscription_id"))?,
        customer: customer(&order)?,
        products: vec![product(&order)?],
        plan: plan(&order),
        // Kiwify does not say when the subscription was cancelled.
        cancelled_at: None,
        access_until: iso_time(
            "Subscription.customer_access.access_until",
            subscription
                .and_then(|subscription| subscription.customer_access.as_ref())
                .and_then(|access| access.access_until.as_deref()),
        )?,
    }))
}

fn late(order: Order, event_type: String) -> Result<SaleEvent, ParseError> {
    let occurred_at = local_time("updated_at", order.updated_at.as_deref())?
        .or(local_time("created_at", order.created_at.as_deref())?)
        .ok_or_else(|| ParseError::missing("updated_at"))?;
    Ok(SaleEvent::SubscriptionChanged(SubscriptionChange {
        platform: Platform::Kiwify,
        event_type,
        subscription_id: subscription_id(&order)
            .ok_or_else(|| ParseError::missing("subscription_id"))?,
        customer: Some(customer(&order)?),
        products: vec![product(&order)?],
        change: SubscriptionChangeKind::Late,
        occurred_at,
    }))
}

/// Returns the root `subscription_id`, or `Subscription.id` when the root has none.
fn subscription_id(order: &Order) -> Option<String> {
    non_empty(order.subscription_id.as_deref())
        .or_else(|| {
            order
                .subscription
                .as_ref()
                .and_then(|subscription| non_empty(subscription.id.as_deref()))
        })
        .map(str::to_owned)
}

fn plan(order: &Order) -> Option<PlatformPlan> {
    let plan = order.subscription.as_ref()?.plan.as_ref()?;
    let plan = PlatformPlan {
        external_id: non_empty(plan.id.as_deref()).map(str::to_owned),
        name: non_empty(plan.name.as_deref()).map(str::to_owned),
    };
    (plan.external_id.is_some() || plan.name.is_some()).then_some(plan)
}

fn subscription_ref(order: &Order, order_id: &str) -> Result<Option<SubscriptionRef>, ParseError> {
    let Some(external_id) = subscription_id(order) else {
        return Ok(None);
    };
    let subscription = order.subscription.as_ref();
    // Every charge is its own order, so this order's place among the completed
    // charges is its recurrence number.
    let recurrence = subscription
        .and_then(|subscription| subscription.charges.as_ref())
        .and_then(|charges| charges.completed.as_ref())
        .and_then(|completed| {
            completed
                .iter()
                .position(|charge| charge.order_id.as_deref() == Some(order_id))
        })
        .and_then(|index| u32::try_from(index + 1).ok());
    Ok(Some(SubscriptionRef {
        external_id,
        plan: plan(order),
        recurrence,
        next_charge_at: iso_time(
            "Subscription.next_payment",
            subscription.and_then(|subscription| subscription.next_payment.as_deref()),
        )?,
        access_until: iso_time(
            "Subscription.customer_access.access_until",
            subscription
                .and_then(|subscription| subscription.customer_access.as_ref())
                .and_then(|access| access.access_until.as_deref()),
        )?,
    }))
}

fn customer(order: &Order) -> Result<CustomerData, ParseError> {
    let customer = order
        .customer
        .as_ref()
        .ok_or_else(|| ParseError::missing("Customer"))?;
    let name = non_empty(customer.full_name.as_deref())
        .or_else(|| non_empty(customer.first_name.as_deref()))
        .map(str::to_owned);
    let document = non_empty(customer.cpf.as_deref())
        .or_else(|| non_empty(customer.cnpj.as_deref()))
        .map(str::to_owned);
    let received = ReceivedCustomer {
        email: customer.email.clone().unwrap_or_default(),
        name,
        phone: customer.mobile.clone().map(ReceivedPhone::Whole),
        document,
    };
    received.normalize().map_err(|error| match error {
        EmailError::Missing => ParseError::missing("Customer.email"),
        other => ParseError::invalid("Customer.email", other),
    })
}

fn product(order: &Order) -> Result<PlatformProduct, ParseError> {
    let product = order
        .product
        .as_ref()
        .ok_or_else(|| ParseError::missing("Product"))?;
    Ok(PlatformProduct {
        external_id: non_empty(product.product_id.as_deref())
            .ok_or_else(|| ParseError::missing("Product.product_id"))?
            .to_owned(),
        name: non_empty(product.product_name.as_deref()).map(str::to_owned),
    })
}

fn amount(order: &Order) -> Result<Money, ParseError> {
    const FIELD: &str = "Commissions.charge_amount";
    let commissions = order.commissions.as_ref();
    let raw = commissions
        .and_then(|commissions| commissions.charge_amount.as_deref())
        .ok_or_else(|| ParseError::missing(FIELD))?;
    let cents = parse_json_cents(raw).map_err(|error| match error {
        AmountError::Missing => ParseError::missing(FIELD),
        other => ParseError::invalid(FIELD, other),
    })?;
    let currency =
        match commissions.and_then(|commissions| non_empty(commissions.currency.as_deref())) {
            Some(code) => Currency::parse(code)
                .map_err(|error| ParseError::invalid("Commissions.currency", error))?,
            None => Currency::BRL,
        };
    Ok(Money::new(cents, currency))
}

/// Maps `payment_method` (`credit_card`, `boleto`, `pix`), keeping the raw value.
fn payment_method(raw: Option<&str>) -> PaymentMethod {
    let raw = non_empty(raw);
    let kind = match raw {
        Some("credit_card") => PaymentMethodKind::Card,
        Some("boleto") => PaymentMethodKind::Boleto,
        Some("pix") => PaymentMethodKind::Pix,
        _ => PaymentMethodKind::Other,
    };
    PaymentMethod {
        kind,
        raw: raw.map(str::to_owned),
    }
}

/// Reads an order date, São Paulo local time without an offset.
fn local_time(field: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>, ParseError> {
    match non_empty(value) {
        None => Ok(None),
        Some(text) => parse_sao_paulo_local(text)
            .map(Some)
            .map_err(|error| ParseError::invalid(field, error)),
    }
}

/// Reads a subscription date, ISO 8601 with an offset.
fn iso_time(field: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>, ParseError> {
    match non_empty(value) {
        None => Ok(None),
        Some(text) => OffsetDateTime::parse(text, &Rfc3339)
            .map(|instant| Some(instant.to_offset(UtcOffset::UTC)))
            .map_err(|_| ParseError::invalid(field, "not an ISO 8601 timestamp with offset")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_method_mapping() {
        let cases = [
            ("credit_card", PaymentMethodKind::Card),
            ("boleto", PaymentMethodKind::Boleto),
            ("pix", PaymentMethodKind::Pix),
            ("paypal", PaymentMethodKind::Other),
        ];
        for (raw, kind) in cases {
            let method = payment_method(Some(raw));
            assert_eq!(method.kind, kind, "method {raw}");
            assert_eq!(method.raw.as_deref(), Some(raw));
        }
        assert_eq!(payment_method(Some(" ")).raw, None);
    }

    #[test]
    fn date_helpers() {
        assert_eq!(
            local_time("d", Some("2025-07-08 14:32")),
            Ok(Some(time::macros::datetime!(2025-07-08 17:32 UTC)))
        );
        assert_eq!(local_time("d", Some("")), Ok(None));
        assert!(local_time("d", Some("08/07/2025")).is_err());
        assert_eq!(
            iso_time("d", Some("2025-07-15T12:00:00.000Z")),
            Ok(Some(time::macros::datetime!(2025-07-15 12:00 UTC)))
        );
        assert_eq!(
            iso_time("d", Some("2025-07-15T09:00:00-03:00")),
            Ok(Some(time::macros::datetime!(2025-07-15 12:00 UTC)))
        );
        assert!(iso_time("d", Some("2025-07-15 12:00")).is_err());
    }
}
