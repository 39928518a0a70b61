//! Members-app routes of the first-access and password-reset links.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use clientela_domain::account::TokenPurpose;

use super::body::{LinkRequest, LinkRequestAccepted, SetPasswordWithLink};
use super::extract::{Origin, SlugApp};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;

#[utoipa::path(
    post,
    path = "/app/v1/{app_slug}/first-access",
    tag = "app",
    summary = "Request a first-access link",
    description = "E-mails a link to set a first password (primeiro acesso) when the e-mail \
        belongs to an active client without a password, or a password-reset link when the \
        client has one. The answer is 202 either way, also for an unknown e-mail. One e-mail \
        of a kind per client and minute: a repeated request within the minute sends nothing.",
    params(("app_slug" = String, Path, description = "The app's slug")),
    request_body = LinkRequest,
    responses(
        (status = 202, description = "Accepted; the e-mail, if any, is queued", body = LinkRequestAccepted),
        (status = 404, description = "No app has this slug (`app_not_found`)", body = ErrorBody),
        (status = 422, description = "Missing or invalid e-mail", body = ErrorBody),
    )
)]
pub async fn request_first_access(
    State(state): State<AppState>,
    SlugApp(app): SlugApp,
    ApiJson(body): ApiJson<LinkRequest>,
) -> Result<impl IntoResponse, ApiError> {
    state
        .accounts
        .request_first_access(&app, &body.email)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(LinkRequestAccepted::new())))
}

#[utoipa::path(
    post,
    path = "/app/v1/{app_slug}/password-reset",
    tag = "app",
    summary = "Request a password-reset link",
    description = "E-mails a link to choose a new password, valid for one hour, or a \
        first-access link when the client has no password yet. The answer is 202 either way, \
        also for an unknown e-mail. A newer link makes the older ones void.",
    params(("app_slug" = String, Path, description = "The app's slug")),
    request_body = LinkRequest,
    responses(
        (status = 202, description = "Accepted; the e-mail, if any, is queued", body = LinkRequestAccepted),
        (status = 404, description = "No app has this slug (`app_not_found`)", body = ErrorBody),
        (status = 422, description = "Missing or invalid e-mail", body = ErrorBody),
    )
)]
pub async fn request_password_reset(
    State(state): State<AppState>,
    SlugApp(app): SlugApp,
    ApiJson(body): ApiJson<LinkRequest>,
) -> Result<impl IntoResponse, ApiError> {
    state
        .accounts
        .request_password_reset(&app, &body.email)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(LinkRequestAccepted::new())))
}

#[utoipa::path(
    post,
    path = "/app/v1/{app_slug}/first-access/confirm",
    tag = "app",
    summary = "Set a first password with a link",
    description = "Sets the password with the token of a first-access link, valid for 7 days \
        and usable once. The client's other links stop working and their sessions end. \
        Written to the access log as `first_access`.",
    params(("app_slug" = String, Path, description = "The app's slug")),
    request_body = SetPasswordWithLink,
    responses(
        (status = 204, description = "The password is set"),
        (status = 400, description = "Unknown, expired, used or replaced link (`invalid_token`)", body = ErrorBody),
        (status = 403, description = "The client is inactive (`account_disabled`)", body = ErrorBody),
        (status = 404, description = "No app has this slug (`app_not_found`)", body = ErrorBody),
        (status = 422, description = "Missing fields or a password of the wrong length", body = ErrorBody),
    )
)]
pub async fn confirm_first_access(
    State(state): State<AppState>,
    SlugApp(app): SlugApp,
    Origin(origin): Origin,
    ApiJson(body): ApiJson<SetPasswordWithLink>,
) -> Result<StatusCode, ApiError> {
    state
        .accounts
        .set_password_with_link(
            &app,
            TokenPurpose::FirstAccess,
            &body.token,
            &body.password,
            &origin,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/app/v1/{app_slug}/password-reset/confirm",
    tag = "app",
    summary = "Set a new password with a reset link",
    description = "Sets the password with the token of a password-reset link, valid for one \
        hour and usable once. The client's other links stop working and their sessions end. \
        Written to the access log as `password_reset`.",
    params(("app_slug" = String, Path, description = "The app's slug")),
    request_body = SetPasswordWithLink,
    responses(
        (status = 204, description = "The password is set"),
        (status = 400, description = "Unknown, expired, used or replaced link (`invalid_token`)", body = ErrorBody),
        (status = 403, description = "The client is inactive (`account_disabled`)", body = ErrorBody),
        (status = 404, description = "No app has this slug (`app_not_found`)", body = ErrorBody),
        (status = 422, description = "Missing fields or a password of the wrong length", body = ErrorBody),
    )
)]
pub async fn confirm_password_reset(
    State(state): State<AppState>,
    SlugApp(app): SlugApp,
    Origin(origin): Origin,
    ApiJson(body): ApiJson<SetPasswordWithLink>,
) -> Result<StatusCode, ApiError> {
    state
        .accounts
        .set_password_with_link(
            &app,
            TokenPurpose::PasswordReset,
            &body.token,
            &body.password,
            &origin,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
