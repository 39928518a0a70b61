//! Members-app account use cases: login, sessions, first-access and
//! password-reset links, and the admin's password actions. Each group lives in
//! its own submodule as an `impl AccountService` block.

use std::sync::{Arc, OnceLock};

use crate::account::{
    ACCOUNT_EMAIL_COOLDOWN, AccessEvent, AccountEmail, AccountError, AccountToken, SecretToken,
    TokenPurpose,
};
use crate::audit::AuditEntry;
use crate::client::{AccessKind, Client};
use crate::error::{FieldError, ValidationErrors};
use crate::notification::{Notification, NotificationContent};
use crate::ports::{
    AccountRepository, ClientRepository, Clock, GrantRepository, LoginThrottle, PasswordHasher,
    ProductRepository, SessionRepository,
};

use super::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

mod admin;
mod links;
mod login;

#[cfg(test)]
mod tests;

/// The ports the account use cases drive.
#[derive(Clone)]
pub struct AccountPorts {
    pub accounts: Arc<dyn AccountRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub throttle: Arc<dyn LoginThrottle>,
    pub clients: Arc<dyn ClientRepository>,
    pub grants: Arc<dyn GrantRepository>,
    pub products: Arc<dyn ProductRepository>,
    pub passwords: Arc<dyn PasswordHasher>,
    pub clock: Arc<dyn Clock>,
}

/// The account use cases.
#[derive(Clone)]
pub struct AccountService {
    ports: AccountPorts,
    /// Hash of a random password, verified when a login names no password hash,
    /// so that the response takes as long as for a wrong password. Made by the
    /// first such login, with the hasher's current parameters.
    dummy_hash: Arc<OnceLock<String>>,
}

impl AccountService {
    /// Creates the service over its ports.
    pub fn new(ports: AccountPorts) -> Self {
        Self {
            ports,
            dummy_hash: Arc::new(OnceLock::new()),
        }
    }

    /// Writes an access-log entry for `client`.
    async fn log_access(
        &self,
        client: &Client,
        kind: AccessKind,
        event_origin: &crate::account::AccessOrigin,
    ) -> Result<(), AccountError> {
        let event = AccessEvent::new(client, kind, self.ports.clock.now(), event_origin);
        self.ports.accounts.record_access(&event).await?;
        Ok(())
    }

    /// Issues a link token of the purpose the client needs and queues its e-mail,
    /// unless an e-mail of that kind went to the client within
    /// [`ACCOUNT_EMAIL_COOLDOWN`]. Returns whether an e-mail was queued.
    async fn queue_link_email(
        &self,
        client: &Client,
        audit: Option<AuditEntry>,
    ) -> Result<bool, AccountError> {
        let now = self.ports.clock.now();
        let purpose = TokenPurpose::for_client(client);
        let (token, record) = AccountToken::issue(client.app_id, client.id, purpose, now);
        let client_name = client.name.as_str().to_owned();
        let token = token.as_str().to_owned();
        let (content, dedupe_key) = match purpose {
            TokenPurpose::FirstAccess => (
                NotificationContent::FirstAccess { client_name, token },
                format!("first_access:{}", record.id),
            ),
            TokenPurpose::PasswordReset => (
                NotificationContent::PasswordReset { client_name, token },
                format!("password_reset:{}", record.id),
            ),
        };
        // The plain token travels in the notification's payload. The PostgreSQL
        // outbox removes it once the message is sent or has failed for good.
        let notification = Notification::new(
            client.app_id,
            client.id,
            client.email.clone(),
            content,
            dedupe_key,
            now,
        );
        let email = AccountEmail {
            notification,
            token: Some(record),
            cooldown_start: now - ACCOUNT_EMAIL_COOLDOWN,
            audit,
        };
        Ok(self.ports.accounts.queue_account_email(&email).await?)
    }

    /// Returns the dummy hash, making it on first use.
    async fn dummy_hash(&self) -> Result<String, AccountError> {
        if let Some(hash) = self.dummy_hash.get() {
            return Ok(hash.clone());
        }
        let hash = self
            .ports
            .passwords
            .hash(SecretToken::generate().as_str())
            .await?;
        Ok(self.dummy_hash.get_or_init(|| hash).clone())
    }
}

/// Checks a new password's length in characters against `PASSWORD_MIN_CHARS`
/// and `PASSWORD_MAX_CHARS`, with the error codes of the client forms. The
/// password is not trimmed, because spaces may be part of it.
fn validate_password(password: &str) -> Result<(), ValidationErrors> {
    let length = password.chars().count();
    let error = if length < PASSWORD_MIN_CHARS {
        FieldError::new(
            "password",
            "too_short",
            format!("password is shorter than {PASSWORD_MIN_CHARS} characters"),
        )
    } else if length > PASSWORD_MAX_CHARS {
        FieldError::new(
            "password",
            "too_long",
            format!("password is longer than {PASSWORD_MAX_CHARS} characters"),
        )
    } else {
        return Ok(());
    };
    Err(ValidationErrors(vec![error]))
}
