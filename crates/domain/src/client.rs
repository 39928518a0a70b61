//! Clients and what is shown of them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::AuditEntry;
use crate::grant::Grant;
use crate::ids::{AppId, ClientId};
use crate::transaction::Transaction;
use crate::values::{Checked, Document, Email, FullName, Phone, Platform};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    Active,
    Inactive,
}

impl ClientStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }
}

/// A client of one app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub app_id: AppId,
    pub name: FullName,
    /// Set when a platform sent a longer or malformed name that was cut or cleaned.
    pub name_altered: bool,
    pub email: Email,
    pub phone: Option<Checked<Phone>>,
    pub document: Option<Checked<Document>>,
    /// Another client of the same app holds the same document; flagged for review.
    pub possible_duplicate_document: bool,
    /// A chargeback was recorded for one of this client's transactions.
    pub has_chargeback: bool,
    pub status: ClientStatus,
    pub origin_platform: Platform,
    pub has_password: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub last_access_at: Option<OffsetDateTime>,
    pub first_access_at: Option<OffsetDateTime>,
    /// Incremented by every update; used to detect concurrent edits.
    pub version: i64,
}

/// A grant as shown in the client detail, with the product's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub grant: Grant,
    pub product_name: String,
}

/// Kind of an access-log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    Login,
    LoginFailed,
    FirstAccess,
    PasswordReset,
    SessionRefresh,
}

impl AccessKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::LoginFailed => "login_failed",
            Self::FirstAccess => "first_access",
            Self::PasswordReset => "password_reset",
            Self::SessionRefresh => "session_refresh",
        }
    }
}

/// One entry of a client's app access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogEntry {
    pub kind: String,
    pub at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// One notification (e-mail) sent or queued for a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    /// `welcome`, `access_granted`, `first_access` or `password_reset`.
    pub kind: String,
    pub recipient: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

/// Everything shown on a client's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientDetail {
    pub client: Client,
    pub grants: Vec<GrantView>,
    pub transactions: Vec<Transaction>,
    pub access_log: Vec<AccessLogEntry>,
    pub notifications: Vec<NotificationView>,
    pub audit: Vec<AuditEntry>,
}
