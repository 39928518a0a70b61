//! Admin routes of a client's account: e-mail a password link, set a password,
//! resend the welcome e-mail.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use clientela_domain::ids::ClientId;

use super::body::{AdminPassword, Queued};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated, path_uuid};

#[utoipa::path(
    post,
    path = "/clients/{id}/password-reset",
    tag = "clients",
    summary = "E-mail a password link to a client",
    description = "Queues a password-reset e-mail, or a first-access e-mail when the client \
        has no password. Older links stop working. A repeated request within a minute queues \
        nothing more. The client's notifications show the delivery.",
    security(("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    responses(
        (status = 202, description = "The e-mail is queued", body = Queued),
        (status = 400, description = "The id is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such client in this app", body = ErrorBody),
        (status = 409, description = "The client is inactive (`client_inactive`)", body = ErrorBody),
    )
)]
pub async fn request_password_reset(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = ClientId::from_uuid(path_uuid(&id, "id")?);
    state
        .accounts
        .admin_request_password_reset(&auth.app, &auth.actor, id)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(Queued::new())))
}

#[utoipa::path(
    put,
    path = "/clients/{id}/password",
    tag = "clients",
    summary = "Set a client's password",
    description = "Sets the password directly. The client's links stop working and their \
        sessions end. The audit log records that a password was set, never the password.",
    security(("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    request_body = AdminPassword,
    responses(
        (status = 204, description = "The password is set"),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such client in this app", body = ErrorBody),
        (status = 422, description = "Missing password or wrong length", body = ErrorBody),
    )
)]
pub async fn set_password(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AdminPassword>,
) -> Result<StatusCode, ApiError> {
    let id = ClientId::from_uuid(path_uuid(&id, "id")?);
    state
        .accounts
        .admin_set_password(&auth.app, &auth.actor, id, &body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/clients/{id}/welcome",
    tag = "clients",
    summary = "Resend the welcome e-mail",
    description = "Queues the welcome e-mail (boas-vindas) again; for a client without a \
        password it carries a new first-access link. A repeated request within a minute, such \
        as a double click, queues nothing more. The client's notifications show the delivery.",
    security(("api_key" = [])),
    params(("id" = uuid::Uuid, Path, description = "Client id")),
    responses(
        (status = 202, description = "The e-mail is queued", body = Queued),
        (status = 400, description = "The id is not a UUID", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 404, description = "No such client in this app", body = ErrorBody),
        (status = 409, description = "The client is inactive (`client_inactive`)", body = ErrorBody),
    )
)]
pub async fn resend_welcome(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(id): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = ClientId::from_uuid(path_uuid(&id, "id")?);
    state
        .accounts
        .resend_welcome(&auth.app, &auth.actor, id)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(Queued::new())))
}
