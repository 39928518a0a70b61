//! Delivery of queued e-mail notifications, with retries and backoff. The action
//! that causes a notification only queues it, and a worker sends it later by
//! calling [`OutboxService::run_once`] in a loop.

use std::collections::HashMap;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use crate::error::RepositoryError;
use crate::ids::AppId;
use crate::notification::{
    AppMailSettings, DEFAULT_MESSAGE_ID_DOMAIN, Notification, NotificationId, NotificationKind,
};
use crate::ports::{
    AppMailSettingsRepository, Clock, MailError, Mailer, MessageRenderer, NotificationQueue,
    OutgoingEmail,
};

#[cfg(test)]
mod tests;

/// Waits before the second, third, … attempt of a notification whose previous
/// attempt failed transiently. The schedule spans 8 h 36 min, long enough to ride
/// out a mail server's maintenance window.
pub const RETRY_DELAYS: [Duration; 5] = [
    Duration::minutes(1),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(6),
];

/// Attempts after which a notification that keeps failing transiently is marked
/// failed for good: the first attempt plus one per retry delay.
pub const MAX_ATTEMPTS: u32 = RETRY_DELAYS.len() as u32 + 1;

/// How long a claimed notification stays out of other workers' reach. It must
/// exceed the longest send, so that only a dead worker's claims become due again.
pub const CLAIM_LEASE: Duration = Duration::minutes(15);

/// Maximum length of the error text stored with a failed attempt, in characters,
/// because mail servers may reply with long multi-line messages.
pub const LAST_ERROR_MAX_CHARS: usize = 500;

/// Returns the wait before the next attempt after `attempts` attempts have
/// failed, or `None` when the notification is out of attempts, by the default
/// schedule [`RETRY_DELAYS`].
pub fn retry_delay(attempts: u32) -> Option<Duration> {
    let index = usize::try_from(attempts.max(1) - 1).ok()?;
    RETRY_DELAYS.get(index).copied()
}

/// Failures that stop a run of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboxError {
    /// Reading or updating the queue failed. Notifications claimed but not yet
    /// recorded become due again when their lease ends.
    #[error("outbox storage failed: {0}")]
    Queue(#[from] RepositoryError),
    /// The configured Message-ID domain is not a valid domain.
    #[error(
        "invalid Message-ID domain {0:?}: use letters, digits, hyphens and dots, such as mail.example.com"
    )]
    InvalidMessageIdDomain(String),
}

/// One failed delivery attempt, for the worker to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFailure {
    pub app_id: AppId,
    pub notification_id: NotificationId,
    pub kind: NotificationKind,
    /// Number of this attempt, starting at 1.
    pub attempt: u32,
    pub error: String,
    /// When the next attempt is due, or `None` when the notification failed for good.
    pub retry_at: Option<OffsetDateTime>,
}

/// One notification the mail server accepted, for the worker to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentNotification {
    pub app_id: AppId,
    pub notification_id: NotificationId,
    pub kind: NotificationKind,
    /// Number of the attempt that succeeded, starting at 1.
    pub attempt: u32,
}

/// Counts, deliveries and failures of one outbox run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxReport {
    pub claimed: usize,
    pub sent: usize,
    pub deliveries: Vec<SentNotification>,
    /// Failed transiently and scheduled for another attempt.
    pub retrying: usize,
    /// Failed for good: rejected, not renderable, or out of attempts.
    pub failed: usize,
    pub failures: Vec<DeliveryFailure>,
}

/// Outcome of one delivery attempt.
enum Attempt {
    Sent,
    Failed { error: String, permanent: bool },
}

impl Attempt {
    fn transient(error: impl ToString) -> Self {
        Self::Failed {
            error: error.to_string(),
            permanent: false,
        }
    }

    fn permanent(error: impl ToString) -> Self {
        Self::Failed {
            error: error.to_string(),
            permanent: true,
        }
    }
}

/// The outbox use case: claims due notifications, renders and sends them, and
/// records each outcome.
#[derive(Clone)]
pub struct OutboxService {
    queue: Arc<dyn NotificationQueue>,
    settings: Arc<dyn AppMailSettingsRepository>,
    renderer: Arc<dyn MessageRenderer>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    message_id_domain: String,
    retry_delays: Vec<Duration>,
}

