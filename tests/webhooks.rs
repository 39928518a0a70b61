#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! The Hotmart and Kiwify webhook endpoint against the running binary: every
//! shared sample, authentication failures, unparseable bodies, and the effects
//! seen through the admin API.

mod common;

use common::Env;
use common::webhooks::{
    HOTTOK, KIWIFY_TOKEN, WebhookRequest, active_products, fixture, fixture_files, fixture_json,
    kiwify_signatures, notifications_of_kind, set_sample_credentials, transaction,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Starts a server with the app `loja-a` and the samples' Hotmart and Kiwify
/// credentials.
async fn start() -> Env {
    let env = Env::start().await;
    set_sample_credentials(env.database.url(), "loja-a").await;
    env
}

fn hotmart(name: &str) -> WebhookRequest<'static> {
    WebhookRequest::hotmart("loja-a", fixture(&format!("hotmart/{name}")), Some(HOTTOK))
}

fn kiwify(name: &str) -> WebhookRequest<'static> {
    let signature = kiwify_signatures()
        .remove(name)
        .unwrap_or_else(|| panic!("SIGNATURES.md has no signature for {name}"));
    WebhookRequest::kiwify(
        "loja-a",
        fixture(&format!("kiwify/{name}")),
        Some(&signature),
    )
}

