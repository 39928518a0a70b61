//! The test mock of [`ClientRepository`].
//!
//! mockall's `automock` cannot mock a method that takes `Option<&str>`, because
//! its generated code needs that lifetime named. So the expectations live on
//! [`MockClientStore`], whose `create_client` takes the password hash and the
//! token as owned values, and [`MockClientRepository`] forwards every call to it.

use std::ops::{Deref, DerefMut};

use async_trait::async_trait;

use super::ClientRepository;
use crate::account::AccountToken;
use crate::audit::AuditEntry;
use crate::client::{Client, ClientDetail};
use crate::error::RepositoryError;
use crate::grant::Grant;
use crate::ids::{AppId, ClientId};
use crate::notification::Notification;
use crate::search::{ClientPage, ClientQuery};

mockall::mock! {
    /// Expectations of the client repository mock.
    pub ClientStore {
        pub fn create_client(
            &self,
            client: &Client,
            password_hash: Option<String>,
            grants: &[Grant],
            audit: &[AuditEntry],
            notifications: &[Notification],
            first_access_token: Option<AccountToken>,
        ) -> Result<(), RepositoryError>;
        pub fn find_client(&self, app: AppId, id: ClientId) -> Result<Option<Client>, RepositoryError>;
        pub fn client_detail(
            &self,
            app: AppId,
            id: ClientId,
        ) -> Result<Option<ClientDetail>, RepositoryError>;
        pub fn update_client(
            &self,
            client: &Client,
            expected_version: i64,
            audit: &AuditEntry,
        ) -> Result<(), RepositoryError>;
        pub fn search_clients(&self, app: AppId, query: &ClientQuery) -> Result<ClientPage, RepositoryError>;
        pub fn document_in_use(
            &self,
            app: AppId,
            document: &str,
            except: Option<ClientId>,
        ) -> Result<bool, RepositoryError>;
    }
}

/// A [`ClientRepository`] whose calls are checked against the expectations of the
/// [`MockClientStore`] it dereferences to.
#[derive(Default)]
pub struct MockClientRepository(MockClientStore);

impl MockClientRepository {
    /// Creates a mock without expectations: any call fails the test.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Deref for MockClientRepository {
    type Target = MockClientStore;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for MockClientRepository {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

#[async_trait]
impl ClientRepository for MockClientRepository {
    async fn create_client(
        &self,
        client: &Client,
        password_hash: Option<&str>,
        grants: &[Grant],
        audit: &[AuditEntry],
        notifications: &[Notification],
        first_access_token: Option<&AccountToken>,
    ) -> Result<(), RepositoryError> {
        self.0.create_client(
            client,
            password_hash.map(str::to_owned),
            grants,
            audit,
            notifications,
            first_access_token.cloned(),
        )
    }

    async fn find_client(
        &self,
        app: AppId,
        id: ClientId,
    ) -> Result<Option<Client>, RepositoryError> {
        self.0.find_client(app, id)
    }

    async fn client_detail(
        &self,
        app: AppId,
        id: ClientId,
    ) -> Result<Option<ClientDetail>, RepositoryError> {
        self.0.client_detail(app, id)
    }

    async fn update_client(
        &self,
        client: &Client,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<(), RepositoryError> {
        self.0.update_client(client, expected_version, audit)
    }

    async fn search_clients(
        &self,
        app: AppId,
        query: &ClientQuery,
    ) -> Result<ClientPage, RepositoryError> {
        self.0.search_clients(app, query)
    }

    async fn document_in_use(
        &self,
        app: AppId,
        document: &str,
        except: Option<ClientId>,
    ) -> Result<bool, RepositoryError> {
        self.0.document_in_use(app, document, except)
    }
}
