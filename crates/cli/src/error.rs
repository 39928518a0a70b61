//! Failures of the command, with the Portuguese message printed to the operator
//! and the exit code.

use std::net::SocketAddr;

use clientela_domain::error::DomainError;
use clientela_domain::services::APP_NAME_MAX_CHARS;
use clientela_http::ApiError;
use clientela_postgres::PgError;

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
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::MissingDatabaseUrl
            | Self::InvalidLogFormat(_)
            | Self::Domain(DomainError::Validation(_)) => EXIT_USAGE,
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
