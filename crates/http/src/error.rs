//! The error envelope and the one table that maps every failure to an HTTP status,
//! a stable English code and a Portuguese message.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clientela_domain::account::AccountError;
use clientela_domain::error::{DomainError, RepositoryError, ValidationErrors};
use clientela_domain::webhook::DeliveryId;
use clientela_platform::{ParseError, WebhookError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::messages::{field_message, parse_error_message};

/// Maximum size of a request body, in bytes (1 MiB).
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code, such as `validation_failed` or `client_not_found`.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// Description of the failure and the next step, in Brazilian Portuguese.
    #[schema(example = "Dados inválidos: confira os campos indicados.")]
    pub message: String,
    /// The invalid fields; present only when the error is about specific fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorBody>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldErrorBody {
    /// The field's name in the request, such as `document` or `product_ids[1]`.
    #[schema(example = "document")]
    pub field: String,
    /// Stable machine code, such as `invalid_check_digits`.
    #[schema(example = "invalid_check_digits")]
    pub code: String,
    /// The problem in Brazilian Portuguese, naming the field.
    #[schema(example = "CPF/CNPJ inválido: os dígitos verificadores não conferem.")]
    pub message: String,
}

/// Every failure a request can end in.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A domain failure about a record that the request body names in `field`,
    /// such as an unknown product in `product_ids`.
    #[error("{source} (request field {field})")]
    InBodyField {
        field: &'static str,
        #[source]
        source: DomainError,
    },
    #[error("missing API key")]
    MissingApiKey,
    #[error("unknown, revoked or malformed API key")]
    InvalidApiKey,
    #[error("request body is empty")]
    EmptyBody,
    #[error("request body is not valid JSON at line {line}, column {column}")]
    MalformedJson { line: usize, column: usize },
    #[error("request content type is not application/json")]
    UnsupportedMediaType,
    #[error("request body is larger than {BODY_LIMIT_BYTES} bytes")]
    PayloadTooLarge,
    #[error("failed to read the request body: {0}")]
    UnreadableBody(String),
    /// A path segment that must be a UUID is not one; `name` is the route
    /// parameter (`id` or `product_id`).
    #[error("path parameter {name} is not a UUID")]
    InvalidPathId { name: &'static str },
    /// The path's parameters could not be decoded, such as invalid UTF-8.
    #[error("malformed path: {0}")]
    MalformedPath(String),
    #[error("malformed query string: {0}")]
    MalformedQuery(String),
    #[error("no route matches the path")]
    RouteNotFound,
    #[error("the route does not accept this method")]
    MethodNotAllowed,
    #[error("not ready: {0}")]
    NotReady(String),
    /// A failure of receiving a webhook or of reading stored deliveries.
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// The webhook URL names an app slug that no app has.
    #[error("no app has the slug of the webhook URL")]
    WebhookAppNotFound,
    /// An authentic webhook body that could not be parsed; it was stored as
    /// `delivery_id` for a replay.
    #[error("webhook body could not be parsed: {error}")]
    WebhookUnparseable {
        delivery_id: DeliveryId,
        error: ParseError,
    },
    /// A failure of the members-app account use cases.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// A members-app or page URL names an app slug that no app has.
    #[error("no app has the slug of the URL")]
    AppNotFound,
    /// A members-app request without an `Authorization` header.
    #[error("missing session token")]
    MissingSessionToken,
    /// A handler panicked; the panic's message, for the logs.
    #[error("a request handler panicked: {0}")]
    Panic(String),
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Domain(DomainError::Validation(errors))
    }
}

impl ApiError {
    /// Wraps a domain failure of a request whose body names a record in `field`.
    pub fn in_body_field(field: &'static str) -> impl FnOnce(DomainError) -> Self {
        move |source| Self::InBodyField { field, source }
    }

