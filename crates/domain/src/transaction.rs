//! Transactions recorded from platforms, with their status history.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AppId, ClientId, ProductId, TransactionId};
use crate::values::{Money, PaymentMethod, Platform, TransactionStatus};

/// One change of a transaction's status, and the event that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: TransactionStatus,
    /// When the platform says the change happened.
    pub occurred_at: OffsetDateTime,
    /// When Clientela recorded it.
    pub recorded_at: OffsetDateTime,
    /// Identifier of the event that caused it, such as a stored webhook's id.
    pub event_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub id: TransactionId,
    pub app_id: AppId,
    pub client_id: ClientId,
    pub platform: Platform,
    /// The platform's transaction id, unique per app and platform.
    pub external_id: String,
    pub product_id: Option<ProductId>,
    pub amount: Money,
    pub payment_method: PaymentMethod,
    pub status: TransactionStatus,
    pub occurred_at: OffsetDateTime,
    pub history: Vec<StatusChange>,
}
