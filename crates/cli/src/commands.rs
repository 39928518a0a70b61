//! The subcommands.

use std::io::Write;
use std::net::SocketAddr;

use clientela_postgres::PgStore;
use tokio::net::TcpListener;

use crate::error::CliError;
use crate::wiring;

/// The database settings shared by every subcommand.
pub struct Database {
    pub url: String,
    pub max_connections: usize,
}

impl Database {
    async fn connect(&self) -> Result<PgStore, CliError> {
        PgStore::connect(&self.url, self.max_connections)
            .await
            .map_err(CliError::Connect)
    }
}

/// Serves the HTTP API until SIGINT or SIGTERM, then finishes the requests in
/// flight. Prints `listening on http://IP:PORT` to stderr once bound, with the
/// real port when `listen` has port 0.
pub async fn serve(database: &Database, listen: SocketAddr) -> Result<(), CliError> {
    let store = database.connect().await?;
    let router = clientela_http::router(wiring::app_state(&store));
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| CliError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| CliError::Bind {
        addr: listen,
        source,
    })?;

    eprintln!("listening on http://{addr}");
    tracing::info!(%addr, "server started");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(CliError::Serve)?;
    tracing::info!("server stopped");
    Ok(())
}

/// Waits for SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "failed to listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "failed to listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => tracing::info!(signal = "SIGINT", "shutting down"),
        () = terminate => tracing::info!(signal = "SIGTERM", "shutting down"),
    }
}

/// Applies pending migrations and prints the name of each applied one on stdout.
pub async fn migrate(database: &Database) -> Result<(), CliError> {
    let applied = clientela_postgres::migrate(&database.url)
        .await
        .map_err(CliError::Migrate)?;

    if applied.is_empty() {
        eprintln!("Nenhuma migração pendente: o banco já está atualizado.");
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    for name in &applied {
        writeln!(stdout, "{name}").map_err(CliError::Stdout)?;
    }
    tracing::info!(count = applied.len(), "migrations applied");
    eprintln!("{} migração(ões) aplicada(s).", applied.len());
    Ok(())
}

/// Creates an app and its first API key, printing the key alone on stdout.
pub async fn create_app(database: &Database, slug: &str, name: &str) -> Result<(), CliError> {
    let store = database.connect().await?;
    let (app, issued) = wiring::app_service(&store).create_app(slug, name).await?;

    tracing::info!(app_id = %app.id, slug = %app.slug, key_id = %issued.id, "app created");
    eprintln!("App \"{}\" criado: {}.", app.slug, app.name);
    eprintln!("Chave de API abaixo. Guarde-a agora: ela não será mostrada de novo.");
    print_key(&issued.key)
}

/// Issues another API key for an app, printing the key alone on stdout.
pub async fn create_key(database: &Database, slug: &str) -> Result<(), CliError> {
    let store = database.connect().await?;
    let issued = wiring::app_service(&store).create_key(slug).await?;

    tracing::info!(slug, key_id = %issued.id, "API key created");
    eprintln!(
        "Nova chave de API do app \"{slug}\" abaixo. Guarde-a agora: ela não será mostrada de novo."
    );
    print_key(&issued.key)
}

fn print_key(key: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{key}")
        .and_then(|()| stdout.flush())
        .map_err(CliError::Stdout)
}
