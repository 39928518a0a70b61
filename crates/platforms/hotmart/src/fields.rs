//! Field conversions shared by the 2.0.0 and legacy formats.

use clientela_domain::sale::{
    CustomerData, PlatformPlan, PlatformProduct, ReceivedCustomer, parse_json_amount,
    utc_from_millis,
};
use clientela_domain::values::{Currency, EmailError, Money, PaymentMethod, PaymentMethodKind};
use clientela_platform::ParseError;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Buyer e-mail of Hotmart's test sends, which use fixed sample data.
const TEST_BUYER_EMAIL: &str = "testeComprador271101postman15@example.com";
/// Transaction id of Hotmart's test sends.
pub(crate) const TEST_TRANSACTION: &str = "HP16015479281022";

/// A product or plan reference: `id` arrives as a number or a string.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireItem {
    pub id: Option<Value>,
    pub name: Option<String>,
}

/// A price object: `value` in reais as a JSON number.
#[derive(Debug, Deserialize)]
pub(crate) struct WirePrice {
    pub value: Option<Box<RawValue>>,
    pub currency_value: Option<String>,
}

/// Returns a trimmed string, or `None` when it is absent or blank.
pub(crate) fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|text| !text.is_empty())
}

/// Returns a string or integer JSON value as text, or `None` when it is absent,
/// null or blank.
pub(crate) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => non_empty(Some(text)).map(str::to_owned),
        Value::Number(number) if number.is_i64() || number.is_u64() => Some(number.to_string()),
        _ => None,
    }
}

/// Returns a required text field or a missing-field error naming `field`.
pub(crate) fn required_text(field: &str, value: Option<&Value>) -> Result<String, ParseError> {
    text(value).ok_or_else(|| ParseError::missing(field))
}

/// Reads a timestamp sent as milliseconds since the epoch (a number or a string of
/// digits) or as an RFC 3339 string.
pub(crate) fn timestamp(
    field: &str,
    value: Option<&Value>,
) -> Result<Option<OffsetDateTime>, ParseError> {
    let millis = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(number)) => number.as_i64(),
        Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
        Some(Value::String(text)) => match text.trim().parse::<i64>() {
            Ok(millis) => Some(millis),
            Err(_) => {
                return OffsetDateTime::parse(text.trim(), &Rfc3339)
                    .map(|instant| Some(instant.to_offset(UtcOffset::UTC)))
                    .map_err(|_| ParseError::invalid(field, "not a timestamp"));
            }
        },
        Some(_) => None,
    };
    let millis = millis.ok_or_else(|| ParseError::invalid(field, "not a timestamp"))?;
    utc_from_millis(millis)
        .map(Some)
        .map_err(|error| ParseError::invalid(field, error))
}

/// Reads a price object into money: exact cents, in BRL unless `currency_value`
/// names another currency.
pub(crate) fn money(field: &str, price: Option<&WirePrice>) -> Result<Money, ParseError> {
    let value_field = format!("{field}.value");
    let raw = price
        .and_then(|price| price.value.as_deref())
        .ok_or_else(|| ParseError::missing(&value_field))?;
    let cents = parse_json_amount(raw).map_err(|error| amount_error(&value_field, error))?;
    let currency = match price.and_then(|price| non_empty(price.currency_value.as_deref())) {
        Some(code) => Currency::parse(code)
            .map_err(|error| ParseError::invalid(format!("{field}.currency_value"), error))?,
        None => Currency::BRL,
    };
    Ok(Money::new(cents, currency))
}

pub(crate) fn amount_error(field: &str, error: clientela_domain::sale::AmountError) -> ParseError {
    match error {
        clientela_domain::sale::AmountError::Missing => ParseError::missing(field),
        other => ParseError::invalid(field, other),
    }
}

/// Maps Hotmart's payment type (`CREDIT_CARD`, `BILLET`, `PIX` in 2.0.0,
/// lower-case in legacy postbacks), keeping the raw value.
pub(crate) fn payment_method(raw: Option<&str>) -> PaymentMethod {
    let raw = non_empty(raw);
    let kind = match raw.map(str::to_ascii_uppercase).as_deref() {
        Some("CREDIT_CARD") => PaymentMethodKind::Card,
        Some("BILLET") => PaymentMethodKind::Boleto,
        Some("PIX") => PaymentMethodKind::Pix,
        _ => PaymentMethodKind::Other,
    };
    PaymentMethod {
        kind,
        raw: raw.map(str::to_owned),
    }
}

/// Normalises customer data; `email_field` names the e-mail's path for errors.
pub(crate) fn customer(
    email_field: &str,
    received: ReceivedCustomer,
) -> Result<CustomerData, ParseError> {
    received.normalize().map_err(|error| match error {
        EmailError::Missing => ParseError::missing(email_field),
        other => ParseError::invalid(email_field, other),
    })
}

