//! Configuration errors of the e-mail adapters.

/// A setting of the e-mail adapters is invalid. Messages never contain the SMTP
/// password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "invalid SMTP_URL {url}: {detail}; use smtp://host:25, smtp://user:password@host:587?tls=required or smtps://user:password@host:465"
    )]
    InvalidSmtpUrl { url: String, detail: String },
    #[error("invalid SMTP timeout: it must be longer than zero")]
    ZeroTimeout,
    #[error(
        "invalid public base URL {url:?}: {detail}; use an absolute http or https URL such as https://clientela.example.com"
    )]
    InvalidPublicBaseUrl { url: String, detail: String },
    #[error("invalid default sender address {address:?}: {detail}")]
    InvalidFromAddress { address: String, detail: String },
}
