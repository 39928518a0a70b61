//! Product catalogue use cases.

use std::sync::Arc;

use crate::error::DomainError;
use crate::ports::{Clock, ProductRepository};
use crate::product::Product;
use crate::tenant::App;

/// The product use cases.
#[derive(Clone)]
pub struct ProductService {
    products: Arc<dyn ProductRepository>,
    clock: Arc<dyn Clock>,
}

impl ProductService {
    pub fn new(products: Arc<dyn ProductRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { products, clock }
    }

    pub async fn list(&self, app: &App) -> Result<Vec<Product>, DomainError> {
        todo!()
    }

    /// Creates a product; the name is trimmed and must be 1 to 200 characters.
    pub async fn create(&self, app: &App, name: &str) -> Result<Product, DomainError> {
        todo!()
    }
}
