//! The e-mail worker: a loop that sends the notifications queued in the outbox.
//! It runs inside `clientela serve` and alone as `clientela worker`.
//!
//! Settings, each a flag or an environment variable:
//!
//! - `SMTP_URL`: the SMTP server. When unset, e-mails are written as `.eml`
//!   files to `CLIENTELA_MAIL_DIR` (`.data/mail` by default) instead.
//! - `CLIENTELA_PUBLIC_URL`: where Clientela's own pages are served, the base of
//!   the links in e-mails of apps without a members URL.
//! - `CLIENTELA_MAIL_FROM`: the sender of apps without their own.
//! - `CLIENTELA_OUTBOX_POLL_MS`: how often the worker looks for due e-mails. A
//!   commit that queues e-mails also wakes it through PostgreSQL's
//!   LISTEN/NOTIFY, so the interval mostly paces retries.
//! - `CLIENTELA_OUTBOX_RETRY_SCALE`: multiplies the retry schedule (1 min, 5 min,
//!   30 min, 2 h, 6 h). Meant for tests, which use a small factor such as
//!   0.001 to see retries within seconds.
//!
//! Several workers, in one process or many, can run against one database:
//! each claims notifications with `FOR UPDATE SKIP LOCKED` and a lease, so a
//! notification goes to one worker at a time.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use clientela_domain::ports::{Mailer, SystemClock};
use clientela_domain::services::{OutboxReport, OutboxService, RETRY_DELAYS};
use clientela_postgres::{OutboxListener, PgStore};
use clientela_smtp::{
    DEFAULT_FROM_ADDRESS, DEFAULT_MAIL_DIR, DEFAULT_SMTP_TIMEOUT, FileMailer, Renderer, SmtpMailer,
};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::CliError;

/// Notifications claimed per run. Small, so that a shutdown waits for few
/// sends.
const BATCH_SIZE: u32 = 10;

/// How long a worker that was asked to stop lets the run in progress finish.
/// Notifications of a run cut short are sent again once their claim lease
/// ends.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Public base URL of `clientela worker`, which serves no pages itself.
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The e-mail settings of `serve` and `worker`.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    #[arg(
        long,
        env = "SMTP_URL",
        hide_env_values = true,
        value_name = "URL",
        help = "Servidor SMTP, por exemplo smtp://usuario:senha@smtp.exemplo.com:587?tls=required; \
                sem ele, os e-mails são gravados como arquivos .eml em --mail-dir"
    )]
    pub smtp_url: Option<String>,

    #[arg(
        long,
        env = "CLIENTELA_MAIL_DIR",
        default_value = DEFAULT_MAIL_DIR,
        value_name = "PASTA",
        help = "Pasta dos arquivos .eml quando SMTP_URL não está definida"
    )]
    pub mail_dir: PathBuf,

    #[arg(
        long,
        env = "CLIENTELA_PUBLIC_URL",
        value_name = "URL",
        help = "Endereço público do Clientela, base dos links dos e-mails de apps sem área de \
                membros; padrão: o endereço em que o servidor escuta, ou http://127.0.0.1:8080"
    )]
    pub public_url: Option<String>,

    #[arg(
        long,
        env = "CLIENTELA_MAIL_FROM",
        default_value = DEFAULT_FROM_ADDRESS,
        value_name = "ENDEREÇO",
        help = "Remetente dos e-mails de apps que não definiram o seu"
    )]
    pub mail_from: String,

    #[arg(
        long,
        env = "CLIENTELA_OUTBOX_POLL_MS",
        default_value_t = 5000,
        value_parser = clap::value_parser!(u64).range(10..=3_600_000),
        value_name = "MS",
        help = "Intervalo, em milissegundos, entre buscas de e-mails a enviar ou reenviar"
    )]
    pub outbox_poll_ms: u64,

    #[arg(
        long,
        env = "CLIENTELA_OUTBOX_RETRY_SCALE",
        default_value_t = 1.0,
        value_parser = parse_retry_scale,
        value_name = "FATOR",
        help = "Multiplica os intervalos entre tentativas (1 min, 5 min, 30 min, 2 h, 6 h); \
                valores menores que 1 servem apenas para testes"
    )]
    pub outbox_retry_scale: f64,
}

/// Accepts a factor greater than 0 and at most 1.
fn parse_retry_scale(raw: &str) -> Result<f64, String> {
    let message = "use um número maior que 0 e no máximo 1, por exemplo 0.001";
    let scale: f64 = raw.trim().parse().map_err(|_| message.to_owned())?;
    if scale.is_finite() && scale > 0.0 && scale <= 1.0 {
        Ok(scale)
    } else {
        Err(message.to_owned())
    }
}

