//! Members-app sessions: the `SessionRepository` implementation.

use async_trait::async_trait;
use clientela_domain::account::{AccessEvent, Session};
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AppId, ClientId, SessionId};
use clientela_domain::ports::SessionRepository;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::schema::sessions;
use super::writes::{hash_from_row, record_access};
use crate::PgStore;
use crate::error::{TxError, foreign_key_violation, repository_error};

/// A session as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
struct SessionRow {
    id: Uuid,
    app_id: Uuid,
    client_id: Uuid,
    token_hash: Vec<u8>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    last_used_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

impl SessionRow {
    fn into_session(self) -> Result<Session, RepositoryError> {
        Ok(Session {
            id: SessionId::from_uuid(self.id),
            app_id: AppId::from_uuid(self.app_id),
            client_id: ClientId::from_uuid(self.client_id),
            token_hash: hash_from_row("sessions", self.id, self.token_hash)?,
            created_at: self.created_at,
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
        })
    }
}

#[async_trait]
impl SessionRepository for PgStore {
    async fn create_session(
        &self,
        session: &Session,
        login: &AccessEvent,
    ) -> Result<(), RepositoryError> {
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            diesel::insert_into(sessions::table)
                .values((
                    sessions::id.eq(session.id.as_uuid()),
                    sessions::app_id.eq(session.app_id.as_uuid()),
                    sessions::client_id.eq(session.client_id.as_uuid()),
                    sessions::token_hash.eq(session.token_hash.as_slice()),
                    sessions::created_at.eq(session.created_at),
                    sessions::expires_at.eq(session.expires_at),
                    sessions::last_used_at.eq(session.last_used_at),
                    sessions::revoked_at.eq(session.revoked_at),
                ))
                .execute(conn)
                .await
                .map_err(|error| match foreign_key_violation(&error) {
                    Some("sessions_client_fkey") => TxError(RepositoryError::NotFound),
                    _ => TxError(repository_error(error)),
                })?;
            record_access(conn, login).await
        })
        .await?;
        Ok(())
    }

    async fn find_session(
        &self,
        app: AppId,
        token_hash: [u8; 32],
    ) -> Result<Option<Session>, RepositoryError> {
        let mut conn = self.conn().await?;
        let row = sessions::table
            .filter(sessions::app_id.eq(app.as_uuid()))
            .filter(sessions::token_hash.eq(token_hash.as_slice()))
            .select(SessionRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(repository_error)?;
        row.map(SessionRow::into_session).transpose()
    }

    async fn refresh_session(
        &self,
        app: AppId,
        id: SessionId,
        expires_at: OffsetDateTime,
        refresh: &AccessEvent,
    ) -> Result<bool, RepositoryError> {
        let mut conn = self.conn().await?;
        let refreshed = conn
            .transaction(async |conn| {
                let updated = diesel::update(
                    sessions::table
                        .filter(sessions::app_id.eq(app.as_uuid()))
                        .filter(sessions::id.eq(id.as_uuid()))
                        .filter(sessions::revoked_at.is_null()),
                )
                .set((
                    sessions::expires_at.eq(expires_at),
                    sessions::last_used_at.eq(refresh.at),
                ))
                .execute(conn)
                .await?;
                if updated == 0 {
                    return Ok(false);
                }
                record_access(conn, refresh).await?;
                Ok::<_, TxError>(true)
            })
            .await?;
        Ok(refreshed)
    }

    async fn revoke_session(
        &self,
        app: AppId,
        token_hash: [u8; 32],
        at: OffsetDateTime,
    ) -> Result<bool, RepositoryError> {
        let mut conn = self.conn().await?;
        let revoked = diesel::update(
            sessions::table
                .filter(sessions::app_id.eq(app.as_uuid()))
                .filter(sessions::token_hash.eq(token_hash.as_slice()))
                .filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(at))
        .execute(&mut conn)
        .await
        .map_err(repository_error)?;
        Ok(revoked > 0)
    }
}
