//! E-mail notifications to clients: the content of each one, its recipient, and
//! its delivery state in the outbox.

pub(crate) mod ports;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ids::{AppId, ClientId};
use crate::values::Email;

/// Right-hand side of a Message-ID when no domain is configured.
pub const DEFAULT_MESSAGE_ID_DOMAIN: &str = "clientela";

/// Identifier of one notification. It is also the left-hand side of the e-mail's
/// Message-ID, so every attempt to deliver it sends the same message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NotificationId(Uuid);

impl NotificationId {
    /// Creates a new, time-ordered (UUIDv7) identifier.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// Wraps an existing UUID, as read from storage.
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub const fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for NotificationId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// Kind of a notification. The codes returned by [`Self::as_str`] are the ones
/// stored and shown on a client's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Boas-vindas: sent when a client is created.
    Welcome,
    /// Primeiro acesso: the link a client uses to set a first password.
    FirstAccess,
    /// Redefinição de senha: the link to choose a new password.
    PasswordReset,
    /// Acesso liberado: a product was granted to the client.
    AccessGranted,
}

impl NotificationKind {
    pub const ALL: [Self; 4] = [
        Self::Welcome,
        Self::FirstAccess,
        Self::PasswordReset,
        Self::AccessGranted,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::FirstAccess => "first_access",
            Self::PasswordReset => "password_reset",
            Self::AccessGranted => "access_granted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// Delivery state of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationStatus {
    /// Waiting for its next attempt at `next_attempt_at`.
    Queued,
    /// Accepted by the mail server.
    Sent,
    /// Given up: rejected by the server, or out of attempts.
    Failed,
}

impl NotificationStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "queued" => Some(Self::Queued),
            "sent" => Some(Self::Sent),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// The template data of a notification, by kind.
///
/// Tokens are the plain single-use secrets that go into links. They stay in the
/// outbox record until the message is sent or has failed for good, when the
/// queue's `mark_sent` and `mark_failed` remove them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum NotificationContent {
    Welcome {
        client_name: String,
        /// Token of the set-password link, present when the client was created
        /// without a password.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set_password_token: Option<String>,
    },
    FirstAccess {
        client_name: String,
        token: String,
    },
    PasswordReset {
        client_name: String,
        token: String,
    },
    AccessGranted {
        client_name: String,
        product_name: String,
    },
}

impl NotificationContent {
    pub fn kind(&self) -> NotificationKind {
        match self {
            Self::Welcome { .. } => NotificationKind::Welcome,
            Self::FirstAccess { .. } => NotificationKind::FirstAccess,
            Self::PasswordReset { .. } => NotificationKind::PasswordReset,
            Self::AccessGranted { .. } => NotificationKind::AccessGranted,
        }
    }

    /// Returns the client's name, which the message greets.
    pub fn client_name(&self) -> &str {
        match self {
            Self::Welcome { client_name, .. }
            | Self::FirstAccess { client_name, .. }
            | Self::PasswordReset { client_name, .. }
            | Self::AccessGranted { client_name, .. } => client_name,
        }
    }

    /// Builds the JSON object stored beside the kind (the `payload` column).
    pub fn payload(&self) -> serde_json::Value {
        match self {
            Self::Welcome {
                client_name,
                set_password_token: Some(token),
            } => json!({ "client_name": client_name, "set_password_token": token }),
            Self::Welcome {
                client_name,
                set_password_token: None,
            } => json!({ "client_name": client_name }),
            Self::FirstAccess { client_name, token }
            | Self::PasswordReset { client_name, token } => {
                json!({ "client_name": client_name, "token": token })
            }
            Self::AccessGranted {
                client_name,
                product_name,
            } => json!({ "client_name": client_name, "product_name": product_name }),
        }
    }

    /// Rebuilds the content from a stored kind and payload. Fails when the payload
    /// lacks a field the kind needs.
    pub fn from_stored(
        kind: NotificationKind,
        payload: serde_json::Value,
    ) -> Result<Self, serde_json::Error> {
        serde_json::from_value(json!({ "kind": kind.as_str(), "payload": payload }))
    }
}

/// One e-mail to one client, as kept in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub app_id: AppId,
    pub client_id: ClientId,
    pub recipient: Email,
    pub content: NotificationContent,
    /// Key that makes enqueueing idempotent: a notification whose key is already
    /// stored is not queued again (for example `welcome:{client id}`).
    pub dedupe_key: String,
    pub status: NotificationStatus,
    /// Delivery attempts started so far, counting one in progress.
    pub attempts: u32,
    /// Error of the latest failed attempt.
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    /// When the notification is next due. While an attempt is in progress, the end
    /// of the claim's lease.
    pub next_attempt_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

impl Notification {
    /// Creates a queued notification, due at once.
    pub fn new(
        app_id: AppId,
        client_id: ClientId,
        recipient: Email,
        content: NotificationContent,
        dedupe_key: impl Into<String>,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id: NotificationId::generate(),
            app_id,
            client_id,
            recipient,
            content,
            dedupe_key: dedupe_key.into(),
            status: NotificationStatus::Queued,
            attempts: 0,
            last_error: None,
            created_at: now,
            next_attempt_at: now,
            sent_at: None,
        }
    }

    pub fn kind(&self) -> NotificationKind {
        self.content.kind()
    }

    /// Builds the Message-ID header value, `<{id}@{domain}>`. It depends only on the
    /// id, so a retry after an unknown outcome sends the same message again.
    pub fn message_id(&self, domain: &str) -> String {
        format!("<{}@{}>", self.id, domain)
    }
}

/// Settings of one app that its e-mails use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppMailSettings {
    pub app_id: AppId,
    pub slug: String,
    /// Display name, used as the sender's name and in subjects.
    pub name: String,
    /// Base URL of the app's members area. When set, links in e-mails point there
    /// instead of Clientela's own pages.
    pub members_url: Option<String>,
    /// Sender address of the app's e-mails. When `None`, the renderer's default
    /// address is used.
    pub from_address: Option<String>,
}