/// Returns the public base URL: the configured one, or the address the server
/// listens on, with 127.0.0.1 in place of an unspecified IP such as 0.0.0.0.
pub fn public_url(args: &MailArgs, listening_on: Option<SocketAddr>) -> String {
    if let Some(url) = args.public_url.as_deref().map(str::trim)
        && !url.is_empty()
    {
        return url.to_owned();
    }
    match listening_on {
        Some(mut address) => {
            if address.ip().is_unspecified() {
                address.set_ip([127, 0, 0, 1].into());
            }
            format!("http://{address}")
        }
        None => DEFAULT_PUBLIC_URL.to_owned(),
    }
}

/// Builds the outbox use case from the settings: the mailer, the renderer with
/// its links and default sender, and the retry schedule.
pub fn build(
    store: &PgStore,
    args: &MailArgs,
    public_url: &str,
) -> Result<OutboxService, CliError> {
    let mailer = build_mailer(args)?;
    let renderer = Renderer::new(public_url, &args.mail_from).map_err(CliError::MailSettings)?;
    let retry_delays = RETRY_DELAYS
        .iter()
        .map(|delay| *delay * args.outbox_retry_scale)
        .collect();
    let store = Arc::new(store.clone());

    let outbox = OutboxService::new(
        store.clone(),
        store,
        Arc::new(renderer),
        mailer,
        Arc::new(SystemClock),
    )
    .with_retry_delays(retry_delays);
    // The Message-ID names the default sender's domain. The renderer has checked
    // the address, so it has a domain. A domain that is not valid in a
    // Message-ID leaves the default one.
    let domain = args.mail_from.rsplit('@').next().unwrap_or_default();
    Ok(outbox
        .clone()
        .with_message_id_domain(domain)
        .unwrap_or(outbox))
}

/// Builds the SMTP mailer when `SMTP_URL` is set, and the file mailer
/// otherwise. A background task checks that the SMTP server accepts a
/// connection and logs the outcome. A failed check is not fatal, because the
/// outbox retries.
fn build_mailer(args: &MailArgs) -> Result<Arc<dyn Mailer>, CliError> {
    let smtp_url = args
        .smtp_url
        .as_deref()
        .map(str::trim)
        .filter(|url| !url.is_empty());
    let Some(smtp_url) = smtp_url else {
        let mailer = FileMailer::new(&args.mail_dir);
        tracing::info!(
            dir = %mailer.dir().display(),
            "SMTP_URL is not set: writing e-mails to .eml files instead of sending them"
        );
        return Ok(Arc::new(mailer));
    };

    let mailer =
        SmtpMailer::from_url(smtp_url, DEFAULT_SMTP_TIMEOUT).map_err(CliError::MailSettings)?;
    let checked = mailer.clone();
    tokio::spawn(async move {
        match checked.check_connection().await {
            Ok(()) => tracing::info!(server = %checked.server(), "sending e-mail through SMTP"),
            Err(error) => tracing::warn!(
                server = %checked.server(),
                %error,
                "SMTP connection check failed; e-mails stay queued and are retried"
            ),
        }
    });
    Ok(Arc::new(mailer))
}

/// A worker running on a background task.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl WorkerHandle {
    /// Asks the worker to stop and waits until it has, at most
    /// [`SHUTDOWN_GRACE`] after its current run.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "outbox worker task failed");
        }
    }
}

/// Starts the worker loop on a background task.
pub fn spawn(store: PgStore, outbox: OutboxService, args: &MailArgs) -> WorkerHandle {
    let (stop, stopped) = watch::channel(false);
    let poll_interval = Duration::from_millis(args.outbox_poll_ms);
    let task = tokio::spawn(run(store, outbox, poll_interval, stopped));
    WorkerHandle { stop, task }
}

