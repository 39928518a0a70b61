//! Clientela's own pages for the links in first-access and password-reset
//! e-mails, used by apps without a members-area URL: a form that posts the new
//! password, then a page saying whether it was saved.
//!
//! The pages load nothing from elsewhere. Their one inline style block is
//! allowed by its hash in the `Content-Security-Policy`, which forbids
//! everything else. Responses are `Cache-Control: no-store` and send no
//! referrer, because the URL carries the token.

use std::sync::LazyLock;

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clientela_domain::account::{AccountError, TokenPurpose};
use clientela_domain::services::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use clientela_domain::tenant::App;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::extract::Origin;
use crate::AppState;
use crate::error::ApiError;
use crate::messages::field_message;

/// The style of every page, inlined so the pages need no other request.
const PAGE_STYLE: &str = "\
body{margin:0;background:#f4f4f5;color:#1f2937;font:16px/1.5 Arial,Helvetica,sans-serif}\
main{max-width:420px;margin:40px auto;padding:24px 32px;background:#fff;border-radius:8px}\
.app{margin:0;color:#6b7280;font-size:14px;font-weight:bold}\
h1{font-size:22px;margin:8px 0 16px}\
label{display:block;margin-top:16px;font-weight:bold}\
input{box-sizing:border-box;width:100%;padding:10px;margin-top:4px;font-size:16px;\
border:1px solid #d1d5db;border-radius:6px}\
button{margin-top:20px;padding:12px 20px;font-size:16px;color:#fff;background:#2563eb;\
border:0;border-radius:6px;cursor:pointer}\
.hint{color:#6b7280;font-size:14px}\
.error{padding:10px;color:#991b1b;background:#fee2e2;border-radius:6px}";

/// The `Content-Security-Policy` of every page: nothing but the inline style
/// whose hash it names, and forms that post back to Clientela.
static CONTENT_SECURITY_POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    let style_hash = STANDARD.encode(Sha256::digest(PAGE_STYLE.as_bytes()));
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{style_hash}'; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
});

/// Name shown in the header of a page whose app is unknown.
const FALLBACK_APP_NAME: &str = "Clientela";

#[derive(Template)]
#[template(path = "account/password_form.html")]
struct PasswordFormPage<'a> {
    style: &'static str,
    app_name: &'a str,
    title: &'static str,
    intro: String,
    error: Option<String>,
    action: String,
    token: &'a str,
    min_chars: usize,
    max_chars: usize,
}

#[derive(Template)]
#[template(path = "account/message.html")]
struct MessagePage<'a> {
    style: &'static str,
    app_name: &'a str,
    title: &'a str,
    message: &'a str,
}

/// The `token` query parameter of a link.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    token: Option<String>,
}

/// The fields the password form posts.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordForm {
    /// The link's token, copied from the page's URL into a hidden field.
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

/// The wording and address of one kind of page.
struct PageKind {
    purpose: TokenPurpose,
    /// Last segment of the page's path.
    segment: &'static str,
    title: &'static str,
    success_title: &'static str,
}

const SET_PASSWORD: PageKind = PageKind {
    purpose: TokenPurpose::FirstAccess,
    segment: "definir-senha",
    title: "Crie sua senha",
    success_title: "Senha criada",
};

const RESET_PASSWORD: PageKind = PageKind {
    purpose: TokenPurpose::PasswordReset,
    segment: "redefinir-senha",
    title: "Redefina sua senha",
    success_title: "Senha redefinida",
};

impl PageKind {
    fn intro(&self, app: &App) -> String {
        match self.purpose {
            TokenPurpose::FirstAccess => format!(
                "Escolha a senha que você vai usar para acessar {}.",
                app.name
            ),
            TokenPurpose::PasswordReset => {
                format!("Escolha uma nova senha para acessar {}.", app.name)
            }
        }
    }

    fn success_message(&self, app: &App) -> String {
        match self.purpose {
            TokenPurpose::FirstAccess => format!(
                "Pronto! Sua senha foi criada. Agora você já pode entrar em {} com seu e-mail \
                 e a nova senha.",
                app.name
            ),
            TokenPurpose::PasswordReset => format!(
                "Pronto! Sua senha foi alterada. Entre em {} com seu e-mail e a nova senha.",
                app.name
            ),
        }
    }
}

