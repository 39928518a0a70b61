//! The audit log of admin changes.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AppId, ClientId};
use crate::tenant::Actor;

/// One admin change: who did what, the state before and after, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub app_id: AppId,
    pub client_id: Option<ClientId>,
    pub actor: Actor,
    /// Stable action name such as `client.create`, `client.update`, `grant.create`,
    /// `grant.revoke`.
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: OffsetDateTime,
}