    /// Returns the status and body of the response. This is the one table that
    /// maps failures to HTTP.
    pub fn to_status_and_body(&self) -> (StatusCode, ErrorBody) {
        match self {
            Self::Domain(error) => domain_status_and_body(error, None),
            Self::InBodyField { field, source } => domain_status_and_body(source, Some(field)),
            Self::MissingApiKey => plain(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Chave de API ausente: envie o cabeçalho Authorization: Bearer <chave de API>.",
            ),
            Self::InvalidApiKey => plain(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Chave de API inválida ou revogada: confira a chave enviada no cabeçalho \
                 Authorization: Bearer <chave de API>.",
            ),
            Self::EmptyBody => plain(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                "Corpo da requisição vazio: envie um objeto JSON.",
            ),
            Self::MalformedJson { line, column } => plain(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!(
                    "Corpo da requisição não é um JSON válido: erro na linha {line}, coluna {column}."
                ),
            ),
            Self::UnsupportedMediaType => plain(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Tipo de conteúdo não suportado: envie o corpo em JSON, com o cabeçalho \
                 Content-Type: application/json.",
            ),
            Self::PayloadTooLarge => plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Corpo da requisição grande demais: o máximo é 1 MiB.",
            ),
            Self::UnreadableBody(_) => plain(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "Não foi possível ler o corpo da requisição. Envie-o de novo.",
            ),
            Self::InvalidPathId { name } => {
                let what = match *name {
                    "product_id" => "o identificador do produto",
                    "webhook_event_id" => "o identificador do evento de webhook",
                    _ => "o identificador do cliente",
                };
                plain(
                    StatusCode::BAD_REQUEST,
                    "invalid_id",
                    format!("Identificador inválido na URL: {what} deve ser um UUID."),
                )
            }
            Self::MalformedPath(_) => plain(
                StatusCode::BAD_REQUEST,
                "malformed_path",
                "Caminho da URL malformado: confira a codificação dos identificadores.",
            ),
            Self::MalformedQuery(_) => plain(
                StatusCode::BAD_REQUEST,
                "malformed_query",
                "Parâmetros da URL malformados: confira a codificação dos valores.",
            ),
            Self::RouteNotFound => plain(
                StatusCode::NOT_FOUND,
                "route_not_found",
                "Rota não encontrada: confira o caminho e a versão da API (/api/v1).",
            ),
            Self::MethodNotAllowed => plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Método HTTP não permitido nesta rota: confira o cabeçalho Allow da resposta.",
            ),
            Self::NotReady(_) => plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "Serviço indisponível: o banco de dados não responde. Tente de novo em \
                 alguns instantes.",
            ),
            Self::Panic(_) => internal_error(),
            Self::Account(error) => account_status_and_body(error),
            Self::AppNotFound => plain(
                StatusCode::NOT_FOUND,
                "app_not_found",
                "App não encontrado: confira o slug do app no endereço.",
            ),
            Self::MissingSessionToken => plain(
                StatusCode::UNAUTHORIZED,
                "missing_session",
                "Sessão ausente: faça login e envie o token da sessão no cabeçalho \
                 Authorization: Bearer <token>.",
            ),
            Self::Webhook(error) => webhook_status_and_body(error),
            Self::WebhookAppNotFound => plain(
                StatusCode::NOT_FOUND,
                "app_not_found",
                "App não encontrado: confira o slug do app na URL do webhook.",
            ),
            Self::WebhookUnparseable { delivery_id, error } => plain(
                StatusCode::BAD_REQUEST,
                "webhook_unparseable",
                format!(
                    "Não foi possível ler o webhook: {}. O evento foi guardado com o id \
                     {delivery_id} e pode ser reprocessado com `clientela webhooks replay` \
                     depois da correção.",
                    parse_error_message(error)
                ),
            ),
        }
    }

    /// Logs failures that the operator must see: the client only gets a generic
    /// message for them.
    fn log(&self) {
        let source = match self {
            Self::Domain(error) | Self::InBodyField { source: error, .. } => error,
            Self::NotReady(detail) => {
                tracing::warn!(error = %detail, "readiness check failed");
                return;
            }
            Self::UnreadableBody(detail) => {
                tracing::info!(error = %detail, "failed to read a request body");
                return;
            }
            Self::Panic(detail) => {
                tracing::error!(panic = %detail, "a request handler panicked");
                return;
            }
            // The webhook driver logs each failed delivery once, with its app and
            // platform.
            Self::Webhook(_) | Self::WebhookUnparseable { .. } => return,
            Self::Account(AccountError::Unexpected(detail)) => {
                tracing::error!(error = %detail, "unexpected failure");
                return;
            }
            Self::Account(AccountError::Unavailable(detail)) => {
                tracing::warn!(error = %detail, "storage unavailable");
                return;
            }
            Self::Account(AccountError::Throttled { retry_after }) => {
                tracing::info!(
                    retry_after_s = retry_after.whole_seconds(),
                    "login rejected after too many failed attempts"
                );
                return;
            }
            _ => return,
        };
        match source {
            DomainError::Unexpected(detail) => {
                tracing::error!(error = %detail, "unexpected failure");
            }
            DomainError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "storage unavailable");
            }
            _ => {}
        }
    }
}