#[utoipa::path(
    get,
    path = "/p/{app_slug}/definir-senha",
    tag = "pages",
    summary = "Page to set a first password",
    description = "The target of first-access links when the app has no members-area URL: a \
        form in Portuguese to choose a password, or a page saying the link is void.",
    params(
        ("app_slug" = String, Path, description = "The app's slug"),
        ("token" = String, Query, description = "The link's token"),
    ),
    responses(
        (status = 200, description = "The password form", content_type = "text/html", body = String),
        (status = 400, description = "Unknown, expired, used or replaced link", content_type = "text/html", body = String),
        (status = 404, description = "No app has this slug", content_type = "text/html", body = String),
    )
)]
pub async fn set_password_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Response {
    show_form(&state, &slug, &SET_PASSWORD, link_token(query)).await
}

#[utoipa::path(
    post,
    path = "/p/{app_slug}/definir-senha",
    tag = "pages",
    summary = "Set a first password from the page",
    description = "Receives the password form, sets the password with the link's token, and \
        answers with a page saying whether it was saved.",
    params(("app_slug" = String, Path, description = "The app's slug")),
    request_body(content = PasswordForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The password is set", content_type = "text/html", body = String),
        (status = 400, description = "Unknown, expired, used or replaced link", content_type = "text/html", body = String),
        (status = 403, description = "The client is inactive", content_type = "text/html", body = String),
        (status = 404, description = "No app has this slug", content_type = "text/html", body = String),
        (status = 422, description = "The form again, with the problem: passwords differ or have the wrong length", content_type = "text/html", body = String),
    )
)]
pub async fn set_password_submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Origin(origin): Origin,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    submit(&state, &slug, &SET_PASSWORD, &origin, form).await
}

#[utoipa::path(
    get,
    path = "/p/{app_slug}/redefinir-senha",
    tag = "pages",
    summary = "Page to reset a password",
    description = "The target of password-reset links when the app has no members-area URL: \
        a form in Portuguese to choose a new password, or a page saying the link is void.",
    params(
        ("app_slug" = String, Path, description = "The app's slug"),
        ("token" = String, Query, description = "The link's token"),
    ),
    responses(
        (status = 200, description = "The password form", content_type = "text/html", body = String),
        (status = 400, description = "Unknown, expired, used or replaced link", content_type = "text/html", body = String),
        (status = 404, description = "No app has this slug", content_type = "text/html", body = String),
    )
)]
pub async fn reset_password_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    query: Result<Query<LinkQuery>, QueryRejection>,
) -> Response {
    show_form(&state, &slug, &RESET_PASSWORD, link_token(query)).await
}

#[utoipa::path(
    post,
    path = "/p/{app_slug}/redefinir-senha",
    tag = "pages",
    summary = "Reset a password from the page",
    description = "Receives the password form, sets the new password with the link's token, \
        and answers with a page saying whether it was saved.",
    params(("app_slug" = String, Path, description = "The app's slug")),
    request_body(content = PasswordForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The password is set", content_type = "text/html", body = String),
        (status = 400, description = "Unknown, expired, used or replaced link", content_type = "text/html", body = String),
        (status = 403, description = "The client is inactive", content_type = "text/html", body = String),
        (status = 404, description = "No app has this slug", content_type = "text/html", body = String),
        (status = 422, description = "The form again, with the problem: passwords differ or have the wrong length", content_type = "text/html", body = String),
    )
)]
pub async fn reset_password_submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Origin(origin): Origin,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    submit(&state, &slug, &RESET_PASSWORD, &origin, form).await
}

fn link_token(query: Result<Query<LinkQuery>, QueryRejection>) -> Option<String> {
    query.ok().and_then(|Query(query)| query.token)
}

/// Shows the password form when the link is usable, else a page with the
/// reason it is not.
async fn show_form(
    state: &AppState,
    slug: &str,
    kind: &PageKind,
    token: Option<String>,
) -> Response {
    let app = match find_app(state, slug).await {
        Ok(app) => app,
        Err(response) => return response,
    };
    let token = token.unwrap_or_default();
    match state.accounts.check_link(&app, kind.purpose, &token).await {
        Ok(()) => form_page(StatusCode::OK, &app, kind, &token, None),
        Err(error) => error_page(Some(&app), ApiError::Account(error)),
    }
}

