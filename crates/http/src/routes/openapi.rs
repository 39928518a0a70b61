//! The OpenAPI document, served as JSON.

use axum::Extension;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;

/// The serialised OpenAPI document, built once with the router.
#[derive(Clone)]
pub struct OpenApiJson(pub Bytes);

fn document(json: &OpenApiJson) -> impl IntoResponse + use<> {
    ([(header::CONTENT_TYPE, "application/json")], json.0.clone())
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    summary = "OpenAPI document",
    responses((status = 200, description = "This document", content_type = "application/json", body = Object))
)]
pub async fn openapi_json(Extension(json): Extension<OpenApiJson>) -> impl IntoResponse {
    document(&json)
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    summary = "OpenAPI document (under the API's version prefix)",
    responses((status = 200, description = "This document", content_type = "application/json", body = Object))
)]
pub async fn openapi_json_v1(Extension(json): Extension<OpenApiJson>) -> impl IntoResponse {
    document(&json)
}
