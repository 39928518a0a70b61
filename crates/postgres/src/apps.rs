//! Apps and their admin API keys: the `AppRepository` implementation.

use async_trait::async_trait;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{ApiKeyId, AppId};
use clientela_domain::ports::{ApiKeyRecord, AppRepository};
use clientela_domain::tenant::{App, AppSettings, AppSettingsChanges};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{foreign_key_violation, repository_error};
use crate::schema::{api_keys, apps};
use crate::{PgStore, app_settings};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = apps, check_for_backend(diesel::pg::Pg))]
pub(crate) struct AppRow {
    id: Uuid,
    slug: String,
    name: String,
    time_zone: String,
    created_at: OffsetDateTime,
}

impl AppRow {
    fn of(app: &App) -> Self {
        Self {
            id: app.id.as_uuid(),
            slug: app.slug.clone(),
            name: app.name.clone(),
            time_zone: app.time_zone.clone(),
            created_at: app.created_at,
        }
    }

    pub(crate) fn into_app(self) -> App {
        App {
            id: AppId::from_uuid(self.id),
            slug: self.slug,
            name: self.name,
            time_zone: self.time_zone,
            created_at: self.created_at,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
struct NewApiKeyRow<'a> {
    id: Uuid,
    app_id: Uuid,
    hash: &'a [u8],
    prefix: &'a str,
    created_at: OffsetDateTime,
}

#[async_trait]
impl AppRepository for PgStore {
    async fn create_app(&self, app: &App) -> Result<(), RepositoryError> {
        let mut conn = self.conn().await?;
        diesel::insert_into(apps::table)
            .values(AppRow::of(app))
            .execute(&mut conn)
            .await
            .map_err(repository_error)?;
        Ok(())
    }

    async fn find_app_by_slug(&self, slug: &str) -> Result<Option<App>, RepositoryError> {
        let mut conn = self.conn().await?;
        let row = apps::table
            .filter(apps::slug.eq(slug))
            .select(AppRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(repository_error)?;
        Ok(row.map(AppRow::into_app))
    }

    async fn list_apps(&self) -> Result<Vec<App>, RepositoryError> {
        let mut conn = self.conn().await?;
        let rows: Vec<AppRow> = apps::table
            .order(apps::slug.asc())
            .select(AppRow::as_select())
            .load(&mut conn)
            .await
            .map_err(repository_error)?;
        Ok(rows.into_iter().map(AppRow::into_app).collect())
    }

    /// Returns `NotFound` when the key's app does not exist.
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), RepositoryError> {
        let row = NewApiKeyRow {
            id: key.id.as_uuid(),
            app_id: key.app_id.as_uuid(),
            hash: &key.hash,
            prefix: &key.prefix,
            created_at: key.created_at,
        };
        let mut conn = self.conn().await?;
        diesel::insert_into(api_keys::table)
            .values(&row)
            .execute(&mut conn)
            .await
            .map_err(|error| {
                if foreign_key_violation(&error).is_some() {
                    RepositoryError::NotFound
                } else {
                    repository_error(error)
                }
            })?;
        Ok(())
    }

    async fn find_app_by_key_hash(
        &self,
        hash: &[u8; 32],
    ) -> Result<Option<(App, ApiKeyId)>, RepositoryError> {
        let mut conn = self.conn().await?;
        let row: Option<(AppRow, Uuid)> = api_keys::table
            .inner_join(apps::table)
            .filter(api_keys::hash.eq(hash.as_slice()))
            .filter(api_keys::revoked_at.is_null())
            .select((AppRow::as_select(), api_keys::id))
            .first(&mut conn)
            .await
            .optional()
            .map_err(repository_error)?;
        Ok(row.map(|(app, key_id)| (app.into_app(), ApiKeyId::from_uuid(key_id))))
    }

    async fn update_app_settings(
        &self,
        app: AppId,
        changes: &AppSettingsChanges,
    ) -> Result<AppSettings, RepositoryError> {
        app_settings::update_app_settings(self, app, changes).await
    }
}
