//! Client password hashing with argon2id, implementing the domain's
//! [`PasswordHasher`] port.
//!
//! Hashing is CPU- and memory-bound (19 MiB per hash), so every call runs on
//! tokio's blocking thread pool. A semaphore caps how many run at once, so a burst
//! of logins cannot claim the memory of hundreds of blocking threads.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use clientela_domain::ports::{PasswordError, PasswordHasher};
use tokio::sync::Semaphore;

/// Memory cost in KiB: 19 MiB, the OWASP Password Storage Cheat Sheet's first
/// argon2id configuration.
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Number of passes over the memory (OWASP: 2 with 19 MiB).
pub const ITERATIONS: u32 = 2;
/// Degree of parallelism (OWASP: 1).
pub const LANES: u32 = 1;

/// Errors in a hasher's configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid argon2 parameters: {0}")]
    InvalidParams(String),
    #[error("the maximum number of concurrent hashes must be at least 1")]
    NoConcurrency,
}

/// Argon2id hasher producing PHC strings such as `$argon2id$v=19$m=19456,t=2,p=1$…`.
///
/// Verification reads the algorithm and parameters from the stored PHC string, so
/// hashes made with older parameters still verify after the defaults change.
#[derive(Clone)]
pub struct Argon2Hasher {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
}

impl Argon2Hasher {
    /// Creates a hasher with the OWASP parameters, allowing as many concurrent
    /// hashes as the machine has CPUs.
    pub fn new() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::with_params(MEMORY_KIB, ITERATIONS, LANES, cpus)
            .expect("the OWASP argon2id parameters are within argon2's limits")
    }

    /// Creates a hasher with explicit argon2id parameters and a cap on how many
    /// hashes or verifications may run at the same time.
    pub fn with_params(
        memory_kib: u32,
        iterations: u32,
        lanes: u32,
        max_concurrent: usize,
    ) -> Result<Self, ConfigError> {
        if max_concurrent == 0 {
            return Err(ConfigError::NoConcurrency);
        }
        let params = Params::new(memory_kib, iterations, lanes, None)
            .map_err(|error| ConfigError::InvalidParams(error.to_string()))?;
        Ok(Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            permits: Arc::new(Semaphore::new(max_concurrent)),
        })
    }

    /// Runs `work` on a blocking thread once a permit is free.
    async fn run_blocking<T, F>(&self, work: F) -> Result<T, PasswordError>
    where
        T: Send + 'static,
        F: FnOnce(&Argon2<'static>) -> Result<T, PasswordError> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| PasswordError::Hashing("the hasher's semaphore was closed".into()))?;
        let argon2 = self.argon2.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&argon2)
        })
        .await;
        match outcome {
            Ok(result) => result,
            Err(join_error) => Err(PasswordError::Hashing(format!(
                "the hashing task failed: {join_error}"
            ))),
        }
    }
}

impl Default for Argon2Hasher {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        let password = password.to_owned();
        self.run_blocking(move |argon2| {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            argon2
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|error| PasswordError::Hashing(error.to_string()))
        })
        .await
    }

    /// Returns `Ok(false)` for a wrong password and an error when `phc` is not a
    /// well-formed PHC string, because that means the stored hash is damaged.
    async fn verify(&self, password: &str, phc: &str) -> Result<bool, PasswordError> {
        let password = password.to_owned();
        let phc = phc.to_owned();
        self.run_blocking(move |argon2| {
            let hash = PasswordHash::new(&phc).map_err(|error| {
                PasswordError::Hashing(format!("stored password hash is malformed: {error}"))
            })?;
            match argon2.verify_password(password.as_bytes(), &hash) {
                Ok(()) => Ok(true),
                Err(argon2::password_hash::Error::Password) => Ok(false),
                Err(error) => Err(PasswordError::Hashing(error.to_string())),
            }
        })
        .await
    }
}
