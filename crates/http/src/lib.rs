//! Clientela's admin HTTP API: the axum router, API key authentication, the error
//! envelope with Portuguese messages, and the OpenAPI document generated from the
//! handlers.
//!
//! Only this crate deals in HTTP status codes: [`error::ApiError`] maps every
//! failure to a status in one table.

pub mod api;
mod app_api;
pub mod error;
pub mod extract;
pub mod messages;
mod routes;
mod search_params;
mod trace;
mod webhook_params;

use std::any::Any;
use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use clientela_domain::services::{
    AccountService, AppService, ClientService, ProductLinkService, ProductService,
};
use clientela_platform::WebhookDriver;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use app_api::SessionAuth;
pub use error::{ApiError, BODY_LIMIT_BYTES, ErrorBody, FieldErrorBody};
use routes::openapi::OpenApiJson;
use routes::{
    clients, health, openapi as openapi_routes, product_links, products, webhook_events, webhooks,
};

/// Checks that the service's dependencies (the database) respond.
#[async_trait]
pub trait ReadinessCheck: Send + Sync {
    /// Returns an English description of the failure, for the logs.
    async fn check(&self) -> Result<(), String>;
}

/// What every handler needs: the domain's use cases, the webhook driver and the
/// readiness check.
#[derive(Clone)]
pub struct AppState {
    pub apps: AppService,
    pub clients: ClientService,
    pub products: ProductService,
    pub product_links: ProductLinkService,
    pub webhooks: WebhookDriver,
    pub accounts: AccountService,
    pub readiness: Arc<dyn ReadinessCheck>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clientela admin API",
        description = "Clients, products and grants of one app. Authenticate with an admin API \
            key in `Authorization: Bearer <key>`. Errors share one envelope: a stable English \
            `code`, a Brazilian Portuguese `message` and, for invalid fields, `fields`. The \
            sales platforms' webhook endpoint, `/webhooks/{app_slug}/{platform}`, takes no API \
            key: it checks each platform's own token or signature."
    ),
    modifiers(&ApiKeyAuth, &SessionAuth),
    components(schemas(ErrorBody, FieldErrorBody)),
    tags(
        (name = "clients", description = "Clients, their detail, edits and grants"),
        (name = "products", description = "The app's product catalogue and its links to platform products"),
        (name = "webhooks", description = "Sales platforms' webhooks and the stored deliveries"),
        (name = "app", description = "The members app: login, session, first-access and password-reset links. Authenticate with a session token in `Authorization: Bearer <token>`"),
        (name = "pages", description = "Clientela's own Portuguese pages for set-password links"),
        (name = "health", description = "Liveness and readiness probes"),
        (name = "meta", description = "This document"),
    )
)]
struct ApiDoc;

/// Declares the `api_key` security scheme: an admin API key sent as a bearer token.
struct ApiKeyAuth;

impl Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An admin API key issued with `clientela apps create` or `clientela keys create`.",
            ))
            .build();
        components.add_security_scheme("api_key", SecurityScheme::Http(scheme));
    }
}

/// Builds every route with its OpenAPI description.
fn api_router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(clients::create_client, clients::list_clients))
        .routes(routes!(clients::get_client, clients::update_client))
        .routes(routes!(clients::grant_product))
        .routes(routes!(clients::revoke_product))
        .routes(routes!(products::list_products, products::create_product))
        .routes(routes!(
            product_links::list_product_links,
            product_links::create_product_link
        ))
        .routes(routes!(product_links::delete_product_link))
        .routes(routes!(webhook_events::list_webhook_events))
        .routes(routes!(webhook_events::get_webhook_event))
        .routes(routes!(openapi_routes::openapi_json_v1))
        .merge(app_api::admin_routes());

    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    OpenApiRouter::with_openapi(doc)
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(openapi_routes::openapi_json))
        .routes(routes!(webhooks::receive_webhook))
        .merge(app_api::app_routes())
        .nest("/api/v1", v1)
}

/// Returns the OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().into_openapi()
}

/// Builds the service: every route, the JSON fallbacks for unknown routes and
/// methods, the 1 MiB body limit, panic recovery and request logging.
pub fn router(state: AppState) -> Router {
    let (router, doc) = api_router().split_for_parts();
    // serde_json fails only when a Serialize impl fails or a map key is not a
    // string, and utoipa's document types do neither.
    let doc_json = serde_json::to_vec(&doc).unwrap_or_default();

    router
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(Extension(OpenApiJson(Bytes::from(doc_json))))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(trace::RequestSpan)
                .on_request(())
                .on_response(trace::LogResponse)
                .on_failure(()),
        )
        .with_state(state)
}

async fn route_not_found() -> ApiError {
    ApiError::RouteNotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "panic without a message".to_owned()
    };
    ApiError::Panic(detail).into_response()
}
