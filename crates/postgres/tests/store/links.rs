//! Links from platform products to products, and their audit entries.

use clientela_domain::audit::AuditEntry;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::ProductId;
use clientela_domain::ports::ProductLinkRepository;
use clientela_domain::product::PlatformProductLink;
use clientela_domain::tenant::{Actor, App};
use clientela_domain::values::Platform;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;

use crate::support::{Fixture, now};

fn link(
    app: &App,
    product: ProductId,
    platform: Platform,
    external_id: &str,
) -> PlatformProductLink {
    PlatformProductLink {
        app_id: app.id,
        platform,
        external_id: external_id.to_owned(),
        product_id: product,
    }
}

fn audit(app: &App, action: &str) -> AuditEntry {
    AuditEntry {
        app_id: app.id,
        client_id: None,
        actor: Actor::Cli,
        action: action.to_owned(),
        before: None,
        after: None,
        at: now(),
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Counts the app's audit entries with this action.
async fn audit_count(fixture: &Fixture, app: &App, action: &str) -> i64 {
    let mut conn = fixture.raw_connection().await;
    let row: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM audit_log WHERE app_id = $1 AND action = $2",
    )
    .bind::<SqlUuid, _>(app.id.as_uuid())
    .bind::<diesel::sql_types::Text, _>(action)
    .get_result(&mut conn)
    .await
    .expect("count audit entries");
    row.count
}

#[tokio::test(flavor = "multi_thread")]
async fn link_created_once_and_listed() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let course = fixture.product(&app, "Curso").await;
    let hotmart = link(&app, course.id, Platform::Hotmart, "4120377");
    let kiwify = link(&app, course.id, Platform::Kiwify, "5d7e9f10");

    let first = fixture
        .store
        .create_product_link(&hotmart, &audit(&app, "product_link.create"))
        .await
        .expect("create");
    let again = fixture
        .store
        .create_product_link(&hotmart, &audit(&app, "product_link.create"))
        .await
        .expect("create again");
    fixture
        .store
        .create_product_link(&kiwify, &audit(&app, "product_link.create"))
        .await
        .expect("create second");
    let listed = fixture
        .store
        .product_links(app.id, course.id)
        .await
        .expect("list");

    assert!(first);
    assert!(!again);
    assert_eq!(listed, vec![hotmart, kiwify]);
    assert_eq!(audit_count(&fixture, &app, "product_link.create").await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn link_to_foreign_product_is_not_found() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let other = fixture.app("outra").await;
    let foreign = fixture.product(&other, "Alheio").await;

    let error = fixture
        .store
        .create_product_link(
            &link(&app, foreign.id, Platform::Hotmart, "1"),
            &audit(&app, "product_link.create"),
        )
        .await
        .expect_err("foreign product");

    assert_eq!(error, RepositoryError::ProductNotFound(foreign.id));
    assert!(
        fixture
            .store
            .product_links(other.id, foreign.id)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(audit_count(&fixture, &app, "product_link.create").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn link_deleted_once() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let course = fixture.product(&app, "Curso").await;
    let hotmart = link(&app, course.id, Platform::Hotmart, "4120377");
    fixture
        .store
        .create_product_link(&hotmart, &audit(&app, "product_link.create"))
        .await
        .expect("create");

    let deleted = fixture
        .store
        .delete_product_link(&hotmart, &audit(&app, "product_link.delete"))
        .await
        .expect("delete");
    let again = fixture
        .store
        .delete_product_link(&hotmart, &audit(&app, "product_link.delete"))
        .await
        .expect("delete again");

    assert!(deleted);
    assert!(!again);
    assert!(
        fixture
            .store
            .product_links(app.id, course.id)
            .await
            .expect("list")
            .is_empty()
    );
    assert_eq!(audit_count(&fixture, &app, "product_link.delete").await, 1);
}
