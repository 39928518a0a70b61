//! Liveness and readiness probes, without authentication.

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::api::HealthStatus;
use crate::error::{ApiError, ErrorBody};

fn ok() -> Json<HealthStatus> {
    Json(HealthStatus {
        status: "ok".into(),
    })
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    summary = "Liveness probe",
    description = "Returns 200 while the process serves requests; checks nothing else.",
    responses((status = 200, description = "The process is up", body = HealthStatus))
)]
pub async fn healthz() -> Json<HealthStatus> {
    ok()
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    summary = "Readiness probe",
    description = "Checks that the database responds to a query.",
    responses(
        (status = 200, description = "Ready to serve", body = HealthStatus),
        (status = 503, description = "The database does not respond (`not_ready`)", body = ErrorBody),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<HealthStatus>, ApiError> {
    state.readiness.check().await.map_err(ApiError::NotReady)?;
    Ok(ok())
}
