//! Requests the router rejects before any use case runs. Each gets a response in
//! the error envelope with a Portuguese message, never a 500.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::support::{TestApp, TestResponse};

async fn post_raw(
    app: &TestApp,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> TestResponse {
    let mut builder = Request::post("/api/v1/clients")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.key));
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    app.send(builder.body(body.into()).unwrap()).await
}

fn assert_portuguese_message(response: &TestResponse) {
    let message = response.body["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "no message: {:#}", response.body);
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = TestApp::new().await;

    let response = post_raw(&app, Some("application/json"), "{\"name\": \"Ana\",").await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.code(), "malformed_json");
    assert!(
        response.body["message"]
            .as_str()
            .unwrap()
            .contains("linha 1")
    );
}

#[tokio::test]
async fn trailing_garbage_is_malformed_json() {
    let app = TestApp::new().await;

    let response = post_raw(&app, Some("application/json"), "{} {}").await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.code(), "malformed_json");
}

#[tokio::test]
async fn empty_body_is_a_bad_request() {
    let app = TestApp::new().await;

    let response = post_raw(&app, Some("application/json"), "").await;

    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        response.body["message"],
        "Corpo da requisição vazio: envie um objeto JSON."
    );
}

#[tokio::test]
async fn missing_or_wrong_content_type_is_unsupported() {
    let app = TestApp::new().await;
    let body = json!({ "name": "Ana", "email": "ana@example.com" }).to_string();

    let missing = post_raw(&app, None, body.clone()).await;
    let form = post_raw(
        &app,
        Some("application/x-www-form-urlencoded"),
        body.clone(),
    )
    .await;
    let with_charset = post_raw(&app, Some("application/json; charset=utf-8"), body).await;

    assert_eq!(missing.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(missing.code(), "unsupported_media_type");
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        with_charset.status,
        StatusCode::CREATED,
        "{:#}",
        with_charset.body
    );
}

#[tokio::test]
async fn unknown_field_is_named() {
    let app = TestApp::new().await;

    let response = app
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(json!({ "name": "Ana", "email": "ana@example.com", "apelido": "Aninha" })),
        )
        .await;

    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.fields(),
        vec![(
            "apelido".to_owned(),
            "unknown_field".to_owned(),
            "Campo desconhecido: apelido. Remova-o do corpo da requisição.".to_owned()
        )]
    );
}

#[tokio::test]
async fn wrong_types_are_named() {
    let app = TestApp::new().await;

    let number_name = app
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(json!({ "name": 42, "email": "a@b.com" })),
        )
        .await;
    let bad_product = app
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(json!({ "name": "Ana", "email": "a@b.com", "product_ids": ["x"] })),
        )
        .await;
    let array_body = app
        .call(Method::POST, "/api/v1/clients", Some(json!([])))
        .await;

    assert_eq!(number_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(number_name.fields()[0].0, "name");
    assert_eq!(number_name.fields()[0].2, "Nome inválido.");
    assert_eq!(bad_product.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_product.fields()[0].0, "product_ids[0]");
    assert!(
        bad_product.fields()[0]
            .2
            .starts_with("Lista de produtos inválida")
    );
    assert_eq!(array_body.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(array_body.fields()[0].0, "body");
}

#[tokio::test]
async fn oversized_body_is_rejected() {
    let app = TestApp::new().await;
    let name = "a".repeat(clientela_http::BODY_LIMIT_BYTES + 1);
    let body = json!({ "name": name, "email": "ana@example.com" }).to_string();

    let response = post_raw(&app, Some("application/json"), body).await;

    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.code(), "payload_too_large");
    assert_portuguese_message(&response);
}

#[tokio::test]
async fn oversized_streamed_body_is_rejected() {
    let app = TestApp::new().await;
    let chunk = axum::body::Bytes::from(vec![b' '; 64 * 1024]);
    let chunks = std::iter::repeat_n(chunk, 20).map(Ok::<_, std::io::Error>);
    // A stream has no Content-Length, so the limit is enforced while reading.
    let body = Body::from_stream(futures::stream::iter(chunks));

    let response = post_raw(&app, Some("application/json"), body).await;

    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(response.code(), "payload_too_large");
}

#[tokio::test]
async fn bad_path_id_is_a_bad_request() {
    let app = TestApp::new().await;

    let client = app
        .call(Method::GET, "/api/v1/clients/not-a-uuid", None)
        .await;
    let product = app
        .call(
            Method::DELETE,
            &format!("/api/v1/clients/{}/grants/42", uuid::Uuid::now_v7()),
            None,
        )
        .await;

    assert_eq!(client.status, StatusCode::BAD_REQUEST);
    assert_eq!(client.code(), "invalid_id");
    assert_eq!(
        client.body["message"],
        "Identificador inválido na URL: o identificador do cliente deve ser um UUID."
    );
    assert_eq!(product.status, StatusCode::BAD_REQUEST);
    assert!(
        product.body["message"]
            .as_str()
            .unwrap()
            .contains("produto")
    );
}

#[tokio::test]
async fn unknown_client_is_not_found() {
    let app = TestApp::new().await;

    let response = app
        .call(
            Method::GET,
            &format!("/api/v1/clients/{}", uuid::Uuid::now_v7()),
            None,
        )
        .await;

    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.code(), "client_not_found");
    assert_eq!(
        response.body["message"],
        "Cliente não encontrado neste app."
    );
}

#[tokio::test]
async fn unknown_routes_are_not_found() {
    let app = TestApp::new().await;

    for uri in [
        "/nada",
        "/api/v1/nada",
        "/api/v2/clients",
        "/api/v1/clients/x/y/z",
    ] {
        let response = app.call(Method::GET, uri, None).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(response.code(), "route_not_found", "{uri}");
    }
}

#[tokio::test]
async fn wrong_method_is_not_allowed() {
    let app = TestApp::new().await;

    let put = app
        .call(Method::PUT, "/api/v1/clients", Some(json!({})))
        .await;
    let post_health = app.call(Method::POST, "/healthz", None).await;

    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(put.code(), "method_not_allowed");
    let allow = put.headers[header::ALLOW].to_str().unwrap();
    assert!(allow.contains("GET"), "{allow}");
    assert!(allow.contains("POST"), "{allow}");
    assert_eq!(post_health.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post_health.code(), "method_not_allowed");
}
