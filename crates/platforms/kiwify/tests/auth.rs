//! HMAC-SHA1 signature checks of Kiwify deliveries.

mod common;

use std::sync::Arc;

use clientela_domain::values::Platform;
use clientela_hotmart::{HOTTOK_HEADER, HotmartAdapter};
use clientela_kiwify::{KiwifyAdapter, compute_signature};
use clientela_platform::{AuthError, Credential, PlatformAdapter, RawRequest, Registry, verify};
use common::{SIGNED_FIXTURES, TOKEN, credential, fixture, fixture_json};

fn authenticate(raw: &RawRequest) -> Result<(), AuthError> {
    KiwifyAdapter.authenticate(raw, &credential())
}

fn with_signature(body: Vec<u8>, signature: &str) -> RawRequest {
    RawRequest::new(body).with_query(format!("signature={signature}"))
}

#[test]
fn computed_signatures_match_published_values() {
    for (name, signature) in SIGNED_FIXTURES {
        assert_eq!(
            compute_signature(TOKEN, &fixture(name)),
            signature,
            "fixture {name}"
        );
    }
}

#[test]
fn published_signatures_accepted() {
    for (name, signature) in SIGNED_FIXTURES {
        let raw = with_signature(fixture(name), signature);
        assert_eq!(authenticate(&raw), Ok(()), "fixture {name}");
    }
}

#[test]
fn signature_after_other_query_parameters_accepted() {
    let (name, signature) = SIGNED_FIXTURES[0];
    let raw = RawRequest::new(fixture(name)).with_query(format!("app=loja&signature={signature}"));
    assert_eq!(authenticate(&raw), Ok(()));
}

#[test]
fn upper_case_hex_accepted() {
    let (name, signature) = SIGNED_FIXTURES[1];
    let raw = with_signature(fixture(name), &signature.to_uppercase());
    assert_eq!(authenticate(&raw), Ok(()));
}

#[test]
fn reserialized_body_rejected() {
    for (name, signature) in SIGNED_FIXTURES {
        // The same JSON value, pretty-printed, is different bytes.
        let pretty = serde_json::to_vec_pretty(&fixture_json(name)).expect("serializable");
        let raw = with_signature(pretty, signature);
        assert!(
            matches!(authenticate(&raw), Err(AuthError::Mismatch { .. })),
            "fixture {name}"
        );
    }
}

#[test]
fn compact_reserialization_rejected() {
    // The same JSON written compactly again still differs in its bytes, because
    // serde_json's `Value` sorts object keys.
    let (name, signature) = SIGNED_FIXTURES[6];
    let compact = serde_json::to_vec(&fixture_json(name)).expect("serializable");
    assert_ne!(compact, fixture(name));
    let raw = with_signature(compact, signature);
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::Mismatch { .. })
    ));
}

#[test]
fn tampered_body_rejected() {
    let (name, signature) = SIGNED_FIXTURES[0];
    let body = String::from_utf8(fixture(name))
        .expect("UTF-8")
        .replace("\"charge_amount\":19700", "\"charge_amount\":100");
    let raw = with_signature(body.into_bytes(), signature);
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::Mismatch { .. })
    ));
}

#[test]
fn wrong_token_rejected() {
    let (name, signature) = SIGNED_FIXTURES[0];
    let raw = with_signature(fixture(name), signature);
    let other = Credential::new("w9i3pvutvxe").expect("non-empty");
    assert!(matches!(
        KiwifyAdapter.authenticate(&raw, &other),
        Err(AuthError::Mismatch { .. })
    ));

    let signed_with_other = compute_signature("w9i3pvutvxe", &fixture(name));
    let raw = with_signature(fixture(name), &signed_with_other);
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::Mismatch { .. })
    ));
}

#[test]
fn missing_signature_rejected() {
    let body = fixture("order_approved_card.json");
    for raw in [
        RawRequest::new(body.clone()),
        RawRequest::new(body.clone()).with_query(""),
        RawRequest::new(body.clone()).with_query("signature="),
        RawRequest::new(body).with_query("sig=4151afa0fab104ad9655a103e94ff89e4f11b7da"),
    ] {
        let result = authenticate(&raw);
        assert!(
            matches!(result, Err(AuthError::MissingSignature { .. })),
            "query {:?} gave {result:?}",
            raw.query()
        );
    }
}

#[test]
fn signature_in_header_not_accepted() {
    let (name, signature) = SIGNED_FIXTURES[0];
    let raw = RawRequest::new(fixture(name)).with_header("X-Kiwify-Signature", signature);
    assert!(matches!(
        authenticate(&raw),
        Err(AuthError::MissingSignature { .. })
    ));
}

#[test]
fn malformed_signature_rejected() {
    let (name, signature) = SIGNED_FIXTURES[0];
    let cases = [
        signature[..39].to_owned(),
        format!("{signature}00"),
        format!("{}zz", &signature[..38]),
        "sha1=4151afa0fab104ad9655a103e94ff89e4f11b7".to_owned(),
    ];
    for bad in cases {
        let result = authenticate(&with_signature(fixture(name), &bad));
        assert!(
            matches!(result, Err(AuthError::MalformedSignature { .. })),
            "signature {bad:?} gave {result:?}"
        );
    }

    let twice = RawRequest::new(fixture(name))
        .with_query(format!("signature={signature}&signature={signature}"));
    assert!(matches!(
        authenticate(&twice),
        Err(AuthError::MalformedSignature { .. })
    ));
}

#[test]
fn auth_error_never_shows_secrets() {
    let (name, signature) = SIGNED_FIXTURES[0];
    let error = KiwifyAdapter
        .authenticate(
            &with_signature(fixture(name), signature),
            &Credential::new("other-token").expect("non-empty"),
        )
        .expect_err("mismatch");
    let message = error.to_string();
    assert!(!message.contains("other-token"), "{message}");
    assert!(!message.contains(signature), "{message}");
}

#[test]
fn hotmart_verified_request_refused_by_kiwify() {
    let body = fixture("order_approved_card.json");
    let raw = RawRequest::new(body).with_header(HOTTOK_HEADER, TOKEN);
    let verified = verify(&HotmartAdapter, &raw, &credential()).expect("hottok matches");
    let error = KiwifyAdapter.parse(&verified).expect_err("wrong platform");
    assert_eq!(error.code(), "wrong_platform");
    assert!(KiwifyAdapter.dedupe_key(&verified).is_err());
}

#[test]
fn registry_holds_both_adapters() {
    let mut registry = Registry::new();
    registry.register(Arc::new(KiwifyAdapter)).expect("kiwify");
    registry
        .register(Arc::new(HotmartAdapter))
        .expect("hotmart");
    assert_eq!(registry.platforms(), [Platform::Hotmart, Platform::Kiwify]);

    let adapter = registry.get_by_name("kiwify").expect("registered");
    let (name, signature) = SIGNED_FIXTURES[0];
    let raw = with_signature(fixture(name), signature);
    let verified = verify(adapter.as_ref(), &raw, &credential()).expect("authentic");
    assert_eq!(verified.platform(), Platform::Kiwify);

    assert!(registry.register(Arc::new(KiwifyAdapter)).is_err());
    assert!(format!("{registry:?}").contains("Kiwify"));
}