/// Sets the password posted by the form and shows the outcome. A problem the
/// client can fix shows the form again with the problem on top.
async fn submit(
    state: &AppState,
    slug: &str,
    kind: &PageKind,
    origin: &clientela_domain::account::AccessOrigin,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let app = match find_app(state, slug).await {
        Ok(app) => app,
        Err(response) => return response,
    };
    let Ok(Form(form)) = form else {
        return error_page(Some(&app), ApiError::Account(AccountError::InvalidToken));
    };

    if form.password != form.password_confirmation {
        // The link is checked first, so a void link is reported before a typo.
        if let Err(error) = state
            .accounts
            .check_link(&app, kind.purpose, &form.token)
            .await
        {
            return error_page(Some(&app), ApiError::Account(error));
        }
        let mismatch = "As senhas não conferem: digite a mesma senha nos dois campos.";
        return form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &app,
            kind,
            &form.token,
            Some(mismatch.to_owned()),
        );
    }

    let outcome = state
        .accounts
        .set_password_with_link(&app, kind.purpose, &form.token, &form.password, origin)
        .await;
    match outcome {
        Ok(()) => message_page(
            StatusCode::OK,
            &app.name,
            kind.success_title,
            &kind.success_message(&app),
        ),
        Err(AccountError::Validation(errors)) => {
            let problem = errors
                .0
                .first()
                .map(|error| field_message(&error.field, error.code));
            form_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &app,
                kind,
                &form.token,
                problem,
            )
        }
        Err(error) => error_page(Some(&app), ApiError::Account(error)),
    }
}

/// Finds the app of the page, or returns the page to show instead.
async fn find_app(state: &AppState, slug: &str) -> Result<App, Response> {
    match state.apps.find_by_slug(slug).await {
        Ok(Some(app)) => Ok(app),
        Ok(None) => Err(error_page(None, ApiError::AppNotFound)),
        Err(error) => Err(error_page(None, ApiError::Domain(error))),
    }
}

fn form_page(
    status: StatusCode,
    app: &App,
    kind: &PageKind,
    token: &str,
    error: Option<String>,
) -> Response {
    let page = PasswordFormPage {
        style: PAGE_STYLE,
        app_name: &app.name,
        title: kind.title,
        intro: kind.intro(app),
        error,
        action: format!("/p/{}/{}", app.slug, kind.segment),
        token,
        min_chars: PASSWORD_MIN_CHARS,
        max_chars: PASSWORD_MAX_CHARS,
    };
    html(status, page.render())
}

/// Shows a failure with the status and Portuguese message of the API's error
/// table. Server-side failures are logged.
fn error_page(app: Option<&App>, error: ApiError) -> Response {
    let (status, body) = error.to_status_and_body();
    if status.is_server_error() {
        tracing::error!(error = %error, "password page failed");
    }
    let title = match body.code.as_str() {
        "invalid_token" => "Link inválido",
        "account_disabled" => "Acesso desativado",
        "app_not_found" => "Página não encontrada",
        _ => "Não foi possível continuar",
    };
    let app_name = app.map_or(FALLBACK_APP_NAME, |app| app.name.as_str());
    message_page(status, app_name, title, &body.message)
}

fn message_page(status: StatusCode, app_name: &str, title: &str, message: &str) -> Response {
    let page = MessagePage {
        style: PAGE_STYLE,
        app_name,
        title,
        message,
    };
    html(status, page.render())
}

/// Wraps a rendered page in the response headers every page carries.
fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> Response {
    let body = match rendered {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "password page template failed to render");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Erro interno inesperado: tente de novo em alguns instantes.",
            )
                .into_response();
        }
    };
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY.clone(),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ];
    (status, headers, body).into_response()
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]
mod tests {
    use super::*;

    fn rendered_form(token: &str) -> String {
        PasswordFormPage {
            style: PAGE_STYLE,
            app_name: "Curso de Violão",
            title: SET_PASSWORD.title,
            intro: "Escolha a senha.".to_owned(),
            error: None,
            action: "/p/curso/definir-senha".to_owned(),
            token,
            min_chars: PASSWORD_MIN_CHARS,
            max_chars: PASSWORD_MAX_CHARS,
        }
        .render()
        .unwrap()
    }

    #[test]
    fn policy_allows_rendered_style() {
        let html = rendered_form("t");
        let start = html.find("<style>").unwrap() + "<style>".len();
        let end = html.find("</style>").unwrap();
        let hash = STANDARD.encode(Sha256::digest(&html.as_bytes()[start..end]));

        let policy = CONTENT_SECURITY_POLICY.to_str().unwrap();

        assert!(policy.contains(&format!("'sha256-{hash}'")), "{policy}");
    }

    #[test]
    fn form_escapes_token() {
        let html = rendered_form("\"><script>");

        assert!(!html.contains("<script>"), "{html}");
    }
}
