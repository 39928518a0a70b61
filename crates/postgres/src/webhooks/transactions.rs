//! Applying a transaction event: the transaction row and its status history, the
//! grants a paid status creates or a refund or chargeback revokes, and the
//! notifications of new grants.
//!
//! The transaction row is inserted with `ON CONFLICT DO NOTHING` and otherwise
//! locked with `FOR UPDATE`, so concurrent events of one transaction apply one
//! after the other, and the domain's `supersedes` decides whether the status
//! moves. Grants are unique per (transaction, product) and notifications per
//! dedupe key, so applying an event again creates nothing.

use clientela_domain::client::Client;
use clientela_domain::grant::{GrantSource, RevokeReason};
use clientela_domain::ids::{AppId, ClientId, GrantId, TransactionId};
use clientela_domain::rules::access::grants_revoked_by_transaction;
use clientela_domain::rules::sale_notifications::{
    CreatedGrant, SaleRecipient, sale_notifications,
};
use clientela_domain::rules::subscription::{charge_expiry, charge_expiry_after};
use clientela_domain::rules::transaction_state::{
    AccessEffect, StatusEvent, access_effect, supersedes,
};
use clientela_domain::sale::TransactionEvent;
use clientela_domain::tenant::Actor;
use clientela_domain::values::{TransactionStatus, TransactionStatusKind};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Bpchar, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::apply::Application;
use super::products::LinkedProduct;
use super::{clients, notifications, subscriptions};
use crate::audit::actor_to_json;
use crate::cached::CacheStatement;
use crate::error::TxError;
use crate::grants::GrantRow;
use crate::schema::grants;

