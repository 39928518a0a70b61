//! The e-mail outbox: the `NotificationQueue` implementation, the insert that
//! other repositories call inside their own transactions, and the listener that
//! wakes a worker when notifications are queued.

use async_trait::async_trait;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AppId, ClientId};
use clientela_domain::notification::{
    Notification, NotificationContent, NotificationId, NotificationKind, NotificationStatus,
};
use clientela_domain::ports::NotificationQueue;
use clientela_domain::values::Email;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures::StreamExt;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::PgStore;
use crate::cached::CacheStatement;
use crate::error::{PgError, TxError, foreign_key_violation, repository_error};
use crate::schema::notifications;

/// Channel on which the `notifications_wake_outbox_workers` trigger signals a
/// committed insert.
const OUTBOX_CHANNEL: &str = "clientela_outbox";

/// Payload keys that contain the plain tokens of set-password links. They are
/// removed once a notification is sent or has failed for good, because no
/// later step needs them.
const TOKEN_PAYLOAD_KEYS: [&str; 2] = ["token", "set_password_token"];

/// A notification as stored.
#[derive(Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = notifications, check_for_backend(diesel::pg::Pg))]
struct NotificationRow {
    id: Uuid,
    app_id: Uuid,
    client_id: Uuid,
    kind: String,
    recipient: String,
    payload: serde_json::Value,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    dedupe_key: String,
    created_at: OffsetDateTime,
    next_attempt_at: OffsetDateTime,
    sent_at: Option<OffsetDateTime>,
}

