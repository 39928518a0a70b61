//! The audit log of admin changes.

use clientela_domain::audit::AuditEntry;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AppId, ClientId};
use clientela_domain::tenant::Actor;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::TxError;
use crate::schema::audit_log;

#[derive(Insertable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
struct NewAuditRow<'a> {
    app_id: Uuid,
    client_id: Option<Uuid>,
    actor: serde_json::Value,
    action: &'a str,
    before: Option<&'a serde_json::Value>,
    after: Option<&'a serde_json::Value>,
    at: OffsetDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
pub(crate) struct AuditRow {
    app_id: Uuid,
    client_id: Option<Uuid>,
    actor: serde_json::Value,
    action: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    at: OffsetDateTime,
}

impl AuditRow {
    pub(crate) fn into_entry(self) -> Result<AuditEntry, RepositoryError> {
        Ok(AuditEntry {
            app_id: AppId::from_uuid(self.app_id),
            client_id: self.client_id.map(ClientId::from_uuid),
            actor: actor_from_json(self.actor)?,
            action: self.action,
            before: self.before,
            after: self.after,
            at: self.at,
        })
    }
}

/// Writes audit entries, as part of the caller's transaction.
pub(crate) async fn insert_entries(
    conn: &mut AsyncPgConnection,
    entries: &[AuditEntry],
) -> Result<(), TxError> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows = entries
        .iter()
        .map(|entry| {
            Ok(NewAuditRow {
                app_id: entry.app_id.as_uuid(),
                client_id: entry.client_id.map(|id| id.as_uuid()),
                actor: actor_to_json(&entry.actor)?,
                action: &entry.action,
                before: entry.before.as_ref(),
                after: entry.after.as_ref(),
                at: entry.at,
            })
        })
        .collect::<Result<Vec<_>, RepositoryError>>()
        .map_err(TxError)?;

    diesel::insert_into(audit_log::table)
        .values(&rows)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) fn actor_to_json(actor: &Actor) -> Result<serde_json::Value, RepositoryError> {
    serde_json::to_value(actor)
        .map_err(|error| RepositoryError::Other(format!("could not serialize an actor: {error}")))
}

pub(crate) fn actor_from_json(value: serde_json::Value) -> Result<Actor, RepositoryError> {
    serde_json::from_value(value)
        .map_err(|error| RepositoryError::Other(format!("stored actor is invalid: {error}")))
}
