use std::sync::{Arc, Mutex};

use futures::executor::block_on;

use super::{Ports, bare_detail, field_errors, fields};
use crate::account::{AccountToken, FIRST_ACCESS_TOKEN_TTL, SecretToken, TokenPurpose};
use crate::audit::AuditEntry;
use crate::client::{Client, ClientStatus};
use crate::error::{DomainError, RepositoryError};
use crate::grant::{Grant, GrantSource};
use crate::ids::{ClientId, ProductId};
use crate::notification::{
    Notification, NotificationContent, NotificationKind, NotificationStatus,
};
use crate::ports::PasswordError;
use crate::services::test_support::{NOW, actor, app, product, stored_client};
use crate::services::{NewClientInput, PASSWORD_MAX_CHARS};
use crate::values::{Checked, Platform};

/// What the service handed to `create_client`.
type Created = (
    Client,
    Option<String>,
    Vec<Grant>,
    Vec<AuditEntry>,
    Vec<Notification>,
    Option<AccountToken>,
);

fn full_input(product_ids: Vec<ProductId>) -> NewClientInput {
    NewClientInput {
        name: "  Ana   Souza ".to_owned(),
        email: "ANA.Souza@Example.com".to_owned(),
        phone: Some("(11) 98765-4321".to_owned()),
        document: Some("031.458.762-44".to_owned()),
        password: Some("violao-2026".to_owned()),
        product_ids,
    }
}

fn minimal_input() -> NewClientInput {
    NewClientInput {
        name: "Ana Souza".to_owned(),
        email: "ana@example.com".to_owned(),
        ..NewClientInput::default()
    }
}

/// Expects one `create_client` call and a read-back of the stored client.
fn expect_create(ports: &mut Ports) -> Arc<Mutex<Option<Created>>> {
    let created = Arc::new(Mutex::new(None::<Created>));
    let sink = Arc::clone(&created);
    ports.clients.expect_create_client().times(1).returning(
        move |client, hash, grants, audit, notifications, token| {
            *sink.lock().expect("lock") = Some((
                client.clone(),
                hash,
                grants.to_vec(),
                audit.to_vec(),
                notifications.to_vec(),
                token,
            ));
            Ok(())
        },
    );
    let source = Arc::clone(&created);
    ports
        .clients
        .expect_client_detail()
        .times(1)
        .returning(move |_, id| {
            let created = source.lock().expect("lock");
            let (client, ..) = created.as_ref().expect("created before read");
            assert_eq!(client.id, id);
            Ok(Some(bare_detail(client.clone())))
        });
    created
}

fn taken(created: &Arc<Mutex<Option<Created>>>) -> Created {
    created
        .lock()
        .expect("lock")
        .clone()
        .expect("client stored")
}

#[test]
fn create_stores_client_with_grants_and_audit() {
    let app = app();
    let actor = actor();
    let (course, ebook) = (product(&app, "Curso"), product(&app, "E-book"));
    let ids = vec![course.id, ebook.id];
    let mut ports = Ports::default();
    let catalogue = vec![ebook.clone(), course.clone()];
    ports
        .products
        .expect_find_products()
        .times(1)
        .returning(move |_, _| Ok(catalogue.clone()));
    let app_id = app.id;
    ports
        .clients
        .expect_document_in_use()
        .withf(move |app, document, except| {
            *app == app_id && document == "03145876244" && except.is_none()
        })
        .times(1)
        .returning(|_, _, _| Ok(false));
    ports
        .passwords
        .expect_hash()
        .withf(|password| password == "violao-2026")
        .times(1)
        .returning(|_| Ok("$argon2id$v=19$hash".to_owned()));
    let created = expect_create(&mut ports);

    let detail = block_on(
        ports
            .service()
            .create(&app, &actor, full_input(ids.clone())),
    )
    .expect("created");

    let (client, hash, grants, audit, notifications, token) = taken(&created);
    assert_eq!(detail.client, client);
    assert_eq!(client.app_id, app.id);
    assert_eq!(client.name.as_str(), "Ana Souza");
    assert_eq!(client.email.as_str(), "ana.souza@example.com");
    assert_eq!(
        client.phone.as_ref().map(|phone| match phone {
            Checked::Valid(phone) => phone.as_str(),
            Checked::Unverified { raw, .. } => raw.as_str(),
        }),
        Some("+5511987654321")
    );
    assert!(matches!(&client.document, Some(Checked::Valid(d)) if d.as_str() == "03145876244"));
    assert!(!client.possible_duplicate_document);
    assert_eq!(client.status, ClientStatus::Active);
    assert_eq!(client.origin_platform, Platform::Manual);
    assert_eq!(client.version, 1);
    assert!(client.has_password);
    assert_eq!((client.created_at, client.updated_at), (NOW, NOW));
    assert_eq!(hash.as_deref(), Some("$argon2id$v=19$hash"));

    assert_eq!(grants.iter().map(|g| g.product_id).collect::<Vec<_>>(), ids);
    for grant in &grants {
        assert_eq!(grant.source, GrantSource::Manual);
        assert_eq!(grant.granted_by, actor);
        assert_eq!(grant.transaction_id, None);
        assert_eq!(grant.client_id, client.id);
        assert_eq!(grant.granted_at, NOW);
        assert_eq!(grant.revocation, None);
    }

    let actions: Vec<&str> = audit.iter().map(|entry| entry.action.as_str()).collect();
    assert_eq!(actions, ["client.create", "grant.create", "grant.create"]);
    for entry in &audit {
        assert_eq!(entry.actor, actor);
        assert_eq!(entry.client_id, Some(client.id));
        assert_eq!(entry.at, NOW);
        assert_eq!(entry.before, None);
    }
    let snapshot = audit[0].after.clone().expect("after snapshot");
    assert_eq!(snapshot["email"], "ana.souza@example.com");
    assert_eq!(snapshot["phone"], "+5511987654321");
    assert_eq!(snapshot["status"], "active");
    let written = serde_json::to_string(&audit).expect("serializable");
    assert!(
        !written.contains("violao-2026"),
        "password in audit: {written}"
    );
    assert!(!written.contains("argon2"), "hash in audit: {written}");

    // A client with a password gets a welcome without a set-password link.
    assert_eq!(token, None);
    assert_eq!(
        notifications[0].content,
        NotificationContent::Welcome {
            client_name: "Ana Souza".to_owned(),
            set_password_token: None,
        }
    );
}

