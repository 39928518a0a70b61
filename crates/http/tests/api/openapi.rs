//! The OpenAPI document: served at both paths, and listing every route.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use crate::support::TestApp;

/// Every route the router serves, as (method, OpenAPI path).
const ROUTES: [(&str, &str); 32] = [
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/openapi.json"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/clients"),
    ("get", "/api/v1/clients"),
    ("get", "/api/v1/clients/{id}"),
    ("patch", "/api/v1/clients/{id}"),
    ("post", "/api/v1/clients/{id}/grants"),
    ("delete", "/api/v1/clients/{id}/grants/{product_id}"),
    ("get", "/api/v1/products"),
    ("post", "/api/v1/products"),
    ("get", "/api/v1/products/{id}/links"),
    ("post", "/api/v1/products/{id}/links"),
    (
        "delete",
        "/api/v1/products/{id}/links/{platform}/{external_id}",
    ),
    ("get", "/api/v1/webhook-events"),
    ("get", "/api/v1/webhook-events/{id}"),
    ("post", "/webhooks/{app_slug}/{platform}"),
    ("post", "/api/v1/clients/{id}/password-reset"),
    ("put", "/api/v1/clients/{id}/password"),
    ("post", "/api/v1/clients/{id}/welcome"),
    ("post", "/app/v1/{app_slug}/login"),
    ("post", "/app/v1/{app_slug}/logout"),
    ("get", "/app/v1/{app_slug}/me"),
    ("post", "/app/v1/{app_slug}/first-access"),
    ("post", "/app/v1/{app_slug}/first-access/confirm"),
    ("post", "/app/v1/{app_slug}/password-reset"),
    ("post", "/app/v1/{app_slug}/password-reset/confirm"),
    ("get", "/p/{app_slug}/definir-senha"),
    ("post", "/p/{app_slug}/definir-senha"),
    ("get", "/p/{app_slug}/redefinir-senha"),
    ("post", "/p/{app_slug}/redefinir-senha"),
];

async fn fetch_document(app: &TestApp, uri: &str) -> Value {
    let response = app
        .send(Request::get(uri).body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status, StatusCode::OK, "{uri}");
    assert_eq!(response.headers["content-type"], "application/json");
    response.body
}

#[tokio::test]
async fn document_is_served_at_both_paths() {
    let app = TestApp::new().await;

    let root = fetch_document(&app, "/openapi.json").await;
    let versioned = fetch_document(&app, "/api/v1/openapi.json").await;

    assert_eq!(root, versioned);
    assert!(root["openapi"].as_str().unwrap().starts_with("3."));
}

#[tokio::test]
async fn document_lists_every_route() {
    let app = TestApp::new().await;
    let document = fetch_document(&app, "/openapi.json").await;
    let paths = document["paths"].as_object().unwrap();

    for (method, path) in ROUTES {
        assert!(
            paths.get(path).and_then(|item| item.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    let operations: usize = paths
        .values()
        .map(|item| item.as_object().unwrap().len())
        .sum();
    assert_eq!(
        operations,
        ROUTES.len(),
        "undocumented or unexpected operations: {paths:#?}"
    );
}

#[tokio::test]
async fn documented_routes_exist() {
    let app = TestApp::new().await;
    let document = fetch_document(&app, "/openapi.json").await;

    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let uri = path
                .replace("{id}", &uuid::Uuid::now_v7().to_string())
                .replace("{product_id}", &uuid::Uuid::now_v7().to_string())
                .replace("{app_slug}", "loja-a")
                .replace("{platform}", "hotmart")
                .replace("{external_id}", "4120377");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            if path.starts_with("/p/") {
                // The set-password pages answer in HTML, not in the JSON envelope.
                let request = Request::builder()
                    .method(method.clone())
                    .uri(&uri)
                    .body(Body::empty())
                    .unwrap();
                let status = app.router.clone().oneshot(request).await.unwrap().status();
                assert_ne!(status, StatusCode::NOT_FOUND, "{method} {uri}");
                assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
                continue;
            }
            let response = app.call(method.clone(), &uri, None).await;
            assert_ne!(response.code(), "route_not_found", "{method} {uri}");
            assert_ne!(response.code(), "method_not_allowed", "{method} {uri}");
        }
    }
}

#[tokio::test]
async fn api_routes_require_the_api_key_scheme() {
    let app = TestApp::new().await;
    let document = fetch_document(&app, "/openapi.json").await;

    let scheme = &document["components"]["securitySchemes"]["api_key"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let secured = operation["security"].to_string().contains("api_key");
            let expected = path.starts_with("/api/v1/") && path != "/api/v1/openapi.json";
            assert_eq!(secured, expected, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn document_describes_bodies_and_errors() {
    let app = TestApp::new().await;
    let document = fetch_document(&app, "/openapi.json").await;
    let schemas = document["components"]["schemas"].as_object().unwrap();

    for name in [
        "ErrorBody",
        "FieldErrorBody",
        "Client",
        "ClientDetail",
        "ClientPage",
        "ClientChanges",
        "NewClient",
        "NewGrant",
        "NewProduct",
        "Grant",
        "GrantList",
        "Product",
        "ProductList",
        "Transaction",
        "TransactionStatusChange",
        "AccessLogEntry",
        "Notification",
        "AuditEntry",
        "HealthStatus",
        "ProductLink",
        "ProductLinkList",
        "NewProductLink",
        "WebhookAck",
        "WebhookEvent",
        "WebhookEventDetail",
        "WebhookEventPage",
        "WebhookOutcome",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    let create = &document["paths"]["/api/v1/clients"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewClient"
    );
    assert_eq!(
        create["responses"]["422"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    let required = schemas["NewClient"]["required"].as_array().unwrap();
    assert!(required.contains(&Value::from("name")), "{required:?}");
    assert!(required.contains(&Value::from("email")), "{required:?}");
}

#[test]
fn document_is_available_without_a_server() {
    let document = clientela_http::openapi();

    assert!(
        document
            .paths
            .paths
            .contains_key("/api/v1/clients/{id}/grants/{product_id}")
    );
}
