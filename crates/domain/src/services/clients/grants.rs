//! Manual grants and revocations of products.

use crate::error::{DomainError, FieldError, ValidationErrors};
use crate::grant::{Grant, Revocation, RevokeReason};
use crate::ids::{ClientId, ProductId};
use crate::rules::access::grants_revoked_by_admin;
use crate::tenant::{Actor, App};

use super::create::manual_grant;
use super::{ClientService, GrantInput, audit_entry, snapshot};

impl ClientService {
    /// Grants a product to a client by hand. Returns `GrantExists` when the client
    /// already has an active manual grant of the product.
    pub async fn grant(
        &self,
        app: &App,
        actor: &Actor,
        id: ClientId,
        input: GrantInput,
    ) -> Result<Grant, DomainError> {
        self.ensure_client_exists(app, id).await?;
        self.ensure_products_exist(app, &[input.product_id]).await?;

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
        self.grants.insert_grant(&grant, &audit).await?;
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
        self.ensure_client_exists(app, id).await?;

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

    async fn ensure_client_exists(&self, app: &App, id: ClientId) -> Result<(), DomainError> {
        match self.clients.find_client(app.id, id).await? {
            Some(_) => Ok(()),
            None => Err(DomainError::ClientNotFound),
        }
    }
}
