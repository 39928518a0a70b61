//! The opaque text form of a [`Cursor`], as handed to API clients.
//!
//! A cursor is written as `sort|id|key` and encoded in unpadded base64url, so it
//! is safe in a URL query. The key comes last because a folded name may itself
//! contain `|`.

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{ClientSort, Cursor};
use crate::ids::ClientId;

/// Maximum length of an encoded cursor. The longest key is a folded name of 200
/// characters, at most 800 bytes, which encodes to about 1,150 characters.
const MAX_ENCODED_CHARS: usize = 2048;

impl Cursor {
    /// Encodes the cursor as an opaque, URL-safe string.
    pub fn encode(&self) -> String {
        let text = format!("{}|{}|{}", sort_name(self.sort), self.id, self.key);
        URL_SAFE_NO_PAD.encode(text)
    }

    /// Decodes a string made by [`Cursor::encode`]. Returns `None` for anything
    /// else, including a cursor whose key does not fit its sort order.
    pub fn decode(encoded: &str) -> Option<Cursor> {
        if encoded.len() > MAX_ENCODED_CHARS {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(3, '|');
        let sort = parse_sort(parts.next()?)?;
        let id = ClientId::from_str(parts.next()?).ok()?;
        let key = parts.next()?.to_owned();
        let key_fits_sort = match sort {
            ClientSort::CreatedDesc | ClientSort::CreatedAsc => {
                OffsetDateTime::parse(&key, &Rfc3339).is_ok()
            }
            ClientSort::NameAsc => true,
        };
        key_fits_sort.then_some(Cursor { sort, key, id })
    }
}

fn sort_name(sort: ClientSort) -> &'static str {
    match sort {
        ClientSort::CreatedDesc => "created_desc",
        ClientSort::CreatedAsc => "created_asc",
        ClientSort::NameAsc => "name_asc",
    }
}

fn parse_sort(name: &str) -> Option<ClientSort> {
    [
        ClientSort::CreatedDesc,
        ClientSort::CreatedAsc,
        ClientSort::NameAsc,
    ]
    .into_iter()
    .find(|sort| sort_name(*sort) == name)
}

#[cfg(test)]
mod tests;
