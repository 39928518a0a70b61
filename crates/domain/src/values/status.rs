use serde::{Deserialize, Serialize};

/// Normalised status of a transaction, including the finer states platforms send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionStatusKind {
    Pending,
    Overdue,
    Expired,
    Cancelled,
    Paid,
    Disputed,
    PartiallyRefunded,
    Refunded,
    Chargeback,
}

impl TransactionStatusKind {
    pub const ALL: [Self; 9] = [
        Self::Pending,
        Self::Overdue,
        Self::Expired,
        Self::Cancelled,
        Self::Paid,
        Self::Disputed,
        Self::PartiallyRefunded,
        Self::Refunded,
        Self::Chargeback,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Overdue => "overdue",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Paid => "paid",
            Self::Disputed => "disputed",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Chargeback => "chargeback",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// A transaction status: the normalised kind next to the platform's raw value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TransactionStatus {
    pub kind: TransactionStatusKind,
    pub raw: Option<String>,
}
