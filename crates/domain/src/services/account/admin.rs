//! The admin's account actions on one client: e-mail a password link, set a
//! password, resend the welcome e-mail.

use serde_json::json;

use crate::account::{
    ACCOUNT_EMAIL_COOLDOWN, AccountEmail, AccountError, AccountToken, PasswordChange, TokenPurpose,
};
use crate::audit::AuditEntry;
use crate::client::{Client, ClientStatus};
use crate::ids::ClientId;
use crate::notification::{Notification, NotificationContent};
use crate::tenant::{Actor, App};

use super::{AccountService, validate_password};

impl AccountService {
    /// E-mails the client a password-reset link, or a first-access link when
    /// they have no password. A second request within
    /// [`ACCOUNT_EMAIL_COOLDOWN`] queues nothing, since the first e-mail is on its
    /// way. Returns `ClientInactive` for an inactive client, whose link could not
    /// be used.
    pub async fn admin_request_password_reset(
        &self,
        app: &App,
        actor: &Actor,
        id: ClientId,
    ) -> Result<(), AccountError> {
        let client = self.active_client(app, id).await?;
        let purpose = TokenPurpose::for_client(&client);
        let audit = self.audit_entry(
            &client,
            actor,
            "client.password_link_requested",
            json!({ "purpose": purpose.as_str() }),
        );
        self.queue_link_email(&client, Some(audit)).await?;
        Ok(())
    }

    /// Sets a client's password. Every link token of the client stops working and
    /// every session of the client ends. The audit entry records that a password
    /// was set, never the password or its hash.
    pub async fn admin_set_password(
        &self,
        app: &App,
        actor: &Actor,
        id: ClientId,
        password: &str,
    ) -> Result<(), AccountError> {
        validate_password(password)?;
        let client = self
            .ports
            .clients
            .find_client(app.id, id)
            .await?
            .ok_or(AccountError::ClientNotFound)?;

        let password_hash = self.ports.passwords.hash(password).await?;
        let now = self.ports.clock.now();
        let mut audit = self.audit_entry(
            &client,
            actor,
            "client.password_set",
            json!({ "has_password": true }),
        );
        audit.before = Some(json!({ "has_password": client.has_password }));
        let change = PasswordChange {
            app_id: app.id,
            client_id: client.id,
            password_hash,
            at: now,
            token: None,
            access: None,
            audit: Some(audit),
        };
        self.ports.accounts.change_password(&change).await?;
        Ok(())
    }

    /// Queues the welcome e-mail (boas-vindas) again. For a client without a
    /// password it carries a new first-access link, which replaces the older
    /// links. A second request within [`ACCOUNT_EMAIL_COOLDOWN`] queues nothing,
    /// so a double click sends one e-mail. Returns `ClientInactive` for an
    /// inactive client.
    pub async fn resend_welcome(
        &self,
        app: &App,
        actor: &Actor,
        id: ClientId,
    ) -> Result<(), AccountError> {
        let client = self.active_client(app, id).await?;
        let now = self.ports.clock.now();

        let (set_password_token, token) = if client.has_password {
            (None, None)
        } else {
            let (token, record) =
                AccountToken::issue(app.id, client.id, TokenPurpose::FirstAccess, now);
            (Some(token.as_str().to_owned()), Some(record))
        };
        let notification_content = NotificationContent::Welcome {
            client_name: client.name.as_str().to_owned(),
            set_password_token,
        };
        let mut notification = Notification::new(
            app.id,
            client.id,
            client.email.clone(),
            notification_content,
            String::new(),
            now,
        );
        // The first welcome's key is `welcome:{client}`, one per client ever, so
        // a resend needs a key of its own.
        notification.dedupe_key = format!("welcome_resend:{}", notification.id);

        let audit = self.audit_entry(
            &client,
            actor,
            "client.welcome_resent",
            json!({ "with_set_password_link": token.is_some() }),
        );
        let email = AccountEmail {
            notification,
            token,
            cooldown_start: now - ACCOUNT_EMAIL_COOLDOWN,
            audit: Some(audit),
        };
        self.ports.accounts.queue_account_email(&email).await?;
        Ok(())
    }

    /// Finds a client of the app, which must be active.
    async fn active_client(&self, app: &App, id: ClientId) -> Result<Client, AccountError> {
        let client = self
            .ports
            .clients
            .find_client(app.id, id)
            .await?
            .ok_or(AccountError::ClientNotFound)?;
        if client.status == ClientStatus::Inactive {
            return Err(AccountError::ClientInactive);
        }
        Ok(client)
    }

    /// Builds the audit entry of an admin action on `client`, with `after`
    /// describing its outcome.
    fn audit_entry(
        &self,
        client: &Client,
        actor: &Actor,
        action: &str,
        after: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry {
            app_id: client.app_id,
            client_id: Some(client.id),
            actor: actor.clone(),
            action: action.to_owned(),
            before: None,
            after: Some(after),
            at: self.ports.clock.now(),
        }
    }
}
