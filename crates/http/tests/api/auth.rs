//! API key authentication and tenancy.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn missing_key_is_unauthorized() {
    let app = TestApp::new().await;
    let request = Request::get("/api/v1/clients").body(Body::empty()).unwrap();

    let response = app.send(request).await;

    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.code(), "unauthorized");
    assert!(
        response.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Chave de API ausente")
    );
    assert_eq!(response.headers[header::WWW_AUTHENTICATE], "Bearer");
}

#[tokio::test]
async fn wrong_key_is_unauthorized() {
    let app = TestApp::new().await;

    let response = app
        .call_as("ctl_not-a-real-key", Method::GET, "/api/v1/clients", None)
        .await;

    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.code(), "unauthorized");
    assert!(
        response.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Chave de API inválida")
    );
}

#[tokio::test]
async fn malformed_authorization_headers_are_unauthorized() {
    let app = TestApp::new().await;
    let headers = [
        format!("Basic {}", app.key),
        app.key.clone(),
        "Bearer ".to_owned(),
        "Bearer".to_owned(),
    ];

    for value in headers {
        let request = Request::get("/api/v1/products")
            .header(header::AUTHORIZATION, &value)
            .body(Body::empty())
            .unwrap();
        let response = app.send(request).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "header {value:?}"
        );
        assert_eq!(response.code(), "unauthorized", "header {value:?}");
    }
}

#[tokio::test]
async fn bearer_scheme_is_case_insensitive() {
    let app = TestApp::new().await;
    let request = Request::get("/api/v1/products")
        .header(header::AUTHORIZATION, format!("bearer {}", app.key))
        .body(Body::empty())
        .unwrap();

    let response = app.send(request).await;

    assert_eq!(response.status, StatusCode::OK, "{:#}", response.body);
}

#[tokio::test]
async fn unauthorized_request_body_is_not_read() {
    let app = TestApp::new().await;
    let request = Request::post("/api/v1/clients")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{ not json"))
        .unwrap();

    let response = app.send(request).await;

    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_apps_client_is_not_found() {
    let app = TestApp::new().await;
    let client = app
        .create_client(json!({ "name": "Ana Souza", "email": "ana@example.com" }))
        .await;
    let id = client["id"].as_str().unwrap();
    let other_key = app.other_app_key("loja-b").await;

    let read = app
        .call_as(
            &other_key,
            Method::GET,
            &format!("/api/v1/clients/{id}"),
            None,
        )
        .await;
    let edit = app
        .call_as(
            &other_key,
            Method::PATCH,
            &format!("/api/v1/clients/{id}"),
            Some(json!({ "name": "Invasora" })),
        )
        .await;
    let listed = app
        .call_as(&other_key, Method::GET, "/api/v1/clients?q=ana", None)
        .await;

    assert_eq!(read.status, StatusCode::NOT_FOUND);
    assert_eq!(read.code(), "client_not_found");
    assert_eq!(edit.status, StatusCode::NOT_FOUND);
    assert_eq!(edit.code(), "client_not_found");
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["items"], json!([]));
    let own = app
        .call(Method::GET, &format!("/api/v1/clients/{id}"), None)
        .await;
    assert_eq!(own.body["name"], "Ana Souza");
}

#[tokio::test]
async fn another_apps_product_cannot_be_granted() {
    let app = TestApp::new().await;
    let product = app.create_product("Curso A").await;
    let other_key = app.other_app_key("loja-b").await;
    let other_client = app
        .call_as(
            &other_key,
            Method::POST,
            "/api/v1/clients",
            Some(json!({ "name": "Bia", "email": "bia@example.com" })),
        )
        .await;
    let id = other_client.body["id"].as_str().unwrap();

    let response = app
        .call_as(
            &other_key,
            Method::POST,
            &format!("/api/v1/clients/{id}/grants"),
            Some(json!({ "product_id": product })),
        )
        .await;

    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:#}",
        response.body
    );
    assert_eq!(response.code(), "product_not_found");
    assert_eq!(response.fields()[0].0, "product_id");
}
