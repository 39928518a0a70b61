//! Bodies of the webhook endpoint and of the stored webhook events.

use clientela_domain as domain;
use domain::webhook::DeliveryOutcome as DomainDeliveryOutcome;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Platform, utc};

api_enum!(
    /// Outcome of a webhook delivery. `processed`: a sale or subscription event was
    /// applied. `ignored`: authentic but no sale, such as an abandoned cart or a test
    /// send. `unrecognized`: an event type the adapter does not know. `duplicate`:
    /// received before, so nothing changed. `rejected_unparseable`: authentic but
    /// unreadable, and stored for a replay.
    WebhookOutcome = DomainDeliveryOutcome {
        Processed, Ignored, Unrecognized, Duplicate, RejectedUnparseable,
    }
);

/// Response body of an authentic webhook delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookAck {
    #[schema(example = "processed")]
    pub status: WebhookOutcome,
    /// The stored delivery; for a duplicate, the one received first.
    pub delivery_id: Uuid,
}

/// One event of a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEventItem {
    /// `transaction`, `subscription_cancelled`, `subscription_changed`, `ignored`
    /// or `unrecognized`.
    #[schema(example = "transaction")]
    pub kind: String,
    /// The platform's event name as received.
    #[schema(example = "PURCHASE_APPROVED")]
    pub event_type: String,
}

/// Changes made by applying a delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WebhookCounts {
    pub clients_created: u32,
    /// Existing clients whose contact data changed.
    pub clients_updated: u32,
    pub transactions_created: u32,
    /// Existing transactions whose status changed.
    pub transactions_changed: u32,
    pub grants_created: u32,
    pub grants_revoked: u32,
    /// Grants whose end a subscription cancellation moved earlier.
    pub grants_ended: u32,
    pub notifications_queued: u32,
    pub data_issues: u32,
}

impl From<&domain::webhook::IngestCounts> for WebhookCounts {
    fn from(counts: &domain::webhook::IngestCounts) -> Self {
        Self {
            clients_created: counts.clients_created,
            clients_updated: counts.clients_updated,
            transactions_created: counts.transactions_created,
            transactions_changed: counts.transactions_changed,
            grants_created: counts.grants_created,
            grants_revoked: counts.grants_revoked,
            grants_ended: counts.grants_ended,
            notifications_queued: counts.notifications_queued,
            data_issues: counts.data_issues,
        }
    }
}

/// A received value that was kept although odd, or not applied.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookDataIssue {
    /// Position of the event in the delivery, from 0.
    pub event_index: usize,
    /// `name`, `phone` or `document`.
    #[schema(example = "phone")]
    pub field: String,
    #[schema(example = "invalid_phone")]
    pub reason: String,
}

/// A stored webhook delivery and its outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEvent {
    pub id: Uuid,
    pub platform: Platform,
    /// Names the platform's event; repeats of one event share it.
    pub dedupe_key: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// Never `duplicate`: repeats are not stored.
    pub outcome: WebhookOutcome,
    /// Parse error of a rejected delivery, in English, from the adapter.
    pub error: Option<String>,
    /// When the events were last applied; null while the delivery is rejected.
    #[serde(with = "time::serde::rfc3339::option")]
    pub processed_at: Option<OffsetDateTime>,
    /// How many times the delivery was replayed.
    pub replay_count: u32,
    /// The events of the latest application, empty until applied once.
    pub events: Vec<WebhookEventItem>,
    /// Changes made by the latest application, null until applied once.
    pub counts: Option<WebhookCounts>,
    pub data_issues: Vec<WebhookDataIssue>,
}

impl From<&domain::webhook::StoredDelivery> for WebhookEvent {
    fn from(stored: &domain::webhook::StoredDelivery) -> Self {
        let summary = stored.summary.as_ref();
        Self {
            id: stored.id.as_uuid(),
            platform: stored.platform.into(),
            dedupe_key: stored.dedupe_key.clone(),
            received_at: utc(stored.received_at),
            outcome: stored.outcome.into(),
            error: stored.error.clone(),
            processed_at: stored.processed_at.map(utc),
            replay_count: stored.replay_count,
            events: summary
                .map(|summary| {
                    summary
                        .events
                        .iter()
                        .map(|event| WebhookEventItem {
                            kind: event.kind.clone(),
                            event_type: event.event_type.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            counts: summary.map(|summary| WebhookCounts::from(&summary.counts)),
            data_issues: summary
                .map(|summary| {
                    summary
                        .data_issues
                        .iter()
                        .map(|issue| WebhookDataIssue {
                            event_index: issue.event_index,
                            field: issue.field.clone(),
                            reason: issue.reason.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// One request header as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookHeader {
    /// Lower-case.
    #[schema(example = "content-type")]
    pub name: String,
    #[schema(example = "application/json")]
    pub value: String,
}

/// A stored webhook delivery with its request. Headers that carry secrets
/// (such as `x-hotmart-hottok`) were never stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEventDetail {
    #[serde(flatten)]
    pub event: WebhookEvent,
    pub content_type: Option<String>,
    /// In arrival order.
    pub headers: Vec<WebhookHeader>,
    /// The query string without the leading `?`, such as Kiwify's `signature`.
    pub query: Option<String>,
    /// Size of the stored body, in bytes.
    pub body_bytes: usize,
}

impl From<&domain::webhook::LoadedDelivery> for WebhookEventDetail {
    fn from(loaded: &domain::webhook::LoadedDelivery) -> Self {
        let delivery = &loaded.delivery;
        Self {
            event: WebhookEvent::from(&loaded.stored),
            content_type: delivery.content_type.clone(),
            headers: delivery
                .headers
                .iter()
                .map(|(name, value)| WebhookHeader {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            query: delivery.query.clone(),
            // TODO: return the body once the hottok that Hotmart repeats in it is
            // redacted; until then only its size is shown.
            body_bytes: delivery.body.len(),
        }
    }
}

/// One page of stored webhook deliveries, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookEventPage {
    pub items: Vec<WebhookEvent>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}
