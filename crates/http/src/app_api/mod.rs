//! The members-app API (`/app/v1/{app_slug}/…`), the admin's account actions
//! on a client, and Clientela's own set-password pages (`/p/{app_slug}/…`).

mod admin;
mod body;
mod extract;
mod links;
mod pages;
mod session;

use utoipa::Modify;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// Routes of the members app and of the set-password pages, with their full
/// paths.
pub(crate) fn app_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session::login))
        .routes(routes!(session::logout))
        .routes(routes!(session::me))
        .routes(routes!(links::request_first_access))
        .routes(routes!(links::confirm_first_access))
        .routes(routes!(links::request_password_reset))
        .routes(routes!(links::confirm_password_reset))
        .routes(routes!(
            pages::set_password_form,
            pages::set_password_submit
        ))
        .routes(routes!(
            pages::reset_password_form,
            pages::reset_password_submit
        ))
}

/// Admin routes of a client's account, relative to `/api/v1`.
pub(crate) fn admin_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin::request_password_reset))
        .routes(routes!(admin::set_password))
        .routes(routes!(admin::resend_welcome))
}

/// Declares the `session` security scheme: a members-app session token sent as
/// a bearer token.
pub(crate) struct SessionAuth;

impl Modify for SessionAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "A session token returned by `POST /app/v1/{app_slug}/login`.",
            ))
            .build();
        components.add_security_scheme("session", SecurityScheme::Http(scheme));
    }
}
