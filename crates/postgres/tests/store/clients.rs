use clientela_domain::client::ClientStatus;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{ClientId, ProductId};
use clientela_domain::ports::{ClientRepository, GrantRepository};
use clientela_domain::values::{Checked, Email, FullName, Platform};

use crate::support::{Fixture, audit_entry, client, document, manual_grant, minutes, now, phone};

#[tokio::test(flavor = "multi_thread")]
async fn client_round_trips() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let mut ana = client(&app, "Ana Souza", "ana@example.com");
    ana.phone = phone("(11) 98765-4321");
    ana.document = document("031.458.762-44");
    ana.origin_platform = Platform::Hotmart;
    ana.last_access_at = Some(now());
    ana.first_access_at = Some(now() - minutes(60));
    ana.has_password = true;

    fixture
        .store
        .create_client(
            &ana,
            Some("$argon2id$v=19$fake"),
            &[],
            &[audit_entry(&ana, "client.create")],
            &[],
            None,
        )
        .await
        .expect("create");

    let found = fixture
        .store
        .find_client(app.id, ana.id)
        .await
        .expect("find");
    assert_eq!(found, Some(ana));
}

#[tokio::test(flavor = "multi_thread")]
async fn client_unverified_values_round_trip() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let mut odd = client(&app, "Cliente Estrangeiro", "odd@example.com");
    odd.phone = Some(Checked::Unverified {
        raw: "12-34".to_owned(),
        reason: "invalid_phone".to_owned(),
    });
    odd.document = Some(Checked::Unverified {
        raw: "AB-123".to_owned(),
        reason: "invalid_length".to_owned(),
    });
    odd.name_altered = true;
    fixture.client(&odd).await;

    let found = fixture
        .store
        .find_client(app.id, odd.id)
        .await
        .expect("find");
    assert_eq!(found, Some(odd));
}