/// The stored transaction, locked.
#[derive(Debug, QueryableByName)]
struct StoredTransaction {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    client_id: Uuid,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    status_raw: Option<String>,
    /// When the current status was reached.
    #[diesel(sql_type = Timestamptz)]
    status_at: OffsetDateTime,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: OffsetDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    subscription_external_id: Option<String>,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// The transaction an event applies to.
struct Target {
    id: TransactionId,
    client_id: ClientId,
    /// When the charge was made: the order time, used to tell which charges a
    /// subscription cancellation covers.
    charged_at: OffsetDateTime,
    subscription_external_id: Option<String>,
}

/// Effect of an event on the transaction's status.
enum StatusMove {
    /// The event created the transaction.
    Created,
    /// The event moved the status on from this kind.
    Changed(TransactionStatusKind),
    /// An equal or newer status was already stored.
    Unchanged,
}

/// Applies one transaction event, as the module documentation describes.
pub(super) async fn apply(
    conn: &mut AsyncPgConnection,
    run: &mut Application,
    index: usize,
    event: &TransactionEvent,
) -> Result<(), TxError> {
    let app = run.app;
    let now = run.now;

    let applied = clients::upsert(conn, app, event.platform, &event.customer, now).await?;
    run.record_client(index, &applied);
    let (products, _) =
        super::products::resolve(conn, app, event.platform, &event.products, now).await?;

    let subscription_id = event
        .subscription
        .as_ref()
        .map(|subscription| subscription.external_id.clone());
    if let Some(subscription_id) = &subscription_id {
        // Serialises this charge with cancellations of its subscription, so a
        // grant created here reads any cancellation committed before it.
        subscriptions::lock_subscription(conn, app, event.platform, subscription_id).await?;
    }

    let incoming = StatusEvent {
        status: event.status.clone(),
        occurred_at: event.occurred_at,
    };
    let (target, status_move) =
        insert_or_lock(conn, run, event, &applied.client, &products, &incoming).await?;
    record_history(conn, run, &target, &incoming).await?;

    let effect = match status_move {
        StatusMove::Created => {
            run.counts.transactions_created += 1;
            access_effect(None, incoming.status.kind)
        }
        StatusMove::Changed(before) => {
            run.counts.transactions_changed += 1;
            access_effect(Some(before), incoming.status.kind)
        }
        StatusMove::Unchanged => AccessEffect::None,
    };

    let client = if target.client_id == applied.client.id {
        applied.client
    } else {
        clients::lock_by_id(conn, app, target.client_id).await?
    };
    match effect {
        AccessEffect::Grant => grant(conn, run, event, &target, &client, &products).await?,
        AccessEffect::Revoke(reason) => revoke(conn, run, &target, reason).await?,
        AccessEffect::None => {}
    }
    if incoming.status.kind == TransactionStatusKind::Chargeback {
        clients::flag_chargeback(conn, app, client.id, now).await?;
    }
    Ok(())
}

/// Inserts the transaction, or locks the stored one and moves its status on when
/// the event supersedes it.
async fn insert_or_lock(
    conn: &mut AsyncPgConnection,
    run: &Application,
    event: &TransactionEvent,
    client: &Client,
    products: &[LinkedProduct],
    incoming: &StatusEvent,
) -> Result<(Target, StatusMove), TxError> {
    let app = run.app;
    let id = TransactionId::generate();
    let charged_at = event.ordered_at.unwrap_or(event.occurred_at);
    let product_id = products.first().map(|product| product.id().as_uuid());
    let subscription_id = event
        .subscription
        .as_ref()
        .map(|subscription| subscription.external_id.as_str());
    let recurrence = event
        .subscription
        .as_ref()
        .and_then(|subscription| subscription.recurrence)
        .and_then(|recurrence| i32::try_from(recurrence).ok());

    let inserted = diesel::sql_query(
        "INSERT INTO transactions (id, app_id, client_id, platform, external_id, product_id, \
             amount_cents, currency, payment_method, payment_method_raw, status, status_raw, \
             occurred_at, status_changed_at, subscription_external_id, recurrence, created_at, \
             updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
         ON CONFLICT (app_id, platform, external_id) DO NOTHING",
    )
    .bind::<SqlUuid, _>(id.as_uuid())
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<SqlUuid, _>(client.id.as_uuid())
    .bind::<Text, _>(event.platform.as_str())
    .bind::<Text, _>(&event.external_id)
    .bind::<Nullable<SqlUuid>, _>(product_id)
    .bind::<BigInt, _>(event.amount.cents)
    .bind::<Bpchar, _>(event.amount.currency.as_str())
    .bind::<Text, _>(event.payment_method.kind.as_str())
    .bind::<Nullable<Text>, _>(event.payment_method.raw.as_deref())
    .bind::<Text, _>(incoming.status.kind.as_str())
    .bind::<Nullable<Text>, _>(incoming.status.raw.as_deref())
    .bind::<Timestamptz, _>(charged_at)
    .bind::<Timestamptz, _>(incoming.occurred_at)
    .bind::<Nullable<Text>, _>(subscription_id)
    .bind::<Nullable<Integer>, _>(recurrence)
    .bind::<Timestamptz, _>(run.now)
    .cached()
    .execute(conn)
    .await?;
    if inserted == 1 {
        let target = Target {
            id,
            client_id: client.id,
            charged_at,
            subscription_external_id: subscription_id.map(str::to_owned),
        };
        return Ok((target, StatusMove::Created));
    }

    let stored: StoredTransaction = diesel::sql_query(
        "SELECT id, client_id, status, status_raw, \
             COALESCE(status_changed_at, occurred_at) AS status_at, occurred_at, \
             subscription_external_id \
         FROM transactions WHERE app_id = $1 AND platform = $2 AND external_id = $3 FOR UPDATE",
    )
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<Text, _>(event.platform.as_str())
    .bind::<Text, _>(&event.external_id)
    .cached()
    .get_result(conn)
    .await?;
    let current_kind = TransactionStatusKind::parse(&stored.status).ok_or_else(|| {
        TxError(clientela_domain::error::RepositoryError::Other(format!(
            "stored transaction {} has an invalid status: {:?}",
            stored.id, stored.status
        )))
    })?;
    let current = StatusEvent {
        status: TransactionStatus {
            kind: current_kind,
            raw: stored.status_raw.clone(),
        },
        occurred_at: stored.status_at,
    };

    let mut target = Target {
        id: TransactionId::from_uuid(stored.id),
        client_id: ClientId::from_uuid(stored.client_id),
        charged_at: stored.occurred_at,
        subscription_external_id: stored.subscription_external_id,
    };
    if !supersedes(incoming, &current) {
        return Ok((target, StatusMove::Unchanged));
    }

    diesel::sql_query(
        "UPDATE transactions SET status = $3, status_raw = $4, status_changed_at = $5, \
             updated_at = $6, product_id = COALESCE(product_id, $7), \
             subscription_external_id = COALESCE(subscription_external_id, $8), \
             recurrence = COALESCE(recurrence, $9) \
         WHERE app_id = $1 AND id = $2",
    )
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<SqlUuid, _>(stored.id)
    .bind::<Text, _>(incoming.status.kind.as_str())
    .bind::<Nullable<Text>, _>(incoming.status.raw.as_deref())
    .bind::<Timestamptz, _>(incoming.occurred_at)
    .bind::<Timestamptz, _>(run.now)
    .bind::<Nullable<SqlUuid>, _>(product_id)
    .bind::<Nullable<Text>, _>(subscription_id)
    .bind::<Nullable<Integer>, _>(recurrence)
    .cached()
    .execute(conn)
    .await?;
    if target.subscription_external_id.is_none() {
        target.subscription_external_id = subscription_id.map(str::to_owned);
    }
    Ok((target, StatusMove::Changed(current_kind)))
}

/// Appends the event's status to the transaction's history unless the same
/// status at the same time is already there. A late event that does not change
/// the current status is recorded too, so the history shows every status the
/// transaction went through, whatever the arrival order.
async fn record_history(
    conn: &mut AsyncPgConnection,
    run: &Application,
    target: &Target,
    incoming: &StatusEvent,
) -> Result<(), TxError> {
    diesel::sql_query(
        "INSERT INTO transaction_status_history \
             (app_id, transaction_id, status, status_raw, occurred_at, recorded_at, event_ref) \
         SELECT $1, $2, $3, $4, $5, $6, $7 \
         WHERE NOT EXISTS (SELECT 1 FROM transaction_status_history \
             WHERE app_id = $1 AND transaction_id = $2 AND status = $3 \
                 AND status_raw IS NOT DISTINCT FROM $4 AND occurred_at = $5)",
    )
    .bind::<SqlUuid, _>(run.app.as_uuid())
    .bind::<SqlUuid, _>(target.id.as_uuid())
    .bind::<Text, _>(incoming.status.kind.as_str())
    .bind::<Nullable<Text>, _>(incoming.status.raw.as_deref())
    .bind::<Timestamptz, _>(incoming.occurred_at)
    .bind::<Timestamptz, _>(run.now)
    .bind::<Text, _>(run.delivery_id.to_string())
    .cached()
    .execute(conn)
    .await?;
    Ok(())
}

/// Creates one grant per product for the transaction's client and queues the
/// notifications that `sale_notifications` returns.
async fn grant(
    conn: &mut AsyncPgConnection,
    run: &mut Application,
    event: &TransactionEvent,
    target: &Target,
    client: &Client,
    products: &[LinkedProduct],
) -> Result<(), TxError> {
    let app = run.app;
    let now = run.now;
    let source = if target.subscription_external_id.is_some() {
        GrantSource::Subscription
    } else {
        GrantSource::Purchase
    };
    let cancellation = match &target.subscription_external_id {
        Some(subscription_id) => {
            subscriptions::find_cancellation(conn, app, event.platform, subscription_id).await?
        }
        None => None,
    };
    let own_expiry = event.subscription.as_ref().and_then(charge_expiry);
    let expires_at = charge_expiry_after(own_expiry, target.charged_at, cancellation.as_ref());
    let granted_by = actor_to_json(&Actor::System).map_err(TxError)?;

    let had_grants = client_has_grants(conn, app, client.id).await?;
    let mut created = Vec::new();
    for product in products {
        let accessible = product_accessible(conn, app, client.id, product, now).await?;
        let grant_id = GrantId::generate();
        let inserted = diesel::sql_query(
            "INSERT INTO grants (id, app_id, client_id, product_id, source, transaction_id, \
                 granted_by, granted_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (transaction_id, product_id) WHERE transaction_id IS NOT NULL DO NOTHING",
        )
        .bind::<SqlUuid, _>(grant_id.as_uuid())
        .bind::<SqlUuid, _>(app.as_uuid())
        .bind::<SqlUuid, _>(client.id.as_uuid())
        .bind::<SqlUuid, _>(product.id().as_uuid())
        .bind::<Text, _>(source.as_str())
        .bind::<SqlUuid, _>(target.id.as_uuid())
        .bind::<Jsonb, _>(&granted_by)
        .bind::<Timestamptz, _>(event.occurred_at)
        .bind::<Nullable<Timestamptz>, _>(expires_at)
        .cached()
        .execute(conn)
        .await?;
        if inserted == 0 {
            continue;
        }
        run.counts.grants_created += 1;
        // A grant that is already over (a replayed old charge) is history, not
        // news for the client.
        if expires_at.is_none_or(|expiry| expiry > now) {
            created.push(CreatedGrant {
                grant_id,
                product_name: product.name.clone(),
                product_was_accessible: accessible,
            });
        }
    }

    let recipient = SaleRecipient {
        client_id: client.id,
        email: client.email.clone(),
        name: client.name.clone(),
        origin_platform: client.origin_platform,
        had_grants,
    };
    for notification in sale_notifications(app, &recipient, &created, now) {
        if notifications::enqueue(conn, &notification).await? {
            run.counts.notifications_queued += 1;
        }
    }
    Ok(())
}

async fn client_has_grants(
    conn: &mut AsyncPgConnection,
    app: AppId,
    client: ClientId,
) -> Result<bool, TxError> {
    let row: Found = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM grants WHERE app_id = $1 AND client_id = $2) AS found",
    )
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<SqlUuid, _>(client.as_uuid())
    .cached()
    .get_result(conn)
    .await?;
    Ok(row.found)
}

