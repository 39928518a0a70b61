//! Admin API keys: `ctl_` followed by 32 random bytes in unpadded base64url.
//! Only the SHA-256 hash of the whole key string is stored. A key has 256 bits of
//! entropy, so a fast hash is enough to keep it from being recovered.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// Prefix of every admin API key, so a leaked key is easy to recognise.
pub const API_KEY_PREFIX: &str = "ctl_";

/// Number of random bytes in a key.
const KEY_RANDOM_BYTES: usize = 32;

/// Length of a key in characters: the prefix and 43 base64url characters.
pub const API_KEY_LENGTH: usize = API_KEY_PREFIX.len() + (KEY_RANDOM_BYTES * 4).div_ceil(3);

/// Number of leading characters stored in clear to tell keys apart.
const DISPLAY_PREFIX_CHARS: usize = 12;

/// Generates a new key from the operating system's CSPRNG.
pub(super) fn generate() -> String {
    let mut bytes = [0u8; KEY_RANDOM_BYTES];
    OsRng.fill_bytes(&mut bytes);
    format!("{API_KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Hashes the whole key string, prefix included, with SHA-256.
pub(super) fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// Returns the first characters of a key, stored in clear and shown in key lists.
pub(super) fn display_prefix(key: &str) -> &str {
    key.get(..DISPLAY_PREFIX_CHARS).unwrap_or(key)
}

/// Checks that `key` has the shape of a key this module generates, so a malformed
/// key is rejected without a storage lookup.
pub(super) fn is_well_formed(key: &str) -> bool {
    key.len() == API_KEY_LENGTH
        && key.strip_prefix(API_KEY_PREFIX).is_some_and(|encoded| {
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}
