//! Liveness and readiness.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use clientela_postgres::PgStore;
use clientela_postgres::testing::TestDatabase;
use serde_json::json;

use crate::support::{TestApp, state};

#[tokio::test]
async fn healthz_is_ok() {
    let app = TestApp::new().await;

    let response = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, json!({ "status": "ok" }));
}

#[tokio::test]
async fn readyz_is_ok_with_the_database() {
    let app = TestApp::new().await;

    let response = app
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, json!({ "status": "ok" }));
}

#[tokio::test]
async fn readyz_and_api_are_unavailable_without_the_database() {
    let database = TestDatabase::new().await;
    let store = PgStore::connect(database.url(), 2).await.unwrap();
    let (_, issued) = state(&store)
        .apps
        .create_app("loja-a", "Loja A")
        .await
        .unwrap();
    let router = clientela_http::router(state(&store));
    // Dropping the test database closes the pool's connections and removes it.
    drop(database);

    let ready = tower::ServiceExt::oneshot(
        router.clone(),
        Request::get("/readyz").body(Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    let api = tower::ServiceExt::oneshot(
        router,
        Request::get("/api/v1/products")
            .header("authorization", format!("Bearer {}", issued.key))
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();

    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = http_body_util::BodyExt::collect(ready.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["code"], "not_ready");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Serviço indisponível")
    );
    assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE);
}
