//! App (tenant) and admin API key use cases.

use std::sync::Arc;

use crate::error::DomainError;
use crate::ids::ApiKeyId;
use crate::ports::{AppRepository, Clock};
use crate::tenant::App;

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
    pub fn new(apps: Arc<dyn AppRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { apps, clock }
    }

    /// Creates an app with a first admin API key.
    pub async fn create_app(&self, slug: &str, name: &str) -> Result<(App, IssuedKey), DomainError> {
        todo!()
    }

    /// Issues another admin API key for an existing app.
    pub async fn create_key(&self, slug: &str) -> Result<IssuedKey, DomainError> {
        todo!()
    }

    /// Finds the app an admin API key belongs to. Returns `None` for an unknown,
    /// revoked or malformed key.
    pub async fn authenticate(&self, key: &str) -> Result<Option<(App, ApiKeyId)>, DomainError> {
        todo!()
    }

    pub async fn find_by_slug(&self, slug: &str) -> Result<Option<App>, DomainError> {
        todo!()
    }
}
