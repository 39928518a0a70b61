//! Product catalogue use cases.

use std::sync::Arc;

use crate::error::{DomainError, FieldError, ValidationErrors};
use crate::ids::ProductId;
use crate::ports::{Clock, ProductRepository};
use crate::product::{NewProduct, PRODUCT_NAME_MAX_CHARS, Product};
use crate::tenant::App;

#[cfg(test)]
mod tests;

/// The product use cases.
#[derive(Clone)]
pub struct ProductService {
    products: Arc<dyn ProductRepository>,
    clock: Arc<dyn Clock>,
}

impl ProductService {
    /// Creates the service over the product catalogue port.
    pub fn new(products: Arc<dyn ProductRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { products, clock }
    }

    /// Lists the app's product catalogue.
    pub async fn list(&self, app: &App) -> Result<Vec<Product>, DomainError> {
        Ok(self.products.list_products(app.id).await?)
    }

    /// Creates a product; the name is trimmed and must be 1 to 200 characters.
    pub async fn create(&self, app: &App, name: &str) -> Result<Product, DomainError> {
        let name = name.trim();
        let length = name.chars().count();
        if length == 0 {
            return Err(name_error("required", "product name is missing"));
        }
        if length > PRODUCT_NAME_MAX_CHARS {
            return Err(name_error(
                "too_long",
                format!("product name is longer than {PRODUCT_NAME_MAX_CHARS} characters"),
            ));
        }

        let product = NewProduct {
            id: ProductId::generate(),
            app_id: app.id,
            name: name.to_owned(),
            created_at: self.clock.now(),
        };
        Ok(self.products.create_product(&product).await?)
    }
}

fn name_error(code: &'static str, detail: impl ToString) -> DomainError {
    DomainError::Validation(ValidationErrors(vec![FieldError::new(
        "name", code, detail,
    )]))
}
