//! Ports of the e-mail outbox. They are re-exported from [`crate::ports`].

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::error::RepositoryError;
use crate::ids::AppId;
use crate::notification::{AppMailSettings, Notification, NotificationId};

/// The durable e-mail queue (outbox).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait NotificationQueue: Send + Sync {
    /// Stores a new queued notification. Returns `false`, and stores nothing, when a
    /// notification with the same dedupe key already exists.
    async fn enqueue(&self, notification: &Notification) -> Result<bool, RepositoryError>;

    /// Claims up to `limit` queued notifications, of every app, whose
    /// `next_attempt_at` is at or before `now`, oldest first.
    ///
    /// Adapters select the rows with `FOR UPDATE SKIP LOCKED`, so concurrent
    /// workers claim disjoint sets, and in the same transaction increment
    /// `attempts` and move `next_attempt_at` to `lease_until`. A worker that dies
    /// mid-send thus leaves the notification due again once the lease ends. The
    /// returned records carry the incremented `attempts`.
    async fn claim_due(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Notification>, RepositoryError>;

    /// Records that the mail server accepted the notification at `at`, and
    /// removes the link tokens from its stored content. Records nothing when
    /// the notification is no longer queued.
    async fn mark_sent(
        &self,
        app: AppId,
        id: NotificationId,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError>;

    /// Records a failed attempt and its error. With `retry_at`, the notification
    /// stays queued until then. With `None`, its status becomes failed for good
    /// and the link tokens are removed from its stored content. Records nothing
    /// when the notification is no longer queued.
    async fn mark_failed(
        &self,
        app: AppId,
        id: NotificationId,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), RepositoryError>;
}

/// The per-app settings that e-mails need.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AppMailSettingsRepository: Send + Sync {
    /// Returns `None` when the app does not exist.
    async fn app_mail_settings(
        &self,
        app: AppId,
    ) -> Result<Option<AppMailSettings>, RepositoryError>;
}

/// The sender, subject and bodies of one notification's e-mail. The outbox adds
/// the recipient and the Message-ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMessage {
    /// Sender mailbox, such as `Curso de Violão <nao-responda@clientela.local>`.
    pub from: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

/// Failures of a [`MessageRenderer`]. Retrying does not fix them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The app's settings cannot be used, for example an invalid members URL or
    /// sender address.
    #[error("invalid mail settings of app {app}: {detail}")]
    InvalidSettings { app: AppId, detail: String },
    /// A template failed to render.
    #[error("template {template} failed to render: {detail}")]
    Template {
        template: &'static str,
        detail: String,
    },
}

/// Turns a notification into the text of its e-mail.
#[cfg_attr(test, mockall::automock)]
pub trait MessageRenderer: Send + Sync {
    fn render(
        &self,
        notification: &Notification,
        app: &AppMailSettings,
    ) -> Result<RenderedMessage, RenderError>;
}
