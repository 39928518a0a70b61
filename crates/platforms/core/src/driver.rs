//! The webhook driver: runs every delivery through the same steps in a fixed
//! order, whatever the platform, and replays stored deliveries.
//!
//! Receiving a delivery:
//! 1. find the adapter of the platform named in the URL;
//! 2. load the app's credential for that platform (none configured is a distinct
//!    error, [`WebhookError::MissingCredential`]);
//! 3. [`verify`] the raw request with the adapter, before anything is parsed;
//! 4. name the delivery with the adapter's dedupe key;
//! 5. parse it into sale events; a parse failure stores the delivery with the
//!    error, for a replay once the adapter is fixed;
//! 6. store the delivery and apply its events in one database transaction
//!    ([`WebhookRepository::ingest`]).
//!
//! Each delivery is logged on one line with the app, the platform, the delivery
//! id, the outcome and the counts. The body, the credential and the customer's
//! data are never logged.

use std::fmt::Write as _;
use std::sync::Arc;

use clientela_domain::error::RepositoryError;
use clientela_domain::ports::{Clock, WebhookRepository};
use clientela_domain::tenant::App;
use clientela_domain::values::Platform;
use clientela_domain::webhook::{
    Delivery, DeliveryFilter, DeliveryId, DeliveryOutcome, DeliveryPage, IngestReport,
    LoadedDelivery, body_dedupe_key,
};

use crate::{
    AuthError, Credential, ParseError, PlatformAdapter, RawRequest, Registry, VerifiedRequest,
    verify,
};

/// Maximum length of a webhook credential, in characters. Hotmart's hottoks and
/// Kiwify's tokens are far shorter.
pub const CREDENTIAL_MAX_CHARS: usize = 256;

/// Failure of receiving, replaying or configuring webhooks.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// No adapter is registered under this platform name.
    #[error("no webhook adapter for platform {0:?}")]
    UnknownPlatform(String),
    /// The app has no credential for the platform, so no delivery can be checked.
    #[error("the app has no webhook credential for {0}")]
    MissingCredential(Platform),
    /// The delivery failed the platform's authentication.
    #[error("webhook authentication failed: {0}")]
    Authentication(#[source] AuthError),
    /// A credential to store is unusable.
    #[error("invalid webhook credential: {0}")]
    InvalidCredential(CredentialProblem),
    /// The app has no stored delivery of this id.
    #[error("webhook delivery {0} not found")]
    DeliveryNotFound(DeliveryId),
    /// The storage failed; `RepositoryError::Unavailable` means a retry may work.
    #[error("webhook storage failed: {0}")]
    Storage(#[from] RepositoryError),
}

/// Reason a credential was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialProblem {
    #[error("the credential is empty")]
    Blank,
    #[error("the credential is longer than {CREDENTIAL_MAX_CHARS} characters")]
    TooLong,
    #[error("the credential contains whitespace or control characters")]
    InvalidCharacters,
}

impl CredentialProblem {
    /// Stable machine code of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Blank => "required",
            Self::TooLong => "too_long",
            Self::InvalidCharacters => "invalid_characters",
        }
    }
}

/// Result of receiving a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The stored delivery, its outcome and what applying it changed.
    pub report: IngestReport,
    /// Parse failure of the authentic body. The delivery is then stored with the
    /// outcome `RejectedUnparseable`, unless it repeats a stored one (`Duplicate`).
    pub parse_error: Option<ParseError>,
}

/// Result of replaying a stored delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// The stored body was parsed and its events applied again.
    Applied(IngestReport),
    /// The stored body still fails to parse; the delivery is left as it was.
    StillUnparseable {
        delivery_id: DeliveryId,
        error: ParseError,
    },
}

/// Receives and replays webhook deliveries with the registered adapters.
#[derive(Clone)]
pub struct WebhookDriver {
    registry: Registry,
    repository: Arc<dyn WebhookRepository>,
    clock: Arc<dyn Clock>,
}

