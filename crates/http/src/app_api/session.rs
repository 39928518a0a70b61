//! Members-app routes of the session: login, logout and the client's profile.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::body::{LoginRequest, LoginResponse, MeResponse};
use super::extract::{Origin, SessionToken, SlugApp};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;

/// `Cache-Control` of responses that carry a session token or personal data.
const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

#[utoipa::path(
    post,
    path = "/app/v1/{app_slug}/login",
    tag = "app",
    summary = "Log a client in",
    description = "Checks the client's e-mail and password and starts a session of 30 days, \
        extended by each day of use. An unknown e-mail and a wrong password get the same \
        answer. After 5 failures for one e-mail, or 20 from one network, within 15 minutes, \
        logins are refused for 15 minutes with 429 and `Retry-After`. Every attempt on a \
        registered e-mail is written to the client's access log.",
    params(("app_slug" = String, Path, description = "The app's slug")),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "The session", body = LoginResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Wrong e-mail or password (`invalid_credentials`)", body = ErrorBody),
        (status = 403, description = "The client is inactive (`account_disabled`)", body = ErrorBody),
        (status = 404, description = "No app has this slug (`app_not_found`)", body = ErrorBody),
        (status = 422, description = "Missing fields", body = ErrorBody),
        (status = 429, description = "Too many failed logins (`too_many_attempts`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until logins are accepted again"))),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    SlugApp(app): SlugApp,
    Origin(origin): Origin,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let success = state
        .accounts
        .login(&app, &body.email, &body.password, &origin)
        .await?;
    Ok((NO_STORE, Json(LoginResponse::from(&success))))
}

#[utoipa::path(
    post,
    path = "/app/v1/{app_slug}/logout",
    tag = "app",
    summary = "End the session",
    security(("session" = [])),
    params(("app_slug" = String, Path, description = "The app's slug")),
    responses(
        (status = 204, description = "The session ended"),
        (status = 401, description = "Missing, unknown or already ended session (`missing_session`, `invalid_session`)", body = ErrorBody),
        (status = 404, description = "No app has this slug (`app_not_found`)", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    SlugApp(app): SlugApp,
    SessionToken(token): SessionToken,
) -> Result<StatusCode, ApiError> {
    state.accounts.logout(&app, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/app/v1/{app_slug}/me",
    tag = "app",
    summary = "Get the logged-in client and their products",
    description = "Returns the client and the products they may access now: those an \
        unrevoked, unexpired grant covers. A session last extended more than a day ago is \
        extended to 30 days from now, which is written to the access log as `session_refresh`.",
    security(("session" = [])),
    params(("app_slug" = String, Path, description = "The app's slug")),
    responses(
        (status = 200, description = "The client and their products", body = MeResponse),
        (status = 401, description = "Missing, unknown, expired or ended session (`missing_session`, `invalid_session`)", body = ErrorBody),
        (status = 403, description = "The client is inactive (`account_disabled`)", body = ErrorBody),
        (status = 404, description = "No app has this slug (`app_not_found`)", body = ErrorBody),
    )
)]
pub async fn me(
    State(state): State<AppState>,
    SlugApp(app): SlugApp,
    Origin(origin): Origin,
    SessionToken(token): SessionToken,
) -> Result<impl IntoResponse, ApiError> {
    let profile = state.accounts.me(&app, &token, &origin).await?;
    Ok((NO_STORE, Json(MeResponse::from(&profile))))
}
