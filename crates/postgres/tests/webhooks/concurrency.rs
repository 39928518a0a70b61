//! Concurrent ingests on separate pool connections: constraints and row locks
//! must leave one delivery, one client, one product and one welcome.

use clientela_domain::webhook::DeliveryOutcome;
use serde_json::json;

use crate::support::{Fixture, fixture_bytes, fixture_json, hotmart, kiwify, now, to_body};

const CONCURRENT: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_same_delivery_applies_once() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let body = fixture_bytes("hotmart/purchase_approved_card.json");

    let mut tasks = Vec::new();
    for _ in 0..CONCURRENT {
        let store = fixture.store.clone();
        let (delivery, events) = hotmart(&app, &body, now());
        tasks.push(tokio::spawn(async move {
            clientela_domain::ports::WebhookRepository::ingest(&store, &delivery, &events).await
        }));
    }
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await.expect("task ran").expect("ingest succeeded"));
    }

    let processed: Vec<_> = reports
        .iter()
        .filter(|report| report.outcome == DeliveryOutcome::Processed)
        .collect();
    assert_eq!(processed.len(), 1, "{reports:?}");
    let stored_id = processed[0].delivery_id;
    for report in &reports {
        assert_eq!(report.delivery_id, stored_id);
    }
    assert_eq!(fixture.count(&app, "webhook_events").await, 1);
    assert_eq!(fixture.count(&app, "clients").await, 1);
    assert_eq!(fixture.count(&app, "products").await, 1);
    assert_eq!(fixture.count(&app, "transactions").await, 1);
    assert_eq!(fixture.count(&app, "grants").await, 1);
    assert_eq!(
        fixture.notification_kinds(&app).await,
        ["welcome", "access_granted"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_purchases_make_one_client() {
    let fixture = Fixture::new().await;
    let app = fixture.app("fotografia").await;
    let template = fixture_json("kiwify/order_approved_card.json");

    // Different orders of one new buyer and one new product, all at once.
    let mut tasks = Vec::new();
    for index in 0..CONCURRENT {
        let mut order = template.clone();
        order["order_id"] = json!(format!("9b1c2d3e-4f50-4a61-8b72-0000000000{index:02}"));
        let (delivery, events) = kiwify(&app, &to_body(&order), now());
        let store = fixture.store.clone();
        tasks.push(tokio::spawn(async move {
            clientela_domain::ports::WebhookRepository::ingest(&store, &delivery, &events).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        let report = task.await.expect("task ran").expect("ingest succeeded");
        assert_eq!(report.outcome, DeliveryOutcome::Processed);
        created += report.counts.clients_created;
    }

    assert_eq!(created, 1);
    assert_eq!(fixture.count(&app, "clients").await, 1);
    assert_eq!(fixture.count(&app, "products").await, 1);
    assert_eq!(fixture.count(&app, "platform_products").await, 1);
    assert_eq!(fixture.count(&app, "transactions").await, CONCURRENT as i64);
    assert_eq!(fixture.count(&app, "grants").await, CONCURRENT as i64);
    // The first grant gives access; the others find the product accessible.
    assert_eq!(
        fixture.notification_kinds(&app).await,
        ["welcome", "access_granted"]
    );
}