#[tokio::test(flavor = "multi_thread")]
async fn client_invisible_to_other_app() {
    let fixture = Fixture::new().await;
    let app_a = fixture.app("app-a").await;
    let app_b = fixture.app("app-b").await;
    let ana = client(&app_a, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;

    let by_b = fixture
        .store
        .find_client(app_b.id, ana.id)
        .await
        .expect("find");
    assert_eq!(by_b, None);
    let detail_by_b = fixture
        .store
        .client_detail(app_b.id, ana.id)
        .await
        .expect("detail");
    assert_eq!(detail_by_b, None);
    let grants_by_b = fixture
        .store
        .client_grants(app_b.id, ana.id)
        .await
        .expect("grants");
    assert!(grants_by_b.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn client_email_unique_per_app() {
    let fixture = Fixture::new().await;
    let app_a = fixture.app("app-a").await;
    let app_b = fixture.app("app-b").await;
    fixture
        .client(&client(&app_a, "Ana Souza", "ana@example.com"))
        .await;

    let same_app = fixture
        .store
        .create_client(
            &client(&app_a, "Outra Ana", "ana@example.com"),
            None,
            &[],
            &[],
            &[],
            None,
        )
        .await;
    assert_eq!(same_app, Err(RepositoryError::EmailTaken));

    let other_app = fixture
        .store
        .create_client(
            &client(&app_b, "Ana Souza", "ana@example.com"),
            None,
            &[],
            &[],
            &[],
            None,
        )
        .await;
    assert_eq!(other_app, Ok(()));
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_creates_same_email() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let first = client(&app, "Primeira Ana", "ana@example.com");
    let second = client(&app, "Segunda Ana", "ana@example.com");

    let store_a = fixture.store.clone();
    let store_b = fixture.store.clone();
    let task_a = tokio::spawn(async move {
        store_a
            .create_client(&first, None, &[], &[], &[], None)
            .await
    });
    let task_b = tokio::spawn(async move {
        store_b
            .create_client(&second, None, &[], &[], &[], None)
            .await
    });
    let results = [task_a.await.expect("task a"), task_b.await.expect("task b")];

    let created = results.iter().filter(|result| result.is_ok()).count();
    let email_taken = results
        .iter()
        .filter(|result| **result == Err(RepositoryError::EmailTaken))
        .count();
    assert_eq!(created, 1, "results: {results:?}");
    assert_eq!(email_taken, 1, "results: {results:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_with_unknown_product_stores_nothing() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let other = fixture.app("outra").await;
    let foreign = fixture.product(&other, "Produto alheio").await;
    let known = fixture.product(&app, "Curso").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    let missing = ProductId::generate();

    let unknown = fixture
        .store
        .create_client(
            &ana,
            None,
            &[manual_grant(&ana, known.id), manual_grant(&ana, missing)],
            &[],
            &[],
            None,
        )
        .await;
    assert_eq!(unknown, Err(RepositoryError::ProductNotFound(missing)));

    let from_other_app = fixture
        .store
        .create_client(
            &ana,
            None,
            &[manual_grant(&ana, foreign.id)],
            &[],
            &[],
            None,
        )
        .await;
    assert_eq!(
        from_other_app,
        Err(RepositoryError::ProductNotFound(foreign.id))
    );

    let stored = fixture
        .store
        .find_client(app.id, ana.id)
        .await
        .expect("find");
    assert_eq!(stored, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_with_grants_and_audit() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let course = fixture.product(&app, "Curso").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    let grant = manual_grant(&ana, course.id);
    let audit = audit_entry(&ana, "client.create");

    fixture
        .store
        .create_client(
            &ana,
            None,
            std::slice::from_ref(&grant),
            std::slice::from_ref(&audit),
            &[],
            None,
        )
        .await
        .expect("create");

    let grants = fixture
        .store
        .client_grants(app.id, ana.id)
        .await
        .expect("grants");
    assert_eq!(grants, vec![grant]);
    let detail = fixture
        .store
        .client_detail(app.id, ana.id)
        .await
        .expect("detail")
        .expect("client exists");
    assert_eq!(detail.audit, vec![audit]);
}

#[tokio::test(flavor = "multi_thread")]
async fn update_saves_and_audits() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;

    let mut changed = ana.clone();
    changed.name = FullName::parse("Ana Souza Lima").expect("name");
    changed.email = Email::parse("ana.lima@example.com").expect("email");
    changed.phone = phone("+55 21 99876-5432");
    changed.status = ClientStatus::Inactive;
    changed.updated_at = now();
    changed.version = ana.version + 1;
    let audit = audit_entry(&changed, "client.update");
    fixture
        .store
        .update_client(&changed, ana.version, &audit)
        .await
        .expect("update");

    let found = fixture
        .store
        .find_client(app.id, ana.id)
        .await
        .expect("find");
    assert_eq!(found, Some(changed.clone()));

    let cleared = {
        let mut cleared = changed.clone();
        cleared.phone = None;
        cleared.version += 1;
        cleared
    };
    fixture
        .store
        .update_client(&cleared, changed.version, &audit)
        .await
        .expect("clear phone");
    let found = fixture
        .store
        .find_client(app.id, ana.id)
        .await
        .expect("find");
    assert_eq!(found.and_then(|client| client.phone), None);

    let detail = fixture
        .store
        .client_detail(app.id, ana.id)
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(detail.audit.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn update_with_stale_version_conflicts() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;
    let mut first = ana.clone();
    first.version = 1;
    fixture
        .store
        .update_client(&first, 0, &audit_entry(&first, "client.update"))
        .await
        .expect("first update");

    let mut stale = ana.clone();
    stale.name = FullName::parse("Nome Antigo").expect("name");
    stale.version = 1;
    let result = fixture
        .store
        .update_client(&stale, 0, &audit_entry(&stale, "client.update"))
        .await;
    assert_eq!(result, Err(RepositoryError::Conflict));

    let detail = fixture
        .store
        .client_detail(app.id, ana.id)
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(
        detail.audit.len(),
        1,
        "the failed update wrote no audit entry"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn update_missing_or_foreign_client() {
    let fixture = Fixture::new().await;
    let app_a = fixture.app("app-a").await;
    let app_b = fixture.app("app-b").await;
    let ana = client(&app_a, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;

    let mut unknown = client(&app_a, "Ninguém", "ninguem@example.com");
    unknown.version = 1;
    let result = fixture
        .store
        .update_client(&unknown, 0, &audit_entry(&unknown, "client.update"))
        .await;
    assert_eq!(result, Err(RepositoryError::NotFound));

    let mut foreign = ana.clone();
    foreign.app_id = app_b.id;
    foreign.version = 1;
    let mut audit = audit_entry(&foreign, "client.update");
    audit.client_id = None;
    let result = fixture.store.update_client(&foreign, 0, &audit).await;
    assert_eq!(result, Err(RepositoryError::NotFound));
}

#[tokio::test(flavor = "multi_thread")]
async fn update_to_taken_email() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;
    fixture
        .client(&client(&app, "Bruno", "bruno@example.com"))
        .await;

    let mut changed = ana.clone();
    changed.email = Email::parse("bruno@example.com").expect("email");
    changed.version = 1;
    let result = fixture
        .store
        .update_client(&changed, 0, &audit_entry(&changed, "client.update"))
        .await;
    assert_eq!(result, Err(RepositoryError::EmailTaken));
}

#[tokio::test(flavor = "multi_thread")]
async fn update_keeps_newer_access_times() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let mut ana = client(&app, "Ana Souza", "ana@example.com");
    let first_access = now() - minutes(120);
    let last_access = now();
    ana.first_access_at = Some(first_access);
    ana.last_access_at = Some(last_access);
    fixture.client(&ana).await;

    let mut stale = ana.clone();
    stale.first_access_at = Some(now() - minutes(10));
    stale.last_access_at = Some(last_access - minutes(30));
    stale.version = 1;
    fixture
        .store
        .update_client(&stale, 0, &audit_entry(&stale, "client.update"))
        .await
        .expect("update");

    let found = fixture
        .store
        .find_client(app.id, ana.id)
        .await
        .expect("find")
        .expect("exists");
    assert_eq!(found.first_access_at, Some(first_access));
    assert_eq!(found.last_access_at, Some(last_access));
}

#[tokio::test(flavor = "multi_thread")]
async fn document_in_use_per_app() {
    let fixture = Fixture::new().await;
    let app_a = fixture.app("app-a").await;
    let app_b = fixture.app("app-b").await;
    let mut ana = client(&app_a, "Ana Souza", "ana@example.com");
    ana.document = document("03145876244");
    fixture.client(&ana).await;

    let used = fixture
        .store
        .document_in_use(app_a.id, "03145876244", None)
        .await;
    assert_eq!(used, Ok(true));
    let by_holder = fixture
        .store
        .document_in_use(app_a.id, "03145876244", Some(ana.id))
        .await;
    assert_eq!(by_holder, Ok(false));
    let by_other = fixture
        .store
        .document_in_use(app_a.id, "03145876244", Some(ClientId::generate()))
        .await;
    assert_eq!(by_other, Ok(true));
    let in_other_app = fixture
        .store
        .document_in_use(app_b.id, "03145876244", None)
        .await;
    assert_eq!(in_other_app, Ok(false));
    let unknown = fixture
        .store
        .document_in_use(app_a.id, "52998224725", None)
        .await;
    assert_eq!(unknown, Ok(false));
}
