//! Queueing notifications in the outbox, as part of the application's transaction.

use clientela_domain::notification::Notification;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::TxError;
use crate::schema::notifications;

/// Stores a queued notification. Returns `false`, and stores nothing, when a
/// notification with the same dedupe key already exists.
pub(super) async fn enqueue(
    conn: &mut AsyncPgConnection,
    notification: &Notification,
) -> Result<bool, TxError> {
    let inserted = diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(notification.id.as_uuid()),
            notifications::app_id.eq(notification.app_id.as_uuid()),
            notifications::client_id.eq(notification.client_id.as_uuid()),
            notifications::kind.eq(notification.kind().as_str()),
            notifications::recipient.eq(notification.recipient.as_str()),
            notifications::payload.eq(notification.content.payload()),
            notifications::status.eq(notification.status.as_str()),
            notifications::attempts.eq(0),
            notifications::dedupe_key.eq(&notification.dedupe_key),
            notifications::created_at.eq(notification.created_at),
            notifications::next_attempt_at.eq(notification.next_attempt_at),
        ))
        .on_conflict(notifications::dedupe_key)
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}
