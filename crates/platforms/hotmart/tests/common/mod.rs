//! Helpers shared by the Hotmart integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use clientela_hotmart::{HOTTOK_HEADER, HotmartAdapter};
use clientela_platform::{
    Credential, PlatformAdapter, RawRequest, SaleEvent, VerifiedRequest, verify,
};
use serde_json::Value;

/// The fictional hottok of every Hotmart sample payload.
pub const TOKEN: &str = "FICTICIOhottokEXEMPLO0000000000000001";

/// Returns the folder of the shared sample payloads, which sits beside the
/// workspace root (`<workspace>/../shared`).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/fixtures/webhooks/hotmart")
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

/// Builds a delivery as Hotmart sends it: the body with the hottok header.
pub fn request(body: impl Into<Vec<u8>>) -> RawRequest {
    RawRequest::new(body).with_header(HOTTOK_HEADER, TOKEN)
}

pub fn verified(body: impl Into<Vec<u8>>) -> VerifiedRequest {
    verify(&HotmartAdapter, &request(body), &credential()).expect("authentic delivery")
}

pub fn parse(body: impl Into<Vec<u8>>) -> Vec<SaleEvent> {
    HotmartAdapter
        .parse(&verified(body))
        .unwrap_or_else(|error| panic!("parse failed: {error}"))
}

/// Parses a delivery that must hold exactly one event.
pub fn parse_one(body: impl Into<Vec<u8>>) -> SaleEvent {
    let mut events = parse(body);
    assert_eq!(events.len(), 1, "events: {events:?}");
    events.remove(0)
}

pub fn to_body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("serializable")
}
