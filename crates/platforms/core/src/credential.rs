use std::fmt;

use subtle::ConstantTimeEq;

use crate::AuthError;

/// An app's webhook secret for one platform, such as Hotmart's hottok or Kiwify's
/// token. Its `Debug` output never shows the secret.
#[derive(Clone)]
pub struct Credential(String);

impl Credential {
    /// Wraps a configured secret. An empty or blank secret is rejected, because a
    /// request checked against it would prove nothing.
    pub fn new(secret: impl Into<String>) -> Result<Self, AuthError> {
        let secret = secret.into();
        if secret.trim().is_empty() {
            return Err(AuthError::MissingCredential);
        }
        Ok(Self(secret))
    }

    /// Returns the secret itself, for keying a signature check.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Returns whether `candidate` equals the secret, compared in constant time.
    pub fn matches(&self, candidate: &[u8]) -> bool {
        constant_time_eq(self.0.as_bytes(), candidate)
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential(<redacted>)")
    }
}

/// Compares two byte strings in time that depends only on their lengths, never on
/// where they differ. Different lengths compare unequal at once, so the length of a
/// secret is not hidden.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_debug_is_redacted() {
        let credential = Credential::new("super-secret-token").expect("non-empty");
        let printed = format!("{credential:?}");
        assert!(!printed.contains("super-secret-token"), "{printed}");
        assert_eq!(printed, "Credential(<redacted>)");
    }

    #[test]
    fn blank_credential_rejected() {
        assert!(matches!(
            Credential::new(""),
            Err(AuthError::MissingCredential)
        ));
        assert!(matches!(
            Credential::new("  \n"),
            Err(AuthError::MissingCredential)
        ));
    }

    #[test]
    fn credential_matches_exact_bytes() {
        let credential = Credential::new("abc123").expect("non-empty");
        assert!(credential.matches(b"abc123"));
        assert!(!credential.matches(b"abc124"));
        assert!(!credential.matches(b"abc12"));
        assert!(!credential.matches(b"abc1234"));
        assert!(!credential.matches(b"ABC123"));
        assert!(!credential.matches(b""));
        assert_eq!(credential.expose_secret(), "abc123");
    }

    #[test]
    fn constant_time_eq_cases() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sane"));
        assert!(!constant_time_eq(b"short", b"shorter"));
    }
}
