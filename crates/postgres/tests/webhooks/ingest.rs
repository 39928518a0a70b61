//! Storing a delivery and applying its events: the first sale, duplicates,
//! events that are no sale, tenancy and bad input.

use clientela_domain::error::RepositoryError;
use clientela_domain::sale::{IgnoreReason, IgnoredEvent, SaleEvent};
use clientela_domain::values::Platform;
use clientela_domain::webhook::DeliveryOutcome;
use serde_json::json;

use crate::support::{
    Fixture, fixture_bytes, fixture_json, hotmart, hotmart_json, kiwify, now, to_body,
};

const APPROVED: &str = "hotmart/purchase_approved_card.json";
const BUYER: &str = "mariana.ribeiro@example.com";

#[tokio::test(flavor = "multi_thread")]
async fn approved_sale_creates_everything() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let (delivery, events) = hotmart(&app, &fixture_bytes(APPROVED), now());

    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.outcome, DeliveryOutcome::Processed);
    assert_eq!(report.delivery_id, delivery.id);
    assert_eq!(report.counts.clients_created, 1);
    assert_eq!(report.counts.transactions_created, 1);
    assert_eq!(report.counts.grants_created, 1);
    assert_eq!(report.counts.notifications_queued, 2);

    let client = fixture.client(&app, BUYER).await.expect("client created");
    assert_eq!(client.name, "Mariana Costa Ribeiro");
    assert!(!client.name_altered);
    assert_eq!(client.origin_platform, "hotmart");
    assert_eq!(client.document.as_deref(), Some("41830576208"));
    assert!(client.document_verified);
    assert!(!client.has_password);

    assert_eq!(fixture.count(&app, "products").await, 1);
    assert_eq!(fixture.count(&app, "platform_products").await, 1);
    assert_eq!(
        fixture
            .transaction_status(&app, "HP0900000101")
            .await
            .as_deref(),
        Some("paid")
    );
    assert_eq!(fixture.history(&app, "HP0900000101").await, ["paid"]);

    let grants = fixture.grants(&app).await;
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].source, "purchase");
    assert_eq!(grants[0].client_id, client.id);
    assert_eq!(grants[0].expires_at, None);
    assert!(grants[0].is_active_at(now()));

    let notifications = fixture.notifications(&app).await;
    assert_eq!(
        notifications,
        [
            ("welcome".to_owned(), format!("welcome:{}", client.id)),
            (
                "access_granted".to_owned(),
                format!("access_granted:{}", grants[0].id)
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn product_is_named_after_platform() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let (delivery, events) = hotmart(&app, &fixture_bytes(APPROVED), now());
    fixture.ingest(&delivery, &events).await;

    // A second product of the same platform product links to the first one.
    let (again, events) = hotmart(
        &app,
        &to_body(&{
            let mut value = hotmart_json(APPROVED, "5a000000-0000-4000-8000-000000000001");
            value["data"]["purchase"]["transaction"] = json!("HP0900000999");
            value
        }),
        now(),
    );
    let report = fixture.ingest(&again, &events).await;
    assert_eq!(report.counts.transactions_created, 1);
    assert_eq!(fixture.count(&app, "products").await, 1);

    let grants = fixture.grants(&app).await;
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[0].product_id, grants[1].product_id);
}

#[tokio::test(flavor = "multi_thread")]
async fn same_delivery_twice_is_duplicate() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let body = fixture_bytes(APPROVED);
    let (first, events) = hotmart(&app, &body, now());
    fixture.ingest(&first, &events).await;
    let client_before = fixture.client(&app, BUYER).await.expect("client");

    // The platform sends it again: a new request, so a new delivery id.
    let (repeat, events) = hotmart(&app, &body, now());
    assert_ne!(repeat.id, first.id);
    let report = fixture.ingest(&repeat, &events).await;

    assert_eq!(report.outcome, DeliveryOutcome::Duplicate);
    assert_eq!(report.delivery_id, first.id);
    assert_eq!(report.counts, Default::default());
    assert_eq!(fixture.count(&app, "webhook_events").await, 1);
    assert_eq!(fixture.count(&app, "transactions").await, 1);
    assert_eq!(fixture.count(&app, "transaction_status_history").await, 1);
    assert_eq!(fixture.count(&app, "grants").await, 1);
    assert_eq!(fixture.count(&app, "notifications").await, 2);
    let client_after = fixture.client(&app, BUYER).await.expect("client");
    assert_eq!(client_after.version, client_before.version);
}

