//! The argon2id verification rate of the `argon2` crate alone, without HTTP,
//! the database or tokio.

use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use argon2::password_hash::{PasswordHash, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};

/// Verifications of one PHC string on several OS threads.
#[derive(Debug, Clone)]
pub struct RawRate {
    pub threads: usize,
    pub verifications: u64,
    /// From the start until the last thread finished its last verification.
    pub elapsed: Duration,
    /// The argon2id parameters read from the PHC string.
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl RawRate {
    pub fn per_second(&self) -> f64 {
        per_second(self.verifications, self.elapsed)
    }
}

/// Verifies `password` against `phc` on `threads` OS threads, back to back, until
/// `duration` has passed, with the algorithm, version and parameters the PHC
/// string names. Fails when a verification does not succeed.
pub fn measure(phc: &str, password: &str, threads: usize, duration: Duration) -> Result<RawRate> {
    let hash = PasswordHash::new(phc)
        .map_err(|error| anyhow::anyhow!("the benchmark's PHC string is invalid: {error}"))?;
    let algorithm = Algorithm::try_from(hash.algorithm)
        .map_err(|error| anyhow::anyhow!("the PHC string names no argon2 variant: {error}"))?;
    let version = hash
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|error| anyhow::anyhow!("the PHC string has an unknown version: {error}"))?
        .unwrap_or_default();
    let params = Params::try_from(&hash)
        .map_err(|error| anyhow::anyhow!("the PHC string has invalid parameters: {error}"))?;
    let argon2 = Argon2::new(algorithm, version, params.clone());

    let started = Instant::now();
    let deadline = started + duration;
    let counts: Vec<Result<u64>> = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| verify_until(&argon2, &hash, password, deadline)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("an argon2 thread panicked")))
            })
            .collect()
    });
    let elapsed = started.elapsed();

    let mut verifications = 0;
    for count in counts {
        verifications += count?;
    }
    Ok(RawRate {
        threads,
        verifications,
        elapsed,
        memory_kib: params.m_cost(),
        iterations: params.t_cost(),
        lanes: params.p_cost(),
    })
}

/// Verifies in a loop until `deadline` and returns how many verifications ran.
fn verify_until(
    argon2: &Argon2<'_>,
    hash: &PasswordHash<'_>,
    password: &str,
    deadline: Instant,
) -> Result<u64> {
    let mut count = 0;
    while Instant::now() < deadline {
        match argon2.verify_password(password.as_bytes(), hash) {
            Ok(()) => count += 1,
            Err(error) => bail!("argon2 rejected the benchmark password: {error}"),
        }
    }
    Ok(count)
}

/// Returns `count` divided by `elapsed` in seconds, or 0 when no time passed.
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

/// Returns the number of OS threads to verify on: one per CPU the process may use.
pub fn available_threads() -> Result<usize> {
    thread::available_parallelism()
        .map(usize::from)
        .context("failed to read the number of available CPUs")
}

#[cfg(test)]
mod tests {
    use argon2::PasswordHasher as _;
    use argon2::password_hash::SaltString;

    use super::*;

    /// Makes a PHC string with small parameters, so the test runs fast.
    fn cheap_phc(password: &str) -> String {
        let params = Params::new(64, 1, 1, None).expect("valid test parameters");
        let salt = SaltString::encode_b64(b"benchmark salt").expect("valid salt");
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes(), &salt)
            .expect("hashing succeeds")
            .to_string()
    }

    #[test]
    fn measure_counts_verifications() {
        let phc = cheap_phc("secret");
        let rate = measure(&phc, "secret", 2, Duration::from_millis(50)).expect("measured");
        assert_eq!(rate.threads, 2);
        assert!(rate.verifications > 0, "{rate:?}");
        assert!(rate.elapsed >= Duration::from_millis(50), "{rate:?}");
        assert_eq!((rate.memory_kib, rate.iterations, rate.lanes), (64, 1, 1));
    }

    #[test]
    fn measure_rejects_wrong_password() {
        let phc = cheap_phc("secret");
        let error = measure(&phc, "other", 1, Duration::from_millis(10)).expect_err("rejected");
        assert!(error.to_string().contains("rejected"), "{error}");
    }

    #[test]
    fn per_second_of_zero_time() {
        assert_eq!(per_second(5, Duration::ZERO), 0.0);
        assert_eq!(per_second(5, Duration::from_millis(500)), 10.0);
    }
}
