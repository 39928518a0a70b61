//! Bodies of the product link routes.

use clientela_domain as domain;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Platform;

/// A platform product (or offer, or plan) whose sales grant one of the app's
/// products.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductLink {
    pub platform: Platform,
    /// The platform's product id.
    #[schema(example = "4120377")]
    pub external_id: String,
    pub product_id: Uuid,
}

impl From<&domain::product::PlatformProductLink> for ProductLink {
    fn from(link: &domain::product::PlatformProductLink) -> Self {
        Self {
            platform: link.platform.into(),
            external_id: link.external_id.clone(),
            product_id: link.product_id.as_uuid(),
        }
    }
}

/// The platform products linked to one product.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductLinkList {
    pub items: Vec<ProductLink>,
}

/// A new link from a platform product to this product.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProductLink {
    /// A sales platform, such as `hotmart` or `kiwify`.
    #[serde(default)]
    #[schema(required = true, value_type = Platform)]
    pub platform: Option<Platform>,
    /// The platform's product, offer or plan id; 1 to 200 characters after
    /// trimming.
    #[serde(default)]
    #[schema(required = true, example = "4120377")]
    pub external_id: String,
}
