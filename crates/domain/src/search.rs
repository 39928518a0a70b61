//! Client search: the query a producer builds from the search box and filters,
//! and the page of results.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use crate::client::{Client, ClientStatus};
use crate::ids::{ClientId, ProductId};
use crate::values::Platform;

mod cursor;

/// Default and maximum page sizes.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;

/// Maximum length of the search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Whether a product filter asks for current access or any purchase ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductFilterMode {
    HasAccess,
    EverBought,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFilter {
    pub product_id: ProductId,
    pub mode: ProductFilterMode,
}

/// Sort order of a client list. Every order ends with the client id, so the order
/// is total and keyset pagination neither skips nor repeats a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientSort {
    /// Newest first.
    #[default]
    CreatedDesc,
    /// Oldest first.
    CreatedAsc,
    /// By name, A to Z, accents ignored.
    NameAsc,
}

/// The search text, split into the forms each field is matched in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchText {
    /// The text as typed, trimmed, in NFC.
    pub raw: String,
    /// Lower-case words without accents or apostrophes, matched against names
    /// (each word must appear in the name).
    pub name_words: Vec<String>,
    /// Lower-cased text, matched as a fragment of the e-mail.
    pub email_fragment: String,
    /// The digits of the text when it is made only of digits and mask characters
    /// (`.`, `-`, `/`, `(`, `)`, `+`, spaces): matched as a CPF/CNPJ prefix and
    /// against phone numbers.
    pub digits: Option<String>,
}

impl SearchText {
    /// Splits a search text into its forms; returns `None` for blank text.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw: String = raw.nfc().collect::<String>().trim().to_owned();
        if raw.is_empty() {
            return None;
        }
        let is_masked_number = raw
            .chars()
            .all(|c| c.is_ascii_digit() || " .-/()+".contains(c))
            && raw.chars().any(|c| c.is_ascii_digit());
        let digits = is_masked_number.then(|| raw.chars().filter(char::is_ascii_digit).collect());
        let name_words = fold_for_search(&raw)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        Some(Self {
            email_fragment: raw.to_lowercase(),
            name_words,
            digits,
            raw,
        })
    }
}

/// Folds text the way stored names are folded for search: lower case, accents
/// removed, apostrophes removed. PostgreSQL applies the same folding to names
/// (`unaccent` plus `lower`), so the two must stay in step.
pub fn fold_for_search(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .filter(|c| !matches!(c, '\'' | '’' | '‘' | '`' | '´'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Position after the last client of a page, for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub sort: ClientSort,
    /// The sort key of the last client: `created_at` as RFC 3339, or the folded name.
    pub key: String,
    pub id: ClientId,
}

/// A client search: the search text, every filter, the order and the page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClientQuery {
    pub text: Option<SearchText>,
    pub platform: Option<Platform>,
    pub status: Option<ClientStatus>,
    pub product: Option<ProductFilter>,
    /// Clients created at or after this instant.
    pub created_from: Option<OffsetDateTime>,
    /// Clients created before this instant.
    pub created_before: Option<OffsetDateTime>,
    /// Clients whose last access is before this instant (or who never accessed).
    pub last_access_before: Option<OffsetDateTime>,
    pub never_accessed: Option<bool>,
    pub has_chargeback: Option<bool>,
    pub sort: ClientSort,
    pub limit: u32,
    pub after: Option<Cursor>,
}

/// One page of clients, and the cursor of the next page when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

pub type ClientPage = Page<Client>;
