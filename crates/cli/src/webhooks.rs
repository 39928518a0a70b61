//! The webhook subcommands: setting an app's platform credential and replaying
//! stored deliveries. Progress and results go to stderr in Portuguese; secrets
//! are never printed or logged.

use std::io::BufRead;

use clientela_domain::tenant::App;
use clientela_domain::values::Platform;
use clientela_domain::webhook::{DeliveryFilter, DeliveryId, DeliveryOutcome, IngestReport};
use clientela_http::messages::parse_error_message;
use clientela_platform::{Replay, WebhookDriver, WebhookError};
use clientela_postgres::PgStore;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::commands::Database;
use crate::error::{CliError, describe_webhook_error};
use crate::wiring;

/// Page size when listing the deliveries to replay.
const REPLAY_PAGE: u32 = 200;

/// Sets or replaces an app's webhook credential for `platform`. A secret of `-`
/// is read from the first line of stdin.
pub async fn set_credential(
    database: &Database,
    slug: &str,
    platform: Platform,
    secret: String,
) -> Result<(), CliError> {
    let secret = if secret == "-" {
        read_secret_line()?
    } else {
        secret
    };
    let store = database.connect().await?;
    let app = find_app(&store, slug).await?;
    wiring::webhook_driver(&store)
        .set_credential(&app, platform, &secret)
        .await?;

    let (name, what) = match platform {
        Platform::Hotmart => ("Hotmart", "hottok"),
        Platform::Kiwify => ("Kiwify", "token"),
        other => (other.as_str(), "credencial"),
    };
    eprintln!(
        "Credencial da {name} ({what}) salva para o app \"{slug}\". Na configuração de \
         webhook da {name}, use a URL <endereço deste servidor>/webhooks/{slug}/{platform}."
    );
    Ok(())
}

/// Reads one line from stdin without its line ending.
fn read_secret_line() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(CliError::ReadSecret)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Replays one stored delivery. Without `app_slug`, every app is searched for
/// the id.
pub async fn replay_one(
    database: &Database,
    id: Uuid,
    app_slug: Option<&str>,
) -> Result<(), CliError> {
    let store = database.connect().await?;
    let driver = wiring::webhook_driver(&store);
    let id = DeliveryId::from_uuid(id);

    for app in apps(&store, app_slug).await? {
        let replay = match driver.replay(&app, id).await {
            Err(WebhookError::DeliveryNotFound(_)) => continue,
            other => other?,
        };
        return match replay {
            Replay::Applied(report) => {
                eprintln!(
                    "Webhook {id} do app \"{}\" reprocessado: {}.",
                    app.slug,
                    describe_report(&report)
                );
                Ok(())
            }
            Replay::StillUnparseable { error, .. } => Err(CliError::StillUnparseable {
                id: id.as_uuid(),
                reason: parse_error_message(&error),
            }),
        };
    }
    Err(WebhookError::DeliveryNotFound(id).into())
}

/// Tally of a range replay.
#[derive(Debug, Default)]
struct ReplayTally {
    replayed: usize,
    processed: usize,
    ignored: usize,
    unrecognized: usize,
    unparseable: usize,
    failed: usize,
}

/// Replays every delivery received in `[from, to)`, of one app or of all, oldest
/// first, with one progress line per delivery and a summary on stderr.
pub async fn replay_range(
    database: &Database,
    from: OffsetDateTime,
    to: OffsetDateTime,
    app_slug: Option<&str>,
) -> Result<(), CliError> {
    if to <= from {
        return Err(CliError::ReplayPeriod);
    }
    let store = database.connect().await?;
    let driver = wiring::webhook_driver(&store);
    let apps = apps(&store, app_slug).await?;

    let mut tally = ReplayTally::default();
    for app in &apps {
        let ids = deliveries_in_range(&driver, app, from, to).await?;
        for (position, id) in ids.iter().enumerate() {
            let line = replay_with_progress(&driver, app, *id, &mut tally).await;
            eprintln!("[{}/{}] {} {id}: {line}", position + 1, ids.len(), app.slug);
        }
    }

    tracing::info!(
        apps = apps.len(),
        replayed = tally.replayed,
        processed = tally.processed,
        ignored = tally.ignored,
        unrecognized = tally.unrecognized,
        unparseable = tally.unparseable,
        failed = tally.failed,
        "webhook replay finished"
    );
    eprintln!(
        "Reprocessamento concluído: {} webhook(s) em {} app(s): {} processado(s), {} \
         ignorado(s), {} não reconhecido(s), {} ainda ilegível(is), {} falha(s).",
        tally.replayed + tally.unparseable + tally.failed,
        apps.len(),
        tally.processed,
        tally.ignored,
        tally.unrecognized,
        tally.unparseable,
        tally.failed
    );
    if tally.unparseable > 0 || tally.failed > 0 {
        return Err(CliError::ReplayIncomplete {
            unparseable: tally.unparseable,
            failed: tally.failed,
        });
    }
    Ok(())
}

