//! Writes shared by the account repositories, each run inside the caller's
//! transaction.

use clientela_domain::account::{AccessEvent, AccountToken};
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AppId, ClientId};
use diesel::prelude::*;
use diesel::sql_types::{Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::schema::{account_tokens, sessions};
use crate::cached::CacheStatement;
use crate::error::{TxError, foreign_key_violation, repository_error};
use crate::schema::access_log;

/// Moves a client's last access forward (GREATEST ignores NULL) and sets the
/// first access when unset.
const TOUCH_ACCESS_SQL: &str = "\
    UPDATE clients \
    SET last_access_at = GREATEST(last_access_at, $3), \
        first_access_at = COALESCE(first_access_at, $3) \
    WHERE app_id = $1 AND id = $2";

/// Writes an access-log entry and, for a successful entry, the client's access
/// times. Fails with `NotFound` when the client does not exist in the app.
pub(super) async fn record_access(
    conn: &mut AsyncPgConnection,
    event: &AccessEvent,
) -> Result<(), TxError> {
    diesel::insert_into(access_log::table)
        .values((
            access_log::app_id.eq(event.app_id.as_uuid()),
            access_log::client_id.eq(event.client_id.as_uuid()),
            access_log::kind.eq(event.kind.as_str()),
            access_log::at.eq(event.at),
            access_log::ip.eq(event.ip.as_deref()),
            access_log::user_agent.eq(event.user_agent.as_deref()),
        ))
        .execute(conn)
        .await
        .map_err(|error| match foreign_key_violation(&error) {
            Some("access_log_client_fkey") => TxError(RepositoryError::NotFound),
            _ => TxError(repository_error(error)),
        })?;

    if event.is_successful() {
        diesel::sql_query(TOUCH_ACCESS_SQL)
            .bind::<SqlUuid, _>(event.app_id.as_uuid())
            .bind::<SqlUuid, _>(event.client_id.as_uuid())
            .bind::<Timestamptz, _>(event.at)
            .cached()
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Stores a new link token. Fails with `NotFound` when the client does not
/// exist in the app.
pub(crate) async fn insert_token(
    conn: &mut AsyncPgConnection,
    token: &AccountToken,
) -> Result<(), TxError> {
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::id.eq(token.id.as_uuid()),
            account_tokens::app_id.eq(token.app_id.as_uuid()),
            account_tokens::client_id.eq(token.client_id.as_uuid()),
            account_tokens::purpose.eq(token.purpose.as_str()),
            account_tokens::token_hash.eq(token.token_hash.as_slice()),
            account_tokens::created_at.eq(token.created_at),
            account_tokens::expires_at.eq(token.expires_at),
            account_tokens::used_at.eq(token.used_at),
            account_tokens::invalidated_at.eq(token.invalidated_at),
        ))
        .execute(conn)
        .await
        .map_err(|error| match foreign_key_violation(&error) {
            Some("account_tokens_client_fkey") => TxError(RepositoryError::NotFound),
            _ => TxError(repository_error(error)),
        })?;
    Ok(())
}

/// Marks every unused, valid token of the client invalidated at `at`.
pub(crate) async fn invalidate_open_tokens(
    conn: &mut AsyncPgConnection,
    app: AppId,
    client: ClientId,
    at: OffsetDateTime,
) -> Result<(), TxError> {
    diesel::update(
        account_tokens::table
            .filter(account_tokens::app_id.eq(app.as_uuid()))
            .filter(account_tokens::client_id.eq(client.as_uuid()))
            .filter(account_tokens::used_at.is_null())
            .filter(account_tokens::invalidated_at.is_null()),
    )
    .set(account_tokens::invalidated_at.eq(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes every unrevoked session of the client at `at`.
pub(super) async fn revoke_client_sessions(
    conn: &mut AsyncPgConnection,
    app: AppId,
    client: ClientId,
    at: OffsetDateTime,
) -> Result<(), TxError> {
    diesel::update(
        sessions::table
            .filter(sessions::app_id.eq(app.as_uuid()))
            .filter(sessions::client_id.eq(client.as_uuid()))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Converts a stored 32-byte hash, failing for any other length.
pub(super) fn hash_from_row(
    table: &str,
    id: Uuid,
    bytes: Vec<u8>,
) -> Result<[u8; 32], RepositoryError> {
    bytes.try_into().map_err(|bytes: Vec<u8>| {
        RepositoryError::Other(format!(
            "stored {table} row {id} has a token hash of {} bytes instead of 32",
            bytes.len()
        ))
    })
}