impl OutboxService {
    /// Creates the service over its ports, with Message-IDs ending in
    /// [`DEFAULT_MESSAGE_ID_DOMAIN`] and retries after [`RETRY_DELAYS`].
    pub fn new(
        queue: Arc<dyn NotificationQueue>,
        settings: Arc<dyn AppMailSettingsRepository>,
        renderer: Arc<dyn MessageRenderer>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            queue,
            settings,
            renderer,
            mailer,
            clock,
            message_id_domain: DEFAULT_MESSAGE_ID_DOMAIN.to_owned(),
            retry_delays: RETRY_DELAYS.to_vec(),
        }
    }

    /// Replaces the waits before the second, third, … attempt. A notification is
    /// marked failed for good after `delays.len() + 1` attempts, so an empty list
    /// allows a single attempt.
    pub fn with_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.retry_delays = delays;
        self
    }

    /// Sets the right-hand side of Message-IDs, such as the sending domain.
    pub fn with_message_id_domain(mut self, domain: &str) -> Result<Self, OutboxError> {
        if !is_valid_message_id_domain(domain) {
            return Err(OutboxError::InvalidMessageIdDomain(domain.to_owned()));
        }
        self.message_id_domain = domain.to_owned();
        Ok(self)
    }

    /// Claims up to `batch` due notifications and tries to deliver each once.
    ///
    /// A send that fails transiently is retried after the next of the retry
    /// delays ([`RETRY_DELAYS`] unless replaced), and marked failed for good when
    /// no delay is left ([`MAX_ATTEMPTS`] by default). A rejection by the mail server, a
    /// missing app or a rendering failure marks the notification failed at once.
    /// Stops at the first queue failure.
    pub async fn run_once(&self, batch: u32) -> Result<OutboxReport, OutboxError> {
        let mut report = OutboxReport::default();
        if batch == 0 {
            return Ok(report);
        }

        let now = self.clock.now();
        let claimed = self.queue.claim_due(now, now + CLAIM_LEASE, batch).await?;
        report.claimed = claimed.len();

        let mut settings_by_app = HashMap::new();
        for notification in &claimed {
            let attempt = self.attempt(notification, &mut settings_by_app).await;
            self.record(notification, attempt, &mut report).await?;
        }
        Ok(report)
    }

    /// Renders and sends one notification.
    async fn attempt(
        &self,
        notification: &Notification,
        settings_by_app: &mut HashMap<AppId, Option<AppMailSettings>>,
    ) -> Attempt {
        let settings = match self.settings(notification.app_id, settings_by_app).await {
            Ok(Some(settings)) => settings,
            Ok(None) => {
                return Attempt::permanent(format!("app {} not found", notification.app_id));
            }
            Err(error) => return Attempt::transient(format!("app mail settings: {error}")),
        };

        let rendered = match self.renderer.render(notification, &settings) {
            Ok(rendered) => rendered,
            Err(error) => return Attempt::permanent(error),
        };
        let email = OutgoingEmail {
            message_id: notification.message_id(&self.message_id_domain),
            from: rendered.from,
            to: notification.recipient.to_string(),
            subject: rendered.subject,
            text_body: rendered.text_body,
            html_body: rendered.html_body,
        };

        match self.mailer.send(&email).await {
            Ok(()) => Attempt::Sent,
            Err(error @ MailError::Rejected(_)) => Attempt::permanent(error),
            Err(error @ MailError::Transient(_)) => Attempt::transient(error),
        }
    }

    /// Returns the wait before the next attempt after `attempts` attempts have
    /// failed, or `None` when the notification is out of attempts.
    fn retry_delay(&self, attempts: u32) -> Option<Duration> {
        let index = usize::try_from(attempts.max(1) - 1).ok()?;
        self.retry_delays.get(index).copied()
    }

    /// Returns an app's settings, looking each app up once per run. Lookup
    /// failures are not kept, so the next notification of the app tries again.
    async fn settings(
        &self,
        app: AppId,
        settings_by_app: &mut HashMap<AppId, Option<AppMailSettings>>,
    ) -> Result<Option<AppMailSettings>, RepositoryError> {
        if let Some(settings) = settings_by_app.get(&app) {
            return Ok(settings.clone());
        }
        let settings = self.settings.app_mail_settings(app).await?;
        settings_by_app.insert(app, settings.clone());
        Ok(settings)
    }

    /// Stores the outcome of one attempt and counts it in the report.
    async fn record(
        &self,
        notification: &Notification,
        attempt: Attempt,
        report: &mut OutboxReport,
    ) -> Result<(), OutboxError> {
        let now = self.clock.now();
        let (error, permanent) = match attempt {
            Attempt::Sent => {
                self.queue
                    .mark_sent(notification.app_id, notification.id, now)
                    .await?;
                report.sent += 1;
                report.deliveries.push(SentNotification {
                    app_id: notification.app_id,
                    notification_id: notification.id,
                    kind: notification.kind(),
                    attempt: notification.attempts,
                });
                return Ok(());
            }
            Attempt::Failed { error, permanent } => (error, permanent),
        };

        let error = truncate_chars(&error, LAST_ERROR_MAX_CHARS);
        let retry_at = if permanent {
            None
        } else {
            self.retry_delay(notification.attempts)
                .map(|delay| now + delay)
        };
        self.queue
            .mark_failed(notification.app_id, notification.id, &error, retry_at)
            .await?;

        if retry_at.is_some() {
            report.retrying += 1;
        } else {
            report.failed += 1;
        }
        report.failures.push(DeliveryFailure {
            app_id: notification.app_id,
            notification_id: notification.id,
            kind: notification.kind(),
            attempt: notification.attempts,
            error,
            retry_at,
        });
        Ok(())
    }
}

/// Cuts `text` to at most `max` characters, on a character boundary.
fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

/// Accepts a domain name of dot-separated labels of ASCII letters, digits and
/// hyphens, as RFC 5322 allows on the right of a Message-ID.
fn is_valid_message_id_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
        })
}
