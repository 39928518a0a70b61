//! Parsing of the query parameters of `GET /api/v1/webhook-events`, and the
//! encoding of its page cursor.

use std::collections::HashSet;
use std::str::FromStr;

use clientela_domain::error::{FieldError, ValidationErrors};
use clientela_domain::values::Platform;
use clientela_domain::webhook::{
    DELIVERY_PAGE_MAX, DeliveryCursor, DeliveryFilter, DeliveryId, DeliveryOutcome,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// The query parameters `GET /api/v1/webhook-events` accepts.
pub const WEBHOOK_EVENT_PARAMETERS: [&str; 6] =
    ["outcome", "platform", "from", "to", "limit", "cursor"];

/// Builds a delivery filter from query pairs. Empty values count as absent;
/// unknown and repeated parameters are rejected, and every bad value is reported
/// with its parameter's name.
pub fn parse_event_filter(pairs: &[(String, String)]) -> Result<DeliveryFilter, ValidationErrors> {
    let mut filter = DeliveryFilter::default();
    let mut errors = ValidationErrors::default();
    let mut seen = HashSet::new();

    for (name, value) in pairs {
        let name = name.as_str();
        if !WEBHOOK_EVENT_PARAMETERS.contains(&name) {
            errors.push(FieldError::new(
                name,
                "unknown_parameter",
                "unknown query parameter",
            ));
            continue;
        }
        if !seen.insert(name) {
            errors.push(FieldError::new(
                name,
                "duplicate_parameter",
                "parameter repeated",
            ));
            continue;
        }
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if let Err(error) = apply(&mut filter, name, value) {
            errors.push(error);
        }
    }

    if let (Some(from), Some(to)) = (filter.received_from, filter.received_before)
        && to < from
    {
        errors.push(FieldError::new(
            "to",
            "before_start",
            "to is earlier than from",
        ));
    }
    errors.into_result().map(|()| filter)
}

fn apply(filter: &mut DeliveryFilter, name: &str, value: &str) -> Result<(), FieldError> {
    match name {
        "outcome" => {
            // Repeats get the response status `duplicate` but are never stored, so
            // no stored delivery has that outcome.
            let outcome = DeliveryOutcome::parse(value)
                .filter(|outcome| *outcome != DeliveryOutcome::Duplicate)
                .ok_or_else(|| {
                    FieldError::new(
                        name,
                        "invalid_choice",
                        format!("unexpected value {value:?}"),
                    )
                })?;
            filter.outcome = Some(outcome);
        }
        "platform" => {
            let platform = Platform::from_str(value)
                .map_err(|error| FieldError::new(name, "invalid_choice", error))?;
            filter.platform = Some(platform);
        }
        "from" => filter.received_from = Some(parse_time(name, value)?),
        "to" => filter.received_before = Some(parse_time(name, value)?),
        "limit" => filter.limit = parse_limit(value)?,
        "cursor" => filter.after = Some(decode_cursor(value)?),
        _ => {
            return Err(FieldError::new(
                name,
                "unknown_parameter",
                "unknown query parameter",
            ));
        }
    }
    Ok(())
}

fn parse_time(name: &str, value: &str) -> Result<OffsetDateTime, FieldError> {
    OffsetDateTime::parse(value, &Rfc3339)
        .map_err(|error| FieldError::new(name, "invalid_date", error))
}

fn parse_limit(value: &str) -> Result<u32, FieldError> {
    match value.parse::<u32>() {
        Ok(limit) if (1..=DELIVERY_PAGE_MAX).contains(&limit) => Ok(limit),
        _ => Err(FieldError::new(
            "limit",
            "out_of_range",
            format!("expected an integer from 1 to {DELIVERY_PAGE_MAX}, got {value:?}"),
        )),
    }
}

/// Encodes a cursor as `<received_at in Unix nanoseconds>_<delivery id>`.
pub fn encode_cursor(cursor: &DeliveryCursor) -> String {
    format!(
        "{}_{}",
        cursor.received_at.unix_timestamp_nanos(),
        cursor.id
    )
}

fn decode_cursor(value: &str) -> Result<DeliveryCursor, FieldError> {
    let invalid = || FieldError::new("cursor", "invalid_webhook_cursor", "malformed cursor");
    let (nanos, id) = value.split_once('_').ok_or_else(invalid)?;
    let nanos: i128 = nanos.parse().map_err(|_| invalid())?;
    let received_at = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| invalid())?;
    let id = Uuid::parse_str(id).map_err(|_| invalid())?;
    Ok(DeliveryCursor {
        received_at,
        id: DeliveryId::from_uuid(id),
    })
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn codes(error: &ValidationErrors) -> Vec<(String, &'static str)> {
        error.0.iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    #[test]
    fn every_parameter_is_parsed() {
        let cursor = DeliveryCursor {
            received_at: datetime!(2026-03-01 10:00:00.123456 UTC),
            id: DeliveryId::generate(),
        };
        let filter = parse_event_filter(&pairs(&[
            ("outcome", "rejected_unparseable"),
            ("platform", "kiwify"),
            ("from", "2026-03-01T00:00:00Z"),
            ("to", "2026-03-02T00:00:00-03:00"),
            ("limit", "500"),
            ("cursor", &encode_cursor(&cursor)),
        ]))
        .unwrap();

        assert_eq!(filter.outcome, Some(DeliveryOutcome::RejectedUnparseable));
        assert_eq!(filter.platform, Some(Platform::Kiwify));
        assert_eq!(filter.received_from, Some(datetime!(2026-03-01 00:00 UTC)));
        assert_eq!(
            filter.received_before,
            Some(datetime!(2026-03-02 03:00 UTC))
        );
        assert_eq!(filter.limit, 500);
        assert_eq!(filter.after, Some(cursor));
    }

    #[test]
    fn defaults_without_parameters() {
        let filter = parse_event_filter(&[]).unwrap();

        assert_eq!(filter, DeliveryFilter::default());
    }

    #[test]
    fn every_bad_value_is_reported_by_name() {
        let error = parse_event_filter(&pairs(&[
            ("outcome", "duplicate"),
            ("platform", "shopify"),
            ("from", "2026-03-01"),
            ("limit", "501"),
            ("cursor", "abc"),
            ("q", "ana"),
        ]))
        .unwrap_err();

        assert_eq!(
            codes(&error),
            vec![
                ("outcome".to_owned(), "invalid_choice"),
                ("platform".to_owned(), "invalid_choice"),
                ("from".to_owned(), "invalid_date"),
                ("limit".to_owned(), "out_of_range"),
                ("cursor".to_owned(), "invalid_webhook_cursor"),
                ("q".to_owned(), "unknown_parameter"),
            ]
        );
    }

    #[test]
    fn end_before_start_is_rejected() {
        let error = parse_event_filter(&pairs(&[
            ("from", "2026-03-02T00:00:00Z"),
            ("to", "2026-03-01T00:00:00Z"),
        ]))
        .unwrap_err();

        assert_eq!(codes(&error), vec![("to".to_owned(), "before_start")]);
    }

    #[test]
    fn repeated_parameter_is_rejected() {
        let error = parse_event_filter(&pairs(&[("outcome", "ignored"), ("outcome", "processed")]))
            .unwrap_err();

        assert_eq!(
            codes(&error),
            vec![("outcome".to_owned(), "duplicate_parameter")]
        );
    }
}
