//! Hotmart's legacy 1.0 postback: an `application/x-www-form-urlencoded` body whose
//! lower-case `status` field is the event.

use clientela_domain::sale::{
    IgnoreReason, IgnoredEvent, PlatformPlan, PlatformProduct, ReceivedCustomer, ReceivedPhone,
    SaleEvent, SubscriptionRef, TransactionEvent, UnrecognizedEvent, parse_decimal_amount,
};
use clientela_domain::values::{
    Currency, Money, Platform, TransactionStatus, TransactionStatusKind,
};
use clientela_platform::{ParseError, parse_form};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::fields::{amount_error, customer, full_name, is_test_send, non_empty, payment_method};

#[derive(Debug, Deserialize)]
struct Postback {
    status: Option<String>,
    transaction: Option<String>,
    prod: Option<String>,
    prod_name: Option<String>,
    price: Option<String>,
    currency: Option<String>,
    payment_type: Option<String>,
    purchase_date: Option<String>,
    confirmation_purchase_date: Option<String>,
    email: Option<String>,
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    doc: Option<String>,
    phone_local_code: Option<String>,
    phone_number: Option<String>,
    phone_checkout_local_code: Option<String>,
    phone_checkout_number: Option<String>,
    subscriber_code: Option<String>,
    name_subscription_plan: Option<String>,
}

/// Maps a postback status. Hotmart documents these lower-case values; the spelling
/// variants cover the 2.0.0 enum written in lower case.
fn status_kind(status: &str) -> Option<TransactionStatusKind> {
    use TransactionStatusKind::*;
    Some(match status {
        "approved" | "completed" | "complete" => Paid,
        "billet_printed" | "printed_billet" | "waiting_payment" | "started" => Pending,
        "delayed" | "overdue" => Overdue,
        "expired" => Expired,
        "canceled" | "cancelled" => Cancelled,
        "dispute" => Disputed,
        "partially_refunded" => PartiallyRefunded,
        "refunded" => Refunded,
        "chargeback" => Chargeback,
        _ => return None,
    })
}

/// Returns the transaction id, a `postback` marker and the status, because legacy
/// postbacks carry no event id.
pub(crate) fn dedupe_key(body: &[u8]) -> Result<String, ParseError> {
    let postback: Postback = parse_form(body)?;
    let transaction = non_empty(postback.transaction.as_deref())
        .ok_or_else(|| ParseError::missing("transaction"))?;
    let status = non_empty(postback.status.as_deref()).unwrap_or_default();
    Ok(format!("{transaction}:postback:{status}"))
}

pub(crate) fn parse(body: &[u8]) -> Result<Vec<SaleEvent>, ParseError> {
    let postback: Postback = parse_form(body)?;
    let event_type = non_empty(postback.status.as_deref())
        .unwrap_or_default()
        .to_ascii_lowercase();

    // NOTE: old handlers report product 1439 in Hotmart's legacy test sends, but a
    // real product may have that id, so only the 2.0.0 sample data is skipped here.
    if is_test_send(
        postback.email.as_deref(),
        postback.transaction.as_deref(),
        postback.prod.as_deref(),
    ) {
        return Ok(vec![SaleEvent::Ignored(IgnoredEvent {
            platform: Platform::Hotmart,
            event_type,
            reason: IgnoreReason::TestDelivery,
        })]);
    }
    let Some(kind) = status_kind(&event_type) else {
        return Ok(vec![SaleEvent::Unrecognized(UnrecognizedEvent {
            platform: Platform::Hotmart,
            event_type,
        })]);
    };

    let external_id = non_empty(postback.transaction.as_deref())
        .ok_or_else(|| ParseError::missing("transaction"))?
        .to_owned();
    let product = PlatformProduct {
        external_id: non_empty(postback.prod.as_deref())
            .ok_or_else(|| ParseError::missing("prod"))?
            .to_owned(),
        name: non_empty(postback.prod_name.as_deref()).map(str::to_owned),
    };
    let cents = parse_decimal_amount(postback.price.as_deref().unwrap_or_default())
        .map_err(|error| amount_error("price", error))?;
    let currency = match non_empty(postback.currency.as_deref()) {
        Some(code) => {
            Currency::parse(code).map_err(|error| ParseError::invalid("currency", error))?
        }
        None => Currency::BRL,
    };
    let ordered_at = iso_timestamp("purchase_date", postback.purchase_date.as_deref())?;
    let confirmed_at = iso_timestamp(
        "confirmation_purchase_date",
        postback.confirmation_purchase_date.as_deref(),
    )?;
    let occurred_at = confirmed_at
        .or(ordered_at)
        .ok_or_else(|| ParseError::missing("purchase_date"))?;

    let subscription = non_empty(postback.subscriber_code.as_deref()).map(|code| SubscriptionRef {
        external_id: code.to_owned(),
        plan: non_empty(postback.name_subscription_plan.as_deref()).map(|name| PlatformPlan {
            external_id: None,
            name: Some(name.to_owned()),
        }),
        recurrence: None,
        next_charge_at: None,
        access_until: None,
    });

    let phone = postback_phone(
        &postback.phone_checkout_local_code,
        &postback.phone_checkout_number,
    )
    .or_else(|| postback_phone(&postback.phone_local_code, &postback.phone_number));
    let customer = customer(
        "email",
        ReceivedCustomer {
            email: postback.email.clone().unwrap_or_default(),
            name: full_name(
                postback.name.as_deref(),
                postback.first_name.as_deref(),
                postback.last_name.as_deref(),
            ),
            phone,
            document: postback.doc.clone(),
        },
    )?;

    Ok(vec![SaleEvent::Transaction(TransactionEvent {
        platform: Platform::Hotmart,
        event_type,
        external_id,
        customer,
        products: vec![product],
        amount: Money::new(cents, currency),
        payment_method: payment_method(postback.payment_type.as_deref()),
        status: TransactionStatus {
            kind,
            raw: non_empty(postback.status.as_deref()).map(str::to_owned),
        },
        occurred_at,
        ordered_at,
        subscription,
    })])
}

fn postback_phone(area_code: &Option<String>, number: &Option<String>) -> Option<ReceivedPhone> {
    let number = non_empty(number.as_deref())?;
    Some(ReceivedPhone::Split {
        prefix: non_empty(area_code.as_deref())
            .unwrap_or_default()
            .to_owned(),
        number: number.to_owned(),
    })
}

fn iso_timestamp(field: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>, ParseError> {
    match non_empty(value) {
        None => Ok(None),
        Some(text) => OffsetDateTime::parse(text, &Rfc3339)
            .map(|instant| Some(instant.to_offset(time::UtcOffset::UTC)))
            .map_err(|_| ParseError::invalid(field, "not an RFC 3339 timestamp")),
    }
}
