//! Webhook deliveries: what is stored of each authentic delivery, the outcome of
//! applying its sale events, and the port that does both in one database
//! transaction.
//!
//! The HTTP layer authenticates a delivery with the platform's adapter, builds a
//! [`Delivery`] and hands it, with the parsed [`SaleEvent`]s, to
//! [`WebhookRepository::ingest`]. A delivery that fails to parse is stored with
//! [`WebhookRepository::store_unparseable`] so it can be replayed after a fix.

mod port;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ids::AppId;
use crate::sale::SaleEvent;
use crate::values::Platform;

#[cfg(test)]
pub use port::MockWebhookRepository;
pub use port::WebhookRepository;

/// Identifier of one stored delivery. It is also the `event_ref` of the status
/// changes the delivery caused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeliveryId(Uuid);

impl DeliveryId {
    /// Creates a new, time-ordered (UUIDv7) identifier.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// Wraps an existing UUID, as read from storage or a command line.
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub const fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for DeliveryId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// Lower-case names of the headers that carry a platform secret or a session.
/// [`Delivery::new`] drops them, so no stored delivery contains them.
pub const SECRET_HEADERS: [&str; 7] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-hotmart-hottok",
    "x-hubla-token",
    "x-api-key",
    "x-api-token",
];

/// Maximum length of a dedupe key, in characters.
pub const DEDUPE_KEY_MAX_CHARS: usize = 500;

/// A dedupe key that cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DedupeKeyError {
    #[error("dedupe key is empty")]
    Empty,
    #[error("dedupe key is longer than {DEDUPE_KEY_MAX_CHARS} characters")]
    TooLong,
}

/// One authentic webhook delivery, as it is stored: everything needed to parse it
/// again, without the headers that carry secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub app_id: AppId,
    pub platform: Platform,
    /// Names the platform's event, the same for every repeat of the delivery.
    pub dedupe_key: String,
    pub received_at: OffsetDateTime,
    pub content_type: Option<String>,
    /// (lower-case name, value) pairs in arrival order, without [`SECRET_HEADERS`].
    pub headers: Vec<(String, String)>,
    /// The query string without the leading `?`. Kiwify's `signature` parameter
    /// stays: it is an HMAC of the body, not a secret.
    pub query: Option<String>,
    /// The exact body bytes.
    // TODO: Hotmart repeats the hottok in the body's `hottok` field, which is
    // stored with the rest of the raw body.
    pub body: Vec<u8>,
}

impl Delivery {
    /// Builds a delivery with a new id. Header names are lower-cased, headers in
    /// [`SECRET_HEADERS`] are dropped, and the content type is taken from the first
    /// `content-type` header. Fails when the dedupe key is empty or longer than
    /// [`DEDUPE_KEY_MAX_CHARS`]; [`body_dedupe_key`] makes a key that always fits.
    pub fn new<N, V>(
        app_id: AppId,
        platform: Platform,
        dedupe_key: impl Into<String>,
        received_at: OffsetDateTime,
        headers: impl IntoIterator<Item = (N, V)>,
        query: Option<String>,
        body: impl Into<Vec<u8>>,
    ) -> Result<Self, DedupeKeyError>
    where
        N: AsRef<str>,
        V: Into<String>,
    {
        let dedupe_key = dedupe_key.into();
        if dedupe_key.is_empty() {
            return Err(DedupeKeyError::Empty);
        }
        if dedupe_key.chars().count() > DEDUPE_KEY_MAX_CHARS {
            return Err(DedupeKeyError::TooLong);
        }

        let headers: Vec<(String, String)> = headers
            .into_iter()
            .map(|(name, value)| (name.as_ref().to_ascii_lowercase(), value.into()))
            .filter(|(name, _)| !SECRET_HEADERS.contains(&name.as_str()))
            .collect();
        let content_type = headers
            .iter()
            .find(|(name, _)| name == "content-type")
            .map(|(_, value)| value.clone());

        Ok(Self {
            id: DeliveryId::generate(),
            app_id,
            platform,
            dedupe_key,
            received_at,
            content_type,
            headers,
            query,
            body: body.into(),
        })
    }

    /// Returns the first stored value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(stored, _)| *stored == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Builds a dedupe key from the body alone, `sha256:<hex>`, for a delivery whose
/// adapter cannot name it (typically one that fails to parse). Two deliveries with
/// the same bytes get the same key.
pub fn body_dedupe_key(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

/// Outcome of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// At least one event was a sale or subscription event and was applied.
    Processed,
    /// Every event was authentic but no sale (abandoned cart, test send, ...).
    Ignored,
    /// An event was of a type the adapter does not know, and none was a sale.
    Unrecognized,
    /// The delivery was received before, so nothing was changed. Never stored.
    Duplicate,
    /// The authentic body could not be parsed. It is stored for a replay.
    RejectedUnparseable,
}

impl DeliveryOutcome {
    pub const ALL: [Self; 5] = [
        Self::Processed,
        Self::Ignored,
        Self::Unrecognized,
        Self::Duplicate,
        Self::RejectedUnparseable,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Processed => "processed",
            Self::Ignored => "ignored",
            Self::Unrecognized => "unrecognized",
            Self::Duplicate => "duplicate",
            Self::RejectedUnparseable => "rejected_unparseable",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == raw)
    }

    /// Returns the outcome of applying `events`: processed when any is a sale or
    /// subscription event, otherwise unrecognized when any is unrecognized or
    /// there are none, otherwise ignored.
    pub fn of_events(events: &[SaleEvent]) -> Self {
        let applies = |event: &SaleEvent| {
            matches!(
                event,
                SaleEvent::Transaction(_)
                    | SaleEvent::SubscriptionCancelled(_)
                    | SaleEvent::SubscriptionChanged(_)
            )
        };
        if events.iter().any(applies) {
            Self::Processed
        } else if events.is_empty()
            || events
                .iter()
                .any(|event| matches!(event, SaleEvent::Unrecognized(_)))
        {
            Self::Unrecognized
        } else {
            Self::Ignored
        }
    }
}

