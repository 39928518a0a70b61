use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether a document is an individual's CPF or a company's CNPJ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Cpf,
    Cnpj,
}

/// A Brazilian taxpayer document, CPF (11 digits) or CNPJ (14 characters), kept as
/// its unmasked character string so leading zeros survive. Check digits are
/// verified. CNPJs issued from July 2026 may carry letters in their first twelve
/// positions; those are accepted, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Document {
    kind: DocumentKind,
    value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("document is missing")]
    Missing,
    #[error("document must have 11 (CPF) or 14 (CNPJ) characters")]
    InvalidLength,
    #[error("document contains characters other than digits and the mask characters . - /")]
    InvalidCharacters,
    #[error("document repeats a single digit")]
    RepeatedDigits,
    #[error("document check digits do not match")]
    InvalidCheckDigits,
}

impl DocumentError {
    /// Stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "required",
            Self::InvalidLength => "invalid_length",
            Self::InvalidCharacters => "invalid_characters",
            Self::RepeatedDigits => "repeated_digits",
            Self::InvalidCheckDigits => "invalid_check_digits",
        }
    }
}

impl Document {
    /// Parses a CPF or CNPJ, masked (`031.458.762-44`, `12.345.678/0001-95`) or bare.
    pub fn parse(raw: &str) -> Result<Self, DocumentError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DocumentError::Missing);
        }
        let mut value = String::with_capacity(14);
        for c in trimmed.chars() {
            match c {
                '.' | '-' | '/' | ' ' => {}
                c if c.is_ascii_alphanumeric() => value.push(c.to_ascii_uppercase()),
                _ => return Err(DocumentError::InvalidCharacters),
            }
        }
        let kind = match value.len() {
            11 => DocumentKind::Cpf,
            14 => DocumentKind::Cnpj,
            _ => return Err(DocumentError::InvalidLength),
        };
        // Only a CNPJ's first twelve positions may be letters; check digits never are.
        let letters_allowed = match kind {
            DocumentKind::Cpf => 0,
            DocumentKind::Cnpj => 12,
        };
        let bytes = value.as_bytes();
        if bytes
            .iter()
            .enumerate()
            .any(|(i, b)| !b.is_ascii_digit() && i >= letters_allowed)
        {
            return Err(DocumentError::InvalidCharacters);
        }
        if bytes.iter().all(|b| *b == bytes[0]) {
            return Err(DocumentError::RepeatedDigits);
        }
        let valid = match kind {
            DocumentKind::Cpf => cpf_check_digits_match(bytes),
            DocumentKind::Cnpj => cnpj_check_digits_match(bytes),
        };
        if !valid {
            return Err(DocumentError::InvalidCheckDigits);
        }
        Ok(Self { kind, value })
    }

    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// The unmasked characters (digits, and for new CNPJs possibly letters).
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The document in its usual mask: `123.456.789-09` or `12.345.678/0001-95`.
    pub fn masked(&self) -> String {
        let v = &self.value;
        match self.kind {
            DocumentKind::Cpf => format!("{}.{}.{}-{}", &v[0..3], &v[3..6], &v[6..9], &v[9..11]),
            DocumentKind::Cnpj => format!(
                "{}.{}.{}/{}-{}",
                &v[0..2],
                &v[2..5],
                &v[5..8],
                &v[8..12],
                &v[12..14]
            ),
        }
    }

    /// A form safe for logs: the first three and last two characters.
    pub fn redacted(&self) -> String {
        let v = &self.value;
        format!("{}…{}", &v[..3], &v[v.len() - 2..])
    }
}

/// Value of one CPF/CNPJ character in the check-digit sums: its ASCII code minus 48,
/// which gives 0–9 for digits and 17–42 for the letters of alphanumeric CNPJs.
fn char_value(b: u8) -> u32 {
    u32::from(b) - 48
}

fn mod11_digit(sum: u32) -> u32 {
    let rest = sum % 11;
    if rest < 2 { 0 } else { 11 - rest }
}

fn cpf_check_digits_match(bytes: &[u8]) -> bool {
    let check = |len: usize| {
        let sum: u32 = bytes[..len]
            .iter()
            .enumerate()
            .map(|(i, b)| char_value(*b) * (len as u32 + 1 - i as u32))
            .sum();
        mod11_digit(sum)
    };
    check(9) == char_value(bytes[9]) && check(10) == char_value(bytes[10])
}

fn cnpj_check_digits_match(bytes: &[u8]) -> bool {
    const WEIGHTS: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    let check = |len: usize| {
        let weights = &WEIGHTS[WEIGHTS.len() - len..];
        let sum: u32 = bytes[..len]
            .iter()
            .zip(weights)
            .map(|(b, w)| char_value(*b) * w)
            .sum();
        mod11_digit(sum)
    };
    check(12) == char_value(bytes[12]) && check(13) == char_value(bytes[13])
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl TryFrom<String> for Document {
    type Error = DocumentError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Document> for String {
    fn from(value: Document) -> Self {
        value.value
    }
}

#[cfg(test)]
mod tests;
