#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! The foundation's acceptance scenarios, run as a producer would: through the
//! built binary and its HTTP API.

mod common;

use common::Env;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn ana_souza_is_found_by_every_form() {
    let env = Env::start().await;
    let ana = env
        .create_client(json!({
            "name": "Ana Souza",
            "email": "  Ana.Souza@EXAMPLE.com ",
            "phone": "(11) 98765-4321",
            "document": "031.458.762-44",
        }))
        .await;
    env.create_client(json!({ "name": "Bruno Lima", "email": "bruno@example.com" }))
        .await;
    let id = ana["id"].as_str().unwrap();

    assert_eq!(ana["email"], "ana.souza@example.com");
    assert_eq!(ana["phone"], "+5511987654321");
    assert_eq!(ana["document"], "03145876244");
    assert_eq!(ana["document_formatted"], "031.458.762-44");
    for query in [
        "q=ana",
        "q=souza",
        "q=ANA%20SOUZA",
        "q=03145876244",
        "q=031.458",
        "q=11987654321",
    ] {
        assert_eq!(env.search_ids(query).await, vec![id.to_owned()], "{query}");
    }
}

#[tokio::test]
async fn jose_conceicao_is_found_without_accents() {
    let env = Env::start().await;
    let jose = env
        .create_client(json!({ "name": "José Conceição", "email": "jose@example.com" }))
        .await;
    env.create_client(json!({ "name": "Joana Lima", "email": "joana@example.com" }))
        .await;

    let found = env.search_ids("q=jose%20conceicao").await;

    assert_eq!(found, vec![jose["id"].as_str().unwrap().to_owned()]);
}

#[tokio::test]
async fn granted_and_revoked_product_shows_in_detail() {
    let env = Env::start().await;
    let product = env
        .call(
            Method::POST,
            "/api/v1/products",
            Some(json!({ "name": "Curso de Fotografia" })),
        )
        .await;
    assert_eq!(product.status, StatusCode::CREATED, "{:#}", product.body);
    let product_id = product.body["id"].as_str().unwrap();
    let client = env
        .create_client(json!({ "name": "Ana Souza", "email": "ana@example.com" }))
        .await;
    let id = client["id"].as_str().unwrap();

    let granted = env
        .call(
            Method::POST,
            &format!("/api/v1/clients/{id}/grants"),
            Some(json!({ "product_id": product_id })),
        )
        .await;
    let revoked = env
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{id}/grants/{product_id}"),
            None,
        )
        .await;
    let detail = env
        .call(Method::GET, &format!("/api/v1/clients/{id}"), None)
        .await;

    assert_eq!(granted.status, StatusCode::CREATED, "{:#}", granted.body);
    assert_eq!(revoked.status, StatusCode::OK, "{:#}", revoked.body);
    assert_eq!(detail.status, StatusCode::OK);
    let grants = detail.body["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1, "{grants:#?}");
    let grant = &grants[0];
    assert_eq!(grant["product_id"], product_id);
    assert_eq!(grant["product_name"], "Curso de Fotografia");
    assert!(grant["granted_at"].is_string());
    assert!(grant["revoked_at"].is_string());
    assert_eq!(grant["revoke_reason"], "manual");
    assert_eq!(grant["active"], false);
}

#[tokio::test]
async fn deactivated_client_shows_as_inactive() {
    let env = Env::start().await;
    let ana = env
        .create_client(json!({ "name": "Ana Souza", "email": "ana@example.com" }))
        .await;
    let bruno = env
        .create_client(json!({ "name": "Bruno Lima", "email": "bruno@example.com" }))
        .await;
    let id = ana["id"].as_str().unwrap();

    let patched = env
        .call(
            Method::PATCH,
            &format!("/api/v1/clients/{id}"),
            Some(json!({ "status": "inactive" })),
        )
        .await;
    let detail = env
        .call(Method::GET, &format!("/api/v1/clients/{id}"), None)
        .await;

    assert_eq!(patched.status, StatusCode::OK, "{:#}", patched.body);
    assert_eq!(detail.body["status"], "inactive");
    assert_eq!(env.search_ids("status=inactive").await, vec![id.to_owned()]);
    assert_eq!(
        env.search_ids("status=active").await,
        vec![bruno["id"].as_str().unwrap().to_owned()]
    );
}

fn field_message<'a>(body: &'a Value, field: &str) -> &'a str {
    body["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|error| error["field"] == field))
        .and_then(|error| error["message"].as_str())
        .unwrap_or_else(|| panic!("no error for {field}: {body:#}"))
}

#[tokio::test]
async fn errors_are_clear_in_portuguese() {
    let env = Env::start().await;

    let invalid_cpf = env
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(
                json!({ "name": "Ana", "email": "ana@example.com", "document": "031.458.762-45" }),
            ),
        )
        .await;
    let bad_email = env
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(json!({ "name": "Ana", "email": "ana.example.com" })),
        )
        .await;
    let no_key = env
        .call_with_key(None, Method::GET, "/api/v1/clients", None)
        .await;

    assert_eq!(invalid_cpf.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid_cpf.code(), "validation_failed");
    assert_eq!(
        field_message(&invalid_cpf.body, "document"),
        "CPF/CNPJ inválido: os dígitos verificadores não conferem."
    );
    assert_eq!(bad_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_message(&bad_email.body, "email").starts_with("E-mail inválido"));
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_key.code(), "unauthorized");
    assert!(
        no_key.message().starts_with("Chave de API ausente"),
        "{}",
        no_key.message()
    );
}
