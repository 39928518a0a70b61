//! Login, logout and the logged-in client's profile.

use crate::account::{
    AccessEvent, AccessOrigin, AccessibleProduct, AccountError, AccountProfile, LoginRecord,
    LoginSuccess, SESSION_TTL, SecretToken, Session, ThrottleKey, access_expiries,
};
use crate::client::{AccessKind, Client, ClientStatus};
use crate::tenant::App;
use crate::values::Email;

use super::AccountService;

impl AccountService {
    /// Logs a client in with e-mail and password and starts a session.
    ///
    /// An unknown e-mail, a client without a password and a wrong password get
    /// the same `InvalidCredentials` after the same argon2id verification. When
    /// there is no stored hash, a dummy hash is verified, so neither the response
    /// nor its timing reveals whether the e-mail is registered. The first such
    /// login of a process also makes the dummy hash, and takes longer.
    ///
    /// Each failure counts against the e-mail and the client's network; once
    /// either is locked, every attempt gets `Throttled` without checking the
    /// password. An inactive client gets `AccountDisabled`, but only after the
    /// right password. Every attempt on a known client is written to their access
    /// log, and a login moves their last access.
    pub async fn login(
        &self,
        app: &App,
        email: &str,
        password: &str,
        origin: &AccessOrigin,
    ) -> Result<LoginSuccess, AccountError> {
        let now = self.ports.clock.now();
        let email_key = ThrottleKey::email(email);
        let mut keys = vec![email_key];
        if let Some(ip) = origin.ip {
            keys.push(ThrottleKey::ip(ip));
        }

        let record = match Email::parse(email) {
            Ok(email) => self.ports.accounts.find_login(app.id, &email).await?,
            Err(_) => None,
        };

        if let Some(until) = self.ports.throttle.locked_until(app.id, &keys, now).await? {
            if let Some(record) = &record {
                self.log_access(&record.client, AccessKind::LoginFailed, origin)
                    .await?;
            }
            return Err(AccountError::Throttled {
                retry_after: until - now,
            });
        }

        let Some(client) = self.verified_client(record.as_ref(), password).await? else {
            for key in &keys {
                self.ports
                    .throttle
                    .record_failure(app.id, key, &key.kind.policy(), now)
                    .await?;
            }
            if let Some(record) = &record {
                self.log_access(&record.client, AccessKind::LoginFailed, origin)
                    .await?;
            }
            return Err(AccountError::InvalidCredentials);
        };

        if client.status == ClientStatus::Inactive {
            self.log_access(&client, AccessKind::LoginFailed, origin)
                .await?;
            return Err(AccountError::AccountDisabled);
        }

        self.ports.throttle.clear(app.id, &email_key).await?;
        let (token, session) = Session::start(app.id, client.id, now);
        let login = AccessEvent::new(&client, AccessKind::Login, now, origin);
        self.ports.sessions.create_session(&session, &login).await?;

        let mut client = client;
        client.last_access_at = Some(now);
        client.first_access_at = client.first_access_at.or(Some(now));
        Ok(LoginSuccess {
            token,
            expires_at: session.expires_at,
            client,
        })
    }

    /// Returns the client when `password` matches their stored hash. Verifies
    /// against the dummy hash when there is no client or no stored hash, and
    /// then returns `None` whatever the password.
    async fn verified_client(
        &self,
        record: Option<&LoginRecord>,
        password: &str,
    ) -> Result<Option<Client>, AccountError> {
        let stored_hash = record.and_then(|record| record.password_hash.as_deref());
        match (record, stored_hash) {
            (Some(record), Some(hash)) => {
                let matches = self.ports.passwords.verify(password, hash).await?;
                Ok(matches.then(|| record.client.clone()))
            }
            _ => {
                let dummy = self.dummy_hash().await?;
                self.ports.passwords.verify(password, &dummy).await?;
                Ok(None)
            }
        }
    }

    /// Ends the session of `token`. Returns `InvalidSession` when the app has no
    /// unrevoked session with it.
    pub async fn logout(&self, app: &App, token: &str) -> Result<(), AccountError> {
        let token = SecretToken::parse(token).ok_or(AccountError::InvalidSession)?;
        let now = self.ports.clock.now();
        let revoked = self
            .ports
            .sessions
            .revoke_session(app.id, token.hash(), now)
            .await?;
        if revoked {
            Ok(())
        } else {
            Err(AccountError::InvalidSession)
        }
    }

    /// Returns the logged-in client and the products they may access now: those
    /// an unrevoked, unexpired grant covers. Refreshes the session when it is
    /// due (see [`crate::account::SESSION_REFRESH_INTERVAL`]).
    pub async fn me(
        &self,
        app: &App,
        token: &str,
        origin: &AccessOrigin,
    ) -> Result<AccountProfile, AccountError> {
        let client = self.authenticate(app, token, origin).await?;
        let now = self.ports.clock.now();

        let grants = self.ports.grants.client_grants(app.id, client.id).await?;
        let expiries = access_expiries(&grants, now);
        let ids: Vec<_> = expiries.keys().copied().collect();
        let mut products: Vec<AccessibleProduct> = if ids.is_empty() {
            Vec::new()
        } else {
            self.ports
                .products
                .find_products(app.id, &ids)
                .await?
                .into_iter()
                .map(|product| AccessibleProduct {
                    access_expires_at: expiries.get(&product.id).copied().flatten(),
                    product,
                })
                .collect()
        };
        products.sort_by(|a, b| {
            a.product
                .name
                .cmp(&b.product.name)
                .then(a.product.id.cmp(&b.product.id))
        });

        Ok(AccountProfile { client, products })
    }

    /// Finds the client of an active session, refreshing the session when due.
    /// Returns `InvalidSession` for a malformed, unknown, expired or revoked
    /// token, and `AccountDisabled` when the client is inactive.
    async fn authenticate(
        &self,
        app: &App,
        token: &str,
        origin: &AccessOrigin,
    ) -> Result<Client, AccountError> {
        let token = SecretToken::parse(token).ok_or(AccountError::InvalidSession)?;
        let now = self.ports.clock.now();
        let session = self
            .ports
            .sessions
            .find_session(app.id, token.hash())
            .await?
            .filter(|session| session.is_active_at(now))
            .ok_or(AccountError::InvalidSession)?;
        let mut client = self
            .ports
            .clients
            .find_client(app.id, session.client_id)
            .await?
            .ok_or(AccountError::InvalidSession)?;
        if client.status == ClientStatus::Inactive {
            return Err(AccountError::AccountDisabled);
        }

        if session.needs_refresh_at(now) {
            let refresh = AccessEvent::new(&client, AccessKind::SessionRefresh, now, origin);
            let refreshed = self
                .ports
                .sessions
                .refresh_session(app.id, session.id, now + SESSION_TTL, &refresh)
                .await?;
            if !refreshed {
                return Err(AccountError::InvalidSession);
            }
            client.last_access_at = Some(now);
            client.first_access_at = client.first_access_at.or(Some(now));
        }
        Ok(client)
    }
}
