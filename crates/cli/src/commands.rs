//! The subcommands.

use std::io::Write;
use std::net::SocketAddr;

use clientela_domain::tenant::AppSettingsChanges;
use clientela_postgres::PgStore;
use tokio::net::TcpListener;

use crate::error::CliError;
use crate::outbox::{self, MailArgs};
use crate::wiring;

/// The database settings shared by every subcommand.
pub struct Database {
    pub url: String,
    pub max_connections: usize,
}

impl Database {
    pub(crate) async fn connect(&self) -> Result<PgStore, CliError> {
        PgStore::connect(&self.url, self.max_connections)
            .await
            .map_err(CliError::Connect)
    }
}

/// Serves the HTTP API, and runs the e-mail worker when `mail` is given, until
/// SIGINT or SIGTERM; then finishes the requests in flight and stops the worker.
/// Prints `listening on http://IP:PORT` to stderr once bound, with the real port
/// when `listen` has port 0.
pub async fn serve(
    database: &Database,
    listen: SocketAddr,
    mail: Option<&MailArgs>,
) -> Result<(), CliError> {
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

    let worker = match mail {
        Some(mail) => {
            let public_url = outbox::public_url(mail, Some(addr));
            let outbox = outbox::build(&store, mail, &public_url)?;
            Some(outbox::spawn(store.clone(), outbox, mail))
        }
        None => {
            tracing::info!("e-mail sending is off in this process; `clientela worker` sends them");
            None
        }
    };

    let shutdown = shutdown_signal();
    eprintln!("listening on http://{addr}");
    tracing::info!(%addr, "server started");
    // Connection info gives the members-app routes the client's address for the
    // access log and the login throttle.
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(CliError::Serve);
    if let Some(worker) = worker {
        worker.stop().await;
    }
    served?;
    tracing::info!("server stopped");
    Ok(())
}

/// Runs the e-mail worker alone until SIGINT or SIGTERM.
pub async fn worker(database: &Database, mail: &MailArgs) -> Result<(), CliError> {
    let store = database.connect().await?;
    let public_url = outbox::public_url(mail, None);
    let worker = outbox::spawn(
        store.clone(),
        outbox::build(&store, mail, &public_url)?,
        mail,
    );
    shutdown_signal().await;
    worker.stop().await;
    Ok(())
}

/// Installs the SIGINT and SIGTERM handlers at once and returns a future that
/// completes on the first of them. Installing before the server announces itself
/// means a signal sent right after `listening on …` still shuts down gracefully
/// instead of killing the process.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};

    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());

    async move {
        let wait = |stream: std::io::Result<tokio::signal::unix::Signal>, name: &'static str| async move {
            match stream {
                Ok(mut stream) => {
                    stream.recv().await;
                }
                Err(error) => {
                    tracing::error!(%error, signal = name, "failed to listen for the signal");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            () = wait(interrupt, "SIGINT") => tracing::info!(signal = "SIGINT", "shutting down"),
            () = wait(terminate, "SIGTERM") => tracing::info!(signal = "SIGTERM", "shutting down"),
        }
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

/// Changes an app's settings and prints them, in Portuguese, on stderr.
pub async fn configure_app(
    database: &Database,
    slug: &str,
    changes: AppSettingsChanges,
) -> Result<(), CliError> {
    let store = database.connect().await?;
    let settings = wiring::app_service(&store).configure(slug, changes).await?;

    tracing::info!(app_id = %settings.app.id, slug, "app settings changed");
    let members_url = settings
        .members_url
        .as_deref()
        .unwrap_or("não definida; os links dos e-mails apontam para as páginas do Clientela");
    let mail_from = settings
        .mail_from
        .as_deref()
        .unwrap_or("o padrão do servidor (CLIENTELA_MAIL_FROM)");
    eprintln!("Configurações do app \"{slug}\" salvas:");
    eprintln!("  Área de membros: {members_url}");
    eprintln!("  Remetente dos e-mails: {mail_from}");
    eprintln!("  Fuso horário: {}", settings.app.time_zone);
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
