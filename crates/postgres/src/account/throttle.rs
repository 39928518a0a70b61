//! Counters of failed logins: the `LoginThrottle` implementation. Each failure
//! is counted with one upsert, so concurrent failures never lose a count.

use async_trait::async_trait;
use clientela_domain::account::{ThrottleKey, ThrottlePolicy};
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::AppId;
use clientela_domain::ports::LoginThrottle;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bytea, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use time::OffsetDateTime;

use super::schema::login_throttle;
use crate::PgStore;
use crate::cached::CacheStatement;
use crate::error::repository_error;

/// The latest lockout end after `$4` among the keys given as parallel arrays of
/// kinds (`$2`) and digests (`$3`).
const LOCKED_UNTIL_SQL: &str = "\
    SELECT max(locked_until) AS locked_until \
    FROM login_throttle \
    WHERE app_id = $1 \
      AND (key_kind, key_digest) IN (SELECT * FROM unnest($2::text[], $3::bytea[])) \
      AND locked_until > $4";

/// Counts one failure. `$4` is now, `$5` the maximum failures, `$6` the cutoff
/// (`now - window`: a count whose first failure is at or before it has ended)
/// and `$7` the end of a lockout starting now. The failure that reaches the
/// maximum locks the key and starts a new count.
const RECORD_FAILURE_SQL: &str = "\
    INSERT INTO login_throttle AS t \
        (app_id, key_kind, key_digest, window_started_at, failures, locked_until) \
    VALUES ($1, $2, $3, $4, \
        CASE WHEN $5 <= 1 THEN 0 ELSE 1 END, \
        CASE WHEN $5 <= 1 THEN $7 END) \
    ON CONFLICT (app_id, key_kind, key_digest) DO UPDATE SET \
        failures = CASE \
            WHEN t.window_started_at <= $6 THEN CASE WHEN $5 <= 1 THEN 0 ELSE 1 END \
            WHEN t.failures + 1 >= $5 THEN 0 \
            ELSE t.failures + 1 \
        END, \
        window_started_at = CASE \
            WHEN t.window_started_at <= $6 OR t.failures + 1 >= $5 THEN $4 \
            ELSE t.window_started_at \
        END, \
        locked_until = CASE \
            WHEN (CASE WHEN t.window_started_at <= $6 THEN 1 ELSE t.failures + 1 END) >= $5 \
                THEN $7 \
            ELSE t.locked_until \
        END";

#[derive(QueryableByName)]
struct LockedUntil {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    locked_until: Option<OffsetDateTime>,
}

#[async_trait]
impl LoginThrottle for PgStore {
    async fn locked_until(
        &self,
        app: AppId,
        keys: &[ThrottleKey],
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, RepositoryError> {
        if keys.is_empty() {
            return Ok(None);
        }
        let kinds: Vec<&str> = keys.iter().map(|key| key.kind.as_str()).collect();
        let digests: Vec<&[u8]> = keys.iter().map(|key| key.digest.as_slice()).collect();
        let mut conn = self.conn().await?;
        let row: LockedUntil = diesel::sql_query(LOCKED_UNTIL_SQL)
            .bind::<SqlUuid, _>(app.as_uuid())
            .bind::<Array<Text>, _>(&kinds)
            .bind::<Array<Bytea>, _>(&digests)
            .bind::<Timestamptz, _>(now)
            .cached()
            .get_result(&mut conn)
            .await
            .map_err(repository_error)?;
        Ok(row.locked_until)
    }

    async fn record_failure(
        &self,
        app: AppId,
        key: &ThrottleKey,
        policy: &ThrottlePolicy,
        now: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let max_failures = i32::try_from(policy.max_failures).unwrap_or(i32::MAX);
        let mut conn = self.conn().await?;
        diesel::sql_query(RECORD_FAILURE_SQL)
            .bind::<SqlUuid, _>(app.as_uuid())
            .bind::<Text, _>(key.kind.as_str())
            .bind::<Bytea, _>(key.digest.as_slice())
            .bind::<Timestamptz, _>(now)
            .bind::<Integer, _>(max_failures)
            .bind::<Timestamptz, _>(now - policy.window)
            .bind::<Timestamptz, _>(now + policy.lockout)
            .cached()
            .execute(&mut conn)
            .await
            .map_err(repository_error)?;
        Ok(())
    }

    async fn clear(&self, app: AppId, key: &ThrottleKey) -> Result<(), RepositoryError> {
        let mut conn = self.conn().await?;
        diesel::delete(
            login_throttle::table
                .filter(login_throttle::app_id.eq(app.as_uuid()))
                .filter(login_throttle::key_kind.eq(key.kind.as_str()))
                .filter(login_throttle::key_digest.eq(key.digest.as_slice())),
        )
        .execute(&mut conn)
        .await
        .map_err(repository_error)?;
        Ok(())
    }
}
