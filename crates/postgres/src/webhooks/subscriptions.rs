//! Subscription events. A cancellation is stored per subscription and caps the
//! expiry of the grants of the charges it covers. Other changes only update a
//! known client's contact data.

use clientela_domain::ids::AppId;
use clientela_domain::rules::subscription::{CancellationTiming, SubscriptionEnd, capped_expiry};
use clientela_domain::sale::{SubscriptionCancellation, SubscriptionChange};
use clientela_domain::values::Platform;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::apply::Application;
use super::schema::subscription_cancellations as cancellations;
use super::{clients, lock};
use crate::cached::CacheStatement;
use crate::error::TxError;

/// Takes the transaction-scoped lock of one subscription. Charges and
/// cancellations of the subscription hold it while they read and write its
/// grants, so neither misses the other.
pub(super) async fn lock_subscription(
    conn: &mut AsyncPgConnection,
    app: AppId,
    platform: Platform,
    subscription_id: &str,
) -> Result<(), TxError> {
    lock(
        conn,
        &[
            "subscription",
            &app.to_string(),
            platform.as_str(),
            subscription_id,
        ],
    )
    .await
}

/// Returns the stored cancellation of the subscription, if any.
pub(super) async fn find_cancellation(
    conn: &mut AsyncPgConnection,
    app: AppId,
    platform: Platform,
    subscription_id: &str,
) -> Result<Option<SubscriptionEnd>, TxError> {
    let row: Option<(OffsetDateTime, OffsetDateTime)> = cancellations::table
        .filter(cancellations::app_id.eq(app.as_uuid()))
        .filter(cancellations::platform.eq(platform.as_str()))
        .filter(cancellations::subscription_external_id.eq(subscription_id))
        .select((cancellations::cancelled_at, cancellations::access_ends_at))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(cancelled_at, access_ends_at)| SubscriptionEnd {
        cancelled_at,
        access_ends_at,
    }))
}

/// Applies a cancellation: updates the subscriber when known, stores the
/// cancellation merged with any earlier one, and caps the grants it covers.
pub(super) async fn apply_cancellation(
    conn: &mut AsyncPgConnection,
    run: &mut Application,
    index: usize,
    event: &SubscriptionCancellation,
) -> Result<(), TxError> {
    let app = run.app;
    if let Some(applied) = clients::update_existing(conn, app, &event.customer, run.now).await? {
        run.record_client(index, &applied);
    }

    lock_subscription(conn, app, event.platform, &event.subscription_id).await?;
    // TODO: read the timing from an app setting once apps have one. Until then
    // access always lasts to the end of the paid period.
    let received = SubscriptionEnd::of_cancellation(
        event,
        run.received_at,
        CancellationTiming::EndOfPaidPeriod,
    );
    let end = store_cancellation(conn, run, event, received).await?;
    run.counts.grants_ended += cap_grants(conn, app, event, &end).await?;
    Ok(())
}

/// Stores the cancellation, merged with the stored one, and returns the result.
async fn store_cancellation(
    conn: &mut AsyncPgConnection,
    run: &Application,
    event: &SubscriptionCancellation,
    received: SubscriptionEnd,
) -> Result<SubscriptionEnd, TxError> {
    let app = run.app;
    let inserted = diesel::insert_into(cancellations::table)
        .values((
            cancellations::app_id.eq(app.as_uuid()),
            cancellations::platform.eq(event.platform.as_str()),
            cancellations::subscription_external_id.eq(&event.subscription_id),
            cancellations::cancelled_at.eq(received.cancelled_at),
            cancellations::access_ends_at.eq(received.access_ends_at),
            cancellations::delivery_id.eq(run.delivery_id.as_uuid()),
            cancellations::updated_at.eq(run.now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 1 {
        return Ok(received);
    }

    let stored = find_cancellation(conn, app, event.platform, &event.subscription_id)
        .await?
        .unwrap_or(received);
    let merged = stored.merge(received);
    if merged != stored {
        diesel::update(
            cancellations::table
                .filter(cancellations::app_id.eq(app.as_uuid()))
                .filter(cancellations::platform.eq(event.platform.as_str()))
                .filter(cancellations::subscription_external_id.eq(&event.subscription_id)),
        )
        .set((
            cancellations::cancelled_at.eq(merged.cancelled_at),
            cancellations::access_ends_at.eq(merged.access_ends_at),
            cancellations::delivery_id.eq(run.delivery_id.as_uuid()),
            cancellations::updated_at.eq(run.now),
        ))
        .execute(conn)
        .await?;
    }
    Ok(merged)
}

/// An active platform grant of one of the subscription's charges.
#[derive(QueryableByName)]
struct ChargeGrant {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    expires_at: Option<OffsetDateTime>,
    #[diesel(sql_type = Timestamptz)]
    charged_at: OffsetDateTime,
}

/// Moves the expiry of the grants of every charge the cancellation covers to the
/// end of access at the latest. Returns how many grants changed.
async fn cap_grants(
    conn: &mut AsyncPgConnection,
    app: AppId,
    event: &SubscriptionCancellation,
    end: &SubscriptionEnd,
) -> Result<u32, TxError> {
    let grants: Vec<ChargeGrant> = diesel::sql_query(
        "SELECT g.id, g.expires_at, t.occurred_at AS charged_at \
         FROM grants g JOIN transactions t ON t.app_id = g.app_id AND t.id = g.transaction_id \
         WHERE g.app_id = $1 AND t.platform = $2 AND t.subscription_external_id = $3 \
             AND g.revoked_at IS NULL AND g.source IN ('purchase', 'subscription') \
         FOR UPDATE OF g",
    )
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<diesel::sql_types::Text, _>(event.platform.as_str())
    .bind::<diesel::sql_types::Text, _>(&event.subscription_id)
    .cached()
    .load(conn)
    .await?;

    let mut ended = 0;
    for grant in grants
        .iter()
        .filter(|grant| end.covers_charge(grant.charged_at))
    {
        let expiry = capped_expiry(grant.expires_at, end.access_ends_at);
        if grant.expires_at == Some(expiry) {
            continue;
        }
        diesel::sql_query("UPDATE grants SET expires_at = $3 WHERE app_id = $1 AND id = $2")
            .bind::<SqlUuid, _>(app.as_uuid())
            .bind::<SqlUuid, _>(grant.id)
            .bind::<Timestamptz, _>(expiry)
            .cached()
            .execute(conn)
            .await?;
        ended += 1;
    }
    Ok(ended)
}

/// Applies a change of an active subscription: it grants and revokes nothing, so
/// only a known subscriber's contact data is updated.
pub(super) async fn apply_change(
    conn: &mut AsyncPgConnection,
    run: &mut Application,
    index: usize,
    event: &SubscriptionChange,
) -> Result<(), TxError> {
    if let Some(customer) = &event.customer
        && let Some(applied) = clients::update_existing(conn, run.app, customer, run.now).await?
    {
        run.record_client(index, &applied);
    }
    Ok(())
}