fn domain_status_and_body(
    error: &DomainError,
    body_field: Option<&str>,
) -> (StatusCode, ErrorBody) {
    match error {
        DomainError::Validation(errors) => {
            let fields = errors
                .0
                .iter()
                .map(|error| field_body(&error.field, error.code))
                .collect();
            let body = ErrorBody {
                code: "validation_failed".into(),
                message: "Dados inválidos: confira os campos indicados.".into(),
                fields,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, body)
        }
        DomainError::ClientNotFound => plain(
            StatusCode::NOT_FOUND,
            "client_not_found",
            "Cliente não encontrado neste app.",
        ),
        // A product named in the request body makes the request invalid (422); one
        // named in the URL is a missing resource (404).
        DomainError::ProductNotFound(id) => {
            let message = format!("Produto não encontrado neste app: {id}.");
            match body_field {
                Some(field) => {
                    let body = ErrorBody {
                        code: "product_not_found".into(),
                        message: message.clone(),
                        fields: vec![FieldErrorBody {
                            field: field.to_owned(),
                            code: "not_found".into(),
                            message,
                        }],
                    };
                    (StatusCode::UNPROCESSABLE_ENTITY, body)
                }
                None => plain(StatusCode::NOT_FOUND, "product_not_found", message),
            }
        }
        DomainError::EmailTaken => {
            let body = ErrorBody {
                code: "email_taken".into(),
                message: "Já existe um cliente com este e-mail neste app.".into(),
                fields: vec![field_body("email", "taken")],
            };
            (StatusCode::CONFLICT, body)
        }
        DomainError::GrantExists => plain(
            StatusCode::CONFLICT,
            "grant_exists",
            "O cliente já tem acesso manual ativo a este produto.",
        ),
        DomainError::GrantNotFound => plain(
            StatusCode::NOT_FOUND,
            "grant_not_found",
            "O cliente não tem acesso ativo a este produto.",
        ),
        DomainError::Conflict => plain(
            StatusCode::CONFLICT,
            "conflict",
            "O cliente foi alterado por outra requisição ao mesmo tempo: recarregue os dados \
             e tente de novo.",
        ),
        DomainError::SlugTaken => plain(
            StatusCode::CONFLICT,
            "slug_taken",
            "Já existe um app com este slug: escolha outro.",
        ),
        DomainError::ProductLinkExists => plain(
            StatusCode::CONFLICT,
            "product_link_exists",
            "Este produto da plataforma já está vinculado a este produto.",
        ),
        DomainError::ProductLinkNotFound => plain(
            StatusCode::NOT_FOUND,
            "product_link_not_found",
            "Este produto da plataforma não está vinculado a este produto.",
        ),
        DomainError::Unavailable(_) => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "Serviço temporariamente indisponível: tente de novo em alguns instantes.",
        ),
        DomainError::Unexpected(_) => internal_error(),
    }
}

