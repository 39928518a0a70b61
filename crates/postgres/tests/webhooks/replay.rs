//! Unparseable deliveries and their replay, the delivery list, and platform
//! credentials.

use clientela_domain::error::RepositoryError;
use clientela_domain::ports::WebhookRepository;
use clientela_domain::values::Platform;
use clientela_domain::webhook::{
    Delivery, DeliveryFilter, DeliveryId, DeliveryOutcome, body_dedupe_key,
};
use clientela_hotmart::HotmartAdapter;
use clientela_platform::{Credential, PlatformAdapter, RawRequest, verify};
use time::Duration;

use crate::support::{Fixture, HOTTOK, fixture_bytes, hotmart, now};

const APPROVED: &str = "hotmart/purchase_approved_card.json";

/// Builds a delivery whose parse failed, named by its body as the HTTP layer
/// names it then.
fn unparseable(app: &clientela_domain::tenant::App, body: &[u8]) -> Delivery {
    Delivery::new(
        app.id,
        Platform::Hotmart,
        body_dedupe_key(body),
        now(),
        [
            ("content-type", "application/json"),
            ("x-hotmart-hottok", HOTTOK),
        ],
        None,
        body.to_vec(),
    )
    .expect("valid dedupe key")
}

#[tokio::test(flavor = "multi_thread")]
async fn unparseable_is_stored_once() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let delivery = unparseable(&app, b"{\"event\": ");

    let report = fixture
        .store
        .store_unparseable(&delivery, "syntax error at line 1, column 10")
        .await
        .expect("store");
    assert_eq!(report.outcome, DeliveryOutcome::RejectedUnparseable);
    assert_eq!(report.delivery_id, delivery.id);

    let repeat = unparseable(&app, b"{\"event\": ");
    let report = fixture
        .store
        .store_unparseable(&repeat, "another message")
        .await
        .expect("store again");
    assert_eq!(report.outcome, DeliveryOutcome::Duplicate);
    assert_eq!(report.delivery_id, delivery.id);

    let loaded = fixture
        .store
        .load_delivery(app.id, delivery.id)
        .await
        .expect("load")
        .expect("stored");
    assert_eq!(loaded.stored.outcome, DeliveryOutcome::RejectedUnparseable);
    assert_eq!(
        loaded.stored.error.as_deref(),
        Some("syntax error at line 1, column 10")
    );
    assert_eq!(loaded.stored.processed_at, None);
    assert_eq!(loaded.stored.summary, None);
    assert_eq!(loaded.delivery.body, b"{\"event\": ");
    assert_eq!(loaded.delivery.header("x-hotmart-hottok"), None);
    assert_eq!(fixture.count(&app, "clients").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn stored_delivery_reapplied_after_fix() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    // An authentic sale the adapter failed to parse at the time.
    let body = fixture_bytes(APPROVED);
    let delivery = unparseable(&app, &body);
    fixture
        .store
        .store_unparseable(&delivery, "data.purchase.price: missing field")
        .await
        .expect("store");

    // After the fix, the stored body is parsed again. Its hottok field still
    // authenticates it.
    let loaded = fixture
        .store
        .load_delivery(app.id, delivery.id)
        .await
        .expect("load")
        .expect("stored");
    let raw = RawRequest::new(loaded.delivery.body.clone());
    let credential = Credential::new(HOTTOK).expect("token");
    let verified = verify(&HotmartAdapter, &raw, &credential).expect("authentic body");
    let events = HotmartAdapter.parse(&verified).expect("parsable now");

    let replayed_at = now();
    let report = fixture
        .store
        .reapply(app.id, delivery.id, &events, replayed_at)
        .await
        .expect("reapply");

    assert_eq!(report.outcome, DeliveryOutcome::Processed);
    assert_eq!(report.delivery_id, delivery.id);
    assert_eq!(report.counts.clients_created, 1);
    assert_eq!(report.counts.grants_created, 1);
    let stored = fixture
        .store
        .load_delivery(app.id, delivery.id)
        .await
        .expect("load")
        .expect("stored")
        .stored;
    assert_eq!(stored.outcome, DeliveryOutcome::Processed);
    assert_eq!(stored.error, None);
    assert_eq!(stored.replay_count, 1);
    assert_eq!(stored.processed_at, Some(replayed_at));

    // A second replay is idempotent.
    let again = fixture
        .store
        .reapply(app.id, delivery.id, &events, now())
        .await
        .expect("reapply again");
    assert_eq!(again.counts, Default::default());
    assert_eq!(fixture.count(&app, "grants").await, 1);
    assert_eq!(fixture.count(&app, "notifications").await, 2);
    let stored = fixture
        .store
        .load_delivery(app.id, delivery.id)
        .await
        .expect("load")
        .expect("stored")
        .stored;
    assert_eq!(stored.replay_count, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn reapply_unknown_delivery_is_not_found() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let other = fixture.app("fotografia").await;
    let (delivery, events) = hotmart(&app, &fixture_bytes(APPROVED), now());
    fixture.ingest(&delivery, &events).await;

    let unknown = fixture
        .store
        .reapply(app.id, DeliveryId::generate(), &events, now())
        .await;
    assert_eq!(unknown, Err(RepositoryError::NotFound));

    // Another app cannot replay, or read, this app's delivery.
    let foreign = fixture
        .store
        .reapply(other.id, delivery.id, &events, now())
        .await;
    assert_eq!(foreign, Err(RepositoryError::NotFound));
    let loaded = fixture
        .store
        .load_delivery(other.id, delivery.id)
        .await
        .expect("load");
    assert_eq!(loaded, None);
    assert_eq!(fixture.count(&other, "clients").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn deliveries_listed_newest_first() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let other = fixture.app("fotografia").await;
    let start = now() - Duration::hours(1);

    let mut ids = Vec::new();
    for minute in 0..5 {
        let body = format!("not json {minute}");
        let mut delivery = unparseable(&app, body.as_bytes());
        delivery.received_at = start + Duration::minutes(minute);
        fixture
            .store
            .store_unparseable(&delivery, "syntax error")
            .await
            .expect("store");
        ids.push(delivery.id);
    }
    let (sale, events) = hotmart(
        &app,
        &fixture_bytes(APPROVED),
        start + Duration::minutes(10),
    );
    fixture.ingest(&sale, &events).await;
    let (foreign, events) = hotmart(&other, &fixture_bytes(APPROVED), now());
    fixture.ingest(&foreign, &events).await;

    // Every delivery of the app once, newest first, two per page.
    let mut seen = Vec::new();
    let mut filter = DeliveryFilter {
        limit: 2,
        ..DeliveryFilter::default()
    };
    loop {
        let page = fixture
            .store
            .list_deliveries(app.id, &filter)
            .await
            .expect("list");
        assert!(page.deliveries.len() <= 2);
        seen.extend(page.deliveries.iter().map(|delivery| delivery.id));
        match page.next {
            Some(cursor) => filter.after = Some(cursor),
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.push(sale.id);
    expected.reverse();
    assert_eq!(seen, expected);

    let rejected = fixture
        .store
        .list_deliveries(
            app.id,
            &DeliveryFilter {
                outcome: Some(DeliveryOutcome::RejectedUnparseable),
                limit: 100,
                ..DeliveryFilter::default()
            },
        )
        .await
        .expect("list rejected");
    assert_eq!(rejected.deliveries.len(), 5);
    assert_eq!(rejected.next, None);

    let window = fixture
        .store
        .list_deliveries(
            app.id,
            &DeliveryFilter {
                received_from: Some(start + Duration::minutes(1)),
                received_before: Some(start + Duration::minutes(3)),
                ..DeliveryFilter::default()
            },
        )
        .await
        .expect("list window");
    let window_ids: Vec<DeliveryId> = window
        .deliveries
        .iter()
        .map(|delivery| delivery.id)
        .collect();
    assert_eq!(window_ids, [ids[2], ids[1]]);

    let kiwify_only = fixture
        .store
        .list_deliveries(
            app.id,
            &DeliveryFilter {
                platform: Some(Platform::Kiwify),
                ..DeliveryFilter::default()
            },
        )
        .await
        .expect("list kiwify");
    assert!(kiwify_only.deliveries.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn platform_credentials_per_app() {
    let fixture = Fixture::new().await;
    let app = fixture.app("horta").await;
    let other = fixture.app("fotografia").await;
    let store = &fixture.store;

    assert_eq!(
        store.platform_credential(app.id, Platform::Hotmart).await,
        Ok(None)
    );
    store
        .set_platform_credential(app.id, Platform::Hotmart, "first-token")
        .await
        .expect("set");
    store
        .set_platform_credential(app.id, Platform::Hotmart, "second-token")
        .await
        .expect("replace");
    store
        .set_platform_credential(app.id, Platform::Kiwify, "kiwify-token")
        .await
        .expect("set kiwify");

    assert_eq!(
        store.platform_credential(app.id, Platform::Hotmart).await,
        Ok(Some("second-token".to_owned()))
    );
    assert_eq!(
        store.platform_credential(app.id, Platform::Kiwify).await,
        Ok(Some("kiwify-token".to_owned()))
    );
    assert_eq!(
        store.platform_credential(other.id, Platform::Hotmart).await,
        Ok(None)
    );
    assert_eq!(
        store
            .set_platform_credential(
                clientela_domain::ids::AppId::generate(),
                Platform::Hotmart,
                "token"
            )
            .await,
        Err(RepositoryError::NotFound)
    );
    assert!(matches!(
        store
            .set_platform_credential(app.id, Platform::Hotmart, "")
            .await,
        Err(RepositoryError::Other(_))
    ));
}
