//! Subscriptions: renewals extend access without a welcome, and cancellations end
//! access at the end of the paid period, once, whatever the arrival order.

use clientela_domain::tenant::App;
use clientela_domain::webhook::DeliveryOutcome;
use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::support::{Fixture, fixture_bytes, fixture_json, hotmart, kiwify, now, to_body};

const SUBSCRIBER: &str = "QX7T2M9K";
const BUYER: &str = "mariana.ribeiro@example.com";
/// `cancellation_date` of the cancellation sample.
const CANCELLED: OffsetDateTime = datetime!(2025-07-27 15:59:47 UTC);
/// `date_next_charge` of the cancellation sample: the end of the paid period.
const PAID_UNTIL: OffsetDateTime = datetime!(2025-08-04 00:00 UTC);
const CANCELLATION: &str = "hotmart/subscription_cancellation.json";

fn millis(at: OffsetDateTime) -> i64 {
    at.unix_timestamp() * 1_000
}

/// Builds a Hotmart approval of one monthly charge of the sample subscription.
fn charge(transaction: &str, recurrence: u32, ordered: OffsetDateTime) -> Vec<u8> {
    let mut value: Value = fixture_json("hotmart/purchase_approved_card.json");
    value["id"] = json!(format!("charge-{transaction}"));
    value["creation_date"] = json!(millis(ordered + Duration::seconds(5)));
    value["data"]["product"]["id"] = json!(4120388);
    value["data"]["product"]["name"] = json!("Clube da Horta Mensal");
    let purchase = &mut value["data"]["purchase"];
    purchase["transaction"] = json!(transaction);
    purchase["order_date"] = json!(millis(ordered));
    purchase["approved_date"] = json!(millis(ordered + Duration::seconds(2)));
    purchase["recurrence_number"] = json!(recurrence);
    purchase["date_next_charge"] = json!(millis(ordered + Duration::days(30)));
    value["data"]["subscription"] = json!({
        "status": "ACTIVE",
        "plan": { "id": 880011, "name": "Plano Mensal" },
        "subscriber": { "code": SUBSCRIBER }
    });
    to_body(&value)
}

const FIRST_CHARGE: OffsetDateTime = datetime!(2025-06-04 12:00 UTC);
const SECOND_CHARGE: OffsetDateTime = datetime!(2025-07-04 12:00 UTC);

async fn ingest_charge(
    fixture: &Fixture,
    app: &App,
    transaction: &str,
    recurrence: u32,
    ordered: OffsetDateTime,
    received: OffsetDateTime,
) -> clientela_domain::webhook::IngestReport {
    let (delivery, events) = hotmart(app, &charge(transaction, recurrence, ordered), received);
    fixture.ingest(&delivery, &events).await
}

#[derive(QueryableByName)]
struct SubscriptionColumns {
    #[diesel(sql_type = Nullable<Text>)]
    subscription_external_id: Option<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Integer>)]
    recurrence: Option<i32>,
}

async fn subscription_columns(
    fixture: &Fixture,
    app: &App,
    transaction: &str,
) -> SubscriptionColumns {
    let mut conn = fixture.raw_connection().await;
    diesel::sql_query(
        "SELECT subscription_external_id, recurrence FROM transactions \
         WHERE app_id = $1 AND external_id = $2",
    )
    .bind::<SqlUuid, _>(app.id.as_uuid())
    .bind::<Text, _>(transaction)
    .get_result(&mut conn)
    .await
    .expect("read transaction")
}

