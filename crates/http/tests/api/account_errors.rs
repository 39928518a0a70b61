//! The account failures' statuses, codes and headers.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use clientela_domain::account::AccountError;
use clientela_domain::error::{FieldError, ValidationErrors};
use clientela_http::ApiError;
use time::Duration;

fn status_and_code(error: ApiError) -> (StatusCode, String) {
    let (status, body) = error.to_status_and_body();
    (status, body.code)
}

#[test]
fn every_account_error_has_its_status_and_code() {
    let validation = ValidationErrors(vec![FieldError::new("password", "too_short", "short")]);
    let cases = [
        (
            ApiError::Account(AccountError::Validation(validation)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            ApiError::Account(AccountError::InvalidCredentials),
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        ),
        (
            ApiError::Account(AccountError::Throttled {
                retry_after: Duration::minutes(3),
            }),
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
        ),
        (
            ApiError::Account(AccountError::AccountDisabled),
            StatusCode::FORBIDDEN,
            "account_disabled",
        ),
        (
            ApiError::Account(AccountError::InvalidSession),
            StatusCode::UNAUTHORIZED,
            "invalid_session",
        ),
        (
            ApiError::Account(AccountError::InvalidToken),
            StatusCode::BAD_REQUEST,
            "invalid_token",
        ),
        (
            ApiError::Account(AccountError::ClientInactive),
            StatusCode::CONFLICT,
            "client_inactive",
        ),
        (
            ApiError::Account(AccountError::ClientNotFound),
            StatusCode::NOT_FOUND,
            "client_not_found",
        ),
        (
            ApiError::Account(AccountError::Unavailable("pool timed out".into())),
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
        ),
        (
            ApiError::Account(AccountError::Unexpected("bad row".into())),
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
        ),
        (
            ApiError::AppNotFound,
            StatusCode::NOT_FOUND,
            "app_not_found",
        ),
        (
            ApiError::MissingSessionToken,
            StatusCode::UNAUTHORIZED,
            "missing_session",
        ),
    ];

    for (error, status, code) in cases {
        let label = format!("{error:?}");
        assert_eq!(status_and_code(error), (status, code.to_owned()), "{label}");
    }
}

#[test]
fn throttled_answer_has_retry_after() {
    let error = ApiError::Account(AccountError::Throttled {
        retry_after: Duration::seconds(90) + Duration::milliseconds(1),
    });
    let (_, body) = error.to_status_and_body();

    let response = error.into_response();

    assert_eq!(response.headers()["retry-after"], "91");
    assert_eq!(
        body.message,
        "Muitas tentativas de login sem sucesso. Por segurança, tente de novo em 2 minutos."
    );
}

#[test]
fn throttled_wait_is_at_least_a_second() {
    let error = ApiError::Account(AccountError::Throttled {
        retry_after: Duration::ZERO,
    });
    let (_, body) = error.to_status_and_body();

    let response = error.into_response();

    assert_eq!(response.headers()["retry-after"], "1");
    assert!(body.message.ends_with("em 1 minuto."), "{}", body.message);
}

#[test]
fn session_errors_ask_for_bearer() {
    for error in [
        ApiError::MissingSessionToken,
        ApiError::Account(AccountError::InvalidSession),
    ] {
        let response = error.into_response();

        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
}
