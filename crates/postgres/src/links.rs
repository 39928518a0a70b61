//! Links from platform products to the app's products: the
//! `ProductLinkRepository` implementation over `platform_products`.

use std::str::FromStr;

use async_trait::async_trait;
use clientela_domain::audit::AuditEntry;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AppId, ProductId};
use clientela_domain::ports::ProductLinkRepository;
use clientela_domain::product::PlatformProductLink;
use clientela_domain::values::Platform;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::PgStore;
use crate::audit;
use crate::error::{TxError, foreign_key_violation, repository_error};
use crate::schema::platform_products;

#[derive(Queryable, Selectable)]
#[diesel(table_name = platform_products, check_for_backend(diesel::pg::Pg))]
struct LinkRow {
    app_id: Uuid,
    platform: String,
    external_id: String,
    product_id: Uuid,
}

impl LinkRow {
    fn into_link(self) -> Result<PlatformProductLink, RepositoryError> {
        let platform = Platform::from_str(&self.platform)
            .map_err(|error| RepositoryError::Other(format!("stored product link has {error}")))?;
        Ok(PlatformProductLink {
            app_id: AppId::from_uuid(self.app_id),
            platform,
            external_id: self.external_id,
            product_id: ProductId::from_uuid(self.product_id),
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = platform_products, check_for_backend(diesel::pg::Pg))]
struct NewLinkRow<'a> {
    app_id: Uuid,
    platform: &'a str,
    external_id: &'a str,
    product_id: Uuid,
    created_at: OffsetDateTime,
}

#[async_trait]
impl ProductLinkRepository for PgStore {
    async fn product_links(
        &self,
        app: AppId,
        product: ProductId,
    ) -> Result<Vec<PlatformProductLink>, RepositoryError> {
        let mut conn = self.conn().await?;
        let rows: Vec<LinkRow> = platform_products::table
            .filter(platform_products::app_id.eq(app.as_uuid()))
            .filter(platform_products::product_id.eq(product.as_uuid()))
            .order((
                platform_products::platform.asc(),
                platform_products::external_id.asc(),
            ))
            .select(LinkRow::as_select())
            .load(&mut conn)
            .await
            .map_err(repository_error)?;
        rows.into_iter().map(LinkRow::into_link).collect()
    }

    async fn create_product_link(
        &self,
        link: &PlatformProductLink,
        audit: &AuditEntry,
    ) -> Result<bool, RepositoryError> {
        let row = NewLinkRow {
            app_id: link.app_id.as_uuid(),
            platform: link.platform.as_str(),
            external_id: &link.external_id,
            product_id: link.product_id.as_uuid(),
            created_at: audit.at,
        };
        let mut conn = self.conn().await?;
        let created = conn
            .transaction(async |conn| {
                let inserted = diesel::insert_into(platform_products::table)
                    .values(&row)
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await
                    .map_err(|error| {
                        if foreign_key_violation(&error).is_some() {
                            TxError(RepositoryError::ProductNotFound(link.product_id))
                        } else {
                            TxError::from(error)
                        }
                    })?;
                if inserted == 0 {
                    return Ok(false);
                }
                audit::insert_entries(conn, std::slice::from_ref(audit)).await?;
                Ok::<_, TxError>(true)
            })
            .await?;
        Ok(created)
    }

    async fn delete_product_link(
        &self,
        link: &PlatformProductLink,
        audit: &AuditEntry,
    ) -> Result<bool, RepositoryError> {
        let mut conn = self.conn().await?;
        let deleted = conn
            .transaction(async |conn| {
                let deleted = diesel::delete(
                    platform_products::table
                        .filter(platform_products::app_id.eq(link.app_id.as_uuid()))
                        .filter(platform_products::platform.eq(link.platform.as_str()))
                        .filter(platform_products::external_id.eq(&link.external_id))
                        .filter(platform_products::product_id.eq(link.product_id.as_uuid())),
                )
                .execute(conn)
                .await?;
                if deleted == 0 {
                    return Ok(false);
                }
                audit::insert_entries(conn, std::slice::from_ref(audit)).await?;
                Ok::<_, TxError>(true)
            })
            .await?;
        Ok(deleted)
    }
}
