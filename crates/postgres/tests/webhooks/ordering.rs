//! Events of one transaction in every arrival order end in the same status and
//! access.

use clientela_domain::sale::SaleEvent;
use clientela_domain::tenant::App;
use clientela_domain::webhook::Delivery;
use serde_json::{Value, json};

use crate::support::{Fixture, fixture_bytes, fixture_json, hotmart, now, to_body};

const TRANSACTION: &str = "HP0900000101";
const BUYER: &str = "mariana.ribeiro@example.com";

/// Builds the approval, the refund and a chargeback of the approved sample's
/// transaction, as Hotmart bodies.
fn bodies() -> [(&'static str, Vec<u8>); 3] {
    let approved: Value = fixture_json("hotmart/purchase_approved_card.json");
    let mut chargeback: Value = fixture_json("hotmart/purchase_chargeback.json");
    chargeback["data"]["purchase"]["transaction"] = json!(TRANSACTION);
    chargeback["data"]["buyer"] = approved["data"]["buyer"].clone();
    [
        (
            "approved",
            fixture_bytes("hotmart/purchase_approved_card.json"),
        ),
        ("refunded", fixture_bytes("hotmart/purchase_refunded.json")),
        ("chargeback", to_body(&chargeback)),
    ]
}

fn permutations(items: &[usize]) -> Vec<Vec<usize>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut all = Vec::new();
    for (position, first) in items.iter().enumerate() {
        let mut rest = items.to_vec();
        rest.remove(position);
        for mut tail in permutations(&rest) {
            tail.insert(0, *first);
            all.push(tail);
        }
    }
    all
}

fn deliveries(app: &App, bodies: &[(&str, Vec<u8>)]) -> Vec<(Delivery, Vec<SaleEvent>)> {
    bodies
        .iter()
        .map(|(_, body)| hotmart(app, body, now()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_order_ends_charged_back() {
    let fixture = Fixture::new().await;
    let bodies = bodies();

    for (number, order) in permutations(&[0, 1, 2]).into_iter().enumerate() {
        let names: Vec<&str> = order.iter().map(|index| bodies[*index].0).collect();
        let app = fixture.app(&format!("order-{number}")).await;
        let all = deliveries(&app, &bodies);
        for index in &order {
            let (delivery, events) = &all[*index];
            fixture.ingest(delivery, events).await;
        }

        assert_eq!(
            fixture
                .transaction_status(&app, TRANSACTION)
                .await
                .as_deref(),
            Some("chargeback"),
            "order {names:?}"
        );
        assert!(
            fixture.active_grants(&app, now()).await.is_empty(),
            "order {names:?}"
        );
        let client = fixture.client(&app, BUYER).await.expect("client");
        assert!(client.has_chargeback, "order {names:?}");
        assert_eq!(
            fixture.history(&app, TRANSACTION).await.len(),
            3,
            "order {names:?}"
        );
        for grant in fixture.grants(&app).await {
            assert!(grant.revoke_reason.is_some(), "order {names:?}: {grant:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refund_before_approval_never_grants() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let bodies = bodies();
    let all = deliveries(&app, &bodies);

    let (refund, events) = &all[1];
    let report = fixture.ingest(refund, events).await;
    assert_eq!(report.counts.grants_created, 0);
    let (approval, events) = &all[0];
    let report = fixture.ingest(approval, events).await;

    assert_eq!(report.counts.transactions_changed, 0);
    assert_eq!(report.counts.grants_created, 0);
    assert_eq!(
        fixture
            .transaction_status(&app, TRANSACTION)
            .await
            .as_deref(),
        Some("refunded")
    );
    assert_eq!(fixture.count(&app, "grants").await, 0);
    assert!(fixture.notifications(&app).await.is_empty());
    // The late approval is still part of the history.
    assert_eq!(
        fixture.history(&app, TRANSACTION).await,
        ["paid", "refunded"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refund_revokes_purchase_grant() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let bodies = bodies();
    let all = deliveries(&app, &bodies);

    for (delivery, events) in &all[..2] {
        fixture.ingest(delivery, events).await;
    }

    let grants = fixture.grants(&app).await;
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].revoke_reason.as_deref(), Some("refund"));
    assert!(grants[0].revoked_at.is_some());
    let client = fixture.client(&app, BUYER).await.expect("client");
    assert!(!client.has_chargeback);
}

#[tokio::test(flavor = "multi_thread")]
async fn refund_keeps_manual_grant() {
    use diesel_async::RunQueryDsl;

    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let bodies = bodies();
    let all = deliveries(&app, &bodies);
    let (approval, events) = &all[0];
    fixture.ingest(approval, events).await;

    // The producer also grants the product by hand.
    let purchase = fixture.grants(&app).await.remove(0);
    let mut conn = fixture.raw_connection().await;
    diesel::sql_query(
        "INSERT INTO grants (id, app_id, client_id, product_id, source, granted_by, granted_at) \
         VALUES (gen_random_uuid(), $1, $2, $3, 'manual', '{\"type\": \"cli\"}', now())",
    )
    .bind::<diesel::sql_types::Uuid, _>(app.id.as_uuid())
    .bind::<diesel::sql_types::Uuid, _>(purchase.client_id)
    .bind::<diesel::sql_types::Uuid, _>(purchase.product_id)
    .execute(&mut conn)
    .await
    .expect("insert manual grant");

    let (refund, events) = &all[1];
    let report = fixture.ingest(refund, events).await;

    assert_eq!(report.counts.grants_revoked, 1);
    let active = fixture.active_grants(&app, now()).await;
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].source, "manual");
}
