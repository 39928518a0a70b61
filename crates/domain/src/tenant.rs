//! Apps (tenants) and their admin API keys.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{ApiKeyId, AppId};

/// An app: one producer's members area, the tenant every record belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct App {
    pub id: AppId,
    /// URL-safe identifier: lower-case ASCII letters, digits and hyphens.
    pub slug: String,
    pub name: String,
    /// IANA time zone in which dates are shown, filtered by day and exported.
    pub time_zone: String,
    pub created_at: OffsetDateTime,
}

/// Default time zone of a new app.
pub const DEFAULT_TIME_ZONE: &str = "America/Sao_Paulo";

/// An app with the settings an operator can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSettings {
    pub app: App,
    /// Base URL of the app's members area, which e-mail links point to. When
    /// `None`, links point to Clientela's own pages.
    pub members_url: Option<String>,
    /// Sender address of the app's e-mails. When `None`, the service's default
    /// sender is used.
    pub mail_from: Option<String>,
}

/// Changes to an app's settings. `None` leaves a setting as it is, and
/// `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppSettingsChanges {
    pub members_url: Option<Option<String>>,
    pub mail_from: Option<Option<String>>,
    pub time_zone: Option<String>,
}

impl AppSettingsChanges {
    /// Returns true when no setting would change.
    pub fn is_empty(&self) -> bool {
        self.members_url.is_none() && self.mail_from.is_none() && self.time_zone.is_none()
    }
}

/// Who performed an admin change, as written to the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// An admin API key, by its id (never the key itself).
    ApiKey(ApiKeyId),
    /// The command-line tool, run by an operator.
    Cli,
    /// A platform webhook or another automatic process.
    System,
}

/// Validates an app slug: 2 to 63 characters of `a-z`, `0-9` and `-`, starting with
/// a letter and not ending with a hyphen.
pub fn is_valid_slug(slug: &str) -> bool {
    let bytes = slug.as_bytes();
    (2..=63).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1] != b'-'
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}
