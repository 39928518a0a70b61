//! App (tenant) and admin API key use cases.

use std::sync::Arc;

use crate::error::{DomainError, FieldError, ValidationErrors};
use crate::ids::{ApiKeyId, AppId};
use crate::ports::{ApiKeyRecord, AppRepository, Clock};
use crate::tenant::{App, DEFAULT_TIME_ZONE, is_valid_slug};

mod keys;
mod settings;
#[cfg(test)]
mod tests;

pub use keys::{API_KEY_LENGTH, API_KEY_PREFIX};
pub use settings::MEMBERS_URL_MAX_CHARS;

/// Maximum length of an app's display name, in characters.
pub const APP_NAME_MAX_CHARS: usize = 100;

/// A newly issued admin API key. The plain key exists only here: it is shown once
/// and only its hash is stored.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub id: ApiKeyId,
    pub key: String,
}

/// The app and API key use cases.
#[derive(Clone)]
pub struct AppService {
    apps: Arc<dyn AppRepository>,
    clock: Arc<dyn Clock>,
}

impl AppService {
    /// Creates the service over the app repository port.
    pub fn new(apps: Arc<dyn AppRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { apps, clock }
    }

    /// Creates an app with a first admin API key.
    pub async fn create_app(
        &self,
        slug: &str,
        name: &str,
    ) -> Result<(App, IssuedKey), DomainError> {
        let mut errors = ValidationErrors::default();
        if !is_valid_slug(slug) {
            errors.push(FieldError::new(
                "slug",
                "invalid_slug",
                "slug must be 2 to 63 characters of a-z, 0-9 and -, start with a letter and not end with -",
            ));
        }
        let name = name.trim();
        let name_length = name.chars().count();
        if name_length == 0 {
            errors.push(FieldError::new("name", "required", "app name is missing"));
        } else if name_length > APP_NAME_MAX_CHARS {
            errors.push(FieldError::new(
                "name",
                "too_long",
                format!("app name is longer than {APP_NAME_MAX_CHARS} characters"),
            ));
        }
        errors.into_result()?;

        let app = App {
            id: AppId::generate(),
            slug: slug.to_owned(),
            name: name.to_owned(),
            time_zone: DEFAULT_TIME_ZONE.to_owned(),
            created_at: self.clock.now(),
        };
        self.apps.create_app(&app).await?;
        // TODO: store the app and its first key in one transaction; if this insert
        // fails, the app exists without a key until `create_key` is run.
        let key = self.issue_key(&app).await?;
        Ok((app, key))
    }

    /// Issues another admin API key for an existing app. An unknown slug is a
    /// validation error on the field `slug` with the code `not_found`.
    pub async fn create_key(&self, slug: &str) -> Result<IssuedKey, DomainError> {
        let Some(app) = self.apps.find_app_by_slug(slug).await? else {
            return Err(ValidationErrors(vec![FieldError::new(
                "slug",
                "not_found",
                format!("no app has the slug {slug:?}"),
            )])
            .into());
        };
        self.issue_key(&app).await
    }

    /// Finds the app an admin API key belongs to. Returns `None` for an unknown,
    /// revoked or malformed key.
    pub async fn authenticate(&self, key: &str) -> Result<Option<(App, ApiKeyId)>, DomainError> {
        if !keys::is_well_formed(key) {
            return Ok(None);
        }
        let hash = keys::hash(key);
        Ok(self.apps.find_app_by_key_hash(&hash).await?)
    }

    /// Finds an app by its slug.
    pub async fn find_by_slug(&self, slug: &str) -> Result<Option<App>, DomainError> {
        Ok(self.apps.find_app_by_slug(slug).await?)
    }

    /// Lists every app, sorted by slug.
    pub async fn list(&self) -> Result<Vec<App>, DomainError> {
        Ok(self.apps.list_apps().await?)
    }

    /// Generates a key for `app`, stores its hash and returns the plain key.
    async fn issue_key(&self, app: &App) -> Result<IssuedKey, DomainError> {
        let key = keys::generate();
        let record = ApiKeyRecord {
            id: ApiKeyId::generate(),
            app_id: app.id,
            hash: keys::hash(&key),
            prefix: keys::display_prefix(&key).to_owned(),
            created_at: self.clock.now(),
        };
        self.apps.create_api_key(&record).await?;
        Ok(IssuedKey { id: record.id, key })
    }
}
