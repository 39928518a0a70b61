//! Grants: row types, their conversion and the `GrantRepository` implementation.

use async_trait::async_trait;
use clientela_domain::audit::AuditEntry;
use clientela_domain::error::RepositoryError;
use clientela_domain::grant::{Grant, GrantSource, Revocation, RevokeReason};
use clientela_domain::ids::{AppId, ClientId, GrantId, ProductId, TransactionId};
use clientela_domain::notification::Notification;
use clientela_domain::ports::GrantRepository;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{self, actor_from_json, actor_to_json};
use crate::error::{TxError, foreign_key_violation, repository_error};
use crate::schema::grants;
use crate::{PgStore, notifications};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = grants, check_for_backend(diesel::pg::Pg))]
pub(crate) struct GrantRow {
    id: Uuid,
    app_id: Uuid,
    client_id: Uuid,
    product_id: Uuid,
    source: String,
    transaction_id: Option<Uuid>,
    granted_by: serde_json::Value,
    granted_at: OffsetDateTime,
    expires_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
    revoke_reason: Option<String>,
    revoked_by: Option<serde_json::Value>,
}

impl GrantRow {
    pub(crate) fn into_grant(self) -> Result<Grant, RepositoryError> {
        let id = GrantId::from_uuid(self.id);
        let revocation = match (self.revoked_at, self.revoke_reason, self.revoked_by) {
            (Some(at), Some(reason), Some(by)) => Some(Revocation {
                at,
                reason: RevokeReason::parse(&reason)
                    .ok_or_else(|| corrupt(id, "revoke_reason", &reason))?,
                by: actor_from_json(by)?,
            }),
            _ => None,
        };
        Ok(Grant {
            id,
            app_id: AppId::from_uuid(self.app_id),
            client_id: ClientId::from_uuid(self.client_id),
            product_id: ProductId::from_uuid(self.product_id),
            source: GrantSource::parse(&self.source)
                .ok_or_else(|| corrupt(id, "source", &self.source))?,
            transaction_id: self.transaction_id.map(TransactionId::from_uuid),
            granted_by: actor_from_json(self.granted_by)?,
            granted_at: self.granted_at,
            expires_at: self.expires_at,
            revocation,
        })
    }
}

fn corrupt(id: GrantId, column: &str, value: &str) -> RepositoryError {
    RepositoryError::Other(format!(
        "stored grant {id} has an invalid {column}: {value:?}"
    ))
}

#[derive(Insertable)]
#[diesel(table_name = grants, check_for_backend(diesel::pg::Pg))]
struct NewGrantRow {
    id: Uuid,
    app_id: Uuid,
    client_id: Uuid,
    product_id: Uuid,
    source: &'static str,
    transaction_id: Option<Uuid>,
    granted_by: serde_json::Value,
    granted_at: OffsetDateTime,
    expires_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
    revoke_reason: Option<&'static str>,
    revoked_by: Option<serde_json::Value>,
}

impl NewGrantRow {
    fn of(grant: &Grant) -> Result<Self, RepositoryError> {
        let revocation = grant.revocation.as_ref();
        Ok(Self {
            id: grant.id.as_uuid(),
            app_id: grant.app_id.as_uuid(),
            client_id: grant.client_id.as_uuid(),
            product_id: grant.product_id.as_uuid(),
            source: grant.source.as_str(),
            transaction_id: grant.transaction_id.map(|id| id.as_uuid()),
            granted_by: actor_to_json(&grant.granted_by)?,
            granted_at: grant.granted_at,
            expires_at: grant.expires_at,
            revoked_at: revocation.map(|revocation| revocation.at),
            revoke_reason: revocation.map(|revocation| revocation.reason.as_str()),
            revoked_by: revocation
                .map(|revocation| actor_to_json(&revocation.by))
                .transpose()?,
        })
    }
}

/// Inserts grants one by one, as part of the caller's transaction, so that a
/// foreign key violation names the product or client of the grant that failed.
pub(crate) async fn insert_grants(
    conn: &mut AsyncPgConnection,
    grants: &[Grant],
) -> Result<(), TxError> {
    for grant in grants {
        let row = NewGrantRow::of(grant).map_err(TxError)?;
        diesel::insert_into(grants::table)
            .values(&row)
            .execute(conn)
            .await
            .map_err(|error| grant_insert_error(error, grant))?;
    }
    Ok(())
}

fn grant_insert_error(error: diesel::result::Error, grant: &Grant) -> TxError {
    match foreign_key_violation(&error) {
        Some("grants_product_fkey") => TxError(RepositoryError::ProductNotFound(grant.product_id)),
        Some("grants_client_fkey") => TxError(RepositoryError::NotFound),
        _ => TxError(repository_error(error)),
    }
}

#[async_trait]
impl GrantRepository for PgStore {
    /// Newest first.
    async fn client_grants(
        &self,
        app: AppId,
        client: ClientId,
    ) -> Result<Vec<Grant>, RepositoryError> {
        let mut conn = self.conn().await?;
        let rows: Vec<GrantRow> = grants::table
            .filter(grants::app_id.eq(app.as_uuid()))
            .filter(grants::client_id.eq(client.as_uuid()))
            .order((grants::granted_at.desc(), grants::id.desc()))
            .select(GrantRow::as_select())
            .load(&mut conn)
            .await
            .map_err(repository_error)?;
        rows.into_iter().map(GrantRow::into_grant).collect()
    }

    async fn insert_grant(
        &self,
        grant: &Grant,
        audit: &AuditEntry,
        notifications: &[Notification],
    ) -> Result<(), RepositoryError> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            insert_grants(conn, std::slice::from_ref(grant)).await?;
            audit::insert_entries(conn, std::slice::from_ref(audit)).await?;
            notifications::enqueue_all(conn, notifications).await?;
            Ok::<_, TxError>(())
        })
        .await?;
        Ok(())
    }

    async fn revoke_grants(
        &self,
        app: AppId,
        grants: &[GrantId],
        revocation: &Revocation,
        audit: &AuditEntry,
    ) -> Result<(), RepositoryError> {
        let ids: Vec<Uuid> = grants.iter().map(GrantId::as_uuid).collect();
        let revoked_by = actor_to_json(&revocation.by)?;
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            diesel::update(
                grants::table
                    .filter(grants::app_id.eq(app.as_uuid()))
                    .filter(grants::id.eq_any(&ids))
                    .filter(grants::revoked_at.is_null()),
            )
            .set((
                grants::revoked_at.eq(revocation.at),
                grants::revoke_reason.eq(revocation.reason.as_str()),
                grants::revoked_by.eq(&revoked_by),
            ))
            .execute(conn)
            .await?;
            audit::insert_entries(conn, std::slice::from_ref(audit)).await
        })
        .await?;
        Ok(())
    }
}