/// An event that came from another platform than the delivery it is applied with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {index} is from {event_platform}, but the delivery is from {delivery_platform}")]
pub struct PlatformMismatch {
    pub index: usize,
    pub event_platform: Platform,
    pub delivery_platform: Platform,
}

/// Checks that every event comes from the delivery's platform, so one platform's
/// credential never admits another platform's events.
pub fn check_event_platforms(
    delivery_platform: Platform,
    events: &[SaleEvent],
) -> Result<(), PlatformMismatch> {
    match events
        .iter()
        .position(|event| event.platform() != delivery_platform)
    {
        Some(index) => Err(PlatformMismatch {
            index,
            event_platform: events[index].platform(),
            delivery_platform,
        }),
        None => Ok(()),
    }
}

/// Counts of the rows an application of a delivery created or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IngestCounts {
    pub clients_created: u32,
    /// Existing clients whose contact data changed.
    pub clients_updated: u32,
    pub transactions_created: u32,
    /// Existing transactions whose status changed.
    pub transactions_changed: u32,
    pub grants_created: u32,
    pub grants_revoked: u32,
    /// Grants whose expiry a subscription cancellation moved earlier.
    pub grants_ended: u32,
    pub notifications_queued: u32,
    /// Received values that were invalid or not applied, and were logged (see
    /// [`DeliveryDataIssue`]).
    pub data_issues: u32,
}

/// A received value that was kept although odd, or not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryDataIssue {
    /// Position of the event in the delivery, from 0.
    pub event_index: usize,
    /// `name`, `phone` or `document`.
    pub field: String,
    /// Stable code, such as `invalid_phone`, `altered`, `missing`, or
    /// `unverified_not_applied` for an invalid value that did not replace a
    /// verified one.
    pub reason: String,
}

/// The result of [`WebhookRepository::ingest`], [`WebhookRepository::reapply`] or
/// [`WebhookRepository::store_unparseable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// The stored delivery: the new one, or for a duplicate the one received first.
    pub delivery_id: DeliveryId,
    pub outcome: DeliveryOutcome,
    /// All zero for a duplicate or a rejected delivery.
    pub counts: IngestCounts,
    pub data_issues: Vec<DeliveryDataIssue>,
}

impl IngestReport {
    /// Builds the report of a delivery that changed nothing, such as a duplicate.
    pub fn unchanged(delivery_id: DeliveryId, outcome: DeliveryOutcome) -> Self {
        Self {
            delivery_id,
            outcome,
            counts: IngestCounts::default(),
            data_issues: Vec::new(),
        }
    }
}

/// One event of a delivery, as listed in its summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    /// [`SaleEvent::kind`], such as `transaction` or `ignored`.
    pub kind: String,
    /// The platform's event name as received.
    pub event_type: String,
}

impl EventSummary {
    pub fn of(event: &SaleEvent) -> Self {
        Self {
            kind: event.kind().to_owned(),
            event_type: event.event_type().to_owned(),
        }
    }
}

/// Summary of the latest application of a delivery, stored with the delivery.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeliverySummary {
    pub events: Vec<EventSummary>,
    pub counts: IngestCounts,
    pub data_issues: Vec<DeliveryDataIssue>,
}

/// A stored delivery without its raw request, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDelivery {
    pub id: DeliveryId,
    pub app_id: AppId,
    pub platform: Platform,
    pub dedupe_key: String,
    pub received_at: OffsetDateTime,
    /// Never [`DeliveryOutcome::Duplicate`].
    pub outcome: DeliveryOutcome,
    /// Parse error of a rejected delivery.
    pub error: Option<String>,
    /// When the events were last applied, or `None` while the delivery is rejected.
    pub processed_at: Option<OffsetDateTime>,
    /// How many times [`WebhookRepository::reapply`] ran on the delivery.
    pub replay_count: u32,
    /// `None` until the events were applied once.
    pub summary: Option<DeliverySummary>,
}

/// A stored delivery with its raw request, to parse and apply it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedDelivery {
    pub delivery: Delivery,
    pub stored: StoredDelivery,
}

/// Position in the list of deliveries: the last delivery of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryCursor {
    pub received_at: OffsetDateTime,
    pub id: DeliveryId,
}

/// Maximum number of deliveries in one page.
pub const DELIVERY_PAGE_MAX: u32 = 500;

/// Filter and page of a list of an app's deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFilter {
    pub outcome: Option<DeliveryOutcome>,
    pub platform: Option<Platform>,
    /// Received at or after this time.
    pub received_from: Option<OffsetDateTime>,
    /// Received before this time.
    pub received_before: Option<OffsetDateTime>,
    /// Continue after this delivery, from [`DeliveryPage::next`].
    pub after: Option<DeliveryCursor>,
    /// Page size, which [`Self::page_size`] keeps within 1 and [`DELIVERY_PAGE_MAX`].
    pub limit: u32,
}

impl Default for DeliveryFilter {
    fn default() -> Self {
        Self {
            outcome: None,
            platform: None,
            received_from: None,
            received_before: None,
            after: None,
            limit: 50,
        }
    }
}

impl DeliveryFilter {
    pub fn page_size(&self) -> u32 {
        self.limit.clamp(1, DELIVERY_PAGE_MAX)
    }
}

/// One page of deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPage {
    pub deliveries: Vec<StoredDelivery>,
    /// The cursor of the next page, `None` on the last page.
    pub next: Option<DeliveryCursor>,
}
