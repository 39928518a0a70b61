//! Webhook ingestion: the `WebhookRepository` implementation. Each delivery is
//! stored and its events applied in one database transaction.
//!
//! Concurrency is settled by constraints and row locks, never by a read followed
//! by an insert. The delivery's unique dedupe key admits one copy of a delivery,
//! and the client's unique e-mail admits one client. The transaction's unique
//! platform id admits one transaction, whose row is then locked while its status
//! moves. Unique grant and notification keys admit one grant per product and one
//! e-mail per dedupe key. Products seen for the first time and subscriptions are serialised with
//! transaction-scoped advisory locks.

mod apply;
mod clients;
mod deliveries;
mod notifications;
mod products;
mod schema;
mod subscriptions;
mod transactions;

use async_trait::async_trait;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::AppId;
use clientela_domain::ports::WebhookRepository;
use clientela_domain::sale::SaleEvent;
use clientela_domain::values::Platform;
use clientela_domain::webhook::{
    Delivery, DeliveryFilter, DeliveryId, DeliveryOutcome, DeliveryPage, IngestReport,
    LoadedDelivery, check_event_platforms,
};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use self::apply::Application;
use crate::PgStore;
use crate::cached::CacheStatement;
use crate::error::{TxError, foreign_key_violation, repository_error};
use crate::schema::platform_credentials;

/// Takes a transaction-scoped advisory lock named by `parts`. Two names that
/// hash alike only make unrelated work wait for each other.
async fn lock(conn: &mut AsyncPgConnection, parts: &[&str]) -> Result<(), TxError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(parts.join("\u{1f}"))
        .cached()
        .execute(conn)
        .await?;
    Ok(())
}

fn check_platforms(platform: Platform, events: &[SaleEvent]) -> Result<(), RepositoryError> {
    check_event_platforms(platform, events)
        .map_err(|error| RepositoryError::Other(error.to_string()))
}

#[async_trait]
impl WebhookRepository for PgStore {
    async fn platform_credential(
        &self,
        app: AppId,
        platform: Platform,
    ) -> Result<Option<String>, RepositoryError> {
        let mut conn = self.conn().await?;
        platform_credentials::table
            .filter(platform_credentials::app_id.eq(app.as_uuid()))
            .filter(platform_credentials::platform.eq(platform.as_str()))
            .select(platform_credentials::secret)
            .first(&mut conn)
            .await
            .optional()
            .map_err(repository_error)
    }

    async fn set_platform_credential(
        &self,
        app: AppId,
        platform: Platform,
        secret: &str,
    ) -> Result<(), RepositoryError> {
        let now = OffsetDateTime::now_utc();
        let mut conn = self.conn().await?;
        diesel::insert_into(platform_credentials::table)
            .values((
                platform_credentials::app_id.eq(app.as_uuid()),
                platform_credentials::platform.eq(platform.as_str()),
                platform_credentials::secret.eq(secret),
                platform_credentials::created_at.eq(now),
                platform_credentials::updated_at.eq(now),
            ))
            .on_conflict((platform_credentials::app_id, platform_credentials::platform))
            .do_update()
            .set((
                platform_credentials::secret.eq(secret),
                platform_credentials::updated_at.eq(now),
            ))
            .execute(&mut conn)
            .await
            .map_err(|error| {
                if foreign_key_violation(&error).is_some() {
                    RepositoryError::NotFound
                } else {
                    repository_error(error)
                }
            })?;
        Ok(())
    }

    /// Uses the delivery's receipt time as the time of every change it causes.
    async fn ingest(
        &self,
        delivery: &Delivery,
        events: &[SaleEvent],
    ) -> Result<IngestReport, RepositoryError> {
        check_platforms(delivery.platform, events)?;
        let outcome = DeliveryOutcome::of_events(events);
        let mut conn = self.conn().await?;
        let report = conn
            .transaction(async |conn| {
                let stored =
                    deliveries::insert(conn, delivery, outcome, None, Some(delivery.received_at))
                        .await?;
                if !stored {
                    let original = deliveries::find_id(conn, delivery).await?;
                    return Ok::<_, TxError>(IngestReport::unchanged(
                        original,
                        DeliveryOutcome::Duplicate,
                    ));
                }

                let mut run = Application::new(
                    delivery.app_id,
                    delivery.id,
                    delivery.received_at,
                    delivery.received_at,
                );
                run.apply_all(conn, events).await?;
                let summary = run.summary(events);
                deliveries::record_application(
                    conn,
                    delivery.id,
                    outcome,
                    &summary,
                    delivery.received_at,
                    false,
                )
                .await?;
                Ok(run.into_report(outcome))
            })
            .await?;
        Ok(report)
    }

    async fn store_unparseable(
        &self,
        delivery: &Delivery,
        error: &str,
    ) -> Result<IngestReport, RepositoryError> {
        let mut conn = self.conn().await?;
        let report = conn
            .transaction(async |conn| {
                let outcome = DeliveryOutcome::RejectedUnparseable;
                if deliveries::insert(conn, delivery, outcome, Some(error), None).await? {
                    return Ok::<_, TxError>(IngestReport::unchanged(delivery.id, outcome));
                }
                let original = deliveries::find_id(conn, delivery).await?;
                Ok(IngestReport::unchanged(
                    original,
                    DeliveryOutcome::Duplicate,
                ))
            })
            .await?;
        Ok(report)
    }

    async fn list_deliveries(
        &self,
        app: AppId,
        filter: &DeliveryFilter,
    ) -> Result<DeliveryPage, RepositoryError> {
        let mut conn = self.conn().await?;
        deliveries::list(&mut conn, app, filter).await
    }

    async fn load_delivery(
        &self,
        app: AppId,
        id: DeliveryId,
    ) -> Result<Option<LoadedDelivery>, RepositoryError> {
        let mut conn = self.conn().await?;
        deliveries::load(&mut conn, app, id).await
    }

    async fn reapply(
        &self,
        app: AppId,
        id: DeliveryId,
        events: &[SaleEvent],
        now: OffsetDateTime,
    ) -> Result<IngestReport, RepositoryError> {
        let outcome = DeliveryOutcome::of_events(events);
        let mut conn = self.conn().await?;
        let report = conn
            .transaction(async |conn| {
                // The row lock makes concurrent replays of one delivery wait for
                // each other.
                let (platform, received_at) = deliveries::lock(conn, app, id).await?;
                check_platforms(platform, events).map_err(TxError)?;

                let mut run = Application::new(app, id, received_at, now);
                run.apply_all(conn, events).await?;
                let summary = run.summary(events);
                deliveries::record_application(conn, id, outcome, &summary, now, true).await?;
                Ok::<_, TxError>(run.into_report(outcome))
            })
            .await?;
        Ok(report)
    }
}
