use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Maximum length of a full name, in Unicode scalar values after normalisation.
pub const NAME_MAX_CHARS: usize = 200;

/// A client's full name: trimmed, inner white space collapsed to one space, in
/// Unicode NFC. Letters of any script, accents, apostrophes, hyphens and emoji are
/// all allowed; control characters are not.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FullName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FullNameError {
    #[error("name is missing")]
    Missing,
    #[error("name is longer than {NAME_MAX_CHARS} characters")]
    TooLong,
    #[error("name contains a control character")]
    ControlCharacter,
}

impl FullNameError {
    /// Stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "required",
            Self::TooLong => "too_long",
            Self::ControlCharacter => "invalid_characters",
        }
    }
}

impl FullName {
    /// Parses a typed name, rejecting one that is empty, too long or contains
    /// control characters.
    pub fn parse(raw: &str) -> Result<Self, FullNameError> {
        let normalized = normalize(raw);
        if normalized.is_empty() {
            return Err(FullNameError::Missing);
        }
        if normalized.chars().any(char::is_control) {
            return Err(FullNameError::ControlCharacter);
        }
        if normalized.chars().count() > NAME_MAX_CHARS {
            return Err(FullNameError::TooLong);
        }
        Ok(Self(normalized))
    }

    /// Parses a name received from a platform, where a sale must never be lost:
    /// control characters are dropped and an over-long name is cut at a character
    /// boundary. Returns the name and whether it was altered beyond normalisation.
    /// Returns `None` only when nothing printable is left.
    pub fn parse_lenient(raw: &str) -> Option<(Self, bool)> {
        let cleaned: String = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut normalized = normalize(&cleaned);
        // Tabs and line breaks are white space that `parse` collapses too, so only
        // other control characters count as an alteration.
        let mut altered = raw.chars().any(|c| c.is_control() && !c.is_whitespace());
        if normalized.chars().count() > NAME_MAX_CHARS {
            normalized = normalized.chars().take(NAME_MAX_CHARS).collect();
            normalized.truncate(normalized.trim_end().len());
            altered = true;
        }
        if normalized.is_empty() {
            return None;
        }
        Some((Self(normalized), altered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Applies NFC, trims, and collapses every run of white space into one space.
fn normalize(raw: &str) -> String {
    let nfc: String = raw.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for FullName {
    type Error = FullNameError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<FullName> for String {
    fn from(value: FullName) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests;