/// Maps the webhook driver's failures. Failed authentication and a missing
/// credential share one response, so a caller cannot tell whether the app has a
/// credential for the platform.
fn webhook_status_and_body(error: &WebhookError) -> (StatusCode, ErrorBody) {
    match error {
        WebhookError::UnknownPlatform(_) => plain(
            StatusCode::NOT_FOUND,
            "platform_not_found",
            "Plataforma de webhook desconhecida: confira o nome da plataforma na URL, por \
             exemplo /webhooks/<slug do app>/hotmart ou /webhooks/<slug do app>/kiwify.",
        ),
        WebhookError::MissingCredential(_) | WebhookError::Authentication(_) => plain(
            StatusCode::UNAUTHORIZED,
            "webhook_unauthorized",
            "Webhook não autenticado: confira se o token ou a assinatura enviados pela \
             plataforma correspondem à credencial configurada no app.",
        ),
        WebhookError::InvalidCredential(problem) => {
            let body = ErrorBody {
                code: "validation_failed".into(),
                message: "Dados inválidos: confira os campos indicados.".into(),
                fields: vec![field_body("credential", problem.code())],
            };
            (StatusCode::UNPROCESSABLE_ENTITY, body)
        }
        WebhookError::DeliveryNotFound(_) => plain(
            StatusCode::NOT_FOUND,
            "webhook_event_not_found",
            "Evento de webhook não encontrado neste app.",
        ),
        // The app was deleted between its lookup and the insert.
        WebhookError::Storage(RepositoryError::NotFound) => plain(
            StatusCode::NOT_FOUND,
            "app_not_found",
            "App não encontrado: confira o slug do app na URL do webhook.",
        ),
        WebhookError::Storage(RepositoryError::Unavailable(_)) => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "Serviço temporariamente indisponível: o evento não foi guardado. Envie-o de novo \
             em alguns instantes.",
        ),
        WebhookError::Storage(_) => internal_error(),
    }
}

fn field_body(field: &str, code: &str) -> FieldErrorBody {
    FieldErrorBody {
        field: field.to_owned(),
        code: code.to_owned(),
        message: field_message(field, code),
    }
}

fn plain(status: StatusCode, code: &str, message: impl Into<String>) -> (StatusCode, ErrorBody) {
    let body = ErrorBody {
        code: code.to_owned(),
        message: message.into(),
        fields: Vec::new(),
    };
    (status, body)
}

fn internal_error() -> (StatusCode, ErrorBody) {
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "Erro interno inesperado: tente de novo e, se o erro continuar, contate o suporte.",
    )
}

/// Maps the account use cases' failures. A wrong password, an unknown e-mail
/// and a client without a password share `invalid_credentials`.
fn account_status_and_body(error: &AccountError) -> (StatusCode, ErrorBody) {
    match error {
        AccountError::Validation(errors) => {
            domain_status_and_body(&DomainError::Validation(errors.clone()), None)
        }
        AccountError::InvalidCredentials => plain(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "E-mail ou senha incorretos. Confira os dados ou use \"Esqueci minha senha\".",
        ),
        AccountError::Throttled { retry_after } => {
            let minutes = retry_after_seconds(*retry_after).div_ceil(60);
            let wait = if minutes == 1 {
                "1 minuto".to_owned()
            } else {
                format!("{minutes} minutos")
            };
            plain(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!(
                    "Muitas tentativas de login sem sucesso. Por segurança, tente de novo em \
                     {wait}."
                ),
            )
        }
        AccountError::AccountDisabled => plain(
            StatusCode::FORBIDDEN,
            "account_disabled",
            "Seu acesso está desativado. Fale com o suporte do produtor para reativá-lo.",
        ),
        AccountError::InvalidSession => plain(
            StatusCode::UNAUTHORIZED,
            "invalid_session",
            "Sessão inválida ou expirada: faça login de novo.",
        ),
        AccountError::InvalidToken => plain(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "Link inválido: ele expirou, já foi usado ou um link mais novo foi enviado. Peça um \
             novo link.",
        ),
        AccountError::ClientInactive => plain(
            StatusCode::CONFLICT,
            "client_inactive",
            "O cliente está inativo: reative-o antes de enviar e-mails de acesso.",
        ),
        AccountError::ClientNotFound => plain(
            StatusCode::NOT_FOUND,
            "client_not_found",
            "Cliente não encontrado neste app.",
        ),
        AccountError::Unavailable(_) => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "Serviço temporariamente indisponível: tente de novo em alguns instantes.",
        ),
        AccountError::Unexpected(_) => internal_error(),
    }
}

/// Returns a wait in whole seconds, rounded up and at least 1, for
/// `Retry-After`.
fn retry_after_seconds(wait: time::Duration) -> u64 {
    let seconds = wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0);
    u64::try_from(seconds).unwrap_or(0).max(1)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let (status, body) = self.to_status_and_body();
        // Webhooks authenticate with the platform's own scheme, not a bearer key.
        let bearer = !matches!(self, Self::Webhook(_));
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED && bearer {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Self::Account(AccountError::Throttled { retry_after }) = &self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_seconds(*retry_after)),
            );
        }
        response
    }
}
