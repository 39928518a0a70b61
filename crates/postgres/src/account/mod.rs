//! Members-app accounts: the `AccountRepository`, `SessionRepository` and
//! `LoginThrottle` implementations. Each change that touches several rows runs
//! in one database transaction.

// TODO: delete expired sessions and tokens, and throttle counters whose window
// and lockout have ended; nothing removes them yet.

mod schema;
mod sessions;
mod throttle;
mod writes;

use std::slice;

use async_trait::async_trait;
use clientela_domain::account::{
    AccessEvent, AccountEmail, AccountToken, LoginRecord, PasswordChange, TokenPurpose,
};
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AccountTokenId, AppId, ClientId};
use clientela_domain::ports::AccountRepository;
use clientela_domain::values::Email;
use diesel::dsl::{exists, select};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use self::schema::account_tokens;
use self::writes::{hash_from_row, record_access, revoke_client_sessions};
use crate::PgStore;
use crate::clients::ClientRow;
use crate::error::{TxError, repository_error};
use crate::schema::{clients, notifications};

pub(crate) use self::writes::{insert_token, invalidate_open_tokens};

/// A link token as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = account_tokens, check_for_backend(diesel::pg::Pg))]
struct TokenRow {
    id: Uuid,
    app_id: Uuid,
    client_id: Uuid,
    purpose: String,
    token_hash: Vec<u8>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    used_at: Option<OffsetDateTime>,
    invalidated_at: Option<OffsetDateTime>,
}

impl TokenRow {
    fn into_token(self) -> Result<AccountToken, RepositoryError> {
        let purpose = TokenPurpose::parse(&self.purpose).ok_or_else(|| {
            RepositoryError::Other(format!(
                "stored account token {} has an unknown purpose {:?}",
                self.id, self.purpose
            ))
        })?;
        Ok(AccountToken {
            id: AccountTokenId::from_uuid(self.id),
            app_id: AppId::from_uuid(self.app_id),
            client_id: ClientId::from_uuid(self.client_id),
            purpose,
            token_hash: hash_from_row("account_tokens", self.id, self.token_hash)?,
            created_at: self.created_at,
            expires_at: self.expires_at,
            used_at: self.used_at,
            invalidated_at: self.invalidated_at,
        })
    }
}

#[async_trait]
impl AccountRepository for PgStore {
    async fn find_login(
        &self,
        app: AppId,
        email: &Email,
    ) -> Result<Option<LoginRecord>, RepositoryError> {
        let mut conn = self.conn().await?;
        let row: Option<(ClientRow, Option<String>)> = clients::table
            .filter(clients::app_id.eq(app.as_uuid()))
            .filter(clients::email.eq(email.as_str()))
            .select((ClientRow::as_select(), clients::password_hash))
            .first(&mut conn)
            .await
            .optional()
            .map_err(repository_error)?;
        row.map(|(client, password_hash)| {
            Ok(LoginRecord {
                client: client.into_client()?,
                password_hash,
            })
        })
        .transpose()
    }

    async fn find_token(
        &self,
        app: AppId,
        token_hash: [u8; 32],
    ) -> Result<Option<AccountToken>, RepositoryError> {
        let mut conn = self.conn().await?;
        let row = account_tokens::table
            .filter(account_tokens::app_id.eq(app.as_uuid()))
            .filter(account_tokens::token_hash.eq(token_hash.as_slice()))
            .select(TokenRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(repository_error)?;
        row.map(TokenRow::into_token).transpose()
    }

    async fn record_access(&self, event: &AccessEvent) -> Result<(), RepositoryError> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| record_access(conn, event).await)
            .await?;
        Ok(())
    }

    async fn queue_account_email(&self, email: &AccountEmail) -> Result<bool, RepositoryError> {
        let notification = &email.notification;
        let app = notification.app_id;
        let client = notification.client_id;
        let mut conn = self.conn().await?;
        let queued = conn
            .transaction(async |conn| {
                // Locking the client's row makes concurrent requests for one
                // client take turns, so the cooldown check below finds the e-mail
                // an earlier request queued.
                let locked: Option<Uuid> = clients::table
                    .filter(clients::app_id.eq(app.as_uuid()))
                    .filter(clients::id.eq(client.as_uuid()))
                    .select(clients::id)
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                if locked.is_none() {
                    return Err(TxError(RepositoryError::NotFound));
                }

                let recent = select(exists(
                    notifications::table
                        .filter(notifications::app_id.eq(app.as_uuid()))
                        .filter(notifications::client_id.eq(client.as_uuid()))
                        .filter(notifications::kind.eq(email.kind().as_str()))
                        .filter(notifications::created_at.gt(email.cooldown_start)),
                ))
                .get_result::<bool>(conn)
                .await?;
                if recent {
                    return Ok(false);
                }

                if let Some(token) = &email.token {
                    invalidate_open_tokens(conn, app, client, token.created_at).await?;
                    insert_token(conn, token).await?;
                }
                crate::notifications::enqueue_all(conn, slice::from_ref(notification)).await?;
                if let Some(audit) = &email.audit {
                    crate::audit::insert_entries(conn, slice::from_ref(audit)).await?;
                }
                Ok::<_, TxError>(true)
            })
            .await?;
        Ok(queued)
    }

    async fn change_password(&self, change: &PasswordChange) -> Result<bool, RepositoryError> {
        let app = change.app_id;
        let client = change.client_id;
        let mut conn = self.conn().await?;
        let changed = conn
            .transaction(async |conn| {
                if let Some(token) = change.token {
                    let used = diesel::update(
                        account_tokens::table
                            .filter(account_tokens::id.eq(token.as_uuid()))
                            .filter(account_tokens::app_id.eq(app.as_uuid()))
                            .filter(account_tokens::client_id.eq(client.as_uuid()))
                            .filter(account_tokens::used_at.is_null())
                            .filter(account_tokens::invalidated_at.is_null())
                            .filter(account_tokens::expires_at.gt(change.at)),
                    )
                    .set(account_tokens::used_at.eq(change.at))
                    .execute(conn)
                    .await?;
                    if used == 0 {
                        return Ok(false);
                    }
                }

                let updated = diesel::update(
                    clients::table
                        .filter(clients::app_id.eq(app.as_uuid()))
                        .filter(clients::id.eq(client.as_uuid())),
                )
                .set((
                    clients::password_hash.eq(&change.password_hash),
                    clients::updated_at.eq(change.at),
                ))
                .execute(conn)
                .await?;
                if updated == 0 {
                    return Err(TxError(RepositoryError::NotFound));
                }

                invalidate_open_tokens(conn, app, client, change.at).await?;
                revoke_client_sessions(conn, app, client, change.at).await?;
                if let Some(access) = &change.access {
                    record_access(conn, access).await?;
                }
                if let Some(audit) = &change.audit {
                    crate::audit::insert_entries(conn, slice::from_ref(audit)).await?;
                }
                Ok::<_, TxError>(true)
            })
            .await?;
        Ok(changed)
    }
}