impl WebhookDriver {
    pub fn new(
        registry: Registry,
        repository: Arc<dyn WebhookRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            registry,
            repository,
            clock,
        }
    }

    /// Returns the platform of the adapter registered under `name` (as in webhook
    /// URLs, such as `hotmart`), `None` when there is none.
    pub fn platform_named(&self, name: &str) -> Option<Platform> {
        self.registry
            .get_by_name(name)
            .map(|adapter| adapter.platform())
    }

    /// Returns the platforms that have an adapter, sorted by name.
    pub fn platforms(&self) -> Vec<Platform> {
        self.registry.platforms()
    }

    /// Sets or replaces the app's credential for `platform`. The secret must be
    /// 1 to [`CREDENTIAL_MAX_CHARS`] characters without whitespace or control
    /// characters. Returns `UnknownPlatform` when the platform has no adapter.
    pub async fn set_credential(
        &self,
        app: &App,
        platform: Platform,
        secret: &str,
    ) -> Result<(), WebhookError> {
        if self.registry.get(platform).is_none() {
            return Err(WebhookError::UnknownPlatform(platform.as_str().to_owned()));
        }
        check_credential(secret).map_err(WebhookError::InvalidCredential)?;

        self.repository
            .set_platform_credential(app.id, platform, secret)
            .await?;
        tracing::info!(
            app.id = %app.id,
            app.slug = %app.slug,
            webhook.platform = %platform,
            "webhook credential set"
        );
        Ok(())
    }

    /// Authenticates, names, parses and stores one delivery for `app`, in that
    /// order. See the module documentation for the steps.
    pub async fn receive(
        &self,
        app: &App,
        platform_name: &str,
        raw: RawRequest,
    ) -> Result<Receipt, WebhookError> {
        let adapter = self
            .registry
            .get_by_name(platform_name)
            .ok_or_else(|| WebhookError::UnknownPlatform(platform_name.to_owned()))?;
        let platform = adapter.platform();

        let verified = match self.authenticate(app, adapter.as_ref(), &raw).await {
            Ok(verified) => verified,
            Err(error) => {
                log_rejection(app, platform, &error);
                return Err(error);
            }
        };

        let received = self.store(app, adapter.as_ref(), &verified).await;
        match &received {
            Ok(receipt) => log_receipt(app, platform, receipt),
            Err(error) => log_rejection(app, platform, error),
        }
        received
    }

    /// Parses a stored delivery again with its platform's adapter and applies its
    /// events ([`WebhookRepository::reapply`]). The delivery was authenticated when
    /// it arrived, so no credential is needed.
    pub async fn replay(&self, app: &App, id: DeliveryId) -> Result<Replay, WebhookError> {
        let loaded = self.delivery(app, id).await?;
        let platform = loaded.delivery.platform;
        let adapter = self
            .registry
            .get(platform)
            .ok_or_else(|| WebhookError::UnknownPlatform(platform.as_str().to_owned()))?;

        let verified = VerifiedRequest::from_stored(platform, &loaded.delivery);
        let replay = match adapter.parse(&verified) {
            Ok(events) => {
                let report = self
                    .repository
                    .reapply(app.id, id, &events, self.clock.now())
                    .await?;
                Replay::Applied(report)
            }
            Err(error) => Replay::StillUnparseable {
                delivery_id: id,
                error,
            },
        };
        log_replay(app, platform, &replay);
        Ok(replay)
    }

    /// Lists the app's stored deliveries, newest first.
    pub async fn deliveries(
        &self,
        app: &App,
        filter: &DeliveryFilter,
    ) -> Result<DeliveryPage, WebhookError> {
        Ok(self.repository.list_deliveries(app.id, filter).await?)
    }

    /// Loads one stored delivery of the app with its request.
    pub async fn delivery(
        &self,
        app: &App,
        id: DeliveryId,
    ) -> Result<LoadedDelivery, WebhookError> {
        self.repository
            .load_delivery(app.id, id)
            .await?
            .ok_or(WebhookError::DeliveryNotFound(id))
    }

    /// Steps 2 and 3: the app's credential, then the adapter's check of the raw
    /// request.
    async fn authenticate(
        &self,
        app: &App,
        adapter: &dyn PlatformAdapter,
        raw: &RawRequest,
    ) -> Result<VerifiedRequest, WebhookError> {
        let platform = adapter.platform();
        let secret = self
            .repository
            .platform_credential(app.id, platform)
            .await?
            .ok_or(WebhookError::MissingCredential(platform))?;
        // A blank stored secret would prove nothing, so it counts as none.
        let credential =
            Credential::new(secret).map_err(|_| WebhookError::MissingCredential(platform))?;
        verify(adapter, raw, &credential).map_err(WebhookError::Authentication)
    }

    /// Steps 4 to 6: dedupe key, parse, store.
    async fn store(
        &self,
        app: &App,
        adapter: &dyn PlatformAdapter,
        verified: &VerifiedRequest,
    ) -> Result<Receipt, WebhookError> {
        let received_at = self.clock.now();
        let body = verified.body();
        // A body whose key cannot be read does not parse either. The hash of its
        // bytes still recognises byte-identical repeats.
        let (dedupe_key, parsed) = match adapter.dedupe_key(verified) {
            Ok(key) => (key, adapter.parse(verified)),
            Err(error) => (body_dedupe_key(body), Err(error)),
        };
        let delivery = build_delivery(app, adapter.platform(), dedupe_key, received_at, verified)?;

        match parsed {
            Ok(events) => {
                let report = self.repository.ingest(&delivery, &events).await?;
                Ok(Receipt {
                    report,
                    parse_error: None,
                })
            }
            Err(error) => {
                let report = self
                    .repository
                    .store_unparseable(&delivery, &error.to_string())
                    .await?;
                Ok(Receipt {
                    report,
                    parse_error: Some(error),
                })
            }
        }
    }
}

