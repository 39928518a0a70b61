//! Kiwify webhook adapter.
//!
//! Kiwify appends `signature=<hex>` to the registered URL: the lower-case hex
//! HMAC-SHA1 of the raw body, keyed with the webhook token. The token itself is
//! never sent. Bodies are JSON with PascalCase objects (`Customer`, `Product`,
//! `Commissions`, `Subscription`), amounts in integer cents, and order dates in São
//! Paulo local time without an offset.

mod events;
mod wire;

use clientela_domain::values::Platform;
use clientela_platform::{
    AuthError, Credential, ParseError, PlatformAdapter, RawRequest, SaleEvent, VerifiedRequest,
};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Query parameter that carries the signature.
pub const SIGNATURE_PARAMETER: &str = "signature";

const SIGNATURE_LOCATION: &str = "`signature` query parameter";

/// Length of a hex-encoded SHA-1 HMAC.
const SIGNATURE_HEX_LEN: usize = 40;

type HmacSha1 = Hmac<Sha1>;

/// The Kiwify adapter, without state.
#[derive(Debug, Clone, Copy, Default)]
pub struct KiwifyAdapter;

/// Computes the signature Kiwify sends for `body` under `token`: lower-case hex of
/// HMAC-SHA1. Useful to build signed requests in tests of the HTTP layer.
pub fn compute_signature(token: &str, body: &[u8]) -> String {
    hex::encode(mac(token, body).finalize().into_bytes())
}

fn mac(token: &str, body: &[u8]) -> HmacSha1 {
    let mut mac = <HmacSha1 as KeyInit>::new_from_slice(token.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}

impl PlatformAdapter for KiwifyAdapter {
    fn platform(&self) -> Platform {
        Platform::Kiwify
    }

    /// Recomputes the HMAC-SHA1 of the raw body with the app's token and compares it
    /// with the `signature` parameter in constant time. Hex case does not matter.
    fn authenticate(&self, raw: &RawRequest, credential: &Credential) -> Result<(), AuthError> {
        let malformed = |reason| AuthError::MalformedSignature {
            expected: SIGNATURE_LOCATION,
            reason,
        };
        let values = raw.query_values(SIGNATURE_PARAMETER);
        let signature = match values.as_slice() {
            [] => "",
            [one] => one.as_str(),
            _ => return Err(malformed("more than one signature parameter")),
        };
        if signature.is_empty() {
            return Err(AuthError::MissingSignature {
                expected: SIGNATURE_LOCATION,
            });
        }
        if signature.len() != SIGNATURE_HEX_LEN {
            return Err(malformed("expected 40 hexadecimal characters"));
        }
        let expected = hex::decode(signature).map_err(|_| malformed("not hexadecimal"))?;

        mac(credential.expose_secret(), raw.body())
            .verify_slice(&expected)
            .map_err(|_| AuthError::Mismatch {
                expected: SIGNATURE_LOCATION,
            })
    }

    /// Joins the order id, event type and order status, because Kiwify sends no
    /// event id.
    fn dedupe_key(&self, request: &VerifiedRequest) -> Result<String, ParseError> {
        request.check_platform(Platform::Kiwify)?;
        events::dedupe_key(request.body())
    }

    fn parse(&self, request: &VerifiedRequest) -> Result<Vec<SaleEvent>, ParseError> {
        request.check_platform(Platform::Kiwify)?;
        events::parse(request.body())
    }
}
