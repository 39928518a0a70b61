#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! The admin side of webhooks against the running binary: the stored deliveries,
//! the links from platform products to products, and the `apps set-credential`
//! and `webhooks replay` commands.

mod common;

use std::process::{Output, Stdio};

use common::webhooks::{
    HOTTOK, KIWIFY_TOKEN, WebhookRequest, active_products, fixture, fixture_json,
    kiwify_signatures, set_sample_credentials, transaction,
};
use common::{Env, binary, create_app, run_cli};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

async fn start() -> Env {
    let env = Env::start().await;
    set_sample_credentials(env.database.url(), "loja-a").await;
    env
}

fn hotmart(name: &str) -> WebhookRequest<'static> {
    WebhookRequest::hotmart("loja-a", fixture(&format!("hotmart/{name}")), Some(HOTTOK))
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Builds a Hotmart delivery whose buyer has no e-mail: authentic but unparseable.
fn unparseable_hotmart() -> WebhookRequest<'static> {
    let mut body = fixture_json("hotmart/purchase_approved_card.json");
    body["id"] = json!("8b2f0000-0000-4000-8000-000000000001");
    body["data"]["buyer"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    WebhookRequest::hotmart("loja-a", serde_json::to_vec(&body).unwrap(), Some(HOTTOK))
}

