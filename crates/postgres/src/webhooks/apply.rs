//! One application of a delivery's events inside a database transaction, and
//! the counts and data issues it collects.

use clientela_domain::ids::AppId;
use clientela_domain::sale::SaleEvent;
use clientela_domain::webhook::{
    DeliveryDataIssue, DeliveryId, DeliveryOutcome, DeliverySummary, EventSummary, IngestCounts,
    IngestReport,
};
use diesel_async::AsyncPgConnection;
use time::OffsetDateTime;

use super::clients::AppliedClient;
use super::{subscriptions, transactions};
use crate::error::TxError;

/// The state of one application of a delivery's events.
pub(super) struct Application {
    pub(super) app: AppId,
    pub(super) delivery_id: DeliveryId,
    /// When the delivery was received: the cancellation time of a cancellation
    /// that carries none.
    pub(super) received_at: OffsetDateTime,
    /// The time of the changes this application writes.
    pub(super) now: OffsetDateTime,
    pub(super) counts: IngestCounts,
    pub(super) issues: Vec<DeliveryDataIssue>,
}

impl Application {
    pub(super) fn new(
        app: AppId,
        delivery_id: DeliveryId,
        received_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            app,
            delivery_id,
            received_at,
            now,
            counts: IngestCounts::default(),
            issues: Vec::new(),
        }
    }

    /// Applies every event in order. Ignored and unrecognized events change
    /// nothing.
    pub(super) async fn apply_all(
        &mut self,
        conn: &mut AsyncPgConnection,
        events: &[SaleEvent],
    ) -> Result<(), TxError> {
        for (index, event) in events.iter().enumerate() {
            match event {
                SaleEvent::Transaction(event) => {
                    transactions::apply(conn, self, index, event).await?;
                }
                SaleEvent::SubscriptionCancelled(event) => {
                    subscriptions::apply_cancellation(conn, self, index, event).await?;
                }
                SaleEvent::SubscriptionChanged(event) => {
                    subscriptions::apply_change(conn, self, index, event).await?;
                }
                SaleEvent::Ignored(_) | SaleEvent::Unrecognized(_) => {}
            }
        }
        Ok(())
    }

    /// Counts the client change, and logs and records the data issues.
    pub(super) fn record_client(&mut self, index: usize, applied: &AppliedClient) {
        if applied.created {
            self.counts.clients_created += 1;
        }
        if applied.updated {
            self.counts.clients_updated += 1;
        }
        for issue in &applied.issues {
            // The value itself is personal data, so only the field and the reason
            // are logged.
            tracing::warn!(
                app.id = %self.app,
                delivery.id = %self.delivery_id,
                event.index = index,
                client.id = %applied.client.id,
                field = issue.field,
                reason = %issue.reason,
                "platform event carried invalid or incomplete customer data"
            );
            self.counts.data_issues += 1;
            self.issues.push(DeliveryDataIssue {
                event_index: index,
                field: issue.field.to_owned(),
                reason: issue.reason.clone(),
            });
        }
    }

    pub(super) fn summary(&self, events: &[SaleEvent]) -> DeliverySummary {
        DeliverySummary {
            events: events.iter().map(EventSummary::of).collect(),
            counts: self.counts,
            data_issues: self.issues.clone(),
        }
    }

    pub(super) fn into_report(self, outcome: DeliveryOutcome) -> IngestReport {
        IngestReport {
            delivery_id: self.delivery_id,
            outcome,
            counts: self.counts,
            data_issues: self.issues,
        }
    }
}
