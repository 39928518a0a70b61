use clientela_domain::values::Platform;

/// Authentication failure of a delivery. Messages name what is missing or wrong,
/// never a secret or a received token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The app has no webhook credential for this platform, so nothing can be
    /// checked.
    #[error("no webhook credential is configured for this platform")]
    MissingCredential,
    /// The request carries no token or signature where the platform puts it.
    #[error("request carries no {expected}")]
    MissingSignature { expected: &'static str },
    /// The token or signature is present but not in the platform's format.
    #[error("{expected} is malformed: {reason}")]
    MalformedSignature {
        expected: &'static str,
        reason: &'static str,
    },
    /// The token or signature does not match the app's credential.
    #[error("{expected} does not match the configured credential")]
    Mismatch { expected: &'static str },
}

impl AuthError {
    /// Stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingCredential => "missing_credential",
            Self::MissingSignature { .. } => "missing_signature",
            Self::MalformedSignature { .. } => "malformed_signature",
            Self::Mismatch { .. } => "signature_mismatch",
        }
    }
}

/// Parse failure of an authentic delivery. The message names fields and
/// error codes but never repeats received personal data or secrets, so it is safe
/// to store next to the raw delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The body is not JSON, or not form data, as the platform sends.
    #[error("body is not valid {format}: {detail}")]
    InvalidBody {
        format: &'static str,
        detail: String,
    },
    /// A required field is absent, null or empty.
    #[error("required field {field} is missing")]
    MissingField { field: String },
    /// A field is present but its value is unusable.
    #[error("field {field} is invalid: {detail}")]
    InvalidField { field: String, detail: String },
    /// The request was verified by another platform's adapter.
    #[error("request was verified for {verified}, not {expected}")]
    WrongPlatform {
        expected: Platform,
        verified: Platform,
    },
}

impl ParseError {
    /// Stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidBody { .. } => "invalid_body",
            Self::MissingField { .. } => "missing_field",
            Self::InvalidField { .. } => "invalid_field",
            Self::WrongPlatform { .. } => "wrong_platform",
        }
    }

    pub fn missing(field: impl Into<String>) -> Self {
        Self::MissingField {
            field: field.into(),
        }
    }

    /// An invalid field; `detail` must not contain the received value unless that
    /// value is neither personal nor secret (an amount, a date, an event name).
    pub fn invalid(field: impl Into<String>, detail: impl ToString) -> Self {
        Self::InvalidField {
            field: field.into(),
            detail: detail.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_error_messages_name_the_location() {
        let error = AuthError::MissingSignature {
            expected: "`signature` query parameter",
        };
        assert_eq!(
            error.to_string(),
            "request carries no `signature` query parameter"
        );
        assert_eq!(error.code(), "missing_signature");
    }

    #[test]
    fn parse_error_codes() {
        assert_eq!(
            ParseError::missing("data.buyer.email").code(),
            "missing_field"
        );
        assert_eq!(
            ParseError::invalid("amount", "too many decimals").to_string(),
            "field amount is invalid: too many decimals"
        );
        let wrong = ParseError::WrongPlatform {
            expected: Platform::Kiwify,
            verified: Platform::Hotmart,
        };
        assert_eq!(
            wrong.to_string(),
            "request was verified for hotmart, not kiwify"
        );
    }
}
