//! The client detail: the client with their grants, transactions, access log,
//! notifications and audit entries, read in one repeatable-read transaction so the
//! lists agree with each other.

use std::collections::HashMap;
use std::str::FromStr;

use clientela_domain::audit::AuditEntry;
use clientela_domain::client::{AccessLogEntry, ClientDetail, GrantView, NotificationView};
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AppId, ClientId, ProductId, TransactionId};
use clientela_domain::transaction::{StatusChange, Transaction};
use clientela_domain::values::{
    Currency, Money, PaymentMethod, PaymentMethodKind, Platform, TransactionStatus,
    TransactionStatusKind,
};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::PgStore;
use crate::audit::AuditRow;
use crate::clients::ClientRow;
use crate::error::TxError;
use crate::grants::GrantRow;
use crate::schema::{
    access_log, audit_log, clients, grants, notifications, products, transaction_status_history,
    transactions,
};

/// Maximum number of entries of each list in the detail, newest first.
// TODO: paginate the detail's lists; a client with more entries than this shows
// only the newest ones.
const DETAIL_LIST_LIMIT: i64 = 200;

#[derive(Queryable, Selectable)]
#[diesel(table_name = transactions, check_for_backend(diesel::pg::Pg))]
struct TransactionRow {
    id: Uuid,
    app_id: Uuid,
    client_id: Uuid,
    platform: String,
    external_id: String,
    product_id: Option<Uuid>,
    amount_cents: i64,
    currency: String,
    payment_method: String,
    payment_method_raw: Option<String>,
    status: String,
    status_raw: Option<String>,
    occurred_at: OffsetDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = transaction_status_history, check_for_backend(diesel::pg::Pg))]
struct StatusChangeRow {
    transaction_id: Uuid,
    status: String,
    status_raw: Option<String>,
    occurred_at: OffsetDateTime,
    recorded_at: OffsetDateTime,
    event_ref: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = access_log, check_for_backend(diesel::pg::Pg))]
struct AccessLogRow {
    kind: String,
    at: OffsetDateTime,
    ip: Option<String>,
    user_agent: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = notifications, check_for_backend(diesel::pg::Pg))]
struct NotificationRow {
    kind: String,
    recipient: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: OffsetDateTime,
    sent_at: Option<OffsetDateTime>,
}

/// Rows of one client detail, before conversion to domain types.
struct DetailRows {
    client: ClientRow,
    grants: Vec<(GrantRow, String)>,
    transactions: Vec<TransactionRow>,
    history: Vec<StatusChangeRow>,
    access_log: Vec<AccessLogRow>,
    notifications: Vec<NotificationRow>,
    audit: Vec<AuditRow>,
}

pub(crate) async fn client_detail(
    store: &PgStore,
    app: AppId,
    id: ClientId,
) -> Result<Option<ClientDetail>, RepositoryError> {
    let mut conn = store.conn().await?;
    let rows = conn
        .build_transaction()
        .read_only()
        .repeatable_read()
        .run(async |conn| load_rows(conn, app.as_uuid(), id.as_uuid()).await)
        .await?;
    rows.map(into_detail).transpose()
}

async fn load_rows(
    conn: &mut AsyncPgConnection,
    app: Uuid,
    id: Uuid,
) -> Result<Option<DetailRows>, TxError> {
    let client = clients::table
        .filter(clients::app_id.eq(app))
        .filter(clients::id.eq(id))
        .select(ClientRow::as_select())
        .first(conn)
        .await
        .optional()?;
    let Some(client) = client else {
        return Ok(None);
    };

    let grants = grants::table
        .inner_join(products::table)
        .filter(grants::app_id.eq(app))
        .filter(grants::client_id.eq(id))
        .order((grants::granted_at.desc(), grants::id.desc()))
        .limit(DETAIL_LIST_LIMIT)
        .select((GrantRow::as_select(), products::name))
        .load(conn)
        .await?;

    let transactions: Vec<TransactionRow> = transactions::table
        .filter(transactions::app_id.eq(app))
        .filter(transactions::client_id.eq(id))
        .order((transactions::occurred_at.desc(), transactions::id.desc()))
        .limit(DETAIL_LIST_LIMIT)
        .select(TransactionRow::as_select())
        .load(conn)
        .await?;
    let transaction_ids: Vec<Uuid> = transactions.iter().map(|row| row.id).collect();
    let history = transaction_status_history::table
        .filter(transaction_status_history::app_id.eq(app))
        .filter(transaction_status_history::transaction_id.eq_any(&transaction_ids))
        .order((
            transaction_status_history::occurred_at.asc(),
            transaction_status_history::id.asc(),
        ))
        .select(StatusChangeRow::as_select())
        .load(conn)
        .await?;

    let access_log = access_log::table
        .filter(access_log::app_id.eq(app))
        .filter(access_log::client_id.eq(id))
        .order((access_log::at.desc(), access_log::id.desc()))
        .limit(DETAIL_LIST_LIMIT)
        .select(AccessLogRow::as_select())
        .load(conn)
        .await?;

    let notifications = notifications::table
        .filter(notifications::app_id.eq(app))
        .filter(notifications::client_id.eq(id))
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(DETAIL_LIST_LIMIT)
        .select(NotificationRow::as_select())
        .load(conn)
        .await?;

    let audit = audit_log::table
        .filter(audit_log::app_id.eq(app))
        .filter(audit_log::client_id.eq(id))
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(DETAIL_LIST_LIMIT)
        .select(AuditRow::as_select())
        .load(conn)
        .await?;

    Ok(Some(DetailRows {
        client,
        grants,
        transactions,
        history,
        access_log,
        notifications,
        audit,
    }))
}

