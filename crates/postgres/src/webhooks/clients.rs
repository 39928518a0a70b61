//! Clients from platform events: the race-safe insert by e-mail, the merge of
//! received data into a stored client, and the chargeback flag.

use clientela_domain::client::Client;
use clientela_domain::error::RepositoryError;
use clientela_domain::ids::{AppId, ClientId};
use clientela_domain::rules::customer_data::{ClientContact, merge_contact, new_client_contact};
use clientela_domain::sale::{CustomerData, DataIssue};
use clientela_domain::values::{Checked, Document, DocumentKind, Phone, Platform};
use diesel::OptionalExtension;
use diesel::sql_types::{Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::cached::CacheStatement;
use crate::clients::{CLIENT_COLUMNS_SQL, ClientRow};
use crate::error::TxError;

/// A client after an event's customer data was applied.
pub(super) struct AppliedClient {
    pub(super) client: Client,
    pub(super) created: bool,
    /// Whether an existing client's contact data changed.
    pub(super) updated: bool,
    pub(super) issues: Vec<DataIssue>,
}

/// The stored columns of a `Checked` value.
struct CheckedColumns<'a> {
    value: Option<&'a str>,
    verified: bool,
    invalid_reason: Option<&'a str>,
}

fn checked_columns<T>(checked: Option<&Checked<T>>, as_str: fn(&T) -> &str) -> CheckedColumns<'_> {
    match checked {
        None => CheckedColumns {
            value: None,
            verified: false,
            invalid_reason: None,
        },
        Some(Checked::Valid(value)) => CheckedColumns {
            value: Some(as_str(value)),
            verified: true,
            invalid_reason: None,
        },
        Some(Checked::Unverified { raw, reason }) => CheckedColumns {
            value: Some(raw),
            verified: false,
            invalid_reason: Some(reason),
        },
    }
}

fn document_kind(document: Option<&Checked<Document>>) -> Option<&'static str> {
    match document {
        Some(Checked::Valid(document)) => Some(match document.kind() {
            DocumentKind::Cpf => "cpf",
            DocumentKind::Cnpj => "cnpj",
        }),
        _ => None,
    }
}

/// Returns the document to look for among other clients. Only a verified one
/// counts, because an unverified value matching another is no sign of the same
/// person.
fn duplicate_check_document(document: Option<&Checked<Document>>) -> Option<&str> {
    match document {
        Some(Checked::Valid(document)) => Some(document.as_str()),
        _ => None,
    }
}

fn contact_of(client: &Client) -> ClientContact {
    ClientContact {
        name: client.name.clone(),
        name_altered: client.name_altered,
        phone: client.phone.clone(),
        document: client.document.clone(),
    }
}

/// Creates the client of the event's e-mail, or merges the event's data into the
/// stored one, and locks the client's row until the transaction ends.
///
/// The insert does nothing on a conflict of (app, e-mail): a concurrent first
/// purchase of the same e-mail waits for the other insert's transaction, then
/// finds its row. So one e-mail always ends as one client.
pub(super) async fn upsert(
    conn: &mut AsyncPgConnection,
    app: AppId,
    platform: Platform,
    customer: &CustomerData,
    now: OffsetDateTime,
) -> Result<AppliedClient, TxError> {
    let (contact, issues) = new_client_contact(customer);
    let phone = checked_columns(contact.phone.as_ref(), Phone::as_str);
    let document = checked_columns(contact.document.as_ref(), Document::as_str);

    let inserted: Option<ClientRow> = diesel::sql_query(format!(
        "INSERT INTO clients AS c (id, app_id, name, name_altered, email, phone, phone_verified, \
             phone_invalid_reason, document, document_verified, document_kind, \
             document_invalid_reason, possible_duplicate_document, origin_platform, created_at, \
             updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             EXISTS (SELECT 1 FROM clients o WHERE o.app_id = $2 AND o.document = $13), \
             $14, $15, $15, 1) \
         ON CONFLICT (app_id, email) DO NOTHING \
         RETURNING {CLIENT_COLUMNS_SQL}"
    ))
    .bind::<SqlUuid, _>(ClientId::generate().as_uuid())
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<Text, _>(contact.name.as_str())
    .bind::<Bool, _>(contact.name_altered)
    .bind::<Text, _>(customer.email.as_str())
    .bind::<Nullable<Text>, _>(phone.value)
    .bind::<Bool, _>(phone.verified)
    .bind::<Nullable<Text>, _>(phone.invalid_reason)
    .bind::<Nullable<Text>, _>(document.value)
    .bind::<Bool, _>(document.verified)
    .bind::<Nullable<Text>, _>(document_kind(contact.document.as_ref()))
    .bind::<Nullable<Text>, _>(document.invalid_reason)
    .bind::<Nullable<Text>, _>(duplicate_check_document(contact.document.as_ref()))
    .bind::<Text, _>(platform.as_str())
    .bind::<Timestamptz, _>(now)
    .cached()
    .get_result(conn)
    .await
    .optional()?;
    if let Some(row) = inserted {
        return Ok(AppliedClient {
            client: row.into_client().map_err(TxError)?,
            created: true,
            updated: false,
            issues,
        });
    }

    let stored = lock_by_email(conn, app, customer).await?.ok_or_else(|| {
        // The conflicting row exists, because clients are never deleted.
        TxError(RepositoryError::Other(
            "client row vanished after an e-mail conflict".to_owned(),
        ))
    })?;
    merge_into(conn, stored, customer, now).await
}

