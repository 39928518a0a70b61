//! App settings: the changes `clientela apps configure` makes, and the
//! `AppMailSettingsRepository` implementation that e-mails read.

use async_trait::async_trait;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::AppId;
use clientela_domain::notification::AppMailSettings;
use clientela_domain::ports::AppMailSettingsRepository;
use clientela_domain::tenant::{AppSettings, AppSettingsChanges};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::PgStore;
use crate::apps::AppRow;
use crate::error::repository_error;
use crate::schema::apps;

/// An app with its e-mail settings, as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = apps, check_for_backend(diesel::pg::Pg))]
struct AppSettingsRow {
    #[diesel(embed)]
    app: AppRow,
    members_url: Option<String>,
    mail_from: Option<String>,
}

impl AppSettingsRow {
    fn into_settings(self) -> AppSettings {
        AppSettings {
            app: self.app.into_app(),
            members_url: self.members_url,
            mail_from: self.mail_from,
        }
    }
}

/// The columns a settings change writes. A `None` field is left out of the
/// update, and `Some(None)` writes NULL.
#[derive(AsChangeset)]
#[diesel(table_name = apps, check_for_backend(diesel::pg::Pg))]
struct AppSettingsChangeset<'a> {
    members_url: Option<Option<&'a str>>,
    mail_from: Option<Option<&'a str>>,
    time_zone: Option<&'a str>,
}

/// Applies `changes` and returns the stored settings, or `NotFound` when the
/// app does not exist. An empty change set only reads the settings.
pub(crate) async fn update_app_settings(
    store: &PgStore,
    app: AppId,
    changes: &AppSettingsChanges,
) -> Result<AppSettings, RepositoryError> {
    let mut conn = store.conn().await?;
    let target = apps::table.filter(apps::id.eq(app.as_uuid()));
    let row = if changes.is_empty() {
        target
            .select(AppSettingsRow::as_select())
            .first(&mut conn)
            .await
    } else {
        let changeset = AppSettingsChangeset {
            members_url: changes.members_url.as_ref().map(Option::as_deref),
            mail_from: changes.mail_from.as_ref().map(Option::as_deref),
            time_zone: changes.time_zone.as_deref(),
        };
        diesel::update(target)
            .set(&changeset)
            .returning(AppSettingsRow::as_returning())
            .get_result(&mut conn)
            .await
    };
    row.map(AppSettingsRow::into_settings)
        .map_err(repository_error)
}

#[async_trait]
impl AppMailSettingsRepository for PgStore {
    async fn app_mail_settings(
        &self,
        app: AppId,
    ) -> Result<Option<AppMailSettings>, RepositoryError> {
        let mut conn = self.conn().await?;
        let row = apps::table
            .filter(apps::id.eq(app.as_uuid()))
            .select(AppSettingsRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(repository_error)?;
        Ok(row.map(|row| {
            let settings = row.into_settings();
            AppMailSettings {
                app_id: settings.app.id,
                slug: settings.app.slug,
                name: settings.app.name,
                members_url: settings.members_url,
                from_address: settings.mail_from,
            }
        }))
    }
}