#[tokio::test(flavor = "multi_thread")]
async fn same_event_in_new_delivery_changes_nothing() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let (first, events) = hotmart(&app, &fixture_bytes(APPROVED), now());
    fixture.ingest(&first, &events).await;

    // Same event under another envelope id: stored, but every effect exists.
    let body = to_body(&hotmart_json(
        APPROVED,
        "5a000000-0000-4000-8000-000000000002",
    ));
    let (second, events) = hotmart(&app, &body, now());
    let report = fixture.ingest(&second, &events).await;

    assert_eq!(report.outcome, DeliveryOutcome::Processed);
    assert_eq!(report.counts.clients_created, 0);
    assert_eq!(report.counts.clients_updated, 0);
    assert_eq!(report.counts.transactions_created, 0);
    assert_eq!(report.counts.transactions_changed, 0);
    assert_eq!(report.counts.grants_created, 0);
    assert_eq!(report.counts.notifications_queued, 0);
    assert_eq!(fixture.count(&app, "webhook_events").await, 2);
    assert_eq!(fixture.count(&app, "transaction_status_history").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn ignored_events_create_nothing() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let abandoned = to_body(&json!({
        "id": "a1b2c3",
        "status": "abandoned",
        "name": "Carla Dias",
        "email": "carla.dias@example.com",
        "phone": "(11) 99999-9999",
        "product_id": "5d7e9f10-2a3b-4c5d-8e9f-0a1b2c3d4e50",
        "product_name": "Curso de Fotografia com Celular",
        "created_at": "2025-07-08 14:32"
    }));
    let (delivery, events) = kiwify(&app, &abandoned, now());
    assert!(matches!(events.as_slice(), [SaleEvent::Ignored(_)]));

    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.outcome, DeliveryOutcome::Ignored);
    assert_eq!(report.counts, Default::default());
    assert_eq!(fixture.count(&app, "webhook_events").await, 1);
    assert_eq!(fixture.count(&app, "clients").await, 0);
    assert_eq!(fixture.count(&app, "products").await, 0);
    assert_eq!(fixture.count(&app, "grants").await, 0);
    assert_eq!(fixture.count(&app, "notifications").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn unrecognized_event_is_stored() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let mut value = hotmart_json(APPROVED, "5a000000-0000-4000-8000-000000000003");
    value["event"] = json!("PURCHASE_SOMETHING_NEW");
    let (delivery, events) = hotmart(&app, &to_body(&value), now());

    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.outcome, DeliveryOutcome::Unrecognized);
    assert_eq!(fixture.count(&app, "webhook_events").await, 1);
    assert_eq!(fixture.count(&app, "clients").await, 0);
    assert_eq!(fixture.count(&app, "grants").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn pending_boleto_grants_at_payment() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let printed = fixture_bytes("hotmart/purchase_billet_printed_boleto.json");
    let (delivery, events) = hotmart(&app, &printed, now());
    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.counts.clients_created, 1);
    assert_eq!(
        fixture
            .transaction_status(&app, "HP0900000202")
            .await
            .as_deref(),
        Some("pending")
    );
    assert_eq!(fixture.count(&app, "grants").await, 0);
    assert!(fixture.notifications(&app).await.is_empty());

    // The boleto is paid.
    let mut paid = fixture_json("hotmart/purchase_billet_printed_boleto.json");
    paid["id"] = json!("5a000000-0000-4000-8000-000000000004");
    paid["event"] = json!("PURCHASE_APPROVED");
    paid["creation_date"] = json!(paid["creation_date"].as_i64().expect("ms") + 86_400_000);
    paid["data"]["purchase"]["status"] = json!("APPROVED");
    let (delivery, events) = hotmart(&app, &to_body(&paid), now());
    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.counts.transactions_changed, 1);
    assert_eq!(report.counts.grants_created, 1);
    assert_eq!(
        fixture
            .transaction_status(&app, "HP0900000202")
            .await
            .as_deref(),
        Some("paid")
    );
    assert_eq!(
        fixture.history(&app, "HP0900000202").await,
        ["pending", "paid"]
    );
    assert_eq!(
        fixture.notification_kinds(&app).await,
        ["welcome", "access_granted"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn another_apps_data_untouched() {
    let fixture = Fixture::new().await;
    let first = fixture.app("horta").await;
    let second = fixture.app("fotografia").await;
    let approved = fixture_bytes(APPROVED);

    // The same delivery counts once per app.
    for app in [&first, &second] {
        let (delivery, events) = hotmart(app, &approved, now());
        let report = fixture.ingest(&delivery, &events).await;
        assert_eq!(
            report.outcome,
            DeliveryOutcome::Processed,
            "app {}",
            app.slug
        );
    }
    let second_client = fixture.client(&second, BUYER).await.expect("client");

    // A refund in the first app leaves the second app's grant active.
    let (refund, events) = hotmart(
        &first,
        &fixture_bytes("hotmart/purchase_refunded.json"),
        now(),
    );
    fixture.ingest(&refund, &events).await;

    assert!(fixture.active_grants(&first, now()).await.is_empty());
    assert_eq!(fixture.active_grants(&second, now()).await.len(), 1);
    assert_eq!(
        fixture
            .transaction_status(&second, "HP0900000101")
            .await
            .as_deref(),
        Some("paid")
    );
    let after = fixture.client(&second, BUYER).await.expect("client");
    assert_eq!(after.version, second_client.version);
    assert_eq!(fixture.count(&second, "webhook_events").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_app_is_not_found() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let (mut delivery, events) = hotmart(&app, &fixture_bytes(APPROVED), now());
    delivery.app_id = clientela_domain::ids::AppId::generate();

    let result = fixture.try_ingest(&delivery, &events).await;

    assert_eq!(result, Err(RepositoryError::NotFound));
    assert_eq!(fixture.count(&app, "clients").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn event_of_other_platform_is_rejected() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let (delivery, _) = hotmart(&app, &fixture_bytes(APPROVED), now());
    let kiwify_event = SaleEvent::Ignored(IgnoredEvent {
        platform: Platform::Kiwify,
        event_type: "carrinho_abandonado".to_owned(),
        reason: IgnoreReason::AbandonedCart,
    });

    let result = fixture.try_ingest(&delivery, &[kiwify_event]).await;

    assert!(
        matches!(&result, Err(RepositoryError::Other(message)) if message.contains("kiwify")),
        "{result:?}"
    );
    assert_eq!(fixture.count(&app, "webhook_events").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn hottok_header_is_not_stored() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let (delivery, events) = hotmart(&app, &fixture_bytes(APPROVED), now());
    assert_eq!(delivery.header("x-hotmart-hottok"), None);
    fixture.ingest(&delivery, &events).await;

    let loaded = clientela_domain::ports::WebhookRepository::load_delivery(
        &fixture.store,
        app.id,
        delivery.id,
    )
    .await
    .expect("load")
    .expect("stored delivery");

    assert_eq!(loaded.delivery, delivery);
    assert_eq!(
        loaded.delivery.header("content-type"),
        Some("application/json")
    );
    assert_eq!(loaded.delivery.header("x-hotmart-hottok"), None);
    assert_eq!(loaded.stored.outcome, DeliveryOutcome::Processed);
    let summary = loaded.stored.summary.expect("summary stored");
    assert_eq!(summary.events.len(), 1);
    assert_eq!(summary.events[0].event_type, "PURCHASE_APPROVED");
    assert_eq!(summary.counts.grants_created, 1);
}
