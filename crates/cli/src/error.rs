//! Failures of the command, with the Portuguese message printed to the operator
//! and the exit code.

use std::net::SocketAddr;

use clientela_domain::error::{DomainError, RepositoryError};
use clientela_domain::services::APP_NAME_MAX_CHARS;
use clientela_http::ApiError;
use clientela_platform::{CREDENTIAL_MAX_CHARS, CredentialProblem, WebhookError};
use clientela_postgres::PgError;
use uuid::Uuid;

/// Exit code of a runtime failure.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of a usage error: a missing setting or an invalid argument.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(
        "a variável de ambiente DATABASE_URL não está definida: defina-a ou use --database-url, \
         por exemplo postgres://usuario@127.0.0.1:5432/clientela"
    )]
    MissingDatabaseUrl,
    #[error("valor inválido em CLIENTELA_LOG_FORMAT: {0:?}; use text ou json")]
    InvalidLogFormat(String),
    #[error("não foi possível conectar ao banco de dados: {0}")]
    Connect(#[source] PgError),
    #[error("as migrações falharam: {0}")]
    Migrate(#[source] PgError),
    #[error("não foi possível escutar em {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("o servidor parou com erro: {0}")]
    Serve(#[source] std::io::Error),
    #[error("não foi possível escrever na saída padrão: {0}")]
    Stdout(#[source] std::io::Error),
    #[error("{}", describe_domain_error(.0))]
    Domain(#[from] DomainError),
    #[error("configuração de e-mail inválida: {0}")]
    MailSettings(#[source] clientela_smtp::ConfigError),
    #[error(
        "nenhum app tem o slug {0:?}: confira o slug ou crie o app com `clientela apps create`"
    )]
    AppNotFound(String),
    #[error("não foi possível ler a credencial da entrada padrão: {0}")]
    ReadSecret(#[source] std::io::Error),
    #[error("{}", describe_webhook_error(.0))]
    Webhook(#[from] WebhookError),
    #[error("informe --id, ou --from e --to")]
    ReplaySelection,
    #[error("período inválido: --to deve ser posterior a --from")]
    ReplayPeriod,
    #[error(
        "o webhook {id} ainda não pôde ser lido: {reason}. Ele continua guardado como rejeitado"
    )]
    StillUnparseable { id: Uuid, reason: String },
    #[error(
        "reprocessamento incompleto: {unparseable} webhook(s) ainda ilegível(is) e {failed} \
         falha(s); veja as linhas acima"
    )]
    ReplayIncomplete { unparseable: usize, failed: usize },
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::MissingDatabaseUrl
            | Self::InvalidLogFormat(_)
            | Self::Domain(DomainError::Validation(_))
            | Self::MailSettings(_)
            | Self::AppNotFound(_)
            | Self::ReplaySelection
            | Self::ReplayPeriod
            | Self::Webhook(WebhookError::InvalidCredential(_)) => EXIT_USAGE,
            _ => EXIT_FAILURE,
        }
    }
}

/// Builds the Portuguese message of a use case's failure from the API's
/// catalogue, naming each invalid argument.
fn describe_domain_error(error: &DomainError) -> String {
    let (_, body) = ApiError::Domain(error.clone()).to_status_and_body();
    if body.fields.is_empty() {
        return body.message;
    }
    let details: Vec<String> = body
        .fields
        .iter()
        .map(|field| match (field.field.as_str(), field.code.as_str()) {
            // The catalogue's "name" is a client's name; here it is the app's.
            ("name", "required") => "Nome do app é obrigatório: use --name.".to_owned(),
            ("name", "too_long") => {
                format!("Nome do app longo demais: o máximo é {APP_NAME_MAX_CHARS} caracteres.")
            }
            _ => field.message.clone(),
        })
        .collect();
    details.join(" ")
}

/// Describes a failure of the webhook commands in Portuguese, for the operator.
pub fn describe_webhook_error(error: &WebhookError) -> String {
    match error {
        WebhookError::UnknownPlatform(name) => {
            format!("a plataforma {name:?} não tem integração de webhook")
        }
        WebhookError::MissingCredential(platform) => {
            format!("o app não tem credencial de webhook para {platform}")
        }
        WebhookError::Authentication(_) => "a autenticação do webhook falhou".to_owned(),
        WebhookError::InvalidCredential(problem) => match problem {
            CredentialProblem::Blank => {
                "credencial vazia: informe o token da plataforma".to_owned()
            }
            CredentialProblem::TooLong => {
                format!("credencial longa demais: o máximo é {CREDENTIAL_MAX_CHARS} caracteres")
            }
            CredentialProblem::InvalidCharacters => {
                "credencial inválida: não pode conter espaços nem caracteres de controle".to_owned()
            }
        },
        WebhookError::DeliveryNotFound(id) => format!("nenhum webhook guardado tem o id {id}"),
        WebhookError::Storage(RepositoryError::NotFound) => "o app não existe mais".to_owned(),
        WebhookError::Storage(RepositoryError::Unavailable(detail)) => {
            format!("o banco de dados está indisponível: {detail}")
        }
        WebhookError::Storage(other) => format!("falha no banco de dados: {other}"),
    }
}
