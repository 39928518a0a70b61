use std::sync::{Arc, Mutex};

use futures::executor::block_on;
use sha2::{Digest, Sha256};

use super::*;
use crate::error::RepositoryError;
use crate::ports::MockAppRepository;
use crate::services::test_support::{NOW, app, clock};

fn service(apps: MockAppRepository) -> AppService {
    AppService::new(Arc::new(apps), Arc::new(clock()))
}

fn field_errors(error: DomainError) -> Vec<(String, &'static str)> {
    match error {
        DomainError::Validation(errors) => {
            errors.0.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Expects one stored key and keeps its record for inspection.
fn capture_key(apps: &mut MockAppRepository) -> Arc<Mutex<Option<ApiKeyRecord>>> {
    let stored = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&stored);
    apps.expect_create_api_key()
        .times(1)
        .returning(move |record| {
            *sink.lock().expect("lock") = Some(record.clone());
            Ok(())
        });
    stored
}

#[test]
fn create_app_with_first_key() {
    let mut apps = MockAppRepository::new();
    apps.expect_create_app()
        .withf(|app| {
            app.slug == "curso-de-violao"
                && app.name == "Curso de Violão"
                && app.time_zone == DEFAULT_TIME_ZONE
                && app.created_at == NOW
        })
        .times(1)
        .returning(|_| Ok(()));
    let stored = capture_key(&mut apps);

    let (app, issued) = block_on(service(apps).create_app("curso-de-violao", "  Curso de Violão "))
        .expect("created");

    assert!(issued.key.starts_with("ctl_"));
    assert_eq!(issued.key.len(), API_KEY_LENGTH);
    let record = stored.lock().expect("lock").clone().expect("key stored");
    assert_eq!(record.id, issued.id);
    assert_eq!(record.app_id, app.id);
    assert_eq!(record.prefix, issued.key[..12]);
    assert_eq!(record.created_at, NOW);
    let expected_hash: [u8; 32] = Sha256::digest(issued.key.as_bytes()).into();
    assert_eq!(record.hash, expected_hash);
}

#[test]
fn create_app_collects_slug_and_name_errors() {
    let error = block_on(service(MockAppRepository::new()).create_app("Curso Violão", "  "))
        .expect_err("invalid input");
    assert_eq!(
        field_errors(error),
        vec![
            ("slug".to_owned(), "invalid_slug"),
            ("name".to_owned(), "required")
        ]
    );
}

#[test]
fn create_app_rejects_long_name() {
    let name = "a".repeat(APP_NAME_MAX_CHARS + 1);
    let error = block_on(service(MockAppRepository::new()).create_app("curso", &name))
        .expect_err("long name");
    assert_eq!(field_errors(error), vec![("name".to_owned(), "too_long")]);
}

#[test]
fn create_app_with_taken_slug_issues_no_key() {
    let mut apps = MockAppRepository::new();
    apps.expect_create_app()
        .times(1)
        .returning(|_| Err(RepositoryError::SlugTaken));
    let error = block_on(service(apps).create_app("curso", "Curso")).expect_err("slug taken");
    assert_eq!(error, DomainError::SlugTaken);
}

#[test]
fn create_key_for_unknown_slug() {
    let mut apps = MockAppRepository::new();
    apps.expect_find_app_by_slug()
        .times(1)
        .returning(|_| Ok(None));
    let error = block_on(service(apps).create_key("nenhum")).expect_err("unknown slug");
    assert_eq!(field_errors(error), vec![("slug".to_owned(), "not_found")]);
}

#[test]
fn create_key_for_existing_app() {
    let existing = app();
    let app_id = existing.id;
    let mut apps = MockAppRepository::new();
    apps.expect_find_app_by_slug()
        .withf(|slug| slug == "curso-de-violao")
        .times(1)
        .returning(move |_| Ok(Some(existing.clone())));
    let stored = capture_key(&mut apps);

    let issued = block_on(service(apps).create_key("curso-de-violao")).expect("issued");
    let record = stored.lock().expect("lock").clone().expect("key stored");
    assert_eq!(record.app_id, app_id);
    assert_eq!(record.id, issued.id);
}

#[test]
fn generated_keys_differ() {
    let first = keys::generate();
    let second = keys::generate();
    assert_ne!(first, second);
    assert!(keys::is_well_formed(&first));
    assert_eq!(first.len(), API_KEY_LENGTH);
}

#[test]
fn authenticate_looks_up_key_hash() {
    let key = keys::generate();
    let expected_hash: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    let existing = app();
    let key_id = ApiKeyId::generate();
    let found = (existing.clone(), key_id);
    let mut apps = MockAppRepository::new();
    apps.expect_find_app_by_key_hash()
        .withf(move |hash| *hash == expected_hash)
        .times(1)
        .returning(move |_| Ok(Some(found.clone())));

    let result = block_on(service(apps).authenticate(&key)).expect("looked up");
    assert_eq!(result, Some((existing, key_id)));
}

#[test]
fn authenticate_unknown_key() {
    let mut apps = MockAppRepository::new();
    apps.expect_find_app_by_key_hash()
        .times(1)
        .returning(|_| Ok(None));
    let result = block_on(service(apps).authenticate(&keys::generate())).expect("looked up");
    assert_eq!(result, None);
}

#[test]
fn authenticate_skips_lookup_of_malformed_keys() {
    let valid = keys::generate();
    let malformed = [
        String::new(),
        "ctl_".to_owned(),
        valid.replacen("ctl_", "abc_", 1),
        valid[..valid.len() - 1].to_owned(),
        format!("{valid}A"),
        format!("{}+", &valid[..valid.len() - 1]),
        format!("{}é", &valid[..valid.len() - 2]),
    ];
    // The mock has no expectations, so a lookup would fail the test.
    let service = service(MockAppRepository::new());
    for key in malformed {
        assert_eq!(
            block_on(service.authenticate(&key)).expect("no lookup"),
            None,
            "{key:?}"
        );
    }
}

#[test]
fn find_by_slug_passes_through() {
    let existing = app();
    let expected = existing.clone();
    let mut apps = MockAppRepository::new();
    apps.expect_find_app_by_slug()
        .times(1)
        .returning(move |_| Ok(Some(existing.clone())));
    assert_eq!(
        block_on(service(apps).find_by_slug("curso-de-violao")).expect("found"),
        Some(expected)
    );
}
