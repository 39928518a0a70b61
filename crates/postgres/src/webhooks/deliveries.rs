//! Stored deliveries: the `webhook_events` rows, their conversion to the domain's
//! types, and the queries that insert, lock, update and list them.

use std::str::FromStr;

use clientela_domain::error::RepositoryError;
use clientela_domain::ids::AppId;
use clientela_domain::values::Platform;
use clientela_domain::webhook::{
    Delivery, DeliveryCursor, DeliveryFilter, DeliveryId, DeliveryOutcome, DeliveryPage,
    DeliverySummary, LoadedDelivery, StoredDelivery,
};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use super::schema::webhook_events;
use crate::cached::CacheStatement;
use crate::error::{TxError, foreign_key_violation, repository_error};

/// Maximum length of a stored parse error, in characters.
const ERROR_MAX_CHARS: usize = 2_000;

#[derive(Insertable)]
#[diesel(table_name = webhook_events, check_for_backend(diesel::pg::Pg))]
struct NewDeliveryRow<'a> {
    id: Uuid,
    app_id: Uuid,
    platform: &'a str,
    dedupe_key: &'a str,
    received_at: OffsetDateTime,
    content_type: Option<&'a str>,
    headers: serde_json::Value,
    query: Option<&'a str>,
    body: &'a [u8],
    outcome: &'a str,
    error: Option<String>,
    processed_at: Option<OffsetDateTime>,
}

/// A delivery as listed, without its raw request.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_events, check_for_backend(diesel::pg::Pg))]
struct StoredRow {
    id: Uuid,
    app_id: Uuid,
    platform: String,
    dedupe_key: String,
    received_at: OffsetDateTime,
    outcome: String,
    error: Option<String>,
    summary: Option<serde_json::Value>,
    processed_at: Option<OffsetDateTime>,
    replay_count: i32,
}

/// The raw request of a delivery.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = webhook_events, check_for_backend(diesel::pg::Pg))]
struct RequestRow {
    content_type: Option<String>,
    headers: serde_json::Value,
    query: Option<String>,
    body: Vec<u8>,
}

impl StoredRow {
    fn into_stored(self) -> Result<StoredDelivery, RepositoryError> {
        let id = DeliveryId::from_uuid(self.id);
        let summary = self
            .summary
            .map(serde_json::from_value::<DeliverySummary>)
            .transpose()
            .map_err(|error| corrupt(id, "summary", error))?;
        Ok(StoredDelivery {
            id,
            app_id: AppId::from_uuid(self.app_id),
            platform: Platform::from_str(&self.platform)
                .map_err(|error| corrupt(id, "platform", error))?,
            dedupe_key: self.dedupe_key,
            received_at: self.received_at,
            outcome: DeliveryOutcome::parse(&self.outcome)
                .ok_or_else(|| corrupt(id, "outcome", &self.outcome))?,
            error: self.error,
            processed_at: self.processed_at,
            replay_count: u32::try_from(self.replay_count)
                .map_err(|error| corrupt(id, "replay_count", error))?,
            summary,
        })
    }
}

fn corrupt(id: DeliveryId, column: &str, error: impl std::fmt::Display) -> RepositoryError {
    RepositoryError::Other(format!(
        "stored webhook delivery {id} has an invalid {column}: {error}"
    ))
}

/// Cuts a parse error to [`ERROR_MAX_CHARS`] at a character boundary.
fn stored_error(error: &str) -> String {
    error.chars().take(ERROR_MAX_CHARS).collect()
}

/// Inserts the delivery with its outcome, as part of the caller's transaction.
/// Returns `false`, and changes nothing, when the app already has a delivery of
/// this platform and dedupe key. Returns `NotFound` when the app does not exist.
pub(super) async fn insert(
    conn: &mut AsyncPgConnection,
    delivery: &Delivery,
    outcome: DeliveryOutcome,
    error: Option<&str>,
    processed_at: Option<OffsetDateTime>,
) -> Result<bool, TxError> {
    let headers = serde_json::to_value(&delivery.headers).map_err(|error| {
        TxError(RepositoryError::Other(format!(
            "could not serialize the delivery's headers: {error}"
        )))
    })?;
    let row = NewDeliveryRow {
        id: delivery.id.as_uuid(),
        app_id: delivery.app_id.as_uuid(),
        platform: delivery.platform.as_str(),
        dedupe_key: &delivery.dedupe_key,
        received_at: delivery.received_at,
        content_type: delivery.content_type.as_deref(),
        headers,
        query: delivery.query.as_deref(),
        body: &delivery.body,
        outcome: outcome.as_str(),
        error: error.map(stored_error),
        processed_at,
    };
    let inserted = diesel::insert_into(webhook_events::table)
        .values(&row)
        .on_conflict((
            webhook_events::app_id,
            webhook_events::platform,
            webhook_events::dedupe_key,
        ))
        .do_nothing()
        .cached()
        .execute(conn)
        .await
        .map_err(|error| {
            if foreign_key_violation(&error).is_some() {
                TxError(RepositoryError::NotFound)
            } else {
                TxError(repository_error(error))
            }
        })?;
    Ok(inserted == 1)
}