#[test]
fn create_queues_one_welcome() {
    let app = app();
    let mut ports = Ports::default();
    let created = expect_create(&mut ports);

    block_on(ports.service().create(&app, &actor(), minimal_input())).expect("created");

    let (client, _, _, _, notifications, token) = taken(&created);
    assert_eq!(notifications.len(), 1, "{notifications:#?}");
    let welcome = &notifications[0];
    assert_eq!(welcome.kind(), NotificationKind::Welcome);
    assert_eq!(welcome.app_id, app.id);
    assert_eq!(welcome.client_id, client.id);
    assert_eq!(welcome.recipient.as_str(), "ana@example.com");
    assert_eq!(welcome.dedupe_key, format!("welcome:{}", client.id));
    assert_eq!(welcome.status, NotificationStatus::Queued);
    assert_eq!(welcome.next_attempt_at, NOW);

    // The client has no password, so the welcome carries a first-access link
    // whose token is stored, as a hash, with the client.
    let token = token.expect("first-access token stored");
    assert_eq!(token.purpose, TokenPurpose::FirstAccess);
    assert_eq!((token.app_id, token.client_id), (app.id, client.id));
    assert_eq!(token.created_at, NOW);
    assert_eq!(token.expires_at, NOW + FIRST_ACCESS_TOKEN_TTL);
    assert!(token.is_usable_at(NOW));
    let NotificationContent::Welcome {
        client_name,
        set_password_token: Some(plain),
    } = &welcome.content
    else {
        panic!("welcome without a set-password link: {:?}", welcome.content);
    };
    assert_eq!(client_name, "Ana Souza");
    let plain = SecretToken::parse(plain).expect("a well-formed token");
    assert_eq!(plain.hash(), token.token_hash);
}

#[test]
fn create_queues_access_granted_per_product() {
    let app = app();
    let (course, ebook) = (product(&app, "Curso"), product(&app, "E-book"));
    let mut ports = Ports::default();
    let catalogue = vec![ebook.clone(), course.clone()];
    ports
        .products
        .expect_find_products()
        .times(1)
        .returning(move |_, _| Ok(catalogue.clone()));
    let created = expect_create(&mut ports);
    let input = NewClientInput {
        product_ids: vec![course.id, ebook.id],
        ..minimal_input()
    };

    block_on(ports.service().create(&app, &actor(), input)).expect("created");

    let (client, _, grants, _, notifications, _) = taken(&created);
    let kinds: Vec<NotificationKind> = notifications.iter().map(Notification::kind).collect();
    assert_eq!(
        kinds,
        [
            NotificationKind::Welcome,
            NotificationKind::AccessGranted,
            NotificationKind::AccessGranted
        ]
    );
    for (notification, (grant, name)) in notifications[1..]
        .iter()
        .zip(grants.iter().zip(["Curso", "E-book"]))
    {
        assert_eq!(
            notification.dedupe_key,
            format!("access_granted:{}", grant.id)
        );
        assert_eq!(notification.client_id, client.id);
        assert_eq!(
            notification.content,
            NotificationContent::AccessGranted {
                client_name: "Ana Souza".to_owned(),
                product_name: name.to_owned(),
            }
        );
    }
}

