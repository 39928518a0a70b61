//! Use cases of the links between platform products and the app's products.
//!
//! A link sends every sale of a platform product (or offer, or plan) to one of the
//! app's products. Several platform products may link to one product, and one
//! platform product to several products, which makes it a bundle.

use std::sync::Arc;

use crate::audit::AuditEntry;
use crate::error::{DomainError, FieldError, ValidationErrors};
use crate::ids::ProductId;
use crate::ports::{Clock, ProductLinkRepository, ProductRepository};
use crate::product::PlatformProductLink;
use crate::tenant::{Actor, App};
use crate::values::Platform;

#[cfg(test)]
mod tests;

/// Maximum length of a platform product id, in characters.
pub const EXTERNAL_ID_MAX_CHARS: usize = 200;

/// The product link use cases.
#[derive(Clone)]
pub struct ProductLinkService {
    links: Arc<dyn ProductLinkRepository>,
    products: Arc<dyn ProductRepository>,
    clock: Arc<dyn Clock>,
}

impl ProductLinkService {
    pub fn new(
        links: Arc<dyn ProductLinkRepository>,
        products: Arc<dyn ProductRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            links,
            products,
            clock,
        }
    }

    /// Lists the platform products linked to one of the app's products. Returns
    /// `ProductNotFound` when the app has no such product.
    pub async fn list(
        &self,
        app: &App,
        product: ProductId,
    ) -> Result<Vec<PlatformProductLink>, DomainError> {
        self.require_product(app, product).await?;
        Ok(self.links.product_links(app.id, product).await?)
    }

    /// Links a platform product to one of the app's products and records the
    /// change in the audit log. The external id is trimmed. Returns
    /// `ProductLinkExists` when the link is already there.
    pub async fn link(
        &self,
        app: &App,
        actor: &Actor,
        product: ProductId,
        platform: Platform,
        external_id: &str,
    ) -> Result<PlatformProductLink, DomainError> {
        let link = validated_link(app, product, platform, external_id)?;
        let audit = self.audit_entry(app, actor, "product_link.create", None, Some(&link));

        if !self.links.create_product_link(&link, &audit).await? {
            return Err(DomainError::ProductLinkExists);
        }
        Ok(link)
    }

    /// Removes a link and records the change in the audit log. Sales of the
    /// platform product that arrive later create a new product unless another
    /// link remains. Grants already made are kept.
    pub async fn unlink(
        &self,
        app: &App,
        actor: &Actor,
        product: ProductId,
        platform: Platform,
        external_id: &str,
    ) -> Result<(), DomainError> {
        self.require_product(app, product).await?;
        let link = PlatformProductLink {
            app_id: app.id,
            platform,
            external_id: external_id.trim().to_owned(),
            product_id: product,
        };
        let audit = self.audit_entry(app, actor, "product_link.delete", Some(&link), None);

        if !self.links.delete_product_link(&link, &audit).await? {
            return Err(DomainError::ProductLinkNotFound);
        }
        Ok(())
    }

    async fn require_product(&self, app: &App, product: ProductId) -> Result<(), DomainError> {
        let found = self.products.find_products(app.id, &[product]).await?;
        if found.is_empty() {
            return Err(DomainError::ProductNotFound(product));
        }
        Ok(())
    }

    fn audit_entry(
        &self,
        app: &App,
        actor: &Actor,
        action: &str,
        before: Option<&PlatformProductLink>,
        after: Option<&PlatformProductLink>,
    ) -> AuditEntry {
        AuditEntry {
            app_id: app.id,
            client_id: None,
            actor: actor.clone(),
            action: action.to_owned(),
            before: before.and_then(|link| serde_json::to_value(link).ok()),
            after: after.and_then(|link| serde_json::to_value(link).ok()),
            at: self.clock.now(),
        }
    }
}

/// Checks the input of a new link: a sales platform (not `manual`, `app` or
/// `import`) and an external id of 1 to [`EXTERNAL_ID_MAX_CHARS`] characters
/// without control characters, after trimming.
fn validated_link(
    app: &App,
    product: ProductId,
    platform: Platform,
    external_id: &str,
) -> Result<PlatformProductLink, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if matches!(
        platform,
        Platform::Manual | Platform::App | Platform::Import
    ) {
        errors.push(FieldError::new(
            "platform",
            "not_a_sales_platform",
            format!("{platform} is not a sales platform"),
        ));
    }
    let external_id = external_id.trim();
    if external_id.is_empty() {
        errors.push(FieldError::new(
            "external_id",
            "required",
            "external_id is missing",
        ));
    } else if external_id.chars().count() > EXTERNAL_ID_MAX_CHARS {
        errors.push(FieldError::new(
            "external_id",
            "too_long",
            format!("external_id is longer than {EXTERNAL_ID_MAX_CHARS} characters"),
        ));
    } else if external_id.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "external_id",
            "invalid_characters",
            "external_id contains control characters",
        ));
    }
    errors.into_result()?;

    Ok(PlatformProductLink {
        app_id: app.id,
        platform,
        external_id: external_id.to_owned(),
        product_id: product,
    })
}