impl NotificationRow {
    /// Rebuilds the domain's notification. Fails, naming the column, when a
    /// stored value cannot be read.
    fn into_notification(self) -> Result<Notification, String> {
        let kind = NotificationKind::parse(&self.kind)
            .ok_or_else(|| format!("unknown kind {:?}", self.kind))?;
        let content = NotificationContent::from_stored(kind, self.payload)
            .map_err(|error| format!("payload does not fit kind {kind:?}: {error}"))?;
        let status = NotificationStatus::parse(&self.status)
            .ok_or_else(|| format!("unknown status {:?}", self.status))?;
        let recipient =
            Email::parse(&self.recipient).map_err(|error| format!("invalid recipient: {error}"))?;
        let attempts = u32::try_from(self.attempts)
            .map_err(|_| format!("negative attempts {}", self.attempts))?;
        Ok(Notification {
            id: NotificationId::from_uuid(self.id),
            app_id: AppId::from_uuid(self.app_id),
            client_id: ClientId::from_uuid(self.client_id),
            recipient,
            content,
            dedupe_key: self.dedupe_key,
            status,
            attempts,
            last_error: self.last_error,
            created_at: self.created_at,
            next_attempt_at: self.next_attempt_at,
            sent_at: self.sent_at,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = notifications, check_for_backend(diesel::pg::Pg))]
struct NewNotificationRow<'a> {
    id: Uuid,
    app_id: Uuid,
    client_id: Uuid,
    kind: &'static str,
    recipient: &'a str,
    payload: serde_json::Value,
    status: &'static str,
    attempts: i32,
    last_error: Option<&'a str>,
    dedupe_key: &'a str,
    created_at: OffsetDateTime,
    next_attempt_at: OffsetDateTime,
    sent_at: Option<OffsetDateTime>,
}

impl<'a> NewNotificationRow<'a> {
    fn of(notification: &'a Notification) -> Result<Self, RepositoryError> {
        let attempts = i32::try_from(notification.attempts).map_err(|_| {
            RepositoryError::Other(format!(
                "notification {} has too many attempts to store: {}",
                notification.id, notification.attempts
            ))
        })?;
        Ok(Self {
            id: notification.id.as_uuid(),
            app_id: notification.app_id.as_uuid(),
            client_id: notification.client_id.as_uuid(),
            kind: notification.kind().as_str(),
            recipient: notification.recipient.as_str(),
            payload: notification.content.payload(),
            status: notification.status.as_str(),
            attempts,
            last_error: notification.last_error.as_deref(),
            dedupe_key: &notification.dedupe_key,
            created_at: notification.created_at,
            next_attempt_at: notification.next_attempt_at,
            sent_at: notification.sent_at,
        })
    }
}

/// Stores notifications as part of the caller's transaction and returns how many
/// were new. A notification whose dedupe key is already stored is skipped. A
/// notification of a client that does not exist in its app fails with
/// `NotFound`.
pub(crate) async fn enqueue_all(
    conn: &mut AsyncPgConnection,
    notifications: &[Notification],
) -> Result<usize, TxError> {
    let mut inserted = 0;
    for notification in notifications {
        let row = NewNotificationRow::of(notification).map_err(TxError)?;
        inserted += diesel::insert_into(notifications::table)
            .values(&row)
            .on_conflict(notifications::dedupe_key)
            .do_nothing()
            .cached()
            .execute(conn)
            .await
            .map_err(|error| match foreign_key_violation(&error) {
                Some("notifications_client_fkey") => TxError(RepositoryError::NotFound),
                _ => TxError(repository_error(error)),
            })?;
    }
    Ok(inserted)
}

/// Claims due notifications in one statement: the `FOR UPDATE SKIP LOCKED`
/// subquery passes over rows another worker is claiming, and a row another
/// worker claimed a moment earlier no longer matches, because its
/// `next_attempt_at` moved to that worker's lease end.
const CLAIM_SQL: &str = "\
    UPDATE notifications AS n \
    SET attempts = n.attempts + 1, next_attempt_at = $2 \
    FROM ( \
        SELECT id FROM notifications \
        WHERE status = 'queued' AND next_attempt_at <= $1 \
        ORDER BY next_attempt_at, id \
        LIMIT $3 \
        FOR UPDATE SKIP LOCKED \
    ) AS due \
    WHERE n.id = due.id \
    RETURNING n.id, n.app_id, n.client_id, n.kind, n.recipient, n.payload, n.status, \
        n.attempts, n.last_error, n.dedupe_key, n.created_at, n.next_attempt_at, n.sent_at";

/// Marks claimed notifications that cannot be read as failed for good, so that
/// they stop being claimed.
const FAIL_UNREADABLE_SQL: &str = "\
    UPDATE notifications \
    SET status = 'failed', last_error = $2 \
    WHERE id = $1 AND status = 'queued'";

/// Records a delivery. The `status = 'queued'` condition keeps a late worker,
/// whose lease ran out while it was sending, from overwriting another outcome.
const MARK_SENT_SQL: &str = "\
    UPDATE notifications \
    SET status = 'sent', sent_at = $3, payload = payload - $4::text[] \
    WHERE app_id = $1 AND id = $2 AND status = 'queued'";

/// Records a failed attempt: queued again until `$4`, or failed for good when
/// `$4` is NULL, in which case the link tokens are removed from the payload.
const MARK_FAILED_SQL: &str = "\
    UPDATE notifications \
    SET last_error = $3, \
        status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'queued' END, \
        next_attempt_at = COALESCE($4, next_attempt_at), \
        payload = CASE WHEN $4::timestamptz IS NULL THEN payload - $5::text[] ELSE payload END \
    WHERE app_id = $1 AND id = $2 AND status = 'queued'";

#[async_trait]
impl NotificationQueue for PgStore {
    async fn enqueue(&self, notification: &Notification) -> Result<bool, RepositoryError> {
        let mut conn = self.conn().await?;
        let inserted = conn
            .transaction(async |conn| enqueue_all(conn, std::slice::from_ref(notification)).await)
            .await?;
        Ok(inserted == 1)
    }

