//! Manual grants and revocations of products.

use crate::client::{Client, ClientStatus};
use crate::error::{DomainError, FieldError, ValidationErrors};
use crate::grant::{Grant, Revocation, RevokeReason};
use crate::ids::{ClientId, ProductId};
use crate::notification::Notification;
use crate::rules::access::grants_revoked_by_admin;
use crate::tenant::{Actor, App};

use super::create::manual_grant;
use super::{ClientService, GrantInput, audit_entry, notifications, snapshot};

impl ClientService {
    /// Grants a product to a client by hand. Returns `GrantExists` when the client
    /// already has an active manual grant of the product.
    ///
    /// Queues one access-granted e-mail in the same transaction, unless the client
    /// is inactive and so cannot log in to use the access.
    pub async fn grant(
        &self,
        app: &App,
        actor: &Actor,
        id: ClientId,
        input: GrantInput,
    ) -> Result<Grant, DomainError> {
        let client = self.find_existing_client(app, id).await?;
        let products = self.find_all_products(app, &[input.product_id]).await?;

        let now = self.clock.now();
        if let Some(expires_at) = input.expires_at
            && expires_at <= now
        {
            return Err(ValidationErrors(vec![FieldError::new(
                "expires_at",
                "in_past",
                "expiry date must be in the future",
            )])
            .into());
        }

        let grant = manual_grant(app, id, input.product_id, actor, now, input.expires_at);
        let audit = audit_entry(
            app,
            id,
            actor,
            "grant.create",
            None,
            Some(snapshot::grant(&grant)),
            now,
        );
        let queued: Vec<Notification> = match (client.status, products.first()) {
            (ClientStatus::Active, Some(product)) => {
                vec![notifications::access_granted(
                    &client,
                    &grant,
                    &product.name,
                    now,
                )]
            }
            _ => Vec::new(),
        };
        self.grants.insert_grant(&grant, &audit, &queued).await?;
        Ok(grant)
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
        self.find_existing_client(app, id).await?;

        let now = self.clock.now();
        let grants = self.grants.client_grants(app.id, id).await?;
        let revoked_ids = grants_revoked_by_admin(&grants, product, now);
        if revoked_ids.is_empty() {
            return Err(DomainError::GrantNotFound);
        }
        let before: Vec<Grant> = grants
            .into_iter()
            .filter(|grant| revoked_ids.contains(&grant.id))
            .collect();

        let revocation = Revocation {
            at: now,
            reason: RevokeReason::Manual,
            by: actor.clone(),
        };
        let after: Vec<Grant> = before
            .iter()
            .cloned()
            .map(|grant| Grant {
                revocation: Some(revocation.clone()),
                ..grant
            })
            .collect();
        let audit = audit_entry(
            app,
            id,
            actor,
            "grant.revoke",
            Some(snapshot::grants(&before)),
            Some(snapshot::grants(&after)),
            now,
        );
        self.grants
            .revoke_grants(app.id, &revoked_ids, &revocation, &audit)
            .await?;
        Ok(after)
    }

    async fn find_existing_client(&self, app: &App, id: ClientId) -> Result<Client, DomainError> {
        self.clients
            .find_client(app.id, id)
            .await?
            .ok_or(DomainError::ClientNotFound)
    }
}
