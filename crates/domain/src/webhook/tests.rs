use time::macros::datetime;

use super::*;
use crate::sale::{IgnoreReason, IgnoredEvent, UnrecognizedEvent};

const RECEIVED: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

fn delivery(headers: Vec<(&str, &str)>) -> Delivery {
    Delivery::new(
        AppId::generate(),
        Platform::Hotmart,
        "event-1",
        RECEIVED,
        headers,
        Some("signature=abc123".to_owned()),
        b"{}".to_vec(),
    )
    .expect("valid dedupe key")
}

fn ignored(platform: Platform) -> SaleEvent {
    SaleEvent::Ignored(IgnoredEvent {
        platform,
        event_type: "PURCHASE_OUT_OF_SHOPPING_CART".to_owned(),
        reason: IgnoreReason::AbandonedCart,
    })
}

fn unrecognized() -> SaleEvent {
    SaleEvent::Unrecognized(UnrecognizedEvent {
        platform: Platform::Hotmart,
        event_type: "NEW_THING".to_owned(),
    })
}

#[test]
fn delivery_drops_secret_headers() {
    let delivery = delivery(vec![
        ("X-HOTMART-HOTTOK", "secret-token"),
        ("Content-Type", "application/json"),
        ("Authorization", "Basic abc"),
        ("User-Agent", "Hotmart"),
    ]);
    assert_eq!(
        delivery.headers,
        vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("user-agent".to_owned(), "Hotmart".to_owned()),
        ]
    );
    assert_eq!(delivery.header("X-Hotmart-Hottok"), None);
    assert_eq!(delivery.header("USER-AGENT"), Some("Hotmart"));
    assert_eq!(delivery.content_type.as_deref(), Some("application/json"));
}

#[test]
fn delivery_keeps_signature_query() {
    let delivery = delivery(Vec::new());
    assert_eq!(delivery.query.as_deref(), Some("signature=abc123"));
    assert_eq!(delivery.content_type, None);
}

#[test]
fn delivery_rejects_bad_dedupe_keys() {
    let build = |key: String| {
        Delivery::new(
            AppId::generate(),
            Platform::Kiwify,
            key,
            RECEIVED,
            Vec::<(&str, &str)>::new(),
            None,
            Vec::new(),
        )
    };
    assert_eq!(build(String::new()), Err(DedupeKeyError::Empty));
    assert_eq!(
        build("k".repeat(DEDUPE_KEY_MAX_CHARS + 1)),
        Err(DedupeKeyError::TooLong)
    );
    assert!(build("k".repeat(DEDUPE_KEY_MAX_CHARS)).is_ok());
}

#[test]
fn body_dedupe_key_is_stable() {
    let key = body_dedupe_key(b"abc");
    assert_eq!(
        key,
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_ne!(body_dedupe_key(b"abd"), key);
    assert!(key.len() <= DEDUPE_KEY_MAX_CHARS);
}

#[test]
fn outcome_codes_round_trip() {
    for outcome in DeliveryOutcome::ALL {
        assert_eq!(DeliveryOutcome::parse(outcome.as_str()), Some(outcome));
    }
    assert_eq!(DeliveryOutcome::parse("other"), None);
}

#[test]
fn outcome_of_events() {
    assert_eq!(
        DeliveryOutcome::of_events(&[ignored(Platform::Hotmart)]),
        DeliveryOutcome::Ignored
    );
    assert_eq!(
        DeliveryOutcome::of_events(&[ignored(Platform::Hotmart), unrecognized()]),
        DeliveryOutcome::Unrecognized
    );
    assert_eq!(
        DeliveryOutcome::of_events(&[]),
        DeliveryOutcome::Unrecognized
    );
}

#[test]
fn event_platforms_must_match() {
    assert_eq!(
        check_event_platforms(Platform::Hotmart, &[ignored(Platform::Hotmart)]),
        Ok(())
    );
    let error = check_event_platforms(
        Platform::Hotmart,
        &[ignored(Platform::Hotmart), ignored(Platform::Kiwify)],
    )
    .expect_err("mixed platforms");
    assert_eq!(error.index, 1);
    assert_eq!(error.event_platform, Platform::Kiwify);
}

#[test]
fn page_size_is_clamped() {
    let filter = |limit| DeliveryFilter {
        limit,
        ..DeliveryFilter::default()
    };
    assert_eq!(filter(0).page_size(), 1);
    assert_eq!(filter(20).page_size(), 20);
    assert_eq!(filter(10_000).page_size(), DELIVERY_PAGE_MAX);
}

#[test]
fn summary_serializes_round_trip() {
    let summary = DeliverySummary {
        events: vec![EventSummary::of(&ignored(Platform::Kiwify))],
        counts: IngestCounts {
            clients_created: 1,
            ..IngestCounts::default()
        },
        data_issues: vec![DeliveryDataIssue {
            event_index: 0,
            field: "phone".to_owned(),
            reason: "invalid_phone".to_owned(),
        }],
    };
    let json = serde_json::to_value(&summary).expect("serializable");
    assert_eq!(json["events"][0]["kind"], "ignored");
    let back: DeliverySummary = serde_json::from_value(json).expect("deserializable");
    assert_eq!(back, summary);
}
