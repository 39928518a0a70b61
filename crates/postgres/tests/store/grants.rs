use clientela_domain::error::RepositoryError;
use clientela_domain::grant::{GrantSource, Revocation, RevokeReason};
use clientela_domain::ids::{ClientId, ProductId};
use clientela_domain::ports::GrantRepository;
use clientela_domain::tenant::Actor;

use crate::support::{Fixture, audit_entry, client, manual_grant, minutes, now};

#[tokio::test(flavor = "multi_thread")]
async fn grant_inserted_and_listed_newest_first() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let course = fixture.product(&app, "Curso").await;
    let ebook = fixture.product(&app, "E-book").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;
    let mut older = manual_grant(&ana, course.id);
    older.granted_at = now() - minutes(5);
    older.expires_at = Some(now() + minutes(60 * 24));
    let newer = manual_grant(&ana, ebook.id);

    let audit = audit_entry(&ana, "grant.create");
    fixture
        .store
        .insert_grant(&older, &audit, &[])
        .await
        .expect("older");
    fixture
        .store
        .insert_grant(&newer, &audit, &[])
        .await
        .expect("newer");

    let grants = fixture
        .store
        .client_grants(app.id, ana.id)
        .await
        .expect("list");
    assert_eq!(grants, vec![newer, older]);
}

#[tokio::test(flavor = "multi_thread")]
async fn second_active_manual_grant_rejected() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let course = fixture.product(&app, "Curso").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;
    let audit = audit_entry(&ana, "grant.create");
    let first = manual_grant(&ana, course.id);
    fixture
        .store
        .insert_grant(&first, &audit, &[])
        .await
        .expect("first");

    let second = fixture
        .store
        .insert_grant(&manual_grant(&ana, course.id), &audit, &[])
        .await;
    assert_eq!(second, Err(RepositoryError::GrantExists));

    let mut imported = manual_grant(&ana, course.id);
    imported.source = GrantSource::Import;
    let import = fixture.store.insert_grant(&imported, &audit, &[]).await;
    assert_eq!(
        import,
        Ok(()),
        "only manual grants are limited to one active"
    );

    let revocation = Revocation {
        at: now(),
        reason: RevokeReason::Manual,
        by: Actor::Cli,
    };
    fixture
        .store
        .revoke_grants(app.id, &[first.id], &revocation, &audit)
        .await
        .expect("revoke");
    let after_revoke = fixture
        .store
        .insert_grant(&manual_grant(&ana, course.id), &audit, &[])
        .await;
    assert_eq!(after_revoke, Ok(()));
}

#[tokio::test(flavor = "multi_thread")]
async fn grant_for_unknown_product_or_client() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let course = fixture.product(&app, "Curso").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;
    let audit = audit_entry(&ana, "grant.create");

    let missing = ProductId::generate();
    let unknown_product = fixture
        .store
        .insert_grant(&manual_grant(&ana, missing), &audit, &[])
        .await;
    assert_eq!(
        unknown_product,
        Err(RepositoryError::ProductNotFound(missing))
    );

    let mut ghost_grant = manual_grant(&ana, course.id);
    ghost_grant.client_id = ClientId::generate();
    let mut ghost_audit = audit.clone();
    ghost_audit.client_id = None;
    let unknown_client = fixture
        .store
        .insert_grant(&ghost_grant, &ghost_audit, &[])
        .await;
    assert_eq!(unknown_client, Err(RepositoryError::NotFound));
}

#[tokio::test(flavor = "multi_thread")]
async fn revoke_leaves_revoked_and_foreign_grants() {
    let fixture = Fixture::new().await;
    let app = fixture.app("app-a").await;
    let other = fixture.app("app-b").await;
    let course = fixture.product(&app, "Curso").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;
    let audit = audit_entry(&ana, "grant.revoke");
    let grant = manual_grant(&ana, course.id);
    fixture
        .store
        .insert_grant(&grant, &audit, &[])
        .await
        .expect("grant");

    let by_other_app = Revocation {
        at: now(),
        reason: RevokeReason::Manual,
        by: Actor::Cli,
    };
    let mut other_audit = audit.clone();
    other_audit.app_id = other.id;
    other_audit.client_id = None;
    fixture
        .store
        .revoke_grants(other.id, &[grant.id], &by_other_app, &other_audit)
        .await
        .expect("revoke from the other app");
    let untouched = fixture
        .store
        .client_grants(app.id, ana.id)
        .await
        .expect("list");
    assert_eq!(untouched[0].revocation, None, "another app cannot revoke");

    let refund = Revocation {
        at: now(),
        reason: RevokeReason::Refund,
        by: Actor::System,
    };
    fixture
        .store
        .revoke_grants(app.id, &[grant.id], &refund, &audit)
        .await
        .expect("revoke");
    let later = Revocation {
        at: now() + minutes(10),
        reason: RevokeReason::Chargeback,
        by: Actor::Cli,
    };
    fixture
        .store
        .revoke_grants(app.id, &[grant.id], &later, &audit)
        .await
        .expect("revoke again");

    let grants = fixture
        .store
        .client_grants(app.id, ana.id)
        .await
        .expect("list");
    assert_eq!(grants[0].revocation, Some(refund));
}
