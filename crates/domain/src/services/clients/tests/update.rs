use std::sync::{Arc, Mutex};

use futures::executor::block_on;

use super::{Ports, field_errors, fields};
use crate::audit::AuditEntry;
use crate::client::{Client, ClientStatus};
use crate::error::{DomainError, RepositoryError};
use crate::ids::ClientId;
use crate::services::ClientChanges;
use crate::services::test_support::{NOW, actor, app, stored_client};
use crate::tenant::App;
use crate::values::{Checked, Document, Phone};

/// Expects the stored client to be loaded once.
fn expect_find(ports: &mut Ports, client: &Client) {
    let stored = client.clone();
    ports
        .clients
        .expect_find_client()
        .withf({
            let id = client.id;
            move |_, requested| *requested == id
        })
        .times(1)
        .returning(move |_, _| Ok(Some(stored.clone())));
}

/// Expects one `update_client` call and keeps what was saved.
fn expect_save(ports: &mut Ports) -> Arc<Mutex<Option<(Client, i64, AuditEntry)>>> {
    let saved = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&saved);
    ports.clients.expect_update_client().times(1).returning(
        move |client, expected_version, audit| {
            *sink.lock().expect("lock") = Some((client.clone(), expected_version, audit.clone()));
            Ok(())
        },
    );
    saved
}

fn client_with_document(app: &App) -> Client {
    Client {
        document: Some(Checked::Valid(
            Document::parse("031.458.762-44").expect("valid CPF"),
        )),
        possible_duplicate_document: true,
        ..stored_client(app)
    }
}

#[test]
fn update_saves_changes_with_audit() {
    let app = app();
    let actor = actor();
    let current = stored_client(&app);
    let mut ports = Ports::default();
    expect_find(&mut ports, &current);
    let saved = expect_save(&mut ports);
    let changes = ClientChanges {
        name: Some("Ana Maria  Souza".to_owned()),
        phone: Some(Some("11 98765-4321".to_owned())),
        status: Some(ClientStatus::Inactive),
        ..ClientChanges::default()
    };

    let updated =
        block_on(ports.service().update(&app, &actor, current.id, changes)).expect("updated");

    let (client, expected_version, audit) = saved.lock().expect("lock").clone().expect("saved");
    assert_eq!(client, updated);
    assert_eq!(expected_version, 3);
    assert_eq!(updated.version, 4);
    assert_eq!(updated.updated_at, NOW);
    assert_eq!(updated.name.as_str(), "Ana Maria Souza");
    assert_eq!(
        updated.phone,
        Some(Checked::Valid(
            Phone::parse("+5511987654321").expect("valid phone")
        ))
    );
    assert_eq!(updated.status, ClientStatus::Inactive);
    assert_eq!(updated.email, current.email);
    assert_eq!(updated.created_at, current.created_at);

    assert_eq!(audit.action, "client.update");
    assert_eq!(audit.actor, actor);
    assert_eq!(audit.client_id, Some(current.id));
    assert_eq!(audit.at, NOW);
    let before = audit.before.expect("before snapshot");
    let after = audit.after.expect("after snapshot");
    assert_eq!(before["name"], "Ana Souza");
    assert_eq!(before["status"], "active");
    assert_eq!(before["phone"], serde_json::Value::Null);
    assert_eq!(after["name"], "Ana Maria Souza");
    assert_eq!(after["status"], "inactive");
    assert_eq!(after["phone"], "+5511987654321");
}

#[test]
fn update_without_real_change_writes_nothing() {
    let app = app();
    let current = client_with_document(&app);
    let mut ports = Ports::default();
    expect_find(&mut ports, &current);
    // No `update_client` or `document_in_use` expectation: either call fails.
    let changes = ClientChanges {
        name: Some("  Ana   Souza ".to_owned()),
        email: Some("ANA.SOUZA@example.com".to_owned()),
        document: Some(Some("03145876244".to_owned())),
        status: Some(ClientStatus::Active),
        ..ClientChanges::default()
    };

    let result =
        block_on(ports.service().update(&app, &actor(), current.id, changes)).expect("no-op");
    assert_eq!(result, current);
}

