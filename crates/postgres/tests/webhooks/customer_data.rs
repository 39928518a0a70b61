//! Customer data from events: merged without erasing, odd values kept
//! unverified, duplicate documents flagged.

use serde_json::{Value, json};

use crate::support::{Fixture, fixture_json, kiwify, now, to_body};

const APPROVED: &str = "kiwify/order_approved_card.json";
const BUYER: &str = "beatriz.goncalves@example.com";

/// Builds the Kiwify approval sample as another order, changed by `edit`.
fn order(order_id: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = fixture_json(APPROVED);
    value["order_id"] = json!(order_id);
    edit(&mut value);
    to_body(&value)
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_fields_never_erase() {
    let fixture = Fixture::new().await;
    let app = fixture.app("fotografia").await;
    let (delivery, events) = kiwify(&app, &order("order-1", |_| {}), now());
    fixture.ingest(&delivery, &events).await;
    let before = fixture.client(&app, BUYER).await.expect("client");
    assert_eq!(before.phone.as_deref(), Some("+5548900000101"));
    assert_eq!(before.document.as_deref(), Some("52964018324"));

    let blank = order("order-2", |value| {
        let customer = &mut value["Customer"];
        customer["full_name"] = json!("");
        customer["first_name"] = json!("");
        customer["mobile"] = json!("");
        customer["CPF"] = json!(" ");
    });
    let (delivery, events) = kiwify(&app, &blank, now());
    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.counts.clients_updated, 0);
    assert_eq!(report.counts.transactions_created, 1);
    let after = fixture.client(&app, BUYER).await.expect("client");
    assert_eq!(after.name, before.name);
    assert_eq!(after.phone, before.phone);
    assert_eq!(after.document, before.document);
    assert_eq!(after.version, before.version);
}

#[tokio::test(flavor = "multi_thread")]
async fn later_event_updates_contact() {
    let fixture = Fixture::new().await;
    let app = fixture.app("fotografia").await;
    let (delivery, events) = kiwify(&app, &order("order-1", |_| {}), now());
    fixture.ingest(&delivery, &events).await;
    let before = fixture.client(&app, BUYER).await.expect("client");

    let changed = order("order-2", |value| {
        value["Customer"]["full_name"] = json!("Beatriz Araújo Gonçalves Lima");
        value["Customer"]["mobile"] = json!("+5511987654321");
    });
    let (delivery, events) = kiwify(&app, &changed, now());
    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.counts.clients_updated, 1);
    let after = fixture.client(&app, BUYER).await.expect("client");
    assert_eq!(after.name, "Beatriz Araújo Gonçalves Lima");
    assert_eq!(after.phone.as_deref(), Some("+5511987654321"));
    assert_eq!(after.document, before.document);
    assert_eq!(after.version, before.version + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_phone_kept_unverified() {
    let fixture = Fixture::new().await;
    let app = fixture.app("fotografia").await;
    let odd = order("order-1", |value| {
        value["Customer"]["mobile"] = json!("12345")
    });
    let (delivery, events) = kiwify(&app, &odd, now());

    let report = fixture.ingest(&delivery, &events).await;

    // The sale is recorded in full.
    assert_eq!(report.counts.grants_created, 1);
    assert_eq!(report.counts.data_issues, 1);
    assert_eq!(report.data_issues.len(), 1);
    assert_eq!(report.data_issues[0].field, "phone");
    assert_eq!(report.data_issues[0].reason, "invalid_phone");
    let client = fixture.client(&app, BUYER).await.expect("client");
    assert_eq!(client.phone.as_deref(), Some("12345"));
    assert!(!client.phone_verified);
    assert_eq!(
        client.phone_invalid_reason.as_deref(),
        Some("invalid_phone")
    );

    let loaded = clientela_domain::ports::WebhookRepository::load_delivery(
        &fixture.store,
        app.id,
        delivery.id,
    )
    .await
    .expect("load")
    .expect("stored");
    let summary = loaded.stored.summary.expect("summary");
    assert_eq!(summary.data_issues, report.data_issues);
}

#[tokio::test(flavor = "multi_thread")]
async fn unverified_phone_never_replaces_verified() {
    let fixture = Fixture::new().await;
    let app = fixture.app("fotografia").await;
    let (delivery, events) = kiwify(&app, &order("order-1", |_| {}), now());
    fixture.ingest(&delivery, &events).await;

    let odd = order("order-2", |value| {
        value["Customer"]["mobile"] = json!("12345")
    });
    let (delivery, events) = kiwify(&app, &odd, now());
    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.counts.clients_updated, 0);
    let reasons: Vec<&str> = report
        .data_issues
        .iter()
        .map(|issue| issue.reason.as_str())
        .collect();
    assert_eq!(reasons, ["invalid_phone", "unverified_not_applied"]);
    let client = fixture.client(&app, BUYER).await.expect("client");
    assert_eq!(client.phone.as_deref(), Some("+5548900000101"));
    assert!(client.phone_verified);
}

#[tokio::test(flavor = "multi_thread")]
async fn shared_document_is_flagged() {
    let fixture = Fixture::new().await;
    let app = fixture.app("fotografia").await;
    let (delivery, events) = kiwify(&app, &order("order-1", |_| {}), now());
    fixture.ingest(&delivery, &events).await;

    let other = order("order-2", |value| {
        value["Customer"]["email"] = json!("bia.goncalves@example.com");
    });
    let (delivery, events) = kiwify(&app, &other, now());
    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.counts.clients_created, 1);
    assert_eq!(report.counts.grants_created, 1);
    let second = fixture
        .client(&app, "bia.goncalves@example.com")
        .await
        .expect("second client");
    assert!(second.possible_duplicate_document);
    let first = fixture.client(&app, BUYER).await.expect("first client");
    assert!(!first.possible_duplicate_document);
}

#[tokio::test(flavor = "multi_thread")]
async fn email_is_matched_case_insensitively() {
    let fixture = Fixture::new().await;
    let app = fixture.app("fotografia").await;
    let (delivery, events) = kiwify(&app, &order("order-1", |_| {}), now());
    fixture.ingest(&delivery, &events).await;

    let shouting = order("order-2", |value| {
        value["Customer"]["email"] = json!("  Beatriz.Goncalves@EXAMPLE.com ");
    });
    let (delivery, events) = kiwify(&app, &shouting, now());
    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.counts.clients_created, 0);
    assert_eq!(fixture.count(&app, "clients").await, 1);
    assert_eq!(fixture.count(&app, "transactions").await, 2);
}
