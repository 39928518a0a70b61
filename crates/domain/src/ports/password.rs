use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// Hashes and verifies client passwords. Implementations use argon2id and run the
/// work off the async runtime's worker threads.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Returns the PHC string of a new hash of `password`.
    async fn hash(&self, password: &str) -> Result<String, PasswordError>;
    /// Checks `password` against a PHC string.
    async fn verify(&self, password: &str, phc: &str) -> Result<bool, PasswordError>;
}