/// Builds the delivery to store. An adapter's key that is empty or too long is
/// replaced by the hash of the body, which always fits.
fn build_delivery(
    app: &App,
    platform: Platform,
    dedupe_key: String,
    received_at: time::OffsetDateTime,
    verified: &VerifiedRequest,
) -> Result<Delivery, WebhookError> {
    let raw = verified.raw();
    let build = |key: String| {
        Delivery::new(
            app.id,
            platform,
            key,
            received_at,
            raw.headers(),
            raw.query().map(str::to_owned),
            raw.body(),
        )
    };
    match build(dedupe_key) {
        Ok(delivery) => Ok(delivery),
        Err(error) => {
            tracing::warn!(
                app.id = %app.id,
                webhook.platform = %platform,
                error = %error,
                "adapter dedupe key rejected, using the body hash"
            );
            build(body_dedupe_key(raw.body())).map_err(|error| {
                WebhookError::Storage(RepositoryError::Other(format!(
                    "body dedupe key rejected: {error}"
                )))
            })
        }
    }
}

impl std::fmt::Debug for WebhookDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookDriver")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

/// Checks a credential before it is stored.
fn check_credential(secret: &str) -> Result<(), CredentialProblem> {
    if secret.is_empty() {
        return Err(CredentialProblem::Blank);
    }
    if secret.chars().count() > CREDENTIAL_MAX_CHARS {
        return Err(CredentialProblem::TooLong);
    }
    if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CredentialProblem::InvalidCharacters);
    }
    Ok(())
}

/// Joins the data issues of a report as `field:reason` codes, which carry no
/// received value.
fn issue_codes(report: &IngestReport) -> String {
    let mut codes = String::new();
    for issue in &report.data_issues {
        if !codes.is_empty() {
            codes.push(',');
        }
        let _ = write!(codes, "{}:{}", issue.field, issue.reason);
    }
    codes
}

