//! The `clientela` command: serves the HTTP API, applies migrations, and creates
//! apps and admin API keys.
//!
//! Exit codes: 0 on success, 1 on a runtime failure, 2 on a usage error.

mod args;
mod commands;
mod error;
mod logging;
mod wiring;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{AppsCommand, Args, Command, KeysCommand};
use crate::commands::Database;
use crate::error::{CliError, EXIT_USAGE};
use crate::logging::LogFormat;

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            // Help and version requests exit 0; argument errors exit 2.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(EXIT_USAGE));
        }
    };

    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "command failed");
            eprintln!("erro: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

async fn run(args: Args) -> Result<(), CliError> {
    logging::init(LogFormat::from_env()?);

    let url = args
        .database_url
        .filter(|url| !url.trim().is_empty())
        .ok_or(CliError::MissingDatabaseUrl)?;
    let database = Database {
        url,
        max_connections: usize::from(args.db_max_connections),
    };

    match args.command {
        Command::Serve { listen } => commands::serve(&database, listen).await,
        Command::Migrate => commands::migrate(&database).await,
        Command::Apps {
            command: AppsCommand::Create { slug, name },
        } => commands::create_app(&database, &slug, &name).await,
        Command::Keys {
            command: KeysCommand::Create { slug },
        } => commands::create_key(&database, &slug).await,
    }
}