#[test]
fn create_reports_every_invalid_field() {
    let product_id = ProductId::generate();
    let input = NewClientInput {
        name: " ".to_owned(),
        email: "ana@example".to_owned(),
        phone: Some("123".to_owned()),
        document: Some("111.111.111-11".to_owned()),
        password: Some("curta".to_owned()),
        product_ids: vec![product_id, product_id],
    };
    // No port expectations: validation fails before any call.
    let error = block_on(Ports::default().service().create(&app(), &actor(), input))
        .expect_err("invalid input");
    assert_eq!(
        field_errors(error),
        fields(&[
            ("name", "required"),
            ("email", "invalid_email"),
            ("phone", "invalid_phone"),
            ("document", "repeated_digits"),
            ("password", "too_short"),
            ("product_ids", "duplicate"),
        ])
    );
}

#[test]
fn create_rejects_long_password() {
    let input = NewClientInput {
        password: Some("x".repeat(PASSWORD_MAX_CHARS + 1)),
        ..minimal_input()
    };
    let error = block_on(Ports::default().service().create(&app(), &actor(), input))
        .expect_err("long password");
    assert_eq!(field_errors(error), fields(&[("password", "too_long")]));
}

#[test]
fn create_treats_blank_optional_fields_as_absent() {
    let input = NewClientInput {
        phone: Some("  ".to_owned()),
        document: Some(String::new()),
        password: Some(" ".to_owned()),
        ..minimal_input()
    };
    let mut ports = Ports::default();
    let created = expect_create(&mut ports);

    block_on(ports.service().create(&app(), &actor(), input)).expect("created");

    let (client, hash, grants, audit, ..) = taken(&created);
    assert_eq!(client.phone, None);
    assert_eq!(client.document, None);
    assert!(!client.has_password);
    assert_eq!(hash, None);
    assert!(grants.is_empty());
    assert_eq!(audit.len(), 1);
}

#[test]
fn create_with_unknown_product() {
    let app = app();
    let known = product(&app, "Curso");
    let unknown = ProductId::generate();
    let mut ports = Ports::default();
    let catalogue = vec![known.clone()];
    ports
        .products
        .expect_find_products()
        .withf(move |_, ids| ids == [known.id, unknown])
        .times(1)
        .returning(move |_, _| Ok(catalogue.clone()));

    let input = NewClientInput {
        product_ids: vec![known.id, unknown],
        ..minimal_input()
    };
    let error =
        block_on(ports.service().create(&app, &actor(), input)).expect_err("unknown product");
    assert_eq!(error, DomainError::ProductNotFound(unknown));
}

#[test]
fn create_flags_duplicate_document() {
    let mut ports = Ports::default();
    ports
        .clients
        .expect_document_in_use()
        .times(1)
        .returning(|_, _, _| Ok(true));
    let created = expect_create(&mut ports);
    let input = NewClientInput {
        document: Some("03145876244".to_owned()),
        ..minimal_input()
    };

    block_on(ports.service().create(&app(), &actor(), input)).expect("created despite duplicate");

    let (client, ..) = taken(&created);
    assert!(client.possible_duplicate_document);
}

#[test]
fn create_with_taken_email() {
    let mut ports = Ports::default();
    ports
        .clients
        .expect_create_client()
        .times(1)
        .returning(|_, _, _, _, _, _| Err(RepositoryError::EmailTaken));
    let error = block_on(ports.service().create(&app(), &actor(), minimal_input()))
        .expect_err("e-mail taken");
    assert_eq!(error, DomainError::EmailTaken);
}

#[test]
fn create_when_hashing_fails() {
    let mut ports = Ports::default();
    ports
        .passwords
        .expect_hash()
        .times(1)
        .returning(|_| Err(PasswordError::Hashing("out of memory".to_owned())));
    let input = NewClientInput {
        password: Some("violao-2026".to_owned()),
        ..minimal_input()
    };
    let error = block_on(ports.service().create(&app(), &actor(), input)).expect_err("hash failed");
    assert!(matches!(error, DomainError::Unexpected(detail) if detail.contains("out of memory")));
}

#[test]
fn detail_of_existing_client() {
    let app = app();
    let client = stored_client(&app);
    let expected = bare_detail(client.clone());
    let id = client.id;
    let mut ports = Ports::default();
    ports
        .clients
        .expect_client_detail()
        .withf(move |_, requested| *requested == id)
        .times(1)
        .returning(move |_, _| Ok(Some(bare_detail(client.clone()))));
    assert_eq!(block_on(ports.service().detail(&app, id)), Ok(expected));
}

#[test]
fn detail_of_missing_client() {
    let mut ports = Ports::default();
    ports
        .clients
        .expect_client_detail()
        .times(1)
        .returning(|_, _| Ok(None));
    assert_eq!(
        block_on(ports.service().detail(&app(), ClientId::generate())),
        Err(DomainError::ClientNotFound)
    );
}
