use std::fmt;

use serde::{Deserialize, Serialize};

/// A phone number in E.164 form (`+5511987654321`), validated against the numbering
/// plan of its country. Brazil is assumed when no country code is given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("phone number is missing")]
    Missing,
    #[error(
        "phone number contains characters other than digits, spaces, dashes, dots, brackets and a leading +"
    )]
    InvalidCharacters,
    #[error("phone number is not a valid number")]
    Invalid,
}

impl PhoneError {
    /// Stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "required",
            Self::InvalidCharacters => "invalid_characters",
            Self::Invalid => "invalid_phone",
        }
    }
}

impl Phone {
    /// Parses a phone number typed in any common Brazilian or international format:
    /// `(11) 98765-4321`, `11 98765 4321`, `+55 11 98765-4321`, `5511987654321`,
    /// `0055 11 …`, landlines without the mobile 9.
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Missing);
        }
        let allowed = |c: char| c.is_ascii_digit() || " -.()/".contains(c);
        let (has_plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        if !rest.chars().all(allowed) {
            return Err(PhoneError::InvalidCharacters);
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        let international = if has_plus {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_owned()
        } else if (digits.len() == 12 || digits.len() == 13) && digits.starts_with("55") {
            // Brazilian country code written without "+": 55 + DDD + 8 or 9 digits.
            digits
        } else {
            // A national number: a trunk "0" may precede the DDD.
            let national = digits.strip_prefix('0').unwrap_or(&digits);
            format!("55{national}")
        };
        Self::from_international_digits(&international)
    }

    /// Builds a number from a separate DDD (area code) and local number, as some
    /// platforms send them.
    pub fn from_parts(area_code: &str, number: &str) -> Result<Self, PhoneError> {
        Self::parse(&format!("{} {}", area_code.trim(), number.trim()))
    }

    fn from_international_digits(digits: &str) -> Result<Self, PhoneError> {
        if digits.is_empty() || digits.len() > 15 {
            return Err(PhoneError::Invalid);
        }
        let parsed =
            phonenumber::parse(None, format!("+{digits}")).map_err(|_| PhoneError::Invalid)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid);
        }
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        Ok(Self(e164))
    }

    /// The number in E.164 form, with the leading `+`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits of the E.164 form, without the `+`.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests;
