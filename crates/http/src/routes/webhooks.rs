//! The webhook endpoint the sales platforms call, one URL per app and platform.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use clientela_domain::webhook::DeliveryOutcome;
use clientela_platform::{RawRequest, WebhookError};

use crate::AppState;
use crate::api::WebhookAck;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;

#[utoipa::path(
    post,
    path = "/webhooks/{app_slug}/{platform}",
    tag = "webhooks",
    summary = "Receive a sales platform's webhook",
    description = "Called by the sales platform, not by producers. The request is authenticated \
        with the platform's own scheme on the exact body bytes: Hotmart's hottok in the \
        `X-HOTMART-HOTTOK` header or in the body's `hottok` field, Kiwify's HMAC-SHA1 of the body \
        in the `signature` query parameter. The app's credential is set with `clientela apps \
        set-credential`. Every authentic delivery is stored; repeats, ignored events (abandoned \
        carts, test sends) and unknown event types are answered 200 so the platform stops \
        retrying. Only a delivery that could not be stored is answered 503, so the platform \
        retries it.",
    params(
        ("app_slug" = String, Path, description = "Slug of the app"),
        ("platform" = String, Path, description = "`hotmart` or `kiwify`"),
        ("signature" = Option<String>, Query,
            description = "Kiwify: lower-case hex HMAC-SHA1 of the body, keyed with the webhook token"),
        ("X-HOTMART-HOTTOK" = Option<String>, Header, description = "Hotmart: the account's hottok"),
    ),
    request_body(
        description = "The platform's payload, at most 1 MiB: JSON, or form data for Hotmart's \
            legacy 1.0 postback",
        content(
            (Object = "application/json"),
            (String = "application/x-www-form-urlencoded"),
        ),
    ),
    responses(
        (status = 200, description = "Authentic: `processed`, `ignored`, `unrecognized` or `duplicate`", body = WebhookAck),
        (status = 400, description = "Authentic but unreadable (`webhook_unparseable`); stored for a replay", body = ErrorBody),
        (status = 401, description = "Authentication failed, or the app has no credential for the platform (`webhook_unauthorized`)", body = ErrorBody),
        (status = 404, description = "Unknown app slug (`app_not_found`) or platform (`platform_not_found`)", body = ErrorBody),
        (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
        (status = 503, description = "The delivery could not be stored (`service_unavailable`); retry later", body = ErrorBody),
    )
)]
pub async fn receive_webhook(
    State(state): State<AppState>,
    ApiPath((app_slug, platform)): ApiPath<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<WebhookAck>, ApiError> {
    if state.webhooks.platform_named(&platform).is_none() {
        return Err(WebhookError::UnknownPlatform(platform).into());
    }
    let Some(app) = state.apps.find_by_slug(&app_slug).await? else {
        return Err(ApiError::WebhookAppNotFound);
    };
    tracing::Span::current().record("app_id", tracing::field::display(app.id));
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::UnreadableBody(rejection.body_text())
        }
    })?;

    let raw = raw_request(&headers, query, &body);
    let receipt = state.webhooks.receive(&app, &platform, raw).await?;

    let report = receipt.report;
    if let Some(error) = receipt.parse_error
        && report.outcome != DeliveryOutcome::Duplicate
    {
        return Err(ApiError::WebhookUnparseable {
            delivery_id: report.delivery_id,
            error,
        });
    }
    Ok(Json(WebhookAck {
        status: report.outcome.into(),
        delivery_id: report.delivery_id.as_uuid(),
    }))
}

/// Copies the request as received. Header values that are not UTF-8 are kept with
/// replacement characters; no platform's authentication reads such a header.
fn raw_request(headers: &HeaderMap, query: Option<String>, body: &Bytes) -> RawRequest {
    let mut raw = RawRequest::new(body.to_vec());
    for (name, value) in headers {
        raw = raw.with_header(
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        );
    }
    if let Some(query) = query {
        raw = raw.with_query(query);
    }
    raw
}
