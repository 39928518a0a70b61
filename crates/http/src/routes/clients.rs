//! Client routes: create, search, detail, edit, grant and revoke.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use clientela_domain::error::{FieldError, ValidationErrors};
use clientela_domain::ids::{ClientId, ProductId};
use clientela_domain::search::Cursor;
use clientela_domain::services::{self, GrantInput, NewClientInput};
use clientela_domain::tenant::App;
use time::OffsetDateTime;

use crate::AppState;
use crate::api::{
    Client, ClientChanges, ClientDetail, ClientPage, Grant, GrantList, NewClient, NewGrant,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated, QueryPairs, path_uuid};
use crate::search_params::parse_search;

/// Treats a blank optional text field as absent, as web forms send empty inputs.
fn non_blank(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.trim().is_empty())
}

#[utoipa::path(
    post,
    path = "/clients",
    tag = "clients",
    summary = "Create a client",
    description = "Creates a client typed in by a producer, grants the listed products by hand \
        and queues the welcome e-mail. Blank `phone`, `document` and `password` count as absent.",
    security(("api_key" = [])),
    request_body = NewClient,
    responses(
        (status = 201, description = "The new client", body = ClientDetail,
            headers(("Location" = String, description = "URL of the new client"))),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 409, description = "The e-mail belongs to another client (`email_taken`)", body = ErrorBody),
        (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (`validation_failed`) or unknown product (`product_not_found`)", body = ErrorBody),
    )
)]
pub async fn create_client(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(body): ApiJson<NewClient>,
) -> Result<impl IntoResponse, ApiError> {
    let input = NewClientInput {
        name: body.name,
        email: body.email,
        phone: non_blank(body.phone),
        document: non_blank(body.document),
        password: non_blank(body.password),
        product_ids: body
            .product_ids
            .unwrap_or_default()
            .into_iter()
            .map(ProductId::from_uuid)
            .collect(),
    };
    let detail = state
        .clients
        .create(&auth.app, &auth.actor, input)
        .await
        .map_err(ApiError::in_body_field("product_ids"))?;

    let location = format!("/api/v1/clients/{}", detail.client.id);
    let body = ClientDetail::new(&detail, OffsetDateTime::now_utc());
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    ))
}

