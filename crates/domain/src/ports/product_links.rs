//! The port of the links between platform products and an app's products.

use async_trait::async_trait;

use crate::audit::AuditEntry;
use crate::error::RepositoryError;
use crate::ids::{AppId, ProductId};
use crate::product::PlatformProductLink;

/// Links from platform products (offers, plans) to an app's products. Webhook
/// ingestion reads them, and creates one the first time a platform product
/// arrives; producers change them by hand through this port.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ProductLinkRepository: Send + Sync {
    /// Lists the links to one product of the app, sorted by platform and external
    /// id.
    async fn product_links(
        &self,
        app: AppId,
        product: ProductId,
    ) -> Result<Vec<PlatformProductLink>, RepositoryError>;

    /// Stores a link and its audit entry in one transaction. Returns `false`, and
    /// writes nothing, when the link already exists, and `ProductNotFound` when
    /// the app has no such product.
    async fn create_product_link(
        &self,
        link: &PlatformProductLink,
        audit: &AuditEntry,
    ) -> Result<bool, RepositoryError>;

    /// Deletes a link and writes its audit entry in one transaction. Returns
    /// `false`, and writes nothing, when there was no such link.
    async fn delete_product_link(
        &self,
        link: &PlatformProductLink,
        audit: &AuditEntry,
    ) -> Result<bool, RepositoryError>;
}