/// Replays one delivery of a range, counts the result and returns its progress
/// line. A failure is counted and described, so the other deliveries still run.
async fn replay_with_progress(
    driver: &WebhookDriver,
    app: &App,
    id: DeliveryId,
    tally: &mut ReplayTally,
) -> String {
    match driver.replay(app, id).await {
        Ok(Replay::Applied(report)) => {
            tally.replayed += 1;
            match report.outcome {
                DeliveryOutcome::Processed => tally.processed += 1,
                DeliveryOutcome::Ignored => tally.ignored += 1,
                DeliveryOutcome::Unrecognized => tally.unrecognized += 1,
                DeliveryOutcome::Duplicate | DeliveryOutcome::RejectedUnparseable => {}
            }
            describe_report(&report)
        }
        Ok(Replay::StillUnparseable { error, .. }) => {
            tally.unparseable += 1;
            format!("ainda ilegível: {}", parse_error_message(&error))
        }
        Err(error) => {
            tally.failed += 1;
            format!("falha: {}", describe_webhook_error(&error))
        }
    }
}

/// Collects the ids of the app's deliveries received in `[from, to)`, oldest
/// first, so a replay applies them in the order they arrived.
async fn deliveries_in_range(
    driver: &WebhookDriver,
    app: &App,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<DeliveryId>, CliError> {
    let mut filter = DeliveryFilter {
        received_from: Some(from),
        received_before: Some(to),
        limit: REPLAY_PAGE,
        ..DeliveryFilter::default()
    };
    let mut ids = Vec::new();
    loop {
        let page = driver.deliveries(app, &filter).await?;
        ids.extend(page.deliveries.iter().map(|delivery| delivery.id));
        match page.next {
            Some(next) => filter.after = Some(next),
            None => break,
        }
    }
    ids.reverse();
    Ok(ids)
}

/// Finds the app named by `slug`, or lists every app when there is none.
async fn apps(store: &PgStore, slug: Option<&str>) -> Result<Vec<App>, CliError> {
    match slug {
        Some(slug) => Ok(vec![find_app(store, slug).await?]),
        None => Ok(wiring::app_service(store).list().await?),
    }
}

async fn find_app(store: &PgStore, slug: &str) -> Result<App, CliError> {
    wiring::app_service(store)
        .find_by_slug(slug)
        .await?
        .ok_or_else(|| CliError::AppNotFound(slug.to_owned()))
}

/// Describes an applied delivery in Portuguese: its outcome and what changed.
fn describe_report(report: &IngestReport) -> String {
    let outcome = match report.outcome {
        DeliveryOutcome::Processed => "processado",
        DeliveryOutcome::Ignored => "ignorado (não é uma venda)",
        DeliveryOutcome::Unrecognized => "tipo de evento não reconhecido",
        DeliveryOutcome::Duplicate => "duplicado",
        DeliveryOutcome::RejectedUnparseable => "ilegível",
    };
    let counts = &report.counts;
    let changes = [
        (counts.clients_created, "cliente(s) criado(s)"),
        (counts.clients_updated, "cliente(s) atualizado(s)"),
        (counts.transactions_created, "transação(ões) criada(s)"),
        (counts.transactions_changed, "transação(ões) alterada(s)"),
        (counts.grants_created, "acesso(s) liberado(s)"),
        (counts.grants_revoked, "acesso(s) revogado(s)"),
        (counts.grants_ended, "acesso(s) com término antecipado"),
        (counts.notifications_queued, "e-mail(s) na fila"),
    ];
    let changed: Vec<String> = changes
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, label)| format!("{count} {label}"))
        .collect();
    if changed.is_empty() {
        format!("{outcome}, nada mudou")
    } else {
        format!("{outcome}, {}", changed.join(", "))
    }
}