/// Sends due notifications until `stop` turns true: runs the outbox until a
/// run claims less than a full batch, then waits for the poll interval, a wake
/// signal from the database, or the stop.
async fn run(
    store: PgStore,
    outbox: OutboxService,
    poll_interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(
        poll_interval_ms = poll_interval.as_millis(),
        "outbox worker started"
    );
    let mut wakeups = Wakeups::new(store);

    while !*stop.borrow() {
        wakeups.connect().await;
        drain(&outbox, &mut stop).await;
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep(poll_interval) => {}
            () = wakeups.wait() => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!("outbox worker stopped");
}

/// Runs the outbox until a run claims less than a full batch, a run fails, or
/// the worker is asked to stop.
async fn drain(outbox: &OutboxService, stop: &mut watch::Receiver<bool>) {
    loop {
        let run = outbox.run_once(BATCH_SIZE);
        let result = tokio::select! {
            result = run => result,
            () = grace_after_stop(stop.clone()) => {
                tracing::warn!(
                    grace_ms = SHUTDOWN_GRACE.as_millis(),
                    "outbox run did not finish within the shutdown grace period; its \
                     e-mails are retried when their claim lease ends"
                );
                return;
            }
        };
        match result {
            Ok(report) => {
                log_report(&report);
                if report.claimed < BATCH_SIZE as usize || *stop.borrow() {
                    return;
                }
            }
            Err(error) => {
                tracing::error!(%error, "outbox run failed; trying again after the poll interval");
                return;
            }
        }
    }
}

/// Completes [`SHUTDOWN_GRACE`] after the worker is asked to stop.
async fn grace_after_stop(mut stop: watch::Receiver<bool>) {
    if stop.wait_for(|stopped| *stopped).await.is_err() {
        // The handle was dropped without a stop request, so the worker runs on.
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(SHUTDOWN_GRACE).await;
}

/// Logs each delivery, retry and failure of a run, with the ids and kind of
/// the notification. The error is the mail server's reply or the rendering
/// failure, and no token or body is logged.
fn log_report(report: &OutboxReport) {
    for sent in &report.deliveries {
        tracing::info!(
            notification.id = %sent.notification_id,
            notification.kind = sent.kind.as_str(),
            app.id = %sent.app_id,
            attempt = sent.attempt,
            "e-mail sent"
        );
    }
    for failure in &report.failures {
        match failure.retry_at {
            Some(retry_at) => tracing::warn!(
                notification.id = %failure.notification_id,
                notification.kind = failure.kind.as_str(),
                app.id = %failure.app_id,
                attempt = failure.attempt,
                error = %failure.error,
                %retry_at,
                "e-mail attempt failed; retrying later"
            ),
            None => tracing::error!(
                notification.id = %failure.notification_id,
                notification.kind = failure.kind.as_str(),
                app.id = %failure.app_id,
                attempt = failure.attempt,
                error = %failure.error,
                "e-mail failed for good"
            ),
        }
    }
}

/// The signals that wake the worker when notifications are queued. Without a
/// listening connection the worker only polls, and it reconnects before each
/// run.
struct Wakeups {
    store: PgStore,
    listener: Option<OutboxListener>,
    /// True when the latest attempt to listen failed, so that a database outage
    /// logs one warning instead of one per poll.
    failing: bool,
}

impl Wakeups {
    fn new(store: PgStore) -> Self {
        Self {
            store,
            listener: None,
            failing: false,
        }
    }

    async fn connect(&mut self) {
        if self.listener.is_some() {
            return;
        }
        match self.store.listen_for_queued_notifications().await {
            Ok(listener) => {
                if self.failing {
                    tracing::info!("listening for queued e-mails again");
                }
                self.listener = Some(listener);
                self.failing = false;
            }
            Err(error) => {
                if !self.failing {
                    tracing::warn!(
                        %error,
                        "cannot listen for queued e-mails; polling only until the database answers"
                    );
                }
                self.failing = true;
            }
        }
    }

    /// Waits for a signal. Never completes without a listening connection.
    async fn wait(&mut self) {
        let Some(listener) = self.listener.as_mut() else {
            return std::future::pending().await;
        };
        if let Err(error) = listener.wait().await {
            tracing::warn!(%error, "lost the connection that listens for queued e-mails");
            self.listener = None;
            self.failing = true;
            // Waits for the poll interval before reconnecting.
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(public_url: Option<&str>) -> MailArgs {
        MailArgs {
            smtp_url: None,
            mail_dir: PathBuf::from(DEFAULT_MAIL_DIR),
            public_url: public_url.map(str::to_owned),
            mail_from: DEFAULT_FROM_ADDRESS.to_owned(),
            outbox_poll_ms: 5000,
            outbox_retry_scale: 1.0,
        }
    }

    #[test]
    fn public_url_prefers_setting() {
        let listening = Some(SocketAddr::from(([127, 0, 0, 1], 9000)));
        assert_eq!(
            public_url(&args(Some(" https://clientela.example.com ")), listening),
            "https://clientela.example.com"
        );
    }

    #[test]
    fn public_url_from_listen_address() {
        let loopback = Some(SocketAddr::from(([127, 0, 0, 1], 9000)));
        let any = Some(SocketAddr::from(([0, 0, 0, 0], 8080)));
        assert_eq!(public_url(&args(None), loopback), "http://127.0.0.1:9000");
        assert_eq!(public_url(&args(None), any), "http://127.0.0.1:8080");
        assert_eq!(public_url(&args(Some("  ")), None), DEFAULT_PUBLIC_URL);
    }

    #[test]
    fn retry_scale_bounds() {
        assert_eq!(parse_retry_scale("0.001"), Ok(0.001));
        assert_eq!(parse_retry_scale("1"), Ok(1.0));
        for invalid in ["0", "-1", "1.5", "NaN", "inf", "rápido"] {
            assert!(parse_retry_scale(invalid).is_err(), "{invalid}");
        }
    }
}
