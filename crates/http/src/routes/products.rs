//! Product catalogue routes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::AppState;
use crate::api::{NewProduct, Product, ProductList};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, Authenticated};

#[utoipa::path(
    get,
    path = "/products",
    tag = "products",
    summary = "List the app's products",
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Every product of the app", body = ProductList),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<ProductList>, ApiError> {
    let products = state.products.list(&auth.app).await?;

    Ok(Json(ProductList {
        items: products.iter().map(Product::from).collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/products",
    tag = "products",
    summary = "Create a product",
    security(("api_key" = [])),
    request_body = NewProduct,
    responses(
        (status = 201, description = "The new product", body = Product),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    )
)]
pub async fn create_product(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(body): ApiJson<NewProduct>,
) -> Result<impl IntoResponse, ApiError> {
    let product = state.products.create(&auth.app, &body.name).await?;

    Ok((StatusCode::CREATED, Json(Product::from(&product))))
}
