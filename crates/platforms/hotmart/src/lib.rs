//! Hotmart webhook adapter.
//!
//! Hotmart authenticates with a static per-account token, the hottok, and signs
//! nothing. Webhook 2.0.0 sends JSON with the token in the `X-HOTMART-HOTTOK` header
//! and in the body's `hottok` field. The legacy 1.0 postback sends form data with a
//! `hottok` field. Events are mapped from the event name, never from
//! `purchase.status`, which is kept as the raw status.

mod fields;
mod v1;
mod v2;

use clientela_domain::values::Platform;
use clientela_platform::{
    AuthError, Credential, ParseError, PlatformAdapter, RawRequest, SaleEvent, VerifiedRequest,
    parse_form,
};
use serde::Deserialize;

/// Header that carries the hottok in webhook 2.0.0.
pub const HOTTOK_HEADER: &str = "X-HOTMART-HOTTOK";

const TOKEN_LOCATION: &str = "hottok (X-HOTMART-HOTTOK header or hottok body field)";

/// The Hotmart adapter, without state.
#[derive(Debug, Clone, Copy, Default)]
pub struct HotmartAdapter;

/// The two body formats Hotmart sends.
enum Format {
    /// Webhook 2.0.0, JSON.
    Json,
    /// Legacy 1.0 postback, form data.
    Form,
}

/// Tells the formats apart by the first non-blank byte: a JSON body is an object.
fn format_of(body: &[u8]) -> Format {
    match body.iter().find(|byte| !byte.is_ascii_whitespace()) {
        Some(b'{') => Format::Json,
        _ => Format::Form,
    }
}

/// Reads only the `hottok` field of the body, for deliveries without the header.
fn body_hottok(body: &[u8]) -> Result<Option<String>, AuthError> {
    #[derive(Deserialize)]
    struct Token {
        hottok: Option<String>,
    }

    let malformed = |reason| AuthError::MalformedSignature {
        expected: TOKEN_LOCATION,
        reason,
    };
    let token: Token = match format_of(body) {
        Format::Json => serde_json::from_slice(body)
            .map_err(|_| malformed("body is not a JSON object with a string hottok"))?,
        Format::Form => parse_form(body)
            .map_err(|_| malformed("body is not form data with at most one hottok"))?,
    };
    Ok(token.hottok)
}

impl PlatformAdapter for HotmartAdapter {
    fn platform(&self) -> Platform {
        Platform::Hotmart
    }

    /// Compares the hottok with the app's credential in constant time. The header
    /// wins when present and non-empty; otherwise the body's `hottok` field counts.
    fn authenticate(&self, raw: &RawRequest, credential: &Credential) -> Result<(), AuthError> {
        let header = raw.header(HOTTOK_HEADER).filter(|token| !token.is_empty());
        let token = match header {
            Some(token) => token.to_owned(),
            None => body_hottok(raw.body())?.unwrap_or_default(),
        };
        if token.is_empty() {
            return Err(AuthError::MissingSignature {
                expected: TOKEN_LOCATION,
            });
        }
        if !credential.matches(token.as_bytes()) {
            return Err(AuthError::Mismatch {
                expected: TOKEN_LOCATION,
            });
        }
        Ok(())
    }

    /// Returns the 2.0.0 envelope `id`, or for legacy postbacks the transaction and
    /// status.
    fn dedupe_key(&self, request: &VerifiedRequest) -> Result<String, ParseError> {
        request.check_platform(Platform::Hotmart)?;
        match format_of(request.body()) {
            Format::Json => v2::dedupe_key(request.body()),
            Format::Form => v1::dedupe_key(request.body()),
        }
    }

    fn parse(&self, request: &VerifiedRequest) -> Result<Vec<SaleEvent>, ParseError> {
        request.check_platform(Platform::Hotmart)?;
        match format_of(request.body()) {
            Format::Json => v2::parse(request.body()),
            Format::Form => v1::parse(request.body()),
        }
    }
}
