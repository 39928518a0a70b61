//! Hottok authentication of Hotmart deliveries.

mod common;

use std::sync::Arc;

use clientela_domain::values::Platform;
use clientela_hotmart::{HOTTOK_HEADER, HotmartAdapter};
use clientela_platform::{AuthError, Credential, PlatformAdapter, RawRequest, Registry, verify};
use common::{TOKEN, credential, fixture, fixture_json, request, to_body};

const JSON_FIXTURES: [&str; 7] = [
    "purchase_approved_card.json",
    "purchase_billet_printed_boleto.json",
    "purchase_billet_printed_pix.json",
    "purchase_canceled.json",
    "purchase_chargeback.json",
    "purchase_refunded.json",
    "subscription_cancellation.json",
];

fn authenticate(raw: &RawRequest) -> Result<(), AuthError> {
    HotmartAdapter.authenticate(raw, &credential())
}

/// Returns the approved purchase without its body `hottok`, so only the header can
/// count.
fn body_without_token() -> Vec<u8> {
    let mut json = fixture_json("purchase_approved_card.json");
    json.as_object_mut().expect("object").remove("hottok");
    to_body(&json)
}

#[test]
fn header_token_accepted_for_every_fixture() {
    for name in JSON_FIXTURES {
        assert_eq!(
            authenticate(&request(fixture(name))),
            Ok(()),
            "fixture {name}"
        );
    }
}

#[test]
fn header_name_is_case_insensitive() {
    let raw = RawRequest::new(body_without_token()).with_header("x-hotmart-hottok", TOKEN);
    assert_eq!(authenticate(&raw), Ok(()));
}

#[test]
fn body_token_accepted_without_header() {
    for name in JSON_FIXTURES {
        let raw = RawRequest::new(fixture(name));
        assert_eq!(authenticate(&raw), Ok(()), "fixture {name}");
    }
}

#[test]
fn empty_header_falls_back_to_body() {
    let raw = RawRequest::new(fixture("purchase_refunded.json")).with_header(HOTTOK_HEADER, "");
    assert_eq!(authenticate(&raw), Ok(()));
}

#[test]
fn legacy_form_token_accepted() {
    let raw = RawRequest::new(fixture("v1_postback_purchase_approved.txt"));
    assert_eq!(authenticate(&raw), Ok(()));
}

#[test]
fn wrong_header_token_rejected() {
    let raw = RawRequest::new(body_without_token())
        .with_header(HOTTOK_HEADER, "FICTICIOhottokEXEMPLO0000000000000002");
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::Mismatch { .. })
    ));
}

#[test]
fn wrong_header_wins_over_right_body() {
    // The body carries the right token, but a present header is what counts.
    let raw = RawRequest::new(fixture("purchase_approved_card.json"))
        .with_header(HOTTOK_HEADER, "another-token");
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::Mismatch { .. })
    ));
}

#[test]
fn token_comparison_is_case_sensitive() {
    let raw =
        RawRequest::new(body_without_token()).with_header(HOTTOK_HEADER, TOKEN.to_lowercase());
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::Mismatch { .. })
    ));
}

#[test]
fn wrong_body_token_rejected() {
    let mut json = fixture_json("purchase_approved_card.json");
    json["hottok"] = "not-the-token".into();
    let raw = RawRequest::new(to_body(&json));
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::Mismatch { .. })
    ));

    let form = String::from_utf8(fixture("v1_postback_purchase_approved.txt"))
        .expect("UTF-8 fixture")
        .replace(TOKEN, "not-the-token");
    assert!(matches!(
        authenticate(&RawRequest::new(form)),
        Err(AuthError::Mismatch { .. })
    ));
}

#[test]
fn missing_token_rejected() {
    let raw = RawRequest::new(body_without_token());
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::MissingSignature { .. })
    ));

    let mut json = fixture_json("purchase_approved_card.json");
    json["hottok"] = "".into();
    let raw = RawRequest::new(to_body(&json));
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::MissingSignature { .. })
    ));

    let raw = RawRequest::new("callback_type=1&status=approved");
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::MissingSignature { .. })
    ));

    assert!(matches!(
        authenticate(&RawRequest::new("")),
        Err(AuthError::MissingSignature { .. })
    ));
}

#[test]
fn unreadable_body_without_header_rejected() {
    for body in ["{\"hottok\": ", "{\"hottok\": 12345}", "hottok=a&hottok=b"] {
        let result = authenticate(&RawRequest::new(body));
        assert!(
            matches!(result, Err(AuthError::MalformedSignature { .. })),
            "body {body:?} gave {result:?}"
        );
    }
}

#[test]
fn auth_error_never_shows_tokens() {
    let raw = RawRequest::new(body_without_token()).with_header(HOTTOK_HEADER, "sent-token-value");
    let error = authenticate(&raw).expect_err("mismatch");
    let message = error.to_string();
    assert!(!message.contains("sent-token-value"), "{message}");
    assert!(!message.contains(TOKEN), "{message}");
}

#[test]
fn verify_returns_hotmart_request() {
    let raw = request(fixture("purchase_approved_card.json"));
    let verified = verify(&HotmartAdapter, &raw, &credential()).expect("authentic");
    assert_eq!(verified.platform(), Platform::Hotmart);
    assert_eq!(verified.body(), raw.body());

    let other = Credential::new("another-app-token").expect("non-empty");
    assert!(verify(&HotmartAdapter, &raw, &other).is_err());
}

#[test]
fn registry_finds_hotmart_by_name() {
    let mut registry = Registry::new();
    registry
        .register(Arc::new(HotmartAdapter))
        .expect("first registration");
    let adapter = registry.get_by_name("hotmart").expect("registered");
    assert_eq!(adapter.platform(), Platform::Hotmart);
    assert!(registry.get(Platform::Hotmart).is_some());
    assert!(registry.get_by_name("kiwify").is_none());
    assert!(registry.get_by_name("no-such-platform").is_none());
    assert_eq!(registry.platforms(), [Platform::Hotmart]);

    let duplicate = registry.register(Arc::new(HotmartAdapter));
    assert_eq!(duplicate.map_err(|error| error.0), Err(Platform::Hotmart));
}