fn log_receipt(app: &App, platform: Platform, receipt: &Receipt) {
    let report = &receipt.report;
    let counts = &report.counts;
    let parse_error = receipt
        .parse_error
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    tracing::info!(
        app.id = %app.id,
        app.slug = %app.slug,
        webhook.platform = %platform,
        delivery.id = %report.delivery_id,
        outcome = report.outcome.as_str(),
        clients_created = counts.clients_created,
        clients_updated = counts.clients_updated,
        transactions_created = counts.transactions_created,
        transactions_changed = counts.transactions_changed,
        grants_created = counts.grants_created,
        grants_revoked = counts.grants_revoked,
        grants_ended = counts.grants_ended,
        notifications_queued = counts.notifications_queued,
        data_issues = %issue_codes(report),
        parse_error = %parse_error,
        "webhook delivery received"
    );
}

fn log_rejection(app: &App, platform: Platform, error: &WebhookError) {
    match error {
        WebhookError::Authentication(auth) => tracing::warn!(
            app.id = %app.id,
            app.slug = %app.slug,
            webhook.platform = %platform,
            reason = auth.code(),
            error = %auth,
            "webhook delivery rejected: authentication failed"
        ),
        WebhookError::MissingCredential(_) => tracing::warn!(
            app.id = %app.id,
            app.slug = %app.slug,
            webhook.platform = %platform,
            reason = "missing_credential",
            "webhook delivery rejected: the app has no credential for this platform"
        ),
        WebhookError::Storage(RepositoryError::Unavailable(detail)) => tracing::warn!(
            app.id = %app.id,
            app.slug = %app.slug,
            webhook.platform = %platform,
            error = %detail,
            "webhook delivery not stored: storage unavailable"
        ),
        other => tracing::error!(
            app.id = %app.id,
            app.slug = %app.slug,
            webhook.platform = %platform,
            error = %other,
            "webhook delivery not stored"
        ),
    }
}

fn log_replay(app: &App, platform: Platform, replay: &Replay) {
    match replay {
        Replay::Applied(report) => {
            let counts = &report.counts;
            tracing::info!(
                app.id = %app.id,
                app.slug = %app.slug,
                webhook.platform = %platform,
                delivery.id = %report.delivery_id,
                outcome = report.outcome.as_str(),
                clients_created = counts.clients_created,
                clients_updated = counts.clients_updated,
                transactions_created = counts.transactions_created,
                transactions_changed = counts.transactions_changed,
                grants_created = counts.grants_created,
                grants_revoked = counts.grants_revoked,
                grants_ended = counts.grants_ended,
                notifications_queued = counts.notifications_queued,
                data_issues = %issue_codes(report),
                "webhook delivery replayed"
            );
        }
        Replay::StillUnparseable { delivery_id, error } => tracing::warn!(
            app.id = %app.id,
            app.slug = %app.slug,
            webhook.platform = %platform,
            delivery.id = %delivery_id,
            outcome = DeliveryOutcome::RejectedUnparseable.as_str(),
            parse_error = %error,
            "webhook delivery replay failed: the body still does not parse"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_checks() {
        assert_eq!(check_credential(""), Err(CredentialProblem::Blank));
        assert_eq!(
            check_credential(&"a".repeat(CREDENTIAL_MAX_CHARS + 1)),
            Err(CredentialProblem::TooLong)
        );
        assert_eq!(
            check_credential("abc def"),
            Err(CredentialProblem::InvalidCharacters)
        );
        assert_eq!(
            check_credential("abc\n"),
            Err(CredentialProblem::InvalidCharacters)
        );
        assert_eq!(check_credential("k7q2mx9wz4p"), Ok(()));
        assert_eq!(check_credential(&"a".repeat(CREDENTIAL_MAX_CHARS)), Ok(()));
    }
}
