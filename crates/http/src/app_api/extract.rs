//! Extractors of the members-app routes: the app named in the path, the
//! session's bearer token, and the request's origin for the access log.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Path};
use axum::http::header;
use axum::http::request::Parts;
use clientela_domain::account::{AccessOrigin, AccountError};
use clientela_domain::tenant::App;
use serde::Deserialize;

use crate::AppState;
use crate::error::ApiError;

#[derive(Deserialize)]
struct AppSlugParams {
    app_slug: String,
}

/// The app whose slug is the `app_slug` path parameter. An unknown slug is an
/// `app_not_found` error.
pub struct SlugApp(pub App);

impl FromRequestParts<AppState> for SlugApp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<AppSlugParams>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::MalformedPath(rejection.body_text()))?;
        let app = state
            .apps
            .find_by_slug(&params.app_slug)
            .await?
            .ok_or(ApiError::AppNotFound)?;
        tracing::Span::current().record("app_id", tracing::field::display(app.id));
        Ok(Self(app))
    }
}

/// The session token of an `Authorization: Bearer <token>` header. A missing
/// header is `MissingSessionToken`; another scheme or an empty token is
/// `InvalidSession`.
pub struct SessionToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for SessionToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::MissingSessionToken);
        };
        let invalid = || ApiError::Account(AccountError::InvalidSession);
        let value = value.to_str().map_err(|_| invalid())?;
        let (scheme, token) = value.trim().split_once(' ').ok_or_else(invalid)?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(invalid());
        }
        Ok(Self(token.to_owned()))
    }
}

/// The connection's peer address and the `User-Agent` header. The address is
/// absent when the server was not started with connection info, as in tests
/// that call the router directly.
// TODO: behind a reverse proxy, every request has the proxy's address, so the
// per-network login throttle counts all clients together. Read a trusted
// proxy's X-Forwarded-For once the deployment is known.
pub struct Origin(pub AccessOrigin);

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok());
        Ok(Self(AccessOrigin::new(ip, user_agent)))
    }
}
