//! Queueing notifications in the outbox, as part of the application's transaction.

use clientela_domain::notification::Notification;
use diesel_async::AsyncPgConnection;

use crate::error::TxError;

/// Stores a queued notification through the outbox's shared insert. Returns
/// `false`, and stores nothing, when a notification with the same dedupe key
/// already exists.
pub(super) async fn enqueue(
    conn: &mut AsyncPgConnection,
    notification: &Notification,
) -> Result<bool, TxError> {
    let inserted =
        crate::notifications::enqueue_all(conn, std::slice::from_ref(notification)).await?;
    Ok(inserted == 1)
}
