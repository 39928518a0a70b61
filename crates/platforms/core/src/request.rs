use clientela_domain::values::Platform;
use clientela_domain::webhook::Delivery;
use serde::de::DeserializeOwned;

use crate::{AuthError, Credential, ParseError, PlatformAdapter};

/// A webhook delivery as received, before anything in it is trusted: the headers,
/// the query string and the exact body bytes, which signatures are computed over.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawRequest {
    /// Header names lower-cased, in arrival order; a name may repeat.
    headers: Vec<(String, String)>,
    /// The query string without the leading `?`.
    query: Option<String>,
    body: Vec<u8>,
}

impl RawRequest {
    pub fn new(body: impl Into<Vec<u8>>) -> Self {
        Self {
            headers: Vec::new(),
            query: None,
            body: body.into(),
        }
    }

    /// Adds a header. Names are case-insensitive, as in HTTP.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Sets the query string, given without the leading `?`.
    pub fn with_query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// Returns the first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).next()
    }

    /// Returns every value of a header, in arrival order.
    pub fn header_values(&self, name: &str) -> impl Iterator<Item = &str> + use<'_> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(move |(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns all headers as (lower-case name, value) pairs.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// Returns every value of a query parameter, percent-decoded, in order of
    /// appearance.
    pub fn query_values(&self, name: &str) -> Vec<String> {
        let Some(query) = self.query.as_deref() else {
            return Vec::new();
        };
        // Decoding is lossy for invalid UTF-8, so this parse does not fail.
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        pairs
            .into_iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value)
            .collect()
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// A delivery whose authentication succeeded. Only [`verify`] constructs one, so an
/// adapter's `dedupe_key` and `parse` never see an unchecked request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRequest {
    platform: Platform,
    raw: RawRequest,
}

impl VerifiedRequest {
    /// Returns the platform whose adapter verified the request.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    pub fn raw(&self) -> &RawRequest {
        &self.raw
    }

    pub fn body(&self) -> &[u8] {
        self.raw.body()
    }

    /// Rebuilds a delivery stored after it passed authentication, for a replay.
    /// Only the driver calls this, so no unchecked request becomes verified.
    pub(crate) fn from_stored(platform: Platform, delivery: &Delivery) -> Self {
        let mut raw = RawRequest::new(delivery.body.clone());
        for (name, value) in &delivery.headers {
            raw = raw.with_header(name, value.clone());
        }
        if let Some(query) = &delivery.query {
            raw = raw.with_query(query.clone());
        }
        Self { platform, raw }
    }

    /// Fails unless the request was verified by `expected`'s adapter, so one
    /// platform's credential never admits a body to another platform's parser.
    pub fn check_platform(&self, expected: Platform) -> Result<(), ParseError> {
        if self.platform == expected {
            Ok(())
        } else {
            Err(ParseError::WrongPlatform {
                expected,
                verified: self.platform,
            })
        }
    }
}

/// Runs `adapter`'s authentication on `raw` with the app's credential and, when it
/// succeeds, returns the request as verified.
pub fn verify(
    adapter: &dyn PlatformAdapter,
    raw: &RawRequest,
    credential: &Credential,
) -> Result<VerifiedRequest, AuthError> {
    adapter.authenticate(raw, credential)?;
    Ok(VerifiedRequest {
        platform: adapter.platform(),
        raw: raw.clone(),
    })
}

/// Deserializes a JSON body. Errors give the path of the failing field and the
/// position, never the received value.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ParseError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| json_error(error.path().to_string(), error.inner()))?;
    deserializer
        .end()
        .map_err(|error| json_error(".".to_owned(), &error))?;
    Ok(value)
}

fn json_error(path: String, error: &serde_json::Error) -> ParseError {
    use serde_json::error::Category;

    let position = format!("line {}, column {}", error.line(), error.column());
    match error.classify() {
        Category::Data => {
            let message = error.to_string();
            // Serde's "missing field `x`" names only the field; other data messages
            // may quote the received value, so they are replaced.
            if let Some(field) = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
            {
                let field = if path == "." {
                    field.to_owned()
                } else {
                    format!("{path}.{field}")
                };
                return ParseError::missing(field);
            }
            ParseError::invalid(path, format!("unexpected type or value at {position}"))
        }
        Category::Syntax => ParseError::InvalidBody {
            format: "JSON",
            detail: format!("syntax error at {position}"),
        },
        Category::Eof => ParseError::InvalidBody {
            format: "JSON",
            detail: format!("unexpected end of input at {position}"),
        },
        Category::Io => ParseError::InvalidBody {
            format: "JSON",
            detail: "read failure".to_owned(),
        },
    }
}