/// Joins a full name, or first and last names when the full name is absent.
pub(crate) fn full_name(
    name: Option<&str>,
    first_name: Option<&str>,
    last_name: Option<&str>,
) -> Option<String> {
    if let Some(name) = non_empty(name) {
        return Some(name.to_owned());
    }
    let parts: Vec<&str> = [first_name, last_name]
        .into_iter()
        .filter_map(non_empty)
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

pub(crate) fn product(field: &str, item: Option<&WireItem>) -> Result<PlatformProduct, ParseError> {
    let item = item.ok_or_else(|| ParseError::missing(field))?;
    Ok(PlatformProduct {
        external_id: required_text(&format!("{field}.id"), item.id.as_ref())?,
        name: non_empty(item.name.as_deref()).map(str::to_owned),
    })
}

pub(crate) fn plan(item: Option<&WireItem>) -> Option<PlatformPlan> {
    let item = item?;
    let plan = PlatformPlan {
        external_id: text(item.id.as_ref()),
        name: non_empty(item.name.as_deref()).map(str::to_owned),
    };
    (plan.external_id.is_some() || plan.name.is_some()).then_some(plan)
}

/// Returns whether the data is Hotmart's fixed test-send sample: its buyer e-mail, its
/// transaction id, or a product id of zeros (`0`, `00000`), which no real product
/// has.
pub(crate) fn is_test_send(
    email: Option<&str>,
    transaction: Option<&str>,
    product_id: Option<&str>,
) -> bool {
    let test_email =
        non_empty(email).is_some_and(|email| email.eq_ignore_ascii_case(TEST_BUYER_EMAIL));
    let test_transaction = non_empty(transaction) == Some(TEST_TRANSACTION);
    let zero_product = non_empty(product_id).is_some_and(|id| id.bytes().all(|b| b == b'0'));
    test_email || test_transaction || zero_product
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    #[test]
    fn text_accepts_strings_and_integers() {
        assert_eq!(text(Some(&json!(4120377))), Some("4120377".to_owned()));
        assert_eq!(text(Some(&json!(" 00000 "))), Some("00000".to_owned()));
        assert_eq!(text(Some(&json!(""))), None);
        assert_eq!(text(Some(&json!(null))), None);
        assert_eq!(text(Some(&json!(1.5))), None);
        assert_eq!(text(None), None);
    }

    #[test]
    fn timestamp_forms() {
        let expected = Some(datetime!(2025-07-08 16:00:00.123 UTC));
        assert_eq!(
            timestamp("d", Some(&json!(1_751_990_400_123_i64))),
            Ok(expected)
        );
        assert_eq!(timestamp("d", Some(&json!("1751990400123"))), Ok(expected));
        assert_eq!(
            timestamp("d", Some(&json!("2025-07-08T16:00:00.123Z"))),
            Ok(expected)
        );
        assert_eq!(timestamp("d", None), Ok(None));
        assert_eq!(timestamp("d", Some(&json!(""))), Ok(None));
        assert_eq!(
            timestamp("d", Some(&json!("yesterday"))).map_err(|e| e.code()),
            Err("invalid_field")
        );
        assert!(timestamp("d", Some(&json!(1.5))).is_err());
        assert!(timestamp("d", Some(&json!(i64::MAX))).is_err());
    }

    #[test]
    fn payment_method_mapping() {
        let cases = [
            ("CREDIT_CARD", PaymentMethodKind::Card),
            ("credit_card", PaymentMethodKind::Card),
            ("BILLET", PaymentMethodKind::Boleto),
            ("billet", PaymentMethodKind::Boleto),
            ("PIX", PaymentMethodKind::Pix),
            ("PAYPAL", PaymentMethodKind::Other),
            ("HYBRID", PaymentMethodKind::Other),
        ];
        for (raw, kind) in cases {
            let method = payment_method(Some(raw));
            assert_eq!(method.kind, kind, "type {raw}");
            assert_eq!(method.raw.as_deref(), Some(raw));
        }
        let absent = payment_method(None);
        assert_eq!(absent.kind, PaymentMethodKind::Other);
        assert_eq!(absent.raw, None);
    }

    #[test]
    fn full_name_falls_back_to_parts() {
        assert_eq!(
            full_name(Some("Ana Souza"), Some("X"), None).as_deref(),
            Some("Ana Souza")
        );
        assert_eq!(
            full_name(Some(" "), Some("Ana"), Some("Souza")).as_deref(),
            Some("Ana Souza")
        );
        assert_eq!(
            full_name(None, None, Some("Souza")).as_deref(),
            Some("Souza")
        );
        assert_eq!(full_name(None, Some(""), None), None);
    }

    #[test]
    fn test_send_detection() {
        assert!(is_test_send(
            Some("TESTECOMPRADOR271101POSTMAN15@example.com"),
            None,
            None
        ));
        assert!(is_test_send(None, Some(TEST_TRANSACTION), None));
        assert!(is_test_send(None, None, Some("0")));
        assert!(is_test_send(None, None, Some("00000")));
        assert!(!is_test_send(
            Some("ana@example.com"),
            Some("HP0900000101"),
            Some("4120377")
        ));
        assert!(!is_test_send(None, None, Some("")));
    }
}
