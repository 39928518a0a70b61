//! Products of an app's catalogue and their links to platform products.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AppId, ProductId};
use crate::values::Platform;

/// Maximum length of a product name, in characters.
pub const PRODUCT_NAME_MAX_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub app_id: AppId,
    pub name: String,
    pub created_at: OffsetDateTime,
}

/// A link from a platform's product (or offer, or plan) to one of our products.
/// One platform product may link to several products (a bundle) and several
/// platform products to one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformProductLink {
    pub app_id: AppId,
    pub platform: Platform,
    pub external_id: String,
    pub product_id: ProductId,
}

/// Validated input for a new product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    pub id: ProductId,
    pub app_id: AppId,
    pub name: String,
    pub created_at: OffsetDateTime,
}
