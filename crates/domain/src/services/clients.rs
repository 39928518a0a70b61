//! Client use cases: manual creation, edits, grants, detail and search. Each use
//! case lives in its own submodule as an `impl ClientService` block.

use std::sync::Arc;

use time::{Date, OffsetDateTime};

use crate::audit::AuditEntry;
use crate::client::{ClientDetail, ClientStatus};
use crate::error::DomainError;
use crate::ids::{ClientId, ProductId};
use crate::ports::{ClientRepository, Clock, GrantRepository, PasswordHasher, ProductRepository};
use crate::product::Product;
use crate::search::{ClientSort, ProductFilterMode};
use crate::tenant::{Actor, App};

mod create;
mod grants;
mod local_days;
mod notifications;
mod query;
mod snapshot;
mod update;
mod validation;

#[cfg(test)]
mod tests;

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
    /// Creates the service over its ports.
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

    /// Returns everything shown on a client's page.
    pub async fn detail(&self, app: &App, id: ClientId) -> Result<ClientDetail, DomainError> {
        self.clients
            .client_detail(app.id, id)
            .await?
            .ok_or(DomainError::ClientNotFound)
    }

    /// Returns the products of the app with these ids, in the order of `ids`. The
    /// first id that names no product of the app is returned as
    /// `ProductNotFound`.
    async fn find_all_products(
        &self,
        app: &App,
        ids: &[ProductId],
    ) -> Result<Vec<Product>, DomainError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found = self.products.find_products(app.id, ids).await?;
        ids.iter()
            .map(|id| {
                found
                    .iter()
                    .find(|product| product.id == *id)
                    .cloned()
                    .ok_or(DomainError::ProductNotFound(*id))
            })
            .collect()
    }
}

/// Builds the audit entry of an admin change to one client.
fn audit_entry(
    app: &App,
    client: ClientId,
    actor: &Actor,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    at: OffsetDateTime,
) -> AuditEntry {
    AuditEntry {
        app_id: app.id,
        client_id: Some(client),
        actor: actor.clone(),
        action: action.to_owned(),
        before,
        after,
        at,
    }
}
