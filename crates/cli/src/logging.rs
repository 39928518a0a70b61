//! Log set-up: `RUST_LOG` filters (default `info`), `CLIENTELA_LOG_FORMAT=json`
//! switches to one JSON object per line. Logs go to stderr, so stdout carries
//! only a command's result, such as a new API key.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::error::CliError;

/// Output format of the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// Reads `CLIENTELA_LOG_FORMAT`: unset or empty means text.
    pub fn from_env() -> Result<Self, CliError> {
        match std::env::var("CLIENTELA_LOG_FORMAT") {
            Err(_) => Ok(Self::Text),
            Ok(value) => match value.trim() {
                "" | "text" => Ok(Self::Text),
                "json" => Ok(Self::Json),
                _ => Err(CliError::InvalidLogFormat(value)),
            },
        }
    }
}

/// Installs the global subscriber. Colours are used only when stderr is a
/// terminal, so logs piped to a file or a collector stay plain text.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