/// Deserializes an `application/x-www-form-urlencoded` body. A repeated field is an
/// error, because which copy counts would be a guess.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ParseError> {
    serde_urlencoded::from_bytes(body).map_err(|error| {
        let message = error.to_string();
        // Only these serde messages are known to carry a field name and no value.
        let detail =
            if message.starts_with("duplicate field") || message.starts_with("missing field") {
                message
            } else {
                "unexpected field value".to_owned()
            };
        ParseError::InvalidBody {
            format: "form data",
            detail,
        }
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn headers_are_case_insensitive() {
        let raw = RawRequest::new("{}")
            .with_header("X-HOTMART-HOTTOK", "a")
            .with_header("x-hotmart-hottok", "b")
            .with_header("Content-Type", "application/json");
        assert_eq!(raw.header("x-Hotmart-Hottok"), Some("a"));
        assert_eq!(
            raw.header_values("X-HOTMART-HOTTOK").collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(raw.header("missing"), None);
        assert_eq!(raw.headers().count(), 3);
        assert_eq!(raw.headers().next(), Some(("x-hotmart-hottok", "a")));
    }

    #[test]
    fn query_values_are_decoded() {
        let raw = RawRequest::new("").with_query("a=1&signature=ab%20cd&signature=ef&b");
        assert_eq!(raw.query_values("signature"), ["ab cd", "ef"]);
        assert_eq!(raw.query_values("b"), [""]);
        assert!(raw.query_values("c").is_empty());
        assert!(RawRequest::new("").query_values("signature").is_empty());
    }

    #[derive(Debug, Deserialize)]
    struct Envelope {
        #[allow(dead_code)]
        data: Data,
    }

    #[derive(Debug, Deserialize)]
    struct Data {
        #[allow(dead_code)]
        count: u32,
    }

    #[test]
    fn parse_json_errors_hide_values() {
        let error = parse_json::<Envelope>(br#"{"data":{"count":"secret@example.com"}}"#)
            .expect_err("wrong type");
        assert_eq!(error.code(), "invalid_field");
        let message = error.to_string();
        assert!(message.contains("data.count"), "{message}");
        assert!(!message.contains("secret@example.com"), "{message}");
    }

    #[test]
    fn parse_json_reports_missing_field_path() {
        let error = parse_json::<Envelope>(br#"{"data":{}}"#).expect_err("missing");
        assert_eq!(error, ParseError::missing("data.count"));
        let error = parse_json::<Envelope>(b"{}").expect_err("missing");
        assert_eq!(error, ParseError::missing("data"));
    }

    #[test]
    fn parse_json_rejects_syntax_and_trailing_data() {
        let error = parse_json::<Envelope>(b"{\"data\":").expect_err("truncated");
        assert_eq!(error.code(), "invalid_body");
        let error = parse_json::<Envelope>(b"not json").expect_err("garbage");
        assert_eq!(error.code(), "invalid_body");
        let error = parse_json::<Envelope>(br#"{"data":{"count":1}} {}"#).expect_err("trailing");
        assert_eq!(error.code(), "invalid_body");
        assert!(parse_json::<Envelope>(br#" {"data":{"count":1}} "#).is_ok());
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Form {
        token: Option<String>,
    }

    #[test]
    fn parse_form_fields() {
        let form: Form = parse_form(b"token=a%2Bb&other=1").expect("valid form");
        assert_eq!(form.token.as_deref(), Some("a+b"));
        let form: Form = parse_form(b"").expect("empty form");
        assert_eq!(form.token, None);
    }

    #[test]
    fn parse_form_rejects_duplicates() {
        let error = parse_form::<Form>(b"token=a&token=b").expect_err("duplicate");
        assert_eq!(error.code(), "invalid_body");
        assert!(error.to_string().contains("duplicate field"), "{error}");
    }
}
