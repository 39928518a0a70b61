//! Grants: one client's access to one product, with its history.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AppId, ClientId, GrantId, ProductId, TransactionId};
use crate::tenant::Actor;

/// What caused a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantSource {
    Purchase,
    Subscription,
    Manual,
    Import,
}

impl GrantSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Purchase => "purchase",
            Self::Subscription => "subscription",
            Self::Manual => "manual",
            Self::Import => "import",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Purchase,
            Self::Subscription,
            Self::Manual,
            Self::Import,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// Why a grant was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    Refund,
    Chargeback,
    Cancellation,
    Manual,
}

impl RevokeReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Refund => "refund",
            Self::Chargeback => "chargeback",
            Self::Cancellation => "cancellation",
            Self::Manual => "manual",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Refund,
            Self::Chargeback,
            Self::Cancellation,
            Self::Manual,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// The revocation of a grant: when, why and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub at: OffsetDateTime,
    pub reason: RevokeReason,
    pub by: Actor,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub id: GrantId,
    pub app_id: AppId,
    pub client_id: ClientId,
    pub product_id: ProductId,
    pub source: GrantSource,
    /// The transaction that caused a purchase or subscription grant.
    pub transaction_id: Option<TransactionId>,
    /// The admin or process that caused a manual or import grant.
    pub granted_by: Actor,
    pub granted_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub revocation: Option<Revocation>,
}

impl Grant {
    /// Whether this grant gives access at `now`: not revoked and not expired.
    pub fn is_active_at(&self, now: OffsetDateTime) -> bool {
        self.revocation.is_none() && self.expires_at.is_none_or(|expiry| expiry > now)
    }
}
