//! The failure-to-status table, variant by variant.

use axum::http::StatusCode;
use clientela_domain::error::{DomainError, FieldError, RepositoryError, ValidationErrors};
use clientela_domain::ids::ProductId;
use clientela_domain::values::Platform;
use clientela_domain::webhook::DeliveryId;
use clientela_http::ApiError;
use clientela_platform::{AuthError, CredentialProblem, ParseError, WebhookError};

fn status_and_code(error: ApiError) -> (StatusCode, String) {
    let (status, body) = error.to_status_and_body();
    (status, body.code)
}

#[test]
fn every_domain_error_has_its_status_and_code() {
    let product = ProductId::generate();
    let validation = ValidationErrors(vec![FieldError::new("email", "invalid_email", "bad")]);
    let cases = [
        (
            DomainError::Validation(validation),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            DomainError::ClientNotFound,
            StatusCode::NOT_FOUND,
            "client_not_found",
        ),
        (
            DomainError::ProductNotFound(product),
            StatusCode::NOT_FOUND,
            "product_not_found",
        ),
        (DomainError::EmailTaken, StatusCode::CONFLICT, "email_taken"),
        (
            DomainError::GrantExists,
            StatusCode::CONFLICT,
            "grant_exists",
        ),
        (
            DomainError::GrantNotFound,
            StatusCode::NOT_FOUND,
            "grant_not_found",
        ),
        (DomainError::Conflict, StatusCode::CONFLICT, "conflict"),
        (DomainError::SlugTaken, StatusCode::CONFLICT, "slug_taken"),
        (
            DomainError::ProductLinkExists,
            StatusCode::CONFLICT,
            "product_link_exists",
        ),
        (
            DomainError::ProductLinkNotFound,
            StatusCode::NOT_FOUND,
            "product_link_not_found",
        ),
        (
            DomainError::Unavailable("pool timed out".into()),
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
        ),
        (
            DomainError::Unexpected("boom".into()),
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
        ),
    ];

    for (error, status, code) in cases {
        let name = format!("{error:?}");
        assert_eq!(
            status_and_code(ApiError::Domain(error)),
            (status, code.to_owned()),
            "{name}"
        );
    }
}

#[test]
fn product_named_in_body_is_unprocessable_with_field() {
    let product = ProductId::generate();
    let error = ApiError::in_body_field("product_ids")(DomainError::ProductNotFound(product));

    let (status, body) = error.to_status_and_body();

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body.code, "product_not_found");
    assert_eq!(body.fields.len(), 1);
    assert_eq!(body.fields[0].field, "product_ids");
    assert_eq!(body.fields[0].code, "not_found");
    assert!(
        body.message.contains(&product.to_string()),
        "{}",
        body.message
    );
}

#[test]
fn body_field_context_keeps_other_mappings() {
    let error = ApiError::in_body_field("product_ids")(DomainError::EmailTaken);

    assert_eq!(
        status_and_code(error),
        (StatusCode::CONFLICT, "email_taken".to_owned())
    );
}

#[test]
fn unexpected_failure_hides_its_detail() {
    let (_, body) =
        ApiError::Domain(DomainError::Unexpected("password=hunter2".into())).to_status_and_body();

    assert!(!body.message.contains("hunter2"));
    assert!(
        body.message.starts_with("Erro interno inesperado"),
        "{}",
        body.message
    );
}

#[test]
fn email_taken_names_the_email_field() {
    let (_, body) = ApiError::Domain(DomainError::EmailTaken).to_status_and_body();

    assert_eq!(body.fields.len(), 1);
    assert_eq!(body.fields[0].field, "email");
    assert_eq!(
        body.fields[0].message,
        "Já existe um cliente com este e-mail neste app."
    );
}

#[test]
fn validation_lists_every_field_in_portuguese() {
    let errors = ValidationErrors(vec![
        FieldError::new(
            "document",
            "invalid_check_digits",
            "check digits do not match",
        ),
        FieldError::new("password", "too_short", "short"),
    ]);

    let (_, body) = ApiError::Domain(DomainError::Validation(errors)).to_status_and_body();

    assert_eq!(
        body.message,
        "Dados inválidos: confira os campos indicados."
    );
    assert_eq!(
        body.fields[0].message,
        "CPF/CNPJ inválido: os dígitos verificadores não conferem."
    );
    assert_eq!(
        body.fields[1].message,
        "Senha curta demais: o mínimo é 8 caracteres."
    );
}