fn into_detail(rows: DetailRows) -> Result<ClientDetail, RepositoryError> {
    let grants = rows
        .grants
        .into_iter()
        .map(|(grant, product_name)| {
            Ok(GrantView {
                grant: grant.into_grant()?,
                product_name,
            })
        })
        .collect::<Result<Vec<_>, RepositoryError>>()?;

    let mut history_by_transaction: HashMap<Uuid, Vec<StatusChange>> = HashMap::new();
    for change in rows.history {
        let transaction_id = change.transaction_id;
        history_by_transaction
            .entry(transaction_id)
            .or_default()
            .push(StatusChange {
                status: transaction_status(&change.status, change.status_raw)?,
                occurred_at: change.occurred_at,
                recorded_at: change.recorded_at,
                event_ref: change.event_ref,
            });
    }
    let transactions = rows
        .transactions
        .into_iter()
        .map(|row| {
            let history = history_by_transaction.remove(&row.id).unwrap_or_default();
            into_transaction(row, history)
        })
        .collect::<Result<Vec<_>, RepositoryError>>()?;

    let access_log = rows
        .access_log
        .into_iter()
        .map(|row| AccessLogEntry {
            kind: row.kind,
            at: row.at,
            ip: row.ip,
            user_agent: row.user_agent,
        })
        .collect();
    let notifications = rows
        .notifications
        .into_iter()
        .map(|row| NotificationView {
            kind: row.kind,
            recipient: row.recipient,
            status: row.status,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
        })
        .collect();
    let audit = rows
        .audit
        .into_iter()
        .map(AuditRow::into_entry)
        .collect::<Result<Vec<AuditEntry>, RepositoryError>>()?;

    Ok(ClientDetail {
        client: rows.client.into_client()?,
        grants,
        transactions,
        access_log,
        notifications,
        audit,
    })
}

fn into_transaction(
    row: TransactionRow,
    history: Vec<StatusChange>,
) -> Result<Transaction, RepositoryError> {
    let id = TransactionId::from_uuid(row.id);
    let corrupt = |column: &str, value: &str| {
        RepositoryError::Other(format!(
            "stored transaction {id} has an invalid {column}: {value:?}"
        ))
    };
    Ok(Transaction {
        id,
        app_id: AppId::from_uuid(row.app_id),
        client_id: ClientId::from_uuid(row.client_id),
        platform: Platform::from_str(&row.platform)
            .map_err(|_| corrupt("platform", &row.platform))?,
        external_id: row.external_id,
        product_id: row.product_id.map(ProductId::from_uuid),
        amount: Money::new(
            row.amount_cents,
            Currency::parse(&row.currency).map_err(|_| corrupt("currency", &row.currency))?,
        ),
        payment_method: PaymentMethod {
            kind: PaymentMethodKind::parse(&row.payment_method)
                .ok_or_else(|| corrupt("payment_method", &row.payment_method))?,
            raw: row.payment_method_raw,
        },
        status: transaction_status(&row.status, row.status_raw)?,
        occurred_at: row.occurred_at,
        history,
    })
}

fn transaction_status(
    status: &str,
    raw: Option<String>,
) -> Result<TransactionStatus, RepositoryError> {
    let kind = TransactionStatusKind::parse(status).ok_or_else(|| {
        RepositoryError::Other(format!("stored transaction status is invalid: {status:?}"))
    })?;
    Ok(TransactionStatus { kind, raw })
}