    /// Marks a claimed notification that cannot be read back (unknown kind,
    /// payload that does not fit its kind) failed with the reason, logs a
    /// warning, and leaves it out of the result.
    async fn claim_due(
        &self,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<Notification>, RepositoryError> {
        let limit = i32::try_from(limit).unwrap_or(i32::MAX);
        let mut conn = self.conn().await?;
        let mut claimed = conn
            .transaction(async |conn| {
                let rows: Vec<NotificationRow> = diesel::sql_query(CLAIM_SQL)
                    .bind::<Timestamptz, _>(now)
                    .bind::<Timestamptz, _>(lease_until)
                    .bind::<Integer, _>(limit)
                    .cached()
                    .load(conn)
                    .await?;

                let mut claimed = Vec::with_capacity(rows.len());
                for row in rows {
                    let (id, app_id) = (row.id, row.app_id);
                    match row.into_notification() {
                        Ok(notification) => claimed.push(notification),
                        Err(problem) => {
                            tracing::warn!(
                                notification.id = %id,
                                app.id = %app_id,
                                problem,
                                "stored notification cannot be read; marking it failed"
                            );
                            diesel::sql_query(FAIL_UNREADABLE_SQL)
                                .bind::<SqlUuid, _>(id)
                                .bind::<Text, _>(format!(
                                    "stored notification unreadable: {problem}"
                                ))
                                .cached()
                                .execute(conn)
                                .await?;
                        }
                    }
                }
                Ok::<_, TxError>(claimed)
            })
            .await?;
        claimed.sort_by_key(|notification| (notification.created_at, notification.id));
        Ok(claimed)
    }

    async fn mark_sent(
        &self,
        app: AppId,
        id: NotificationId,
        at: OffsetDateTime,
    ) -> Result<(), RepositoryError> {
        let mut conn = self.conn().await?;
        let updated = diesel::sql_query(MARK_SENT_SQL)
            .bind::<SqlUuid, _>(app.as_uuid())
            .bind::<SqlUuid, _>(id.as_uuid())
            .bind::<Timestamptz, _>(at)
            .bind::<diesel::sql_types::Array<Text>, _>(TOKEN_PAYLOAD_KEYS.as_slice())
            .cached()
            .execute(&mut conn)
            .await
            .map_err(repository_error)?;
        if updated == 0 {
            warn_not_queued(app, id, "sent");
        }
        Ok(())
    }

    async fn mark_failed(
        &self,
        app: AppId,
        id: NotificationId,
        error: &str,
        retry_at: Option<OffsetDateTime>,
    ) -> Result<(), RepositoryError> {
        let mut conn = self.conn().await?;
        let updated = diesel::sql_query(MARK_FAILED_SQL)
            .bind::<SqlUuid, _>(app.as_uuid())
            .bind::<SqlUuid, _>(id.as_uuid())
            .bind::<Text, _>(error)
            .bind::<Nullable<Timestamptz>, _>(retry_at)
            .bind::<diesel::sql_types::Array<Text>, _>(TOKEN_PAYLOAD_KEYS.as_slice())
            .cached()
            .execute(&mut conn)
            .await
            .map_err(repository_error)?;
        if updated == 0 {
            warn_not_queued(app, id, "failed");
        }
        Ok(())
    }
}

/// Logs an outcome that was not recorded because the notification was no longer
/// queued: another worker recorded one first, after this worker's lease ended.
fn warn_not_queued(app: AppId, id: NotificationId, outcome: &str) {
    tracing::warn!(
        notification.id = %id,
        app.id = %app,
        outcome,
        "notification is no longer queued, so this outcome was not recorded; \
         its claim lease probably ended during the attempt"
    );
}

/// A database connection that receives the signal sent when a transaction that
/// queued notifications commits. Held by an outbox worker between runs.
pub struct OutboxListener {
    conn: AsyncPgConnection,
}

impl std::fmt::Debug for OutboxListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxListener").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Opens a connection that listens for queued notifications. It is taken out
    /// of the pool for good, so the pool opens another in its place.
    pub async fn listen_for_queued_notifications(&self) -> Result<OutboxListener, PgError> {
        let mut conn = Object::take(self.conn().await?);
        diesel::sql_query(format!("LISTEN {OUTBOX_CHANNEL}"))
            .execute(&mut conn)
            .await?;
        Ok(OutboxListener { conn })
    }
}

impl OutboxListener {
    /// Waits until notifications are queued. A signal that arrived since the
    /// previous call ends the wait at once, and the further signals already
    /// received are discarded, so one wait covers a burst. Fails when the
    /// connection breaks.
    pub async fn wait(&mut self) -> Result<(), PgError> {
        let mut signals = std::pin::pin!(self.conn.notifications_stream());
        match signals.next().await {
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(PgError::Query(error)),
            None => {
                return Err(PgError::Unavailable(
                    "the listening connection closed".to_owned(),
                ));
            }
        }
        while let Some(Some(signal)) = futures::FutureExt::now_or_never(signals.next()) {
            signal?;
        }
        Ok(())
    }
}