#[utoipa::path(
    get,
    path = "/clients",
    tag = "clients",
    summary = "Search clients",
    description = "Searches the app's clients. `q` matches the name (case- and accent-insensitive, \
        partial), the e-mail, the CPF/CNPJ with or without mask, the phone in any common format \
        and a platform transaction id. Empty parameters count as absent; unknown parameters are \
        rejected. Pages never skip or repeat a client while new ones arrive.",
    security(("api_key" = [])),
    params(
        ("q" = Option<String>, Query, description = "Search text"),
        ("platform" = Option<crate::api::Platform>, Query, description = "Origin platform"),
        ("status" = Option<crate::api::ClientStatus>, Query, description = "Client status"),
        ("product" = Option<uuid::Uuid>, Query, description = "Product id"),
        ("product_mode" = Option<String>, Query,
            description = "`has_access` (default: access now) or `ever_bought` (any grant ever)"),
        ("created_from" = Option<time::Date>, Query,
            description = "First signup day, inclusive, YYYY-MM-DD in the app's time zone"),
        ("created_to" = Option<time::Date>, Query,
            description = "Last signup day, inclusive, YYYY-MM-DD in the app's time zone"),
        ("last_access_before" = Option<time::Date>, Query,
            description = "Clients whose last access is before this day, or who never accessed"),
        ("never_accessed" = Option<bool>, Query, description = "Clients who never logged in"),
        ("has_chargeback" = Option<bool>, Query, description = "Clients with a chargeback"),
        ("sort" = Option<String>, Query,
            description = "`created_desc` (default), `created_asc` or `name_asc`"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, description = "One page of clients", body = ClientPage),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 422, description = "Invalid parameters", body = ErrorBody),
    )
)]
pub async fn list_clients(
    State(state): State<AppState>,
    auth: Authenticated,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<ClientPage>, ApiError> {
    let input = parse_search(&pairs)?;
    let page = state.clients.search(&auth.app, input).await?;

    Ok(Json(ClientPage {
        items: page.items.iter().map(Client::from).collect(),
        next_cursor: page.next.as_ref().map(Cursor::encode),
    }))
}

#[utoipa::path(
    get,
    path = "/clients/{id}",
    tag = "clients",
    summary = "Get a client's detail",
    security(("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    responses(
        (status = 200, description = "The client with grants, transactions, access log, notifications and audit log", body = ClientDetail),
        (status = 400, description = "The id is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such client in this app", body = ErrorBody),
    )
)]
pub async fn get_client(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ClientDetail>, ApiError> {
    let id = ClientId::from_uuid(path_uuid(&id, "id")?);
    let detail = state.clients.detail(&auth.app, id).await?;

    Ok(Json(ClientDetail::new(&detail, OffsetDateTime::now_utc())))
}

#[utoipa::path(
    patch,
    path = "/clients/{id}",
    tag = "clients",
    summary = "Edit a client",
    description = "Changes contact data and status. Absent fields are left as they are; `null` \
        clears `phone` and `document`. The change is recorded in the audit log.",
    security(("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    request_body = ClientChanges,
    responses(
        (status = 200, description = "The client after the change", body = Client),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such client in this app", body = ErrorBody),
        (status = 409, description = "E-mail taken (`email_taken`) or concurrent edit (`conflict`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    )
)]
pub async fn update_client(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ClientChanges>,
) -> Result<Json<Client>, ApiError> {
    let id = ClientId::from_uuid(path_uuid(&id, "id")?);
    let changes = domain_changes(body)?;
    let client = state
        .clients
        .update(&auth.app, &auth.actor, id, changes)
        .await?;

    Ok(Json(Client::from(&client)))
}

/// Converts a PATCH body, rejecting `null` for the fields that cannot be cleared.
fn domain_changes(body: ClientChanges) -> Result<services::ClientChanges, ValidationErrors> {
    fn not_null<T>(
        field: &str,
        value: Option<Option<T>>,
        errors: &mut ValidationErrors,
    ) -> Option<T> {
        match value {
            Some(None) => {
                errors.push(FieldError::new(field, "required", "null is not allowed"));
                None
            }
            Some(Some(value)) => Some(value),
            None => None,
        }
    }

    let mut errors = ValidationErrors::default();
    let changes = services::ClientChanges {
        name: not_null("name", body.name, &mut errors),
        email: not_null("email", body.email, &mut errors),
        phone: body.phone,
        document: body.document,
        status: not_null("status", body.status, &mut errors).map(Into::into),
    };
    errors.into_result().map(|()| changes)
}

#[utoipa::path(
    post,
    path = "/clients/{id}/grants",
    tag = "clients",
    summary = "Grant a product to a client",
    description = "Grants a product by hand, optionally until `expires_at`.",
    security(("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    request_body = NewGrant,
    responses(
        (status = 201, description = "The new grant", body = Grant),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such client in this app", body = ErrorBody),
        (status = 409, description = "The client already has active manual access (`grant_exists`)", body = ErrorBody),
        (status = 422, description = "Invalid fields or unknown product (`product_not_found`)", body = ErrorBody),
    )
)]
pub async fn grant_product(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NewGrant>,
) -> Result<impl IntoResponse, ApiError> {
    let id = ClientId::from_uuid(path_uuid(&id, "id")?);
    let Some(product_id) = body.product_id else {
        let error = FieldError::new("product_id", "required", "product_id is missing");
        return Err(ValidationErrors(vec![error]).into());
    };
    let input = GrantInput {
        product_id: ProductId::from_uuid(product_id),
        expires_at: body.expires_at,
    };
    let grant = state
        .clients
        .grant(&auth.app, &auth.actor, id, input)
        .await
        .map_err(ApiError::in_body_field("product_id"))?;

    let names = product_names(&state, &auth.app).await?;
    let name = names.get(&grant.product_id).cloned().unwrap_or_default();
    let body = Grant::new(&grant, name, OffsetDateTime::now_utc());
    Ok((StatusCode::CREATED, Json(body)))
}

#[utoipa::path(
    delete,
    path = "/clients/{id}/grants/{product_id}",
    tag = "clients",
    summary = "Remove a product from a client",
    description = "Revokes every active grant of the product to the client, with reason `manual`. \
        Revoked grants stay in the client's history.",
    security(("api_key" = [])),
    params(
        ("id" = uuid::Uuid, Path, description = "Client id"),
        ("product_id" = uuid::Uuid, Path, description = "Product id"),
    ),
    responses(
        (status = 200, description = "The grants revoked", body = GrantList),
        (status = 400, description = "An id is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such client or product (`client_not_found`, `product_not_found`), or no active access (`grant_not_found`)", body = ErrorBody),
    )
)]
pub async fn revoke_product(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath((id, product_id)): ApiPath<(String, String)>,
) -> Result<Json<GrantList>, ApiError> {
    let id = ClientId::from_uuid(path_uuid(&id, "id")?);
    let product_id = ProductId::from_uuid(path_uuid(&product_id, "product_id")?);
    let grants = state
        .clients
        .revoke(&auth.app, &auth.actor, id, product_id)
        .await?;

    let names = product_names(&state, &auth.app).await?;
    let now = OffsetDateTime::now_utc();
    let items = grants
        .iter()
        .map(|grant| {
            let name = names.get(&grant.product_id).cloned().unwrap_or_default();
            Grant::new(grant, name, now)
        })
        .collect();
    Ok(Json(GrantList { items }))
}

// TODO: replace with a lookup of only the products involved once the domain
// returns grants with their product names.
async fn product_names(
    state: &AppState,
    app: &App,
) -> Result<HashMap<ProductId, String>, ApiError> {
    let products = state.products.list(app).await?;
    Ok(products
        .into_iter()
        .map(|product| (product.id, product.name))
        .collect())
}
