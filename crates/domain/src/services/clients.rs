//! Client use cases: manual creation, edits, grants, detail and search.

use std::sync::Arc;

use time::{Date, OffsetDateTime};

use crate::client::{Client, ClientDetail, ClientStatus};
use crate::error::DomainError;
use crate::grant::Grant;
use crate::ids::{ClientId, ProductId};
use crate::ports::{Clock, ClientRepository, GrantRepository, PasswordHasher, ProductRepository};
use crate::search::{ClientPage, ClientSort, ProductFilterMode};
use crate::tenant::{Actor, App};

/// Minimum and maximum length of a password set by an admin or a client.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A client typed in by a producer. Every field is validated; invalid values are
/// rejected with the field's name.
#[derive(Debug, Clone, Default)]
pub struct NewClientInput {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub document: Option<String>,
    pub password: Option<String>,
    pub product_ids: Vec<ProductId>,
}

/// Changes to a client's contact data and status. `None` leaves a field as it is;
/// `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct ClientChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<Option<String>>,
    pub document: Option<Option<String>>,
    pub status: Option<ClientStatus>,
}

/// A manual grant of one product.
#[derive(Debug, Clone)]
pub struct GrantInput {
    pub product_id: ProductId,
    pub expires_at: Option<OffsetDateTime>,
}

/// A client search as received: days are calendar days in the app's time zone.
#[derive(Debug, Clone, Default)]
pub struct SearchInput {
    pub q: Option<String>,
    pub platform: Option<crate::values::Platform>,
    pub status: Option<ClientStatus>,
    pub product: Option<ProductId>,
    pub product_mode: Option<ProductFilterMode>,
    /// First day of the signup range, inclusive.
    pub created_from: Option<Date>,
    /// Last day of the signup range, inclusive.
    pub created_to: Option<Date>,
    /// Clients whose last access is before this day (never-accessed included).
    pub last_access_before: Option<Date>,
    pub never_accessed: Option<bool>,
    pub has_chargeback: Option<bool>,
    pub sort: Option<ClientSort>,
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page.
    pub cursor: Option<String>,
}

/// The client use cases.
#[derive(Clone)]
pub struct ClientService {
    clients: Arc<dyn ClientRepository>,
    grants: Arc<dyn GrantRepository>,
    products: Arc<dyn ProductRepository>,
    passwords: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
}

impl ClientService {
    pub fn new(
        clients: Arc<dyn ClientRepository>,
        grants: Arc<dyn GrantRepository>,
        products: Arc<dyn ProductRepository>,
        passwords: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            clients,
            grants,
            products,
            passwords,
            clock,
        }
    }

    /// Creates a client typed in by a producer, with manual grants of the given
    /// products, and records the change in the audit log.
    pub async fn create(
        &self,
        app: &App,
        actor: &Actor,
        input: NewClientInput,
    ) -> Result<ClientDetail, DomainError> {
        todo!()
    }

    /// Returns everything shown on a client's page.
    pub async fn detail(&self, app: &App, id: ClientId) -> Result<ClientDetail, DomainError> {
        todo!()
    }

    /// Applies changes to contact data and status, recording before and after.
    pub async fn update(
        &self,
        app: &App,
        actor: &Actor,
        id: ClientId,
        changes: ClientChanges,
    ) -> Result<Client, DomainError> {
        todo!()
    }

    /// Grants a product to a client by hand.
    pub async fn grant(
        &self,
        app: &App,
        actor: &Actor,
        id: ClientId,
        input: GrantInput,
    ) -> Result<Grant, DomainError> {
        todo!()
    }

    /// Removes a product from a client: revokes every active grant that covers it.
    /// Returns the revoked grants; `GrantNotFound` when none was active.
    pub async fn revoke(
        &self,
        app: &App,
        actor: &Actor,
        id: ClientId,
        product: ProductId,
    ) -> Result<Vec<Grant>, DomainError> {
        todo!()
    }

    /// Searches the app's clients.
    pub async fn search(&self, app: &App, input: SearchInput) -> Result<ClientPage, DomainError> {
        todo!()
    }
}
