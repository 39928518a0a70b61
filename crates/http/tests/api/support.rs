//! The real router over a fresh PostgreSQL database, and helpers to call it.
//!
//! Needs `TEST_DATABASE_URL`, such as
//! `postgres://postgres@127.0.0.1:55432/postgres`.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each test binary uses part of these helpers; a failed unwrap fails the test"
)]

use std::sync::Arc;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use clientela_domain::ports::SystemClock;
use clientela_domain::services::{
    AccountPorts, AccountService, AppService, ClientService, ProductLinkService, ProductService,
};
use clientela_hotmart::HotmartAdapter;
use clientela_http::{AppState, ReadinessCheck};
use clientela_kiwify::KiwifyAdapter;
use clientela_password::Argon2Hasher;
use clientela_platform::{Registry, WebhookDriver};
use clientela_postgres::PgStore;
use clientela_postgres::testing::TestDatabase;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// Readiness of the test's store, as the binary checks it.
pub struct StoreReadiness(pub PgStore);

#[async_trait]
impl ReadinessCheck for StoreReadiness {
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await.map_err(|error| error.to_string())
    }
}

/// Builds the application state over a store, as the binary does.
pub fn state(store: &PgStore) -> AppState {
    let store = Arc::new(store.clone());
    let clock = Arc::new(SystemClock);
    AppState {
        apps: AppService::new(store.clone(), clock.clone()),
        clients: ClientService::new(
            store.clone(),
            store.clone(),
            store.clone(),
            Arc::new(Argon2Hasher::new()),
            clock.clone(),
        ),
        products: ProductService::new(store.clone(), clock.clone()),
        product_links: ProductLinkService::new(store.clone(), store.clone(), clock.clone()),
        accounts: AccountService::new(AccountPorts {
            accounts: store.clone(),
            sessions: store.clone(),
            throttle: store.clone(),
            clients: store.clone(),
            grants: store.clone(),
            products: store.clone(),
            passwords: Arc::new(Argon2Hasher::new()),
            clock: clock.clone(),
        }),
        webhooks: WebhookDriver::new(registry(), store.clone(), clock),
        readiness: Arc::new(StoreReadiness(store.as_ref().clone())),
    }
}

/// The Hotmart and Kiwify adapters, as the binary registers them.
pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register(Arc::new(HotmartAdapter)).unwrap();
    registry.register(Arc::new(KiwifyAdapter)).unwrap();
    registry
}

/// A response, with the body parsed as JSON (`Value::Null` when empty).
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl TestResponse {
    /// Returns the envelope's `code`.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// Returns the envelope's `fields` as (field, code, message) triples.
    pub fn fields(&self) -> Vec<(String, String, String)> {
        self.body["fields"]
            .as_array()
            .map(|fields| {
                fields
                    .iter()
                    .map(|field| {
                        (
                            field["field"].as_str().unwrap_or_default().to_owned(),
                            field["code"].as_str().unwrap_or_default().to_owned(),
                            field["message"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The router of one app ("loja-a") with its API key, over a fresh database.
pub struct TestApp {
    pub router: Router,
    pub store: PgStore,
    pub key: String,
    pub state: AppState,
    // Dropped last: dropping it drops the database.
    pub database: TestDatabase,
}

impl TestApp {
    pub async fn new() -> Self {
        let database = TestDatabase::new().await;
        let store = PgStore::connect(database.url(), 4).await.unwrap();
        let state = state(&store);
        let (_, issued) = state.apps.create_app("loja-a", "Loja A").await.unwrap();
        Self {
            router: clientela_http::router(state.clone()),
            store,
            key: issued.key,
            state,
            database,
        }
    }

    /// Creates another app of the same database and returns its API key.
    pub async fn other_app_key(&self, slug: &str) -> String {
        let (_, issued) = self
            .state
            .apps
            .create_app(slug, "Outra loja")
            .await
            .unwrap();
        issued.key
    }

    /// Sends a request as built.
    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|error| {
                panic!(
                    "response body is not JSON ({error}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// Sends a request with this app's API key and an optional JSON body.
    pub async fn call(&self, method: Method, uri: &str, body: Option<Value>) -> TestResponse {
        self.call_as(&self.key.clone(), method, uri, body).await
    }

    /// Sends a request with the given API key and an optional JSON body.
    pub async fn call_as(
        &self,
        key: &str,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {key}"));
        let request = match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        self.send(request).await
    }

    /// Creates a client and returns its JSON; panics unless the status is 201.
    pub async fn create_client(&self, body: Value) -> Value {
        let response = self.call(Method::POST, "/api/v1/clients", Some(body)).await;
        assert_eq!(response.status, StatusCode::CREATED, "{:#}", response.body);
        response.body
    }

    /// Creates a product and returns its id.
    pub async fn create_product(&self, name: &str) -> String {
        let body = serde_json::json!({ "name": name });
        let response = self
            .call(Method::POST, "/api/v1/products", Some(body))
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{:#}", response.body);
        response.body["id"].as_str().unwrap().to_owned()
    }
}
