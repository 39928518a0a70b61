//! Helpers shared by the Kiwify integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use clientela_kiwify::{KiwifyAdapter, compute_signature};
use clientela_platform::{
    Credential, PlatformAdapter, RawRequest, SaleEvent, VerifiedRequest, verify,
};
use serde_json::Value;

/// The fictional webhook token the Kiwify sample payloads are signed with.
pub const TOKEN: &str = "k7q2mx9wz4p";

/// Each sample payload with the signature Kiwify would send for it under `TOKEN`.
pub const SIGNED_FIXTURES: [(&str, &str); 7] = [
    (
        "order_approved_card.json",
        "4151afa0fab104ad9655a103e94ff89e4f11b7da",
    ),
    (
        "pix_created.json",
        "c47f7d24ad618aee0725868db5dd32417c6ec726",
    ),
    (
        "billet_created.json",
        "21cd36e95768487210d88679bd628706c8815fee",
    ),
    (
        "order_refunded.json",
        "47975b4d7adb2634689471925ed2a420c8f35e7a",
    ),
    (
        "chargeback.json",
        "845f961c8216c8fd6652b23219aff8f8f7dd4504",
    ),
    (
        "order_rejected.json",
        "9461ab4eeaec1434f49c1bcae12f9043c8a26b36",
    ),
    (
        "subscription_canceled.json",
        "476cca2cf108ad96577669c253e14ca4837bc8dc",
    ),
];

/// Returns the folder of the shared sample payloads, which sits beside the
/// workspace root (`<workspace>/../shared`).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/fixtures/webhooks/kiwify")
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

pub fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).expect("fixture is JSON")
}

pub fn credential() -> Credential {
    Credential::new(TOKEN).expect("non-empty token")
}

/// Builds a delivery as Kiwify sends it: the body, signed in the query string.
pub fn signed(body: impl Into<Vec<u8>>) -> RawRequest {
    let body = body.into();
    let signature = compute_signature(TOKEN, &body);
    RawRequest::new(body).with_query(format!("signature={signature}"))
}

pub fn verified(body: impl Into<Vec<u8>>) -> VerifiedRequest {
    verify(&KiwifyAdapter, &signed(body), &credential()).expect("authentic delivery")
}

/// Parses a delivery that must hold exactly one event.
pub fn parse_one(body: impl Into<Vec<u8>>) -> SaleEvent {
    let mut events = KiwifyAdapter
        .parse(&verified(body))
        .unwrap_or_else(|error| panic!("parse failed: {error}"));
    assert_eq!(events.len(), 1, "events: {events:?}");
    events.remove(0)
}

pub fn to_body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("serializable")
}