/// Merges the event's data into the client of its e-mail, when the app has one.
/// Events that are no sale (cancellations, subscription changes) update a known
/// client but never create one.
pub(super) async fn update_existing(
    conn: &mut AsyncPgConnection,
    app: AppId,
    customer: &CustomerData,
    now: OffsetDateTime,
) -> Result<Option<AppliedClient>, TxError> {
    match lock_by_email(conn, app, customer).await? {
        Some(stored) => Ok(Some(merge_into(conn, stored, customer, now).await?)),
        None => Ok(None),
    }
}

async fn lock_by_email(
    conn: &mut AsyncPgConnection,
    app: AppId,
    customer: &CustomerData,
) -> Result<Option<Client>, TxError> {
    let row: Option<ClientRow> = diesel::sql_query(format!(
        "SELECT {CLIENT_COLUMNS_SQL} FROM clients c WHERE c.app_id = $1 AND c.email = $2 FOR UPDATE"
    ))
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<Text, _>(customer.email.as_str())
    .cached()
    .get_result(conn)
    .await
    .optional()?;
    row.map(ClientRow::into_client).transpose().map_err(TxError)
}

/// Locks a client by id and returns it, or `NotFound`.
pub(super) async fn lock_by_id(
    conn: &mut AsyncPgConnection,
    app: AppId,
    id: ClientId,
) -> Result<Client, TxError> {
    let row: ClientRow = diesel::sql_query(format!(
        "SELECT {CLIENT_COLUMNS_SQL} FROM clients c WHERE c.app_id = $1 AND c.id = $2 FOR UPDATE"
    ))
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<SqlUuid, _>(id.as_uuid())
    .cached()
    .get_result(conn)
    .await?;
    row.into_client().map_err(TxError)
}

/// Writes the merged contact when it changed, with a new version so that an admin
/// edit based on an older read fails with a conflict instead of undoing it. The
/// duplicate-document flag is computed again when the document changed.
async fn merge_into(
    conn: &mut AsyncPgConnection,
    stored: Client,
    customer: &CustomerData,
    now: OffsetDateTime,
) -> Result<AppliedClient, TxError> {
    let merge = merge_contact(&contact_of(&stored), customer);
    if !merge.is_changed() {
        return Ok(AppliedClient {
            client: stored,
            created: false,
            updated: false,
            issues: merge.issues,
        });
    }

    let contact = &merge.contact;
    let phone = checked_columns(contact.phone.as_ref(), Phone::as_str);
    let document = checked_columns(contact.document.as_ref(), Document::as_str);
    let row: ClientRow = diesel::sql_query(format!(
        "UPDATE clients AS c SET name = $3, name_altered = $4, phone = $5, phone_verified = $6, \
             phone_invalid_reason = $7, document = $8, document_verified = $9, \
             document_kind = $10, document_invalid_reason = $11, \
             possible_duplicate_document = CASE WHEN $12 \
                 THEN EXISTS (SELECT 1 FROM clients o \
                     WHERE o.app_id = $1 AND o.document = $13 AND o.id <> $2) \
                 ELSE c.possible_duplicate_document END, \
             updated_at = $14, version = c.version + 1 \
         WHERE c.app_id = $1 AND c.id = $2 \
         RETURNING {CLIENT_COLUMNS_SQL}"
    ))
    .bind::<SqlUuid, _>(stored.app_id.as_uuid())
    .bind::<SqlUuid, _>(stored.id.as_uuid())
    .bind::<Text, _>(contact.name.as_str())
    .bind::<Bool, _>(contact.name_altered)
    .bind::<Nullable<Text>, _>(phone.value)
    .bind::<Bool, _>(phone.verified)
    .bind::<Nullable<Text>, _>(phone.invalid_reason)
    .bind::<Nullable<Text>, _>(document.value)
    .bind::<Bool, _>(document.verified)
    .bind::<Nullable<Text>, _>(document_kind(contact.document.as_ref()))
    .bind::<Nullable<Text>, _>(document.invalid_reason)
    .bind::<Bool, _>(merge.document_changed())
    .bind::<Nullable<Text>, _>(duplicate_check_document(contact.document.as_ref()))
    .bind::<Timestamptz, _>(now)
    .cached()
    .get_result(conn)
    .await?;
    Ok(AppliedClient {
        client: row.into_client().map_err(TxError)?,
        created: false,
        updated: true,
        issues: merge.issues,
    })
}

/// Marks the client for review after a chargeback, with a new version as for a
/// contact change. Returns whether the flag was newly set.
pub(super) async fn flag_chargeback(
    conn: &mut AsyncPgConnection,
    app: AppId,
    client: ClientId,
    now: OffsetDateTime,
) -> Result<bool, TxError> {
    let updated = diesel::sql_query(
        "UPDATE clients SET has_chargeback = true, updated_at = $3, version = version + 1 \
         WHERE app_id = $1 AND id = $2 AND NOT has_chargeback",
    )
    .bind::<SqlUuid, _>(app.as_uuid())
    .bind::<SqlUuid, _>(client.as_uuid())
    .bind::<Timestamptz, _>(now)
    .cached()
    .execute(conn)
    .await?;
    Ok(updated == 1)
}
