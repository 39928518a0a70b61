//! Links from platform products (offers, plans) to the app's products.

use std::str::FromStr;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use clientela_domain::error::{DomainError, FieldError, ValidationErrors};
use clientela_domain::ids::ProductId;
use clientela_domain::values::Platform;

use crate::AppState;
use crate::api::{NewProductLink, ProductLink, ProductLinkList};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated, path_uuid};

#[utoipa::path(
    get,
    path = "/products/{id}/links",
    tag = "products",
    summary = "List the platform products linked to a product",
    security(("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "Product id")),
    responses(
        (status = 200, description = "The links, sorted by platform and external id", body = ProductLinkList),
        (status = 400, description = "The id is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such product in this app (`product_not_found`)", body = ErrorBody),
    )
)]
pub async fn list_product_links(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProductLinkList>, ApiError> {
    let product = ProductId::from_uuid(path_uuid(&id, "product_id")?);
    let links = state.product_links.list(&auth.app, product).await?;

    Ok(Json(ProductLinkList {
        items: links.iter().map(ProductLink::from).collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/products/{id}/links",
    tag = "products",
    summary = "Link a platform product to a product",
    description = "Sales of the platform product (or offer, or plan) then grant this product. \
        Several platform products may link to one product, and one platform product to several \
        products, which makes it a bundle. A platform product that arrives in a webhook without \
        any link gets a new product of its own. The change is recorded in the audit log.",
    security(("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "Product id")),
    request_body = NewProductLink,
    responses(
        (status = 201, description = "The new link", body = ProductLink),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such product in this app (`product_not_found`)", body = ErrorBody),
        (status = 409, description = "The link already exists (`product_link_exists`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn create_product_link(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NewProductLink>,
) -> Result<impl IntoResponse, ApiError> {
    let product = ProductId::from_uuid(path_uuid(&id, "product_id")?);
    let Some(platform) = body.platform else {
        let error = FieldError::new("platform", "required", "platform is missing");
        return Err(ValidationErrors(vec![error]).into());
    };
    let link = state
        .product_links
        .link(
            &auth.app,
            &auth.actor,
            product,
            platform.into(),
            &body.external_id,
        )
        .await?;

    Ok((StatusCode::CREATED, Json(ProductLink::from(&link))))
}

#[utoipa::path(
    delete,
    path = "/products/{id}/links/{platform}/{external_id}",
    tag = "products",
    summary = "Remove a platform product's link to a product",
    description = "Later sales of the platform product no longer grant this product; grants \
        already made stay. The change is recorded in the audit log.",
    security(("api_key" = [])),
    params(
        ("id" = uuid::Uuid, Path, description = "Product id"),
        ("platform" = crate::api::Platform, Path, description = "Platform"),
        ("external_id" = String, Path, description = "The platform's product id, percent-encoded"),
    ),
    responses(
        (status = 204, description = "The link was removed"),
        (status = 400, description = "The id is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such product (`product_not_found`) or link (`product_link_not_found`)", body = ErrorBody),
    )
)]
pub async fn delete_product_link(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((id, platform, external_id)): ApiPath<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let product = ProductId::from_uuid(path_uuid(&id, "product_id")?);
    // No link can exist for a platform name that does not exist.
    let platform = Platform::from_str(&platform).map_err(|_| DomainError::ProductLinkNotFound)?;
    state
        .product_links
        .unlink(&auth.app, &auth.actor, product, platform, &external_id)
        .await?;

    Ok(StatusCode::NO_CONTENT)
}
