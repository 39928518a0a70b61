#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! Webhook deliveries that arrive together, repeated or out of order, against the
//! running binary: each event applies once and the final state does not depend
//! on the arrival order.

mod common;

use std::collections::HashMap;

use common::webhooks::{
    HOTTOK, WebhookRequest, active_products, fixture, fixture_json, kiwify_signatures,
    notifications_of_kind, set_sample_credentials, transaction,
};
use common::{Env, create_app};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Starts a server with the app `loja-a` and the samples' credentials.
async fn start() -> Env {
    let env = Env::start().await;
    set_sample_credentials(env.database.url(), "loja-a").await;
    env
}

fn hotmart_body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// Builds a variant of the approved card sale with another event id, event name and
/// status, created `days_later` days after the sample.
fn hotmart_variant(event: &str, status: &str, id: &str, days_later: i64) -> Value {
    let mut body = fixture_json("hotmart/purchase_approved_card.json");
    body["id"] = json!(id);
    body["event"] = json!(event);
    body["data"]["purchase"]["status"] = json!(status);
    let created = body["creation_date"].as_i64().unwrap();
    body["creation_date"] = json!(created + days_later * 86_400_000);
    body
}

#[tokio::test]
async fn concurrent_copies_apply_once() {
    let env = start().await;
    let request = WebhookRequest::hotmart(
        "loja-a",
        fixture("hotmart/purchase_approved_card.json"),
        Some(HOTTOK),
    );

    let replies = join_all((0..12).map(|_| env.webhook(&request))).await;

    let mut statuses: HashMap<String, usize> = HashMap::new();
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        *statuses
            .entry(reply.body["status"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(statuses.get("processed"), Some(&1), "{statuses:?}");
    assert_eq!(statuses.get("duplicate"), Some(&11), "{statuses:?}");
    let first_id = &replies[0].body["delivery_id"];
    assert!(
        replies
            .iter()
            .all(|reply| reply.body["delivery_id"] == *first_id)
    );

    let detail = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    assert_eq!(detail["transactions"].as_array().unwrap().len(), 1);
    assert_eq!(detail["grants"].as_array().unwrap().len(), 1);
    assert_eq!(notifications_of_kind(&detail, "welcome"), 1);
    assert_eq!(env.webhook_events("").await.len(), 1);
    assert_eq!(env.products().await.len(), 1);
}

#[tokio::test]
async fn parallel_first_purchases_make_one_client() {
    let env = start().await;
    let email = "nova.cliente@example.com";
    let requests: Vec<WebhookRequest<'_>> = (0..8)
        .map(|index| {
            let mut body = fixture_json("hotmart/purchase_approved_card.json");
            body["id"] = json!(format!("7a0c0000-0000-4000-8000-00000000000{index}"));
            body["data"]["purchase"]["transaction"] = json!(format!("HP09000099{index:02}"));
            body["data"]["buyer"]["email"] = json!(email);
            WebhookRequest::hotmart("loja-a", hotmart_body(&body), Some(HOTTOK))
        })
        .collect();

    let replies = join_all(requests.iter().map(|request| env.webhook(request))).await;

    for reply in &replies {
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        assert_eq!(reply.body["status"], "processed", "{:#}", reply.body);
    }
    assert_eq!(env.count_clients_as(&env.key, email).await, 1);
    let detail = env.client_detail(email).await.unwrap();
    assert_eq!(detail["transactions"].as_array().unwrap().len(), 8);
    assert_eq!(notifications_of_kind(&detail, "welcome"), 1);
    assert_eq!(env.products().await.len(), 1);
}

/// Reads the final state of transaction HP0900000101 and its client in one app: the
/// status, the chargeback mark, the products with access and the number of
/// transactions. E-mails are left out: a welcome sent while the sale was paid
/// stays sent.
async fn sale_state(env: &Env, key: &str) -> (Value, Value, Vec<String>, usize) {
    let detail = env
        .client_detail_as(key, "mariana.ribeiro@example.com")
        .await
        .unwrap();
    let sale = transaction(&detail, "HP0900000101");
    (
        sale["status"].clone(),
        detail["has_chargeback"].clone(),
        active_products(&detail),
        detail["transactions"].as_array().unwrap().len(),
    )
}

#[tokio::test]
async fn every_arrival_order_ends_alike() {
    let env = start().await;
    let approved = fixture("hotmart/purchase_approved_card.json");
    let refunded = fixture("hotmart/purchase_refunded.json");
    let chargeback = hotmart_body(&hotmart_variant(
        "PURCHASE_CHARGEBACK",
        "CHARGEBACK",
        "5e0d0000-0000-4000-8000-000000000001",
        30,
    ));
    let events = [
        ("approved", approved),
        ("refunded", refunded),
        ("chargeback", chargeback),
    ];
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];

    let mut states = Vec::new();
    for (index, order) in orders.iter().enumerate() {
        let slug = format!("ordem-{index}");
        let key = create_app(env.database.url(), &slug).await;
        set_sample_credentials(env.database.url(), &slug).await;
        for position in order {
            let (name, body) = &events[*position];
            let request = WebhookRequest::hotmart(&slug, body.clone(), Some(HOTTOK));
            let reply = env.webhook(&request).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{slug} {name}: {:#}",
                reply.body
            );
            assert_eq!(reply.body["status"], "processed", "{slug} {name}");
        }
        let names: Vec<&str> = order.iter().map(|position| events[*position].0).collect();
        states.push((names, sale_state(&env, &key).await));
    }

    let (first_order, first_state) = &states[0];
    for (order, state) in &states[1..] {
        assert_eq!(state, first_state, "{order:?} differs from {first_order:?}");
    }
    let (status, has_chargeback, products, transactions) = first_state;
    assert_eq!(*status, json!("chargeback"));
    assert_eq!(*has_chargeback, json!(true));
    assert_eq!(*transactions, 1);
    assert!(products.is_empty(), "{first_state:?}");
}

#[tokio::test]
async fn refund_before_approval_stays_refunded() {
    let env = start().await;
    let signatures = kiwify_signatures();
    let kiwify = |name: &str| {
        WebhookRequest::kiwify(
            "loja-a",
            fixture(&format!("kiwify/{name}")),
            Some(&signatures[name]),
        )
    };

    env.webhook_accepted(&kiwify("order_refunded.json"), "processed")
        .await;
    env.webhook_accepted(&kiwify("order_approved_card.json"), "processed")
        .await;
    env.webhook_accepted(
        &WebhookRequest::hotmart(
            "loja-a",
            fixture("hotmart/purchase_refunded.json"),
            Some(HOTTOK),
        ),
        "processed",
    )
    .await;
    env.webhook_accepted(
        &WebhookRequest::hotmart(
            "loja-a",
            fixture("hotmart/purchase_approved_card.json"),
            Some(HOTTOK),
        ),
        "processed",
    )
    .await;

    let kiwify_client = env
        .client_detail("beatriz.goncalves@example.com")
        .await
        .unwrap();
    let order = transaction(&kiwify_client, "9b1c2d3e-4f50-4a61-8b72-c3d4e5f60711");
    assert_eq!(order["status"], "refunded");
    assert!(
        active_products(&kiwify_client).is_empty(),
        "{kiwify_client:#}"
    );
    assert_eq!(notifications_of_kind(&kiwify_client, "welcome"), 0);

    let hotmart_client = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    assert_eq!(
        transaction(&hotmart_client, "HP0900000101")["status"],
        "refunded"
    );
    assert!(
        active_products(&hotmart_client).is_empty(),
        "{hotmart_client:#}"
    );
    assert_eq!(notifications_of_kind(&hotmart_client, "welcome"), 0);
}

/// Builds a subscription charge from the approved card sample: charge `recurrence` of
/// subscriber `SUBSHORTA1`, approved `recurrence - 1` months (30 days) later.
fn subscription_charge(recurrence: i64) -> Vec<u8> {
    let mut body = hotmart_variant(
        "PURCHASE_APPROVED",
        "APPROVED",
        &format!("6f1e0000-0000-4000-8000-00000000000{recurrence}"),
        30 * (recurrence - 1),
    );
    let month_ms = 30 * 86_400_000;
    let purchase = &mut body["data"]["purchase"];
    purchase["transaction"] = json!(format!("HP09000077{recurrence:02}"));
    purchase["recurrence_number"] = json!(recurrence);
    for field in ["approved_date", "order_date"] {
        let at = purchase[field].as_i64().unwrap();
        purchase[field] = json!(at + (recurrence - 1) * month_ms);
    }
    body["data"]["subscription"] = json!({
        "status": "ACTIVE",
        "plan": { "id": 880011, "name": "Plano Mensal" },
        "subscriber": { "code": "SUBSHORTA1" }
    });
    hotmart_body(&body)
}

#[tokio::test]
async fn renewal_does_not_welcome_again() {
    let env = start().await;

    for recurrence in [1, 2] {
        let request =
            WebhookRequest::hotmart("loja-a", subscription_charge(recurrence), Some(HOTTOK));
        env.webhook_accepted(&request, "processed").await;
    }

    let email = "mariana.ribeiro@example.com";
    assert_eq!(env.count_clients_as(&env.key, email).await, 1);
    let detail = env.client_detail(email).await.unwrap();
    assert_eq!(transaction(&detail, "HP0900007701")["status"], "paid");
    assert_eq!(transaction(&detail, "HP0900007702")["status"], "paid");
    assert_eq!(notifications_of_kind(&detail, "welcome"), 1);
    assert_eq!(active_products(&detail)[0], "Curso Horta em Apartamento");
}
