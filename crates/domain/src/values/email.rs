use std::fmt;

use serde::{Deserialize, Serialize};

/// Maximum length of an e-mail address (RFC 5321 path limit).
const EMAIL_MAX_CHARS: usize = 254;

/// An e-mail address, trimmed and lower-cased, so two spellings of one address
/// compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("e-mail is missing")]
    Missing,
    #[error("e-mail is longer than {EMAIL_MAX_CHARS} characters")]
    TooLong,
    #[error("e-mail is not a valid address")]
    Invalid,
}

impl EmailError {
    /// Stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "required",
            Self::TooLong => "too_long",
            Self::Invalid => "invalid_email",
        }
    }
}

impl Email {
    /// Parses a typed or received address: trims it, lower-cases it and validates it.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Missing);
        }
        if trimmed.chars().count() > EMAIL_MAX_CHARS {
            return Err(EmailError::TooLong);
        }
        let lowered = trimmed.to_lowercase();
        let parsed = email_address::EmailAddress::parse_with_options(
            &lowered,
            email_address::Options::default().without_display_text(),
        )
        .map_err(|_| EmailError::Invalid)?;
        // A domain without a dot ("ana@localhost") cannot receive mail from outside.
        if !parsed.domain().contains('.') || parsed.domain().starts_with('.') {
            return Err(EmailError::Invalid);
        }
        Ok(Self(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests;