#[tokio::test]
async fn webhook_events_are_listed_newest_first() {
    let env = start().await;
    let approved = env
        .webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;
    let refunded = env
        .webhook_accepted(&hotmart("purchase_refunded.json"), "processed")
        .await;
    let rejected = env.webhook(&unparseable_hotmart()).await;
    assert_eq!(rejected.status, StatusCode::BAD_REQUEST);

    let all = env.webhook_events("").await;
    let processed = env.webhook_events("outcome=processed").await;
    let unparseable = env
        .webhook_events("outcome=rejected_unparseable&platform=hotmart")
        .await;
    let kiwify = env.webhook_events("platform=kiwify").await;
    let future = env.webhook_events("from=2999-01-01T00:00:00Z").await;
    let past = env.webhook_events("to=2000-01-01T00:00:00-03:00").await;

    let ids: Vec<&str> = all
        .iter()
        .map(|event| event["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[1], refunded);
    assert_eq!(ids[2], approved);
    assert_eq!(processed.len(), 2);
    assert_eq!(unparseable.len(), 1);
    assert_eq!(unparseable[0]["id"], ids[0]);
    assert!(kiwify.is_empty());
    assert!(future.is_empty());
    assert!(past.is_empty());
    let first = &all[2];
    assert_eq!(first["outcome"], "processed");
    assert_eq!(first["counts"]["clients_created"], 1);
    assert_eq!(first["counts"]["transactions_created"], 1);
    assert_eq!(first["counts"]["grants_created"], 1);
    assert_eq!(first["events"][0]["kind"], "transaction");
    assert_eq!(first["events"][0]["event_type"], "PURCHASE_APPROVED");
    assert_eq!(first["replay_count"], 0);
    assert!(first["processed_at"].is_string());
}

#[tokio::test]
async fn webhook_events_pages_follow_the_cursor() {
    let env = start().await;
    for name in [
        "purchase_approved_card.json",
        "purchase_refunded.json",
        "purchase_canceled.json",
    ] {
        env.webhook_accepted(&hotmart(name), "processed").await;
    }

    let mut seen = Vec::new();
    let mut query = "limit=1".to_owned();
    loop {
        let reply = env
            .call(
                Method::GET,
                &format!("/api/v1/webhook-events?{query}"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        let items = reply.body["items"].as_array().unwrap();
        assert!(items.len() <= 1);
        seen.extend(
            items
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_owned()),
        );
        match &reply.body["next_cursor"] {
            Value::String(cursor) => query = format!("limit=1&cursor={cursor}"),
            _ => break,
        }
        assert!(seen.len() < 10, "pagination does not end");
    }

    let all: Vec<String> = env
        .webhook_events("")
        .await
        .iter()
        .map(|event| event["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, all);
    assert_eq!(seen.len(), 3);
}

#[tokio::test]
async fn webhook_events_reject_bad_parameters() {
    let env = start().await;
    let cases = [
        ("outcome=duplicate", "outcome", "invalid_choice"),
        ("platform=shopify", "platform", "invalid_choice"),
        ("from=2026-01-01", "from", "invalid_date"),
        (
            "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            "to",
            "before_start",
        ),
        ("limit=0", "limit", "out_of_range"),
        ("cursor=abc", "cursor", "invalid_webhook_cursor"),
        ("q=ana", "q", "unknown_parameter"),
    ];

    for (query, field, code) in cases {
        let reply = env
            .call(
                Method::GET,
                &format!("/api/v1/webhook-events?{query}"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(reply.code(), "validation_failed", "{query}");
        let fields = reply.body["fields"].as_array().unwrap();
        assert_eq!(fields[0]["field"], field, "{query}");
        assert_eq!(fields[0]["code"], code, "{query}");
        assert!(!fields[0]["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn webhook_event_detail_hides_the_hottok() {
    let env = start().await;
    let id = env
        .webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;

    let reply = env
        .call(Method::GET, &format!("/api/v1/webhook-events/{id}"), None)
        .await;
    let missing = env
        .call(
            Method::GET,
            "/api/v1/webhook-events/0190a000-0000-7000-8000-000000000000",
            None,
        )
        .await;
    let malformed = env
        .call(Method::GET, "/api/v1/webhook-events/abc", None)
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
    assert_eq!(reply.body["id"], id.as_str());
    assert_eq!(reply.body["content_type"], "application/json");
    assert_eq!(
        reply.body["body_bytes"],
        fixture("hotmart/purchase_approved_card.json").len()
    );
    let text = reply.body.to_string();
    assert!(!text.contains(HOTTOK), "{text}");
    assert!(!text.to_lowercase().contains("x-hotmart-hottok"), "{text}");
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "webhook_event_not_found");
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.code(), "invalid_id");
}

#[tokio::test]
async fn another_app_sees_no_webhook_events() {
    let env = start().await;
    let id = env
        .webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;
    let other = create_app(env.database.url(), "loja-b").await;

    let listed = env.webhook_events_as(&other, "").await;
    let detail = env
        .call_with_key(
            Some(&other),
            Method::GET,
            &format!("/api/v1/webhook-events/{id}"),
            None,
        )
        .await;

    assert!(listed.is_empty());
    assert_eq!(detail.status, StatusCode::NOT_FOUND);
}

/// Creates a product and returns its id.
async fn create_product(env: &Env, name: &str) -> String {
    let reply = env
        .call(
            Method::POST,
            "/api/v1/products",
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn link(env: &Env, product: &str, platform: &str, external_id: &str) -> common::Reply {
    env.call(
        Method::POST,
        &format!("/api/v1/products/{product}/links"),
        Some(json!({ "platform": platform, "external_id": external_id })),
    )
    .await
}

#[tokio::test]
async fn linked_platform_product_grants_the_chosen_product() {
    let env = start().await;
    let premium = create_product(&env, "Curso Premium").await;

    let created = link(&env, &premium, "hotmart", " 4120377 ").await;
    let repeated = link(&env, &premium, "hotmart", "4120377").await;
    let listed = env
        .call(
            Method::GET,
            &format!("/api/v1/products/{premium}/links"),
            None,
        )
        .await;
    env.webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;

    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    assert_eq!(
        created.body,
        json!({ "platform": "hotmart", "external_id": "4120377", "product_id": premium })
    );
    assert_eq!(repeated.status, StatusCode::CONFLICT);
    assert_eq!(repeated.code(), "product_link_exists");
    assert_eq!(listed.body["items"], json!([created.body]));
    let detail = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    assert_eq!(active_products(&detail), ["Curso Premium"]);
    let products = env.products().await;
    assert_eq!(products.len(), 1, "a product was created: {products:?}");
}

#[tokio::test]
async fn bundle_refund_keeps_manual_access() {
    let env = start().await;
    let course = create_product(&env, "Curso").await;
    let ebook = create_product(&env, "E-book").await;
    for product in [&course, &ebook] {
        let reply = link(&env, product, "hotmart", "4120377").await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    }

    env.webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;
    let bought = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    let client = bought["id"].as_str().unwrap();
    let manual = env
        .call(
            Method::POST,
            &format!("/api/v1/clients/{client}/grants"),
            Some(json!({ "product_id": ebook })),
        )
        .await;
    assert_eq!(manual.status, StatusCode::CREATED, "{:#}", manual.body);
    env.webhook_accepted(&hotmart("purchase_refunded.json"), "processed")
        .await;
    let refunded = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();

    assert_eq!(active_products(&bought), ["Curso", "E-book"]);
    assert_eq!(active_products(&refunded), ["E-book"]);
    let revoked: Vec<&Value> = refunded["grants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|grant| grant["revoke_reason"] == "refund")
        .collect();
    assert_eq!(revoked.len(), 2, "{refunded:#}");
}

#[tokio::test]
async fn two_platform_products_grant_one_product() {
    let env = start().await;
    let course = create_product(&env, "Curso Único").await;
    let kiwify_product = "5d7e9f10-2a3b-4c5d-8e9f-0a1b2c3d4e50";
    assert_eq!(
        link(&env, &course, "hotmart", "4120377").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        link(&env, &course, "kiwify", kiwify_product).await.status,
        StatusCode::CREATED
    );
    let signature = kiwify_signatures()
        .remove("order_approved_card.json")
        .unwrap();

    env.webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;
    env.webhook_accepted(
        &WebhookRequest::kiwify(
            "loja-a",
            fixture("kiwify/order_approved_card.json"),
            Some(&signature),
        ),
        "processed",
    )
    .await;

    let hotmart_buyer = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    let kiwify_buyer = env
        .client_detail("beatriz.goncalves@example.com")
        .await
        .unwrap();
    assert_eq!(active_products(&hotmart_buyer), ["Curso Único"]);
    assert_eq!(active_products(&kiwify_buyer), ["Curso Único"]);
    assert_eq!(env.products().await.len(), 1);
    let links = env
        .call(
            Method::GET,
            &format!("/api/v1/products/{course}/links"),
            None,
        )
        .await;
    let platforms: Vec<&Value> = links.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|link| &link["platform"])
        .collect();
    assert_eq!(platforms, [&json!("hotmart"), &json!("kiwify")]);
}

#[tokio::test]
async fn links_can_be_removed() {
    let env = start().await;
    let course = create_product(&env, "Curso").await;
    assert_eq!(
        link(&env, &course, "hotmart", "4120377").await.status,
        StatusCode::CREATED
    );
    let path = format!("/api/v1/products/{course}/links/hotmart/4120377");

    let removed = env.call(Method::DELETE, &path, None).await;
    let again = env.call(Method::DELETE, &path, None).await;
    let unknown_platform = env
        .call(
            Method::DELETE,
            &format!("/api/v1/products/{course}/links/shopify/4120377"),
            None,
        )
        .await;
    let listed = env
        .call(
            Method::GET,
            &format!("/api/v1/products/{course}/links"),
            None,
        )
        .await;

    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.code(), "product_link_not_found");
    assert_eq!(unknown_platform.status, StatusCode::NOT_FOUND);
    assert_eq!(listed.body["items"], json!([]));
}

#[tokio::test]
async fn invalid_links_are_rejected() {
    let env = start().await;
    let course = create_product(&env, "Curso").await;
    let unknown = "0190a000-0000-7000-8000-000000000000";
    let other = create_app(env.database.url(), "loja-b").await;

    let manual = link(&env, &course, "manual", "1").await;
    let blank = link(&env, &course, "hotmart", "   ").await;
    let no_platform = env
        .call(
            Method::POST,
            &format!("/api/v1/products/{course}/links"),
            Some(json!({ "external_id": "1" })),
        )
        .await;
    let missing_product = link(&env, unknown, "hotmart", "1").await;
    let other_app = env
        .call_with_key(
            Some(&other),
            Method::POST,
            &format!("/api/v1/products/{course}/links"),
            Some(json!({ "platform": "hotmart", "external_id": "1" })),
        )
        .await;
    let list_missing = env
        .call(
            Method::GET,
            &format!("/api/v1/products/{unknown}/links"),
            None,
        )
        .await;

    assert_eq!(manual.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(manual.body["fields"][0]["code"], "not_a_sales_platform");
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blank.body["fields"][0]["field"], "external_id");
    assert_eq!(no_platform.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_platform.body["fields"][0]["field"], "platform");
    assert_eq!(missing_product.status, StatusCode::NOT_FOUND);
    assert_eq!(missing_product.code(), "product_not_found");
    assert_eq!(other_app.status, StatusCode::NOT_FOUND);
    assert_eq!(list_missing.status, StatusCode::NOT_FOUND);
}

/// Runs `clientela` with `input` on stdin.
async fn run_cli_with_stdin(database_url: &str, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    child.wait_with_output().await.unwrap()
}

#[tokio::test]
async fn set_credential_never_prints_the_secret() {
    let env = Env::start().await;

    let hotmart_output = run_cli(
        env.database.url(),
        &[
            "apps",
            "set-credential",
            "loja-a",
            "hotmart",
            "--hottok",
            HOTTOK,
        ],
    )
    .await;
    let kiwify_output = run_cli_with_stdin(
        env.database.url(),
        &["apps", "set-credential", "loja-a", "kiwify", "--token", "-"],
        &format!("{KIWIFY_TOKEN}\n"),
    )
    .await;

    for (output, secret, platform) in [
        (&hotmart_output, HOTTOK, "Hotmart"),
        (&kiwify_output, KIWIFY_TOKEN, "Kiwify"),
    ] {
        let stderr = stderr_of(output);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(output.stdout.is_empty());
        assert!(
            stderr.contains(&format!("Credencial da {platform}")),
            "{stderr}"
        );
        assert!(stderr.contains("loja-a"), "{stderr}");
        assert!(!stderr.contains(secret), "the secret leaked: {stderr}");
    }
    env.webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;
    let signature = kiwify_signatures()
        .remove("order_approved_card.json")
        .unwrap();
    env.webhook_accepted(
        &WebhookRequest::kiwify(
            "loja-a",
            fixture("kiwify/order_approved_card.json"),
            Some(&signature),
        ),
        "processed",
    )
    .await;
}

#[tokio::test]
async fn set_credential_replaces_the_old_one() {
    let env = start().await;

    let output = run_cli(
        env.database.url(),
        &[
            "apps",
            "set-credential",
            "loja-a",
            "hotmart",
            "--hottok",
            "novo-hottok-123",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let old = env.webhook(&hotmart("purchase_approved_card.json")).await;
    let new = env
        .webhook(&WebhookRequest::hotmart(
            "loja-a",
            fixture("hotmart/purchase_approved_card.json"),
            Some("novo-hottok-123"),
        ))
        .await;

    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    assert_eq!(new.status, StatusCode::OK, "{:#}", new.body);
}

#[tokio::test]
async fn set_credential_rejects_bad_input() {
    let env = Env::start().await;
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "apps",
                "set-credential",
                "loja-x",
                "hotmart",
                "--hottok",
                "abc",
            ],
            "nenhum app tem o slug",
        ),
        (
            &[
                "apps",
                "set-credential",
                "loja-a",
                "kiwify",
                "--token",
                "com espaço",
            ],
            "não pode conter espaços",
        ),
        (
            &["apps", "set-credential", "loja-a", "kiwify", "--token", ""],
            "credencial vazia",
        ),
        (
            &[
                "apps",
                "set-credential",
                "loja-a",
                "eduzz",
                "--token",
                "abc",
            ],
            "eduzz",
        ),
    ];

    for (args, expected) in cases {
        let output = run_cli(env.database.url(), args).await;
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn replay_by_id_changes_nothing_twice() {
    let env = start().await;
    let id = env
        .webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;

    let with_app = run_cli(
        env.database.url(),
        &["webhooks", "replay", "--id", &id, "--app", "loja-a"],
    )
    .await;
    let without_app = run_cli(env.database.url(), &["webhooks", "replay", "--id", &id]).await;

    for output in [&with_app, &without_app] {
        let stderr = stderr_of(output);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(
            stderr.contains(&format!("Webhook {id} do app \"loja-a\" reprocessado")),
            "{stderr}"
        );
        assert!(stderr.contains("nada mudou"), "{stderr}");
        assert!(
            !stderr.contains("mariana"),
            "personal data in the output: {stderr}"
        );
    }
    let event = &env.webhook_events("").await[0];
    assert_eq!(event["replay_count"], 2);
    assert_eq!(event["outcome"], "processed");
    let detail = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    assert_eq!(transaction(&detail, "HP0900000101")["status"], "paid");
    assert_eq!(detail["transactions"].as_array().unwrap().len(), 1);
    assert_eq!(detail["grants"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn replay_reports_unreadable_and_unknown_deliveries() {
    let env = start().await;
    let rejected = env.webhook(&unparseable_hotmart()).await;
    assert_eq!(rejected.status, StatusCode::BAD_REQUEST);
    let id = env.webhook_events("").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let unreadable = run_cli(env.database.url(), &["webhooks", "replay", "--id", &id]).await;
    let unknown = run_cli(
        env.database.url(),
        &[
            "webhooks",
            "replay",
            "--id",
            "0190a000-0000-7000-8000-000000000000",
        ],
    )
    .await;
    let no_selection = run_cli(env.database.url(), &["webhooks", "replay"]).await;

    let stderr = stderr_of(&unreadable);
    assert_eq!(unreadable.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ainda não pôde ser lido"), "{stderr}");
    assert!(stderr.contains("data.buyer.email"), "{stderr}");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr_of(&unknown).contains("nenhum webhook guardado"));
    assert_eq!(no_selection.status.code(), Some(2));
    assert_eq!(
        env.webhook_events("").await[0]["outcome"],
        "rejected_unparseable"
    );
}

#[tokio::test]
async fn replay_range_shows_progress_and_summary() {
    let env = start().await;
    let other = create_app(env.database.url(), "loja-b").await;
    set_sample_credentials(env.database.url(), "loja-b").await;
    env.webhook_accepted(&hotmart("purchase_approved_card.json"), "processed")
        .await;
    env.webhook_accepted(&hotmart("purchase_refunded.json"), "processed")
        .await;
    env.webhook_accepted(
        &WebhookRequest::hotmart(
            "loja-b",
            fixture("hotmart/purchase_canceled.json"),
            Some(HOTTOK),
        ),
        "processed",
    )
    .await;
    let window = [
        "--from",
        "2020-01-01T00:00:00Z",
        "--to",
        "2999-01-01T00:00:00-03:00",
    ];

    let one_app = run_cli(
        env.database.url(),
        &[&["webhooks", "replay"], &window[..], &["--app", "loja-a"]].concat(),
    )
    .await;
    let all_apps = run_cli(
        env.database.url(),
        &[&["webhooks", "replay"], &window[..]].concat(),
    )
    .await;
    let reversed = run_cli(
        env.database.url(),
        &[
            "webhooks",
            "replay",
            "--from",
            "2026-02-01T00:00:00Z",
            "--to",
            "2026-01-01T00:00:00Z",
        ],
    )
    .await;

    let stderr = stderr_of(&one_app);
    assert_eq!(one_app.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("[1/2] loja-a"), "{stderr}");
    assert!(stderr.contains("[2/2] loja-a"), "{stderr}");
    assert!(
        stderr.contains("Reprocessamento concluído: 2 webhook(s) em 1 app(s): 2 processado(s)"),
        "{stderr}"
    );
    let stderr = stderr_of(&all_apps);
    assert_eq!(all_apps.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("[1/1] loja-b"), "{stderr}");
    assert!(
        stderr.contains("Reprocessamento concluído: 3 webhook(s) em 2 app(s)"),
        "{stderr}"
    );
    assert_eq!(reversed.status.code(), Some(2));
    assert!(stderr_of(&reversed).contains("--to deve ser posterior a --from"));
    let detail = env
        .client_detail("mariana.ribeiro@example.com")
        .await
        .unwrap();
    assert_eq!(transaction(&detail, "HP0900000101")["status"], "refunded");
    assert!(active_products(&detail).is_empty());
    assert_eq!(
        env.webhook_events_as(&other, "").await[0]["replay_count"],
        1
    );
}
