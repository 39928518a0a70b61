//! The stored webhook deliveries of an app and their outcomes.

use axum::Json;
use axum::extract::State;
use clientela_domain::webhook::DeliveryId;

use crate::AppState;
use crate::api::{WebhookEvent, WebhookEventDetail, WebhookEventPage};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, Authenticated, QueryPairs, path_uuid};
use crate::webhook_params::{encode_cursor, parse_event_filter};

#[utoipa::path(
    get,
    path = "/webhook-events",
    tag = "webhooks",
    summary = "List received webhook deliveries",
    description = "Lists the app's stored webhook deliveries, newest first, with the outcome \
        of each and what applying it changed. Repeats of a delivery are not stored. Empty \
        parameters count as absent; unknown parameters are rejected.",
    security(("api_key" = [])),
    params(
        ("outcome" = Option<String>, Query,
            description = "`processed`, `ignored`, `unrecognized` or `rejected_unparseable`"),
        ("platform" = Option<crate::api::Platform>, Query, description = "Platform"),
        ("from" = Option<String>, Query,
            description = "Received at or after this instant, RFC 3339 (2026-01-31T00:00:00-03:00)"),
        ("to" = Option<String>, Query, description = "Received before this instant, RFC 3339"),
        ("limit" = Option<u32>, Query, description = "Page size, 1 to 500 (default 50)"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, description = "One page of deliveries", body = WebhookEventPage),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 422, description = "Invalid parameters", body = ErrorBody),
    )
)]
pub async fn list_webhook_events(
    State(state): State<AppState>,
    auth: Authenticated,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<WebhookEventPage>, ApiError> {
    let filter = parse_event_filter(&pairs)?;
    let page = state.webhooks.deliveries(&auth.app, &filter).await?;

    Ok(Json(WebhookEventPage {
        items: page.deliveries.iter().map(WebhookEvent::from).collect(),
        next_cursor: page.next.as_ref().map(encode_cursor),
    }))
}

#[utoipa::path(
    get,
    path = "/webhook-events/{id}",
    tag = "webhooks",
    summary = "Get a received webhook delivery",
    security(("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "Delivery id")),
    responses(
        (status = 200, description = "The delivery with its outcome, headers and query string", body = WebhookEventDetail),
        (status = 400, description = "The id is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such delivery in this app (`webhook_event_not_found`)", body = ErrorBody),
    )
)]
pub async fn get_webhook_event(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<WebhookEventDetail>, ApiError> {
    let id = DeliveryId::from_uuid(path_uuid(&id, "webhook_event_id")?);
    let loaded = state.webhooks.delivery(&auth.app, id).await?;

    Ok(Json(WebhookEventDetail::from(&loaded)))
}