#[tokio::test(flavor = "multi_thread")]
async fn renewal_extends_without_welcome() {
    let fixture = Fixture::new().await;
    let app = fixture.app("clube").await;

    let first = ingest_charge(
        &fixture,
        &app,
        "HP-SUB-1",
        1,
        FIRST_CHARGE,
        FIRST_CHARGE + Duration::minutes(1),
    )
    .await;
    assert_eq!(first.counts.clients_created, 1);
    assert_eq!(first.counts.notifications_queued, 2);
    let client_before = fixture.client(&app, BUYER).await.expect("client");

    let renewal = ingest_charge(
        &fixture,
        &app,
        "HP-SUB-2",
        2,
        SECOND_CHARGE,
        SECOND_CHARGE + Duration::minutes(5),
    )
    .await;

    assert_eq!(renewal.outcome, DeliveryOutcome::Processed);
    assert_eq!(renewal.counts.clients_created, 0);
    assert_eq!(renewal.counts.clients_updated, 0);
    assert_eq!(renewal.counts.transactions_created, 1);
    assert_eq!(renewal.counts.grants_created, 1);
    assert_eq!(renewal.counts.notifications_queued, 0);
    assert_eq!(
        fixture.notification_kinds(&app).await,
        ["welcome", "access_granted"]
    );
    let client_after = fixture.client(&app, BUYER).await.expect("client");
    assert_eq!(client_after.version, client_before.version);
    assert!(!client_after.has_password);

    let grants = fixture.grants(&app).await;
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[0].source, "subscription");
    assert_eq!(grants[1].source, "subscription");
    assert_eq!(grants[0].product_id, grants[1].product_id);
    assert_eq!(grants[1].transaction.as_deref(), Some("HP-SUB-2"));
    // Each charge lasts to its next charge date plus the grace period.
    assert_eq!(grants[0].expires_at, Some(datetime!(2025-07-07 12:00 UTC)));
    assert_eq!(grants[1].expires_at, Some(datetime!(2025-08-06 12:00 UTC)));
    // Access continues past the first charge's expiry.
    assert_eq!(
        fixture
            .active_grants(&app, datetime!(2025-07-20 00:00 UTC))
            .await
            .len(),
        1
    );

    let columns = subscription_columns(&fixture, &app, "HP-SUB-2").await;
    assert_eq!(
        columns.subscription_external_id.as_deref(),
        Some(SUBSCRIBER)
    );
    assert_eq!(columns.recurrence, Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn cancellation_sets_expiry_once() {
    let fixture = Fixture::new().await;
    let app = fixture.app("clube").await;
    ingest_charge(&fixture, &app, "HP-SUB-1", 1, FIRST_CHARGE, FIRST_CHARGE).await;
    ingest_charge(&fixture, &app, "HP-SUB-2", 2, SECOND_CHARGE, SECOND_CHARGE).await;
    let received = CANCELLED + Duration::minutes(1);

    let (delivery, events) = hotmart(&app, &fixture_bytes(CANCELLATION), received);
    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.outcome, DeliveryOutcome::Processed);
    assert_eq!(report.counts.grants_ended, 1);
    let grants = fixture.grants(&app).await;
    assert_eq!(grants[0].expires_at, Some(datetime!(2025-07-07 12:00 UTC)));
    assert_eq!(grants[1].expires_at, Some(PAID_UNTIL));
    assert!(fixture.active_grants(&app, PAID_UNTIL).await.is_empty());
    assert_eq!(
        fixture
            .active_grants(&app, PAID_UNTIL - Duration::hours(1))
            .await
            .len(),
        1
    );

    // The same cancellation in another delivery changes nothing.
    let mut again: Value = fixture_json(CANCELLATION);
    again["id"] = json!("cancellation-again");
    let (delivery, events) = hotmart(&app, &to_body(&again), received + Duration::days(1));
    let report = fixture.ingest(&delivery, &events).await;
    assert_eq!(report.counts.grants_ended, 0);
    let after = fixture.grants(&app).await;
    assert_eq!(after[1].expires_at, Some(PAID_UNTIL));

    // And the first delivery, repeated, is a duplicate.
    let (repeat, events) = hotmart(&app, &fixture_bytes(CANCELLATION), now());
    let report = fixture.ingest(&repeat, &events).await;
    assert_eq!(report.outcome, DeliveryOutcome::Duplicate);
}

#[tokio::test(flavor = "multi_thread")]
async fn cancellation_without_period_ends_at_once() {
    let fixture = Fixture::new().await;
    let app = fixture.app("clube").await;
    ingest_charge(&fixture, &app, "HP-SUB-2", 2, SECOND_CHARGE, SECOND_CHARGE).await;

    let mut cancellation: Value = fixture_json(CANCELLATION);
    cancellation["data"]
        .as_object_mut()
        .expect("data object")
        .remove("date_next_charge");
    let (delivery, events) = hotmart(
        &app,
        &to_body(&cancellation),
        CANCELLED + Duration::minutes(1),
    );
    fixture.ingest(&delivery, &events).await;

    let grants = fixture.grants(&app).await;
    assert_eq!(grants[0].expires_at, Some(CANCELLED));
}

#[tokio::test(flavor = "multi_thread")]
async fn cancellation_before_approval_caps_grant() {
    let fixture = Fixture::new().await;
    let app = fixture.app("clube").await;

    let (delivery, events) = hotmart(&app, &fixture_bytes(CANCELLATION), CANCELLED);
    let report = fixture.ingest(&delivery, &events).await;
    assert_eq!(report.outcome, DeliveryOutcome::Processed);
    // A cancellation creates no client.
    assert_eq!(fixture.count(&app, "clients").await, 0);

    // The approval of a charge made before the cancellation arrives late.
    let late = ingest_charge(
        &fixture,
        &app,
        "HP-SUB-2",
        2,
        SECOND_CHARGE,
        CANCELLED + Duration::hours(1),
    )
    .await;
    assert_eq!(late.counts.grants_created, 1);
    let grants = fixture.grants(&app).await;
    assert_eq!(grants[0].expires_at, Some(PAID_UNTIL));

    // A charge made after the cancellation (a reactivation) is not capped.
    let reactivated = datetime!(2025-08-10 12:00 UTC);
    ingest_charge(&fixture, &app, "HP-SUB-3", 3, reactivated, reactivated).await;
    let grants = fixture.grants(&app).await;
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[1].expires_at, Some(datetime!(2025-09-12 12:00 UTC)));
}

#[tokio::test(flavor = "multi_thread")]
async fn kiwify_cancellation_of_unknown_subscription() {
    let fixture = Fixture::new().await;
    let app = fixture.app("fotografia").await;
    let (delivery, events) = kiwify(
        &app,
        &fixture_bytes("kiwify/subscription_canceled.json"),
        now(),
    );

    let report = fixture.ingest(&delivery, &events).await;

    assert_eq!(report.outcome, DeliveryOutcome::Processed);
    assert_eq!(report.counts.grants_ended, 0);
    assert_eq!(fixture.count(&app, "clients").await, 0);
    assert_eq!(fixture.count(&app, "subscription_cancellations").await, 1);
}