/// Fetches the stored delivery with this id.
async fn stored_event(env: &Env, id: &str) -> Value {
    let reply = env
        .call(Method::GET, &format!("/api/v1/webhook-events/{id}"), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
    reply.body
}

#[tokio::test]
async fn every_hotmart_sample_is_accepted() {
    let env = start().await;
    let files = fixture_files("hotmart");
    assert_eq!(files.len(), 8, "the Hotmart samples changed: {files:?}");

    for name in &files {
        let reply = env.webhook(&hotmart(name)).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {:#}", reply.body);
        assert_eq!(
            reply.body["status"], "processed",
            "{name}: {:#}",
            reply.body
        );
        let event = stored_event(&env, reply.body["delivery_id"].as_str().unwrap()).await;
        assert_eq!(event["outcome"], "processed", "{name}");
        assert_eq!(event["platform"], "hotmart", "{name}");
    }

    let events = env.webhook_events("platform=hotmart&limit=100").await;
    assert_eq!(events.len(), files.len());
}

#[tokio::test]
async fn hotmart_approval_creates_client_and_access() {
    let env = start().await;

    env.webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;

    let detail = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    assert_eq!(detail["name"], "Mariana Costa Ribeiro");
    assert_eq!(detail["origin_platform"], "hotmart");
    assert_eq!(detail["phone"], "+5519900000011");
    assert_eq!(detail["document"], "41830576208");
    let sale = transaction(&detail, "HP0900000101");
    assert_eq!(sale["status"], "paid");
    assert_eq!(sale["status_raw"], "APPROVED");
    assert_eq!(sale["amount_cents"], 9700);
    assert_eq!(sale["currency"], "BRL");
    assert_eq!(sale["payment_method"], "card");
    assert_eq!(active_products(&detail), ["Curso Horta em Apartamento"]);
    assert_eq!(notifications_of_kind(&detail, "welcome"), 1);
    let products = env.products().await;
    assert_eq!(products.len(), 1, "{products:?}");
    assert_eq!(products[0].1, "Curso Horta em Apartamento");
}

#[tokio::test]
async fn hotmart_refund_revokes_access() {
    let env = start().await;

    env.webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;
    env.webhook_accepted(&hotmart("purchase_refunded.json"), "processed")
        .await;

    let detail = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    let sale = transaction(&detail, "HP0900000101");
    assert_eq!(sale["status"], "refunded");
    assert_eq!(sale["history"].as_array().unwrap().len(), 2, "{sale:#}");
    assert!(active_products(&detail).is_empty(), "{detail:#}");
    let grant = &detail["grants"][0];
    assert_eq!(grant["revoke_reason"], "refund");
}

#[tokio::test]
async fn hotmart_pending_and_failed_sales_grant_nothing() {
    let env = start().await;

    for name in [
        "purchase_billet_printed_boleto.json",
        "purchase_billet_printed_pix.json",
        "purchase_canceled.json",
        "purchase_chargeback.json",
    ] {
        env.webhook_accepted(&hotmart(name), "processed").await;
    }

    let pending = env.client_detail("rafael.lima@example.com").await.unwrap();
    let boleto = transaction(&pending, "HP0900000202");
    assert_eq!(boleto["status"], "pending");
    assert_eq!(boleto["payment_method"], "boleto");
    let pix = transaction(&pending, "HP0900000203");
    assert_eq!(pix["status"], "pending");
    assert_eq!(pix["payment_method"], "pix");
    assert!(active_products(&pending).is_empty(), "{pending:#}");
    assert_eq!(notifications_of_kind(&pending, "welcome"), 0);

    let cancelled = env.client_detail("lucia.ferraz@example.com").await.unwrap();
    assert_eq!(
        transaction(&cancelled, "HP0900000505")["status"],
        "cancelled"
    );
    assert!(active_products(&cancelled).is_empty());

    let disputed = env.client_detail("paulo.mendes@example.com").await.unwrap();
    assert_eq!(
        transaction(&disputed, "HP0900000404")["status"],
        "chargeback"
    );
    assert_eq!(disputed["has_chargeback"], true);
    assert!(active_products(&disputed).is_empty());
}

#[tokio::test]
async fn hotmart_hottok_in_body_only() {
    let env = start().await;
    let request = WebhookRequest::hotmart(
        "loja-a",
        fixture("hotmart/purchase_approved_card.json"),
        None,
    );

    env.webhook_accepted(&request, "processed").await;

    let detail = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    assert_eq!(transaction(&detail, "HP0900000101")["status"], "paid");
}

#[tokio::test]
async fn hotmart_legacy_form_postback() {
    let env = start().await;
    let request = WebhookRequest::hotmart(
        "loja-a",
        fixture("hotmart/v1_postback_purchase_approved.txt"),
        None,
    );
    assert_eq!(request.content_type, "application/x-www-form-urlencoded");

    env.webhook_accepted(&request, "processed").await;

    let detail = env.client_detail("joao.esteves@example.com").await.unwrap();
    assert_eq!(detail["name"], "João Estêvão Pereira");
    let sale = transaction(&detail, "HP0900000808");
    assert_eq!(sale["status"], "paid");
    assert_eq!(sale["amount_cents"], 9700);
    assert_eq!(active_products(&detail), ["Curso Horta em Apartamento"]);
}

#[tokio::test]
async fn hotmart_subscription_cancellation_is_stored() {
    let env = start().await;

    let id = env
        .webhook_accepted(&hotmart("subscription_cancellation.json"), "processed")
        .await;

    let event = stored_event(&env, &id).await;
    assert_eq!(event["events"][0]["kind"], "subscription_cancelled");
    assert_eq!(
        event["events"][0]["event_type"],
        "SUBSCRIPTION_CANCELLATION"
    );
}

#[tokio::test]
async fn hotmart_wrong_hottok_is_rejected() {
    let env = start().await;
    let body = fixture("hotmart/purchase_approved_card.json");
    let wrong_header = WebhookRequest::hotmart("loja-a", body.clone(), Some("outro-hottok"));
    let text = String::from_utf8(body).unwrap();
    let wrong_body = WebhookRequest::hotmart(
        "loja-a",
        text.replace(HOTTOK, "outro-hottok").into_bytes(),
        None,
    );
    let no_token = WebhookRequest::hotmart("loja-a", text.replace(HOTTOK, "").into_bytes(), None);

    for request in [wrong_header, wrong_body, no_token] {
        let reply = env.webhook(&request).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:#}", reply.body);
        assert_eq!(reply.code(), "webhook_unauthorized");
        assert!(reply.message().starts_with("Webhook não autenticado"));
        assert!(!reply.message().contains(HOTTOK));
    }

    assert!(env.webhook_events("").await.is_empty());
    assert!(
        env.client_detail("mariana.ribeiro@example.com")
            .await
            .is_none()
    );
}

#[tokio::test]
async fn app_without_credential_looks_like_a_bad_token() {
    let env = Env::start().await;
    common::webhooks::set_credential(env.database.url(), "loja-a", "kiwify", KIWIFY_TOKEN).await;

    let missing = env.webhook(&hotmart("purchase_approved_card.json")).await;
    let wrong = env
        .webhook(&WebhookRequest::hotmart(
            "loja-a",
            fixture("hotmart/purchase_approved_card.json"),
            Some("outro-hottok"),
        ))
        .await;

    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.body, wrong.body);
    assert!(env.webhook_events("").await.is_empty());
}

#[tokio::test]
async fn unknown_app_or_platform_is_not_found() {
    let env = start().await;
    let body = fixture("hotmart/purchase_approved_card.json");
    let cases = [
        ("loja-inexistente", "hotmart", "app_not_found"),
        ("loja-a", "shopify", "platform_not_found"),
        // A known platform without an adapter.
        ("loja-a", "eduzz", "platform_not_found"),
        ("loja-a", "manual", "platform_not_found"),
    ];

    for (slug, platform, code) in cases {
        let mut request = WebhookRequest::hotmart(slug, body.clone(), Some(HOTTOK));
        request.platform = platform;
        let reply = env.webhook(&request).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{slug}/{platform}");
        assert_eq!(reply.code(), code, "{slug}/{platform}");
    }
    assert!(env.webhook_events("").await.is_empty());
}

#[tokio::test]
async fn every_kiwify_sample_is_accepted() {
    let env = start().await;
    let files = fixture_files("kiwify");
    let signatures = kiwify_signatures();
    assert_eq!(files.len(), 7, "the Kiwify samples changed: {files:?}");
    assert_eq!(signatures.len(), files.len());

    for name in &files {
        let reply = env.webhook(&kiwify(name)).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {:#}", reply.body);
        assert_eq!(
            reply.body["status"], "processed",
            "{name}: {:#}",
            reply.body
        );
        let event = stored_event(&env, reply.body["delivery_id"].as_str().unwrap()).await;
        assert_eq!(event["platform"], "kiwify");
        assert_eq!(
            event["query"],
            format!("signature={}", signatures[name.as_str()])
        );
    }

    assert_eq!(
        env.webhook_events("platform=kiwify&limit=100").await.len(),
        files.len()
    );
}

#[tokio::test]
async fn kiwify_approval_then_refund() {
    let env = start().await;

    env.webhook_accepted(&kiwify("order_approved_card.json"), "processed")
        .await;
    let approved = env
        .client_detail("beatriz.goncalves@example.com")
        .await
        .unwrap();
    env.webhook_accepted(&kiwify("order_refunded.json"), "processed")
        .await;
    let refunded = env
        .client_detail("beatriz.goncalves@example.com")
        .await
        .unwrap();

    let order = "9b1c2d3e-4f50-4a61-8b72-c3d4e5f60711";
    assert_eq!(approved["origin_platform"], "kiwify");
    assert_eq!(transaction(&approved, order)["status"], "paid");
    assert_eq!(transaction(&approved, order)["amount_cents"], 19700);
    assert_eq!(
        active_products(&approved),
        ["Curso de Fotografia com Celular"]
    );
    assert_eq!(notifications_of_kind(&approved, "welcome"), 1);
    assert_eq!(transaction(&refunded, order)["status"], "refunded");
    assert!(active_products(&refunded).is_empty(), "{refunded:#}");
}

#[tokio::test]
async fn kiwify_pending_refused_and_chargeback_grant_nothing() {
    let env = start().await;

    for name in [
        "pix_created.json",
        "billet_created.json",
        "order_rejected.json",
        "chargeback.json",
    ] {
        env.webhook_accepted(&kiwify(name), "processed").await;
    }

    let pending = env.client_detail("carlos.nunes@example.com").await.unwrap();
    let pix = transaction(&pending, "0c2d3e4f-5061-4b72-9c83-d4e5f6071822");
    assert_eq!(pix["status"], "pending");
    assert_eq!(pix["payment_method"], "pix");
    let boleto = transaction(&pending, "1d3e4f50-6172-4c83-ad94-e5f607182933");
    assert_eq!(boleto["status"], "pending");
    assert_eq!(boleto["payment_method"], "boleto");
    assert!(active_products(&pending).is_empty());

    let refused = env
        .client_detail("elisa.tavares@example.com")
        .await
        .unwrap();
    assert!(active_products(&refused).is_empty());
    assert_eq!(
        transaction(&refused, "3f506172-8394-4ea5-8fb6-0718293a4b55")["status_raw"],
        "refused"
    );

    let disputed = env.client_detail("diego.rocha@example.com").await.unwrap();
    assert_eq!(
        transaction(&disputed, "2e4f5061-7283-4d94-bea5-f60718293a44")["status"],
        "chargeback"
    );
    assert_eq!(disputed["has_chargeback"], true);
    assert!(active_products(&disputed).is_empty());
}

#[tokio::test]
async fn kiwify_bad_signatures_are_rejected() {
    let env = start().await;
    let name = "order_approved_card.json";
    let body = fixture(&format!("kiwify/{name}"));
    let signature = kiwify_signatures().remove(name).unwrap();
    let reserialised = serde_json::to_vec_pretty(&fixture_json(&format!("kiwify/{name}"))).unwrap();
    let other_token = clientela_kiwify::compute_signature("outrotoken1", &body);
    let cases = [
        (
            "re-serialised body",
            WebhookRequest::kiwify("loja-a", reserialised, Some(&signature)),
        ),
        (
            "signature of another token",
            WebhookRequest::kiwify("loja-a", body.clone(), Some(&other_token)),
        ),
        (
            "missing signature",
            WebhookRequest::kiwify("loja-a", body.clone(), None),
        ),
        (
            "malformed signature",
            WebhookRequest::kiwify("loja-a", body.clone(), Some("xyz")),
        ),
    ];

    for (case, request) in cases {
        let reply = env.webhook(&request).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(reply.code(), "webhook_unauthorized", "{case}");
    }
    assert!(env.webhook_events("").await.is_empty());
    assert!(
        env.client_detail("beatriz.goncalves@example.com")
            .await
            .is_none()
    );
}

#[tokio::test]
async fn unparseable_body_is_stored_for_replay() {
    let env = start().await;
    let mut body = fixture_json("hotmart/purchase_approved_card.json");
    body["data"]["buyer"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    let request =
        WebhookRequest::hotmart("loja-a", serde_json::to_vec(&body).unwrap(), Some(HOTTOK));

    let first = env.webhook(&request).await;
    let repeat = env.webhook(&request).await;

    assert_eq!(first.status, StatusCode::BAD_REQUEST, "{:#}", first.body);
    assert_eq!(first.code(), "webhook_unparseable");
    assert!(
        first.message().contains("data.buyer.email"),
        "{}",
        first.message()
    );
    assert_eq!(repeat.status, StatusCode::OK, "{:#}", repeat.body);
    assert_eq!(repeat.body["status"], "duplicate");
    let rejected = env.webhook_events("outcome=rejected_unparseable").await;
    assert_eq!(rejected.len(), 1);
    let id = rejected[0]["id"].as_str().unwrap();
    assert!(first.message().contains(id), "{}", first.message());
    assert_eq!(repeat.body["delivery_id"], id);
    assert!(
        rejected[0]["error"]
            .as_str()
            .unwrap()
            .contains("data.buyer.email"),
        "{:#}",
        rejected[0]
    );
    assert!(rejected[0]["processed_at"].is_null());
    assert!(
        env.client_detail("mariana.ribeiro@example.com")
            .await
            .is_none()
    );
}

#[tokio::test]
async fn unparseable_kiwify_body_is_stored() {
    let env = start().await;
    let request = WebhookRequest::kiwify_signed("loja-a", b"{\"order_id\": ".to_vec());

    let reply = env.webhook(&request).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:#}", reply.body);
    assert_eq!(reply.code(), "webhook_unparseable");
    let stored = env.webhook_events("outcome=rejected_unparseable").await;
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0]["dedupe_key"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
}

#[tokio::test]
async fn repeated_delivery_is_a_duplicate() {
    let env = start().await;

    let first = env
        .webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;
    let second = env
        .webhook_accepted(&hotmart("purchase_approved_card.json"), "duplicate")
        .await;

    assert_eq!(first, second);
    assert_eq!(env.webhook_events("").await.len(), 1);
    let detail = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    assert_eq!(detail["transactions"].as_array().unwrap().len(), 1);
    assert_eq!(detail["grants"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn test_send_is_ignored() {
    let env = start().await;
    let mut body = fixture_json("hotmart/purchase_approved_card.json");
    body["data"]["buyer"]["email"] = json!("testeComprador271101postman15@example.com");
    body["data"]["purchase"]["transaction"] = json!("HP16015479281022");
    body["data"]["product"]["id"] = json!(0);
    let request =
        WebhookRequest::hotmart("loja-a", serde_json::to_vec(&body).unwrap(), Some(HOTTOK));

    let id = env.webhook_accepted(&request, "ignored").await;

    assert_eq!(stored_event(&env, &id).await["outcome"], "ignored");
    assert!(env.products().await.is_empty());
    assert_eq!(
        env.count_clients_as(&env.key, "testecomprador271101postman15@example.com")
            .await,
        0
    );
}

#[tokio::test]
async fn unknown_event_type_is_acknowledged() {
    let env = start().await;
    let mut body = fixture_json("hotmart/purchase_approved_card.json");
    body["event"] = json!("PURCHASE_SOMETHING_NEW");
    let request =
        WebhookRequest::hotmart("loja-a", serde_json::to_vec(&body).unwrap(), Some(HOTTOK));

    let id = env.webhook_accepted(&request, "unrecognized").await;

    let event = stored_event(&env, &id).await;
    assert_eq!(event["outcome"], "unrecognized");
    assert_eq!(event["events"][0]["event_type"], "PURCHASE_SOMETHING_NEW");
}

#[tokio::test]
async fn oversized_body_is_rejected() {
    let env = start().await;
    let request = WebhookRequest::hotmart("loja-a", vec![b'a'; 1024 * 1024 + 1], Some(HOTTOK));

    let reply = env.webhook(&request).await;

    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.code(), "payload_too_large");
}

#[tokio::test]
async fn delivery_is_logged_once_without_personal_data() {
    let env = start().await;

    let id = env
        .webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;
    let rejected = env
        .webhook(&WebhookRequest::hotmart(
            "loja-a",
            fixture("hotmart/purchase_approved_card.json"),
            Some("outro-hottok"),
        ))
        .await;
    assert_eq!(rejected.status, StatusCode::UNAUTHORIZED);
    // Gives the server a moment to write its last lines.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let lines = env.server.stderr_lines();
    let received: Vec<&String> = lines
        .iter()
        .filter(|line| line.contains("webhook delivery received"))
        .collect();
    assert_eq!(received.len(), 1, "{lines:#?}");
    for expected in [
        id.as_str(),
        "outcome=\"processed\"",
        "webhook.platform=hotmart",
        "app.slug=loja-a",
        "clients_created=1",
        "transactions_created=1",
        "grants_created=1",
    ] {
        assert!(
            received[0].contains(expected),
            "{expected}: {}",
            received[0]
        );
    }
    assert!(
        lines
            .iter()
            .any(|line| line.contains("authentication failed")
                && line.contains("signature_mismatch")),
        "{lines:#?}"
    );
    for secret_or_personal in [
        HOTTOK,
        "outro-hottok",
        "mariana.ribeiro@example.com",
        "Mariana",
        "41830576208",
        "19900000011",
    ] {
        assert!(
            lines.iter().all(|line| !line.contains(secret_or_personal)),
            "{secret_or_personal} was logged: {lines:#?}"
        );
    }
}
