//! The product catalogue: the `ProductRepository` implementation.

use async_trait::async_trait;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AppId, ProductId};
use clientela_domain::ports::ProductRepository;
use clientela_domain::product::{NewProduct, Product};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::PgStore;
use crate::error::{foreign_key_violation, repository_error};
use crate::schema::products;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = products, check_for_backend(diesel::pg::Pg))]
struct ProductRow {
    id: Uuid,
    app_id: Uuid,
    name: String,
    created_at: OffsetDateTime,
}

impl ProductRow {
    fn into_product(self) -> Product {
        Product {
            id: ProductId::from_uuid(self.id),
            app_id: AppId::from_uuid(self.app_id),
            name: self.name,
            created_at: self.created_at,
        }
    }
}

#[async_trait]
impl ProductRepository for PgStore {
    /// Sorted by name, then id.
    async fn list_products(&self, app: AppId) -> Result<Vec<Product>, RepositoryError> {
        let mut conn = self.conn().await?;
        let rows: Vec<ProductRow> = products::table
            .filter(products::app_id.eq(app.as_uuid()))
            .order((products::name.asc(), products::id.asc()))
            .select(ProductRow::as_select())
            .load(&mut conn)
            .await
            .map_err(repository_error)?;
        Ok(rows.into_iter().map(ProductRow::into_product).collect())
    }

    /// Returns `NotFound` when the product's app does not exist.
    async fn create_product(&self, product: &NewProduct) -> Result<Product, RepositoryError> {
        let row = ProductRow {
            id: product.id.as_uuid(),
            app_id: product.app_id.as_uuid(),
            name: product.name.clone(),
            created_at: product.created_at,
        };
        let mut conn = self.conn().await?;
        let stored: ProductRow = diesel::insert_into(products::table)
            .values(&row)
            .returning(ProductRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(|error| {
                if foreign_key_violation(&error).is_some() {
                    RepositoryError::NotFound
                } else {
                    repository_error(error)
                }
            })?;
        Ok(stored.into_product())
    }

    /// In the order of `ids`; unknown ids and other apps' products are left out.
    async fn find_products(
        &self,
        app: AppId,
        ids: &[ProductId],
    ) -> Result<Vec<Product>, RepositoryError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let uuids: Vec<Uuid> = ids.iter().map(ProductId::as_uuid).collect();
        let mut conn = self.conn().await?;
        let rows: Vec<ProductRow> = products::table
            .filter(products::app_id.eq(app.as_uuid()))
            .filter(products::id.eq_any(&uuids))
            .select(ProductRow::as_select())
            .load(&mut conn)
            .await
            .map_err(repository_error)?;
        let mut found: Vec<Product> = rows.into_iter().map(ProductRow::into_product).collect();
        found.sort_by_key(|product| uuids.iter().position(|id| *id == product.id.as_uuid()));
        Ok(found)
    }
}
