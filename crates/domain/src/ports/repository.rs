use async_trait::async_trait;

use crate::account::AccountToken;
use crate::audit::AuditEntry;
use crate::client::{Client, ClientDetail};
use crate::error::RepositoryError;
use crate::grant::{Grant, Revocation};
use crate::ids::{ApiKeyId, AppId, ClientId, GrantId, ProductId};
use crate::notification::Notification;
use crate::product::{NewProduct, Product};
use crate::search::{ClientPage, ClientQuery};
use crate::tenant::{App, AppSettings, AppSettingsChanges};

/// An admin API key as stored: only the SHA-256 hash of the key is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub app_id: AppId,
    pub hash: [u8; 32],
    /// The first characters of the key, shown to tell keys apart.
    pub prefix: String,
    pub created_at: time::OffsetDateTime,
}

/// Apps and their admin API keys.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AppRepository: Send + Sync {
    /// Stores a new app. Returns `SlugTaken` when the slug is in use.
    async fn create_app(&self, app: &App) -> Result<(), RepositoryError>;
    async fn find_app_by_slug(&self, slug: &str) -> Result<Option<App>, RepositoryError>;
    /// Every app, sorted by slug.
    async fn list_apps(&self) -> Result<Vec<App>, RepositoryError>;
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), RepositoryError>;
    /// Finds the app whose non-revoked key has this SHA-256 hash.
    async fn find_app_by_key_hash(
        &self,
        hash: &[u8; 32],
    ) -> Result<Option<(App, ApiKeyId)>, RepositoryError>;

    /// Applies the given changes to an app's settings, which the caller has
    /// validated, and returns the settings as stored. Returns `NotFound` when the
    /// app does not exist.
    async fn update_app_settings(
        &self,
        app: AppId,
        changes: &AppSettingsChanges,
    ) -> Result<AppSettings, RepositoryError>;
}

/// Clients of an app.
// mockall's automock cannot take the `Option<&…>` arguments of `create_client`,
// so the test mock of this trait is written by hand in `client_mock.rs`.
#[async_trait]
pub trait ClientRepository: Send + Sync {
    /// Stores a new client with its password hash, initial grants, audit entries,
    /// queued notifications and the token of its first set-password link, all in
    /// one transaction. Returns `EmailTaken` when the e-mail is in use in the app
    /// and `ProductNotFound` when a grant names a product of no such id. A
    /// notification whose dedupe key is already stored is skipped.
    async fn create_client(
        &self,
        client: &Client,
        password_hash: Option<&str>,
        grants: &[Grant],
        audit: &[AuditEntry],
        notifications: &[Notification],
        first_access_token: Option<&AccountToken>,
    ) -> Result<(), RepositoryError>;

    async fn find_client(
        &self,
        app: AppId,
        id: ClientId,
    ) -> Result<Option<Client>, RepositoryError>;

    async fn client_detail(
        &self,
        app: AppId,
        id: ClientId,
    ) -> Result<Option<ClientDetail>, RepositoryError>;

    /// Saves `client` (whose `version` is already incremented) if the stored version
    /// is still `expected_version`, and writes the audit entry in the same
    /// transaction. Returns `Conflict` when the version moved on, `EmailTaken` when
    /// the new e-mail is in use and `NotFound` when the client does not exist.
    async fn update_client(
        &self,
        client: &Client,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<(), RepositoryError>;

    async fn search_clients(
        &self,
        app: AppId,
        query: &ClientQuery,
    ) -> Result<ClientPage, RepositoryError>;

    /// Whether a client of the app other than `except` holds this document.
    async fn document_in_use(
        &self,
        app: AppId,
        document: &str,
        except: Option<ClientId>,
    ) -> Result<bool, RepositoryError>;
}

/// Grants of products to clients.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait GrantRepository: Send + Sync {
    /// All grants of a client, active and past.
    async fn client_grants(
        &self,
        app: AppId,
        client: ClientId,
    ) -> Result<Vec<Grant>, RepositoryError>;

    /// Stores a grant, its audit entry and the notifications it causes in one
    /// transaction. Returns `ProductNotFound` for an unknown product and
    /// `GrantExists` when the client already has an active manual grant of the
    /// product. A notification whose dedupe key is already stored is skipped.
    async fn insert_grant(
        &self,
        grant: &Grant,
        audit: &AuditEntry,
        notifications: &[Notification],
    ) -> Result<(), RepositoryError>;

    /// Records the revocation of the given grants and the audit entry in one
    /// transaction. Grants already revoked are left as they are.
    async fn revoke_grants(
        &self,
        app: AppId,
        grants: &[GrantId],
        revocation: &Revocation,
        audit: &AuditEntry,
    ) -> Result<(), RepositoryError>;
}

/// An app's product catalogue.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ProductRepository: Send + Sync {
    async fn list_products(&self, app: AppId) -> Result<Vec<Product>, RepositoryError>;
    async fn create_product(&self, product: &NewProduct) -> Result<Product, RepositoryError>;
    /// The products of the app among `ids`; unknown ids are left out.
    async fn find_products(
        &self,
        app: AppId,
        ids: &[ProductId],
    ) -> Result<Vec<Product>, RepositoryError>;
}