/// Returns the id of the app's stored delivery with this platform and dedupe key.
pub(super) async fn find_id(
    conn: &mut AsyncPgConnection,
    delivery: &Delivery,
) -> Result<DeliveryId, TxError> {
    let id: Uuid = webhook_events::table
        .filter(webhook_events::app_id.eq(delivery.app_id.as_uuid()))
        .filter(webhook_events::platform.eq(delivery.platform.as_str()))
        .filter(webhook_events::dedupe_key.eq(&delivery.dedupe_key))
        .select(webhook_events::id)
        .first(conn)
        .await?;
    Ok(DeliveryId::from_uuid(id))
}

/// Locks the app's delivery for a replay and returns its platform and receipt
/// time, or `NotFound`.
pub(super) async fn lock(
    conn: &mut AsyncPgConnection,
    app: AppId,
    id: DeliveryId,
) -> Result<(Platform, OffsetDateTime), TxError> {
    let (platform, received_at): (String, OffsetDateTime) = webhook_events::table
        .filter(webhook_events::app_id.eq(app.as_uuid()))
        .filter(webhook_events::id.eq(id.as_uuid()))
        .select((webhook_events::platform, webhook_events::received_at))
        .for_update()
        .first(conn)
        .await?;
    let platform =
        Platform::from_str(&platform).map_err(|error| TxError(corrupt(id, "platform", error)))?;
    Ok((platform, received_at))
}

/// Stores the outcome and summary of an application. A replay also clears the
/// parse error and counts one more replay.
pub(super) async fn record_application(
    conn: &mut AsyncPgConnection,
    id: DeliveryId,
    outcome: DeliveryOutcome,
    summary: &DeliverySummary,
    processed_at: OffsetDateTime,
    replay: bool,
) -> Result<(), TxError> {
    let summary = serde_json::to_value(summary).map_err(|error| {
        TxError(RepositoryError::Other(format!(
            "could not serialize the delivery summary: {error}"
        )))
    })?;
    diesel::update(webhook_events::table.filter(webhook_events::id.eq(id.as_uuid())))
        .set((
            webhook_events::outcome.eq(outcome.as_str()),
            webhook_events::error.eq(None::<String>),
            webhook_events::summary.eq(Some(summary)),
            webhook_events::processed_at.eq(Some(processed_at)),
            webhook_events::replay_count.eq(webhook_events::replay_count + i32::from(replay)),
        ))
        .cached()
        .execute(conn)
        .await?;
    Ok(())
}

/// Lists the app's deliveries that match the filter, newest first.
pub(super) async fn list(
    conn: &mut AsyncPgConnection,
    app: AppId,
    filter: &DeliveryFilter,
) -> Result<DeliveryPage, RepositoryError> {
    let page_size = filter.page_size();
    let mut query = webhook_events::table
        .filter(webhook_events::app_id.eq(app.as_uuid()))
        .select(StoredRow::as_select())
        .order((
            webhook_events::received_at.desc(),
            webhook_events::id.desc(),
        ))
        // One row more than the page shows whether another page follows.
        .limit(i64::from(page_size) + 1)
        .into_boxed();
    if let Some(outcome) = filter.outcome {
        query = query.filter(webhook_events::outcome.eq(outcome.as_str()));
    }
    if let Some(platform) = filter.platform {
        query = query.filter(webhook_events::platform.eq(platform.as_str()));
    }
    if let Some(from) = filter.received_from {
        query = query.filter(webhook_events::received_at.ge(from));
    }
    if let Some(before) = filter.received_before {
        query = query.filter(webhook_events::received_at.lt(before));
    }
    if let Some(cursor) = filter.after {
        query = query.filter(
            webhook_events::received_at
                .lt(cursor.received_at)
                .or(webhook_events::received_at
                    .eq(cursor.received_at)
                    .and(webhook_events::id.lt(cursor.id.as_uuid()))),
        );
    }

    let rows: Vec<StoredRow> = query.load(conn).await.map_err(repository_error)?;
    let mut deliveries = rows
        .into_iter()
        .map(StoredRow::into_stored)
        .collect::<Result<Vec<_>, _>>()?;
    let next = if deliveries.len() > page_size as usize {
        deliveries.truncate(page_size as usize);
        deliveries.last().map(|last| DeliveryCursor {
            received_at: last.received_at,
            id: last.id,
        })
    } else {
        None
    };
    Ok(DeliveryPage { deliveries, next })
}

/// Loads the app's delivery with its raw request.
pub(super) async fn load(
    conn: &mut AsyncPgConnection,
    app: AppId,
    id: DeliveryId,
) -> Result<Option<LoadedDelivery>, RepositoryError> {
    let row: Option<(StoredRow, RequestRow)> = webhook_events::table
        .filter(webhook_events::app_id.eq(app.as_uuid()))
        .filter(webhook_events::id.eq(id.as_uuid()))
        .select((StoredRow::as_select(), RequestRow::as_select()))
        .first(conn)
        .await
        .optional()
        .map_err(repository_error)?;
    let Some((stored, request)) = row else {
        return Ok(None);
    };

    let stored = stored.into_stored()?;
    let headers: Vec<(String, String)> =
        serde_json::from_value(request.headers).map_err(|error| corrupt(id, "headers", error))?;
    let delivery = Delivery {
        id: stored.id,
        app_id: stored.app_id,
        platform: stored.platform,
        dedupe_key: stored.dedupe_key.clone(),
        received_at: stored.received_at,
        content_type: request.content_type,
        headers,
        query: request.query,
        body: request.body,
    };
    Ok(Some(LoadedDelivery { delivery, stored }))
}