#[test]
fn request_failures_have_their_status_and_code() {
    let cases = [
        (
            ApiError::MissingApiKey,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            ApiError::InvalidApiKey,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            ApiError::EmptyBody,
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            ApiError::MalformedJson { line: 1, column: 2 },
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            ApiError::UnsupportedMediaType,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            ApiError::PayloadTooLarge,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            ApiError::UnreadableBody("reset".into()),
            StatusCode::BAD_REQUEST,
            "unreadable_body",
        ),
        (
            ApiError::InvalidPathId { name: "id" },
            StatusCode::BAD_REQUEST,
            "invalid_id",
        ),
        (
            ApiError::MalformedPath("utf-8".into()),
            StatusCode::BAD_REQUEST,
            "malformed_path",
        ),
        (
            ApiError::MalformedQuery("%".into()),
            StatusCode::BAD_REQUEST,
            "malformed_query",
        ),
        (
            ApiError::RouteNotFound,
            StatusCode::NOT_FOUND,
            "route_not_found",
        ),
        (
            ApiError::MethodNotAllowed,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            ApiError::NotReady("down".into()),
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
        ),
        (
            ApiError::Panic("oops".into()),
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
        ),
    ];

    for (error, status, code) in cases {
        let name = format!("{error:?}");
        assert_eq!(status_and_code(error), (status, code.to_owned()), "{name}");
    }
}

#[test]
fn every_webhook_error_has_its_status_and_code() {
    let cases = [
        (
            WebhookError::UnknownPlatform("shopify".into()),
            StatusCode::NOT_FOUND,
            "platform_not_found",
        ),
        (
            WebhookError::MissingCredential(Platform::Hotmart),
            StatusCode::UNAUTHORIZED,
            "webhook_unauthorized",
        ),
        (
            WebhookError::Authentication(AuthError::Mismatch { expected: "hottok" }),
            StatusCode::UNAUTHORIZED,
            "webhook_unauthorized",
        ),
        (
            WebhookError::InvalidCredential(CredentialProblem::Blank),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            WebhookError::DeliveryNotFound(DeliveryId::generate()),
            StatusCode::NOT_FOUND,
            "webhook_event_not_found",
        ),
        (
            WebhookError::Storage(RepositoryError::NotFound),
            StatusCode::NOT_FOUND,
            "app_not_found",
        ),
        (
            WebhookError::Storage(RepositoryError::Unavailable("down".into())),
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
        ),
        (
            WebhookError::Storage(RepositoryError::Other("boom".into())),
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
        ),
    ];

    for (error, status, code) in cases {
        let name = format!("{error:?}");
        assert_eq!(
            status_and_code(ApiError::Webhook(error)),
            (status, code.to_owned()),
            "{name}"
        );
    }
}

#[test]
fn missing_credential_and_bad_token_look_alike() {
    let (missing_status, missing) =
        ApiError::Webhook(WebhookError::MissingCredential(Platform::Kiwify)).to_status_and_body();
    let (mismatch_status, mismatch) =
        ApiError::Webhook(WebhookError::Authentication(AuthError::Mismatch {
            expected: "`signature` query parameter",
        }))
        .to_status_and_body();

    assert_eq!(missing_status, mismatch_status);
    assert_eq!(missing, mismatch);
}

#[test]
fn unparseable_webhook_names_field_and_delivery() {
    let delivery_id = DeliveryId::generate();
    let error = ApiError::WebhookUnparseable {
        delivery_id,
        error: ParseError::missing("data.buyer.email"),
    };

    let (status, body) = error.to_status_and_body();

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body.code, "webhook_unparseable");
    assert!(
        body.message.contains("data.buyer.email"),
        "{}",
        body.message
    );
    assert!(
        body.message.contains(&delivery_id.to_string()),
        "{}",
        body.message
    );
}
