//! The storage port of webhook ingestion. It is re-exported from [`crate::ports`].

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::error::RepositoryError;
use crate::ids::AppId;
use crate::sale::SaleEvent;
use crate::values::Platform;

use super::{Delivery, DeliveryFilter, DeliveryId, DeliveryPage, IngestReport, LoadedDelivery};

/// Stores webhook deliveries and applies their sale events.
///
/// Applying follows the rules of [`crate::rules`]: statuses only move forward
/// ([`crate::rules::transaction_state`]), received contact data is merged without
/// erasing ([`crate::rules::customer_data`]), subscription access ends as
/// [`crate::rules::subscription`] decides, and [`crate::rules::sale_notifications`]
/// decides which notifications are queued. Every effect is idempotent, so a
/// delivery applied twice changes nothing the second time.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// Returns the app's webhook secret for the platform, `None` when none is set.
    async fn platform_credential(
        &self,
        app: AppId,
        platform: Platform,
    ) -> Result<Option<String>, RepositoryError>;

    /// Sets or replaces the app's webhook secret for the platform. Returns
    /// `NotFound` when the app does not exist.
    async fn set_platform_credential(
        &self,
        app: AppId,
        platform: Platform,
        secret: &str,
    ) -> Result<(), RepositoryError>;

    /// Stores the delivery and applies its events, all in one transaction. The
    /// delivery's receipt time is the time of the changes it causes.
    ///
    /// When a delivery with the same app, platform and dedupe key is already
    /// stored, nothing changes and the report has the outcome `Duplicate` and the
    /// stored delivery's id. Returns `NotFound` when the app does not exist and
    /// `Other` when an event is from another platform than the delivery.
    async fn ingest(
        &self,
        delivery: &Delivery,
        events: &[SaleEvent],
    ) -> Result<IngestReport, RepositoryError>;

    /// Stores a delivery whose body could not be parsed, with the parse error,
    /// for a replay once the adapter is fixed. A repeat of a stored dedupe key
    /// changes nothing and reports `Duplicate`.
    async fn store_unparseable(
        &self,
        delivery: &Delivery,
        error: &str,
    ) -> Result<IngestReport, RepositoryError>;

    /// Lists the app's deliveries, newest first.
    async fn list_deliveries(
        &self,
        app: AppId,
        filter: &DeliveryFilter,
    ) -> Result<DeliveryPage, RepositoryError>;

    /// Loads a stored delivery with its raw request, `None` when the app has no
    /// delivery of this id.
    async fn load_delivery(
        &self,
        app: AppId,
        id: DeliveryId,
    ) -> Result<Option<LoadedDelivery>, RepositoryError>;

    /// Applies `events`, parsed again from the stored delivery, as [`Self::ingest`]
    /// would, in one transaction. The delivery's outcome, summary and processed
    /// time are replaced, and its replay count grows by one. `now` is the time of
    /// the changes it causes, such as revocations and notifications. Returns
    /// `NotFound` when the app has no delivery of this id.
    async fn reapply(
        &self,
        app: AppId,
        id: DeliveryId,
        events: &[SaleEvent],
        now: OffsetDateTime,
    ) -> Result<IngestReport, RepositoryError>;
}
