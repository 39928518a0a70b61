//! First-access and password-reset links: requesting one by e-mail and setting a
//! password with one.

use crate::account::{
    AccessEvent, AccessOrigin, AccountError, AccountToken, PasswordChange, SecretToken,
    TokenPurpose,
};
use crate::client::ClientStatus;
use crate::error::{FieldError, ValidationErrors};
use crate::tenant::App;
use crate::values::Email;

use super::{AccountService, validate_password};

impl AccountService {
    /// Handles a first-access request (primeiro acesso): e-mails a link to set a
    /// password. Same as [`Self::request_password_reset`], because the link
    /// matches the client's state either way.
    pub async fn request_first_access(&self, app: &App, email: &str) -> Result<(), AccountError> {
        self.request_link(app, email).await
    }

    /// Handles a forgotten-password request: e-mails a link to set a new
    /// password. Same as [`Self::request_first_access`].
    pub async fn request_password_reset(&self, app: &App, email: &str) -> Result<(), AccountError> {
        self.request_link(app, email).await
    }

    /// E-mails the client with this address a first-access link when they have
    /// no password, or a password-reset link when they have one. Queues nothing
    /// for an unknown e-mail or an inactive client, and returns `Ok` all the same,
    /// so the response does not reveal whether the e-mail is registered. An invalid
    /// address is a validation error on `email`.
    // NOTE: a request for a registered e-mail also writes the token and the
    // e-mail, so it takes a few milliseconds longer than one for an unknown
    // e-mail, which a patient observer could measure.
    async fn request_link(&self, app: &App, email: &str) -> Result<(), AccountError> {
        let email = Email::parse(email).map_err(|error| {
            ValidationErrors(vec![FieldError::new("email", error.code(), &error)])
        })?;
        let Some(record) = self.ports.accounts.find_login(app.id, &email).await? else {
            return Ok(());
        };
        if record.client.status == ClientStatus::Inactive {
            return Ok(());
        }
        self.queue_link_email(&record.client, None).await?;
        Ok(())
    }

    /// Checks that `token` is a usable link token of `purpose`, without using
    /// it, so a page can report at once that a link is void. Returns
    /// `InvalidToken` otherwise.
    pub async fn check_link(
        &self,
        app: &App,
        purpose: TokenPurpose,
        token: &str,
    ) -> Result<(), AccountError> {
        self.usable_token(app, purpose, token).await.map(|_| ())
    }

    /// Sets the client's password with a link token of `purpose`, which is then
    /// used up. Every other link of the client stops working and every session
    /// of the client ends. The entry is written to the access log as
    /// `first_access` or `password_reset`, and moves the client's last access.
    ///
    /// Returns `InvalidToken` for a token that is not usable, a validation error
    /// on `password` for a password of the wrong length, and `AccountDisabled`
    /// when the client is inactive.
    pub async fn set_password_with_link(
        &self,
        app: &App,
        purpose: TokenPurpose,
        token: &str,
        password: &str,
        origin: &AccessOrigin,
    ) -> Result<(), AccountError> {
        let record = self.usable_token(app, purpose, token).await?;
        validate_password(password)?;
        let client = self
            .ports
            .clients
            .find_client(app.id, record.client_id)
            .await?
            .ok_or(AccountError::InvalidToken)?;
        if client.status == ClientStatus::Inactive {
            return Err(AccountError::AccountDisabled);
        }

        let password_hash = self.ports.passwords.hash(password).await?;
        let now = self.ports.clock.now();
        let change = PasswordChange {
            app_id: app.id,
            client_id: client.id,
            password_hash,
            at: now,
            token: Some(record.id),
            access: Some(AccessEvent::new(
                &client,
                purpose.access_kind(),
                now,
                origin,
            )),
            audit: None,
        };
        if self.ports.accounts.change_password(&change).await? {
            Ok(())
        } else {
            Err(AccountError::InvalidToken)
        }
    }

    /// Finds the stored token of `token` when it is usable now and made for
    /// `purpose`.
    async fn usable_token(
        &self,
        app: &App,
        purpose: TokenPurpose,
        token: &str,
    ) -> Result<AccountToken, AccountError> {
        let token = SecretToken::parse(token).ok_or(AccountError::InvalidToken)?;
        let now = self.ports.clock.now();
        self.ports
            .accounts
            .find_token(app.id, token.hash())
            .await?
            .filter(|record| record.purpose == purpose && record.is_usable_at(now))
            .ok_or(AccountError::InvalidToken)
    }
}
