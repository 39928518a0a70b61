#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

use clientela_domain::ports::{PasswordError, PasswordHasher};
use clientela_password::{Argon2Hasher, ConfigError};

#[tokio::test]
async fn hash_uses_argon2id_with_owasp_parameters() {
    let hasher = Argon2Hasher::new();

    let phc = hasher.hash("correct horse battery").await.unwrap();

    assert!(
        phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "unexpected PHC string: {phc}"
    );
}

#[tokio::test]
async fn verify_accepts_the_hashed_password() {
    let hasher = Argon2Hasher::new();
    let phc = hasher.hash("senha-da-ana-2024").await.unwrap();

    assert!(hasher.verify("senha-da-ana-2024", &phc).await.unwrap());
}

#[tokio::test]
async fn verify_rejects_a_wrong_password() {
    let hasher = Argon2Hasher::new();
    let phc = hasher.hash("senha-da-ana-2024").await.unwrap();

    assert!(!hasher.verify("senha-da-ana-2025", &phc).await.unwrap());
    assert!(!hasher.verify("", &phc).await.unwrap());
}

#[tokio::test]
async fn hashes_of_one_password_differ_by_salt() {
    let hasher = Argon2Hasher::new();

    let first = hasher.hash("mesma senha").await.unwrap();
    let second = hasher.hash("mesma senha").await.unwrap();

    assert_ne!(first, second);
    assert!(hasher.verify("mesma senha", &first).await.unwrap());
    assert!(hasher.verify("mesma senha", &second).await.unwrap());
}

#[tokio::test]
async fn unicode_passwords_round_trip() {
    let hasher = Argon2Hasher::new();
    let phc = hasher.hash("ação-çãõ-🔑").await.unwrap();

    assert!(hasher.verify("ação-çãõ-🔑", &phc).await.unwrap());
    // The same letters in NFD form are different bytes, so they do not match.
    assert!(
        !hasher
            .verify("ação-çãõ-🔑".replace('ç', "c\u{327}").as_str(), &phc)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn verify_reads_parameters_from_the_stored_hash() {
    let cheap = Argon2Hasher::with_params(1024, 1, 1, 1).unwrap();
    let phc = cheap.hash("hash antigo").await.unwrap();
    assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));

    let current = Argon2Hasher::new();

    assert!(current.verify("hash antigo", &phc).await.unwrap());
    assert!(!current.verify("outra senha", &phc).await.unwrap());
}

#[tokio::test]
async fn verify_reports_a_malformed_stored_hash() {
    let hasher = Argon2Hasher::new();

    let outcome = hasher.verify("qualquer", "not-a-phc-string").await;

    assert!(
        matches!(outcome, Err(PasswordError::Hashing(ref detail)) if detail.contains("malformed")),
        "unexpected outcome: {outcome:?}"
    );
}

#[tokio::test]
async fn concurrent_hashes_beyond_the_cap_all_finish() {
    let hasher = Argon2Hasher::with_params(1024, 1, 1, 2).unwrap();

    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                let password = format!("senha {i}");
                let phc = hasher.hash(&password).await.unwrap();
                hasher.verify(&password, &phc).await.unwrap()
            })
        })
        .collect();

    for task in tasks {
        assert!(task.await.unwrap());
    }
}

#[test]
fn invalid_configuration_is_rejected() {
    assert_eq!(
        Argon2Hasher::with_params(1024, 1, 1, 0).err(),
        Some(ConfigError::NoConcurrency)
    );
    assert!(matches!(
        Argon2Hasher::with_params(1, 1, 1, 1),
        Err(ConfigError::InvalidParams(_))
    ));
}
