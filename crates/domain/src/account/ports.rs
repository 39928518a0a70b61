//! Ports of the account use cases. They are re-exported from [`crate::ports`].

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::account::{
    AccessEvent, AccountEmail, AccountToken, LoginRecord, PasswordChange, Session, ThrottleKey,
    ThrottlePolicy,
};
use crate::error::RepositoryError;
use crate::ids::{AppId, SessionId};
use crate::values::Email;

/// Client accounts: login records, password changes, link tokens, account
/// e-mails and the access log.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AccountRepository: Send + Sync {
    /// Finds the app's client with this e-mail, with their password hash.
    async fn find_login(
        &self,
        app: AppId,
        email: &Email,
    ) -> Result<Option<LoginRecord>, RepositoryError>;

    /// Finds a link token by the SHA-256 hash of its plain text, whatever its
    /// state.
    async fn find_token(
        &self,
        app: AppId,
        token_hash: [u8; 32],
    ) -> Result<Option<AccountToken>, RepositoryError>;

    /// Writes an access-log entry. A successful entry (any kind but
    /// `login_failed`) also moves the client's last access forward to its time
    /// and sets the first access when unset, in the same transaction.
    async fn record_access(&self, event: &AccessEvent) -> Result<(), RepositoryError>;

    /// Queues an account e-mail in one transaction, serialised per client.
    /// Returns `false`, and changes nothing, when a notification of the same kind
    /// to the client was created after `email.cooldown_start`. Otherwise marks
    /// every unused token of the client invalidated when `email.token` is set,
    /// stores that token, queues the notification, writes the audit entry and
    /// returns `true`. Returns `NotFound` when the client does not exist.
    async fn queue_account_email(&self, email: &AccountEmail) -> Result<bool, RepositoryError>;

    /// Stores a client's new password hash in one transaction. With
    /// `change.token`, first marks that token used, and returns `false` with
    /// nothing changed when it is no longer usable at `change.at` (used,
    /// invalidated or expired). Then invalidates every other unused token of the
    /// client, revokes all the client's sessions, and writes the access and
    /// audit entries given. Returns `NotFound` when the client does not exist.
    async fn change_password(&self, change: &PasswordChange) -> Result<bool, RepositoryError>;
}

/// Members-app sessions.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Stores a new session and records its login entry (as
    /// [`AccountRepository::record_access`] does) in one transaction.
    async fn create_session(
        &self,
        session: &Session,
        login: &AccessEvent,
    ) -> Result<(), RepositoryError>;

    /// Finds a session of the app by the SHA-256 hash of its token, whatever its
    /// state.
    async fn find_session(
        &self,
        app: AppId,
        token_hash: [u8; 32],
    ) -> Result<Option<Session>, RepositoryError>;

    /// Moves an unrevoked session's expiry to `expires_at` and its last use to
    /// `refresh.at`, and records the refresh entry, in one transaction. Returns
    /// `false`, and changes nothing, when the session is revoked or missing.
    async fn refresh_session(
        &self,
        app: AppId,
        id: SessionId,
        expires_at: OffsetDateTime,
        refresh: &AccessEvent,
    ) -> Result<bool, RepositoryError>;

    /// Revokes the app's unrevoked session with this token hash at `at`. Returns
    /// `false` when there is none.
    async fn revoke_session(
        &self,
        app: AppId,
        token_hash: [u8; 32],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError>;
}

/// Counters of failed logins per e-mail and per network.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Returns the latest lockout end among `keys` that is after `now`, or `None`
    /// when no key is locked.
    async fn locked_until(
        &self,
        app: AppId,
        keys: &[ThrottleKey],
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, RepositoryError>;

    /// Counts one failure against `key` at `now`, atomically. A failure more than
    /// `policy.window` after the first one counted starts a new count. The
    /// failure that brings the count to `policy.max_failures` locks the key until
    /// `now + policy.lockout` and starts a new count.
    async fn record_failure(
        &self,
        app: AppId,
        key: &ThrottleKey,
        policy: &ThrottlePolicy,
        now: OffsetDateTime,
    ) -> Result<(), RepositoryError>;

    /// Forgets the failures counted against `key`.
    async fn clear(&self, app: AppId, key: &ThrottleKey) -> Result<(), RepositoryError>;
}