/// Returns whether an active grant covers the product for the client at `now`.
async fn product_accessible(
    conn: &mut AsyncPgConnection,
    app: AppId,
    client: ClientId,
    product: &LinkedProduct,
    now: OffsetDateTime,
) -> Result<bool, TxError> {
    let row: Found = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM grants WHERE app_id = $1 AND client_id = $2 \
             AND product_id = $3 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $4)) AS found",
    )
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<SqlUuid, _>(client.as_uuid())
    .bind::<SqlUuid, _>(product.id().as_uuid())
    .bind::<Timestamptz, _>(now)
    .cached()
    .get_result(conn)
    .await?;
    Ok(row.found)
}

/// Revokes the active grants the transaction created, as the domain's
/// `grants_revoked_by_transaction` selects them: never a manual or import grant.
async fn revoke(
    conn: &mut AsyncPgConnection,
    run: &mut Application,
    target: &Target,
    reason: RevokeReason,
) -> Result<(), TxError> {
    let rows: Vec<GrantRow> = grants::table
        .filter(grants::app_id.eq(run.app.as_uuid()))
        .filter(grants::transaction_id.eq(target.id.as_uuid()))
        .select(GrantRow::as_select())
        .for_update()
        .load(conn)
        .await?;
    let stored = rows
        .into_iter()
        .map(GrantRow::into_grant)
        .collect::<Result<Vec<_>, _>>()
        .map_err(TxError)?;
    let ids: Vec<Uuid> = grants_revoked_by_transaction(&stored, target.id, run.now)
        .iter()
        .map(GrantId::as_uuid)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }

    let revoked_by = actor_to_json(&Actor::System).map_err(TxError)?;
    let revoked = diesel::sql_query(
        "UPDATE grants SET revoked_at = $3, revoke_reason = $4, revoked_by = $5 \
         WHERE app_id = $1 AND id = ANY($2) AND revoked_at IS NULL",
    )
    .bind::<SqlUuid, _>(run.app.as_uuid())
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Timestamptz, _>(run.now)
    .bind::<Text, _>(reason.as_str())
    .bind::<Jsonb, _>(&revoked_by)
    .cached()
    .execute(conn)
    .await?;
    run.counts.grants_revoked += u32::try_from(revoked).unwrap_or(u32::MAX);
    Ok(())
}