#[test]
fn update_clears_phone() {
    let app = app();
    let current = Client {
        phone: Some(Checked::Valid(
            Phone::parse("11 98765-4321").expect("valid phone"),
        )),
        ..stored_client(&app)
    };
    for cleared in [None, Some("   ".to_owned())] {
        let mut ports = Ports::default();
        expect_find(&mut ports, &current);
        let saved = expect_save(&mut ports);
        let changes = ClientChanges {
            phone: Some(cleared.clone()),
            ..ClientChanges::default()
        };

        let updated =
            block_on(ports.service().update(&app, &actor(), current.id, changes)).expect("updated");

        assert_eq!(updated.phone, None, "{cleared:?}");
        let (_, _, audit) = saved.lock().expect("lock").clone().expect("saved");
        assert_eq!(
            audit.after.expect("after")["phone"],
            serde_json::Value::Null
        );
    }
}

#[test]
fn update_cannot_clear_name_or_email() {
    let app = app();
    let current = stored_client(&app);
    let mut ports = Ports::default();
    expect_find(&mut ports, &current);
    let changes = ClientChanges {
        name: Some(" ".to_owned()),
        email: Some(String::new()),
        phone: Some(Some("12345".to_owned())),
        document: Some(Some("031.458.762-45".to_owned())),
        ..ClientChanges::default()
    };

    let error = block_on(ports.service().update(&app, &actor(), current.id, changes))
        .expect_err("invalid changes");
    assert_eq!(
        field_errors(error),
        fields(&[
            ("name", "required"),
            ("email", "required"),
            ("phone", "invalid_phone"),
            ("document", "invalid_check_digits"),
        ])
    );
}

#[test]
fn update_flags_new_duplicate_document() {
    let app = app();
    let current = stored_client(&app);
    let mut ports = Ports::default();
    expect_find(&mut ports, &current);
    let id = current.id;
    ports
        .clients
        .expect_document_in_use()
        .withf(move |_, document, except| document == "03145876244" && *except == Some(id))
        .times(1)
        .returning(|_, _, _| Ok(true));
    expect_save(&mut ports);
    let changes = ClientChanges {
        document: Some(Some("031.458.762-44".to_owned())),
        ..ClientChanges::default()
    };

    let updated = block_on(ports.service().update(&app, &actor(), id, changes)).expect("updated");
    assert!(updated.possible_duplicate_document);
}

#[test]
fn update_clearing_document_clears_flag() {
    let app = app();
    let current = client_with_document(&app);
    let mut ports = Ports::default();
    expect_find(&mut ports, &current);
    expect_save(&mut ports);
    let changes = ClientChanges {
        document: Some(None),
        ..ClientChanges::default()
    };

    let updated =
        block_on(ports.service().update(&app, &actor(), current.id, changes)).expect("updated");
    assert_eq!(updated.document, None);
    assert!(!updated.possible_duplicate_document);
}

#[test]
fn update_new_name_clears_altered_flag() {
    let app = app();
    let current = Client {
        name_altered: true,
        ..stored_client(&app)
    };
    let mut ports = Ports::default();
    expect_find(&mut ports, &current);
    expect_save(&mut ports);
    let changes = ClientChanges {
        name: Some("Ana Beatriz Souza".to_owned()),
        ..ClientChanges::default()
    };

    let updated =
        block_on(ports.service().update(&app, &actor(), current.id, changes)).expect("updated");
    assert!(!updated.name_altered);
}

#[test]
fn update_of_missing_client() {
    let mut ports = Ports::default();
    ports
        .clients
        .expect_find_client()
        .times(1)
        .returning(|_, _| Ok(None));
    let error = block_on(ports.service().update(
        &app(),
        &actor(),
        ClientId::generate(),
        ClientChanges::default(),
    ))
    .expect_err("missing client");
    assert_eq!(error, DomainError::ClientNotFound);
}

#[test]
fn update_reports_storage_conflicts() {
    let app = app();
    let current = stored_client(&app);
    for (stored, expected) in [
        (RepositoryError::Conflict, DomainError::Conflict),
        (RepositoryError::EmailTaken, DomainError::EmailTaken),
        (RepositoryError::NotFound, DomainError::ClientNotFound),
    ] {
        let mut ports = Ports::default();
        expect_find(&mut ports, &current);
        ports
            .clients
            .expect_update_client()
            .times(1)
            .returning(move |_, _, _| Err(stored.clone()));
        let changes = ClientChanges {
            email: Some("ana.b@example.com".to_owned()),
            ..ClientChanges::default()
        };
        let error = block_on(ports.service().update(&app, &actor(), current.id, changes))
            .expect_err("storage error");
        assert_eq!(error, expected);
    }
}
