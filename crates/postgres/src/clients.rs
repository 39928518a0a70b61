//! Clients: row types, their conversion to the domain's `Client`, and the
//! `ClientRepository` implementation. Search and the client detail live in their
//! own modules.

use std::str::FromStr;

use async_trait::async_trait;
use clientela_domain::account::AccountToken;
use clientela_domain::audit::AuditEntry;
use clientela_domain::client::{Client, ClientDetail, ClientStatus};
use clientela_domain::error::RepositoryError;
use clientela_domain::grant::Grant;
use clientela_domain::ids::{AppId, ClientId};
use clientela_domain::notification::Notification;
use clientela_domain::ports::ClientRepository;
use clientela_domain::search::{ClientPage, ClientQuery};
use clientela_domain::values::{Checked, Document, DocumentKind, Email, FullName, Phone, Platform};
use diesel::dsl::{exists, select};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{TxError, repository_error};
use crate::schema::clients;
use crate::{PgStore, account, audit, detail, grants, notifications, search};

/// A client as read from `clients`. `name_folded` is kept for the cursor of the
/// name sort; the password hash itself is never read, only whether there is one.
#[derive(Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = clients, check_for_backend(diesel::pg::Pg))]
pub(crate) struct ClientRow {
    pub(crate) id: Uuid,
    app_id: Uuid,
    name: String,
    pub(crate) name_folded: String,
    name_altered: bool,
    email: String,
    phone: Option<String>,
    phone_verified: bool,
    phone_invalid_reason: Option<String>,
    document: Option<String>,
    document_verified: bool,
    document_invalid_reason: Option<String>,
    possible_duplicate_document: bool,
    has_chargeback: bool,
    status: String,
    origin_platform: String,
    #[diesel(
        select_expression = clients::password_hash.is_not_null(),
        select_expression_type = diesel::dsl::IsNotNull<clients::password_hash>,
        sql_type = diesel::sql_types::Bool
    )]
    has_password: bool,
    pub(crate) created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    last_access_at: Option<OffsetDateTime>,
    first_access_at: Option<OffsetDateTime>,
    version: i64,
}

/// The select list of [`ClientRow`] for raw SQL over `clients c`.
pub(crate) const CLIENT_COLUMNS_SQL: &str = "c.id, c.app_id, c.name, c.name_folded, \
    c.name_altered, c.email, c.phone, c.phone_verified, c.phone_invalid_reason, c.document, \
    c.document_verified, c.document_invalid_reason, c.possible_duplicate_document, \
    c.has_chargeback, c.status, c.origin_platform, c.password_hash IS NOT NULL AS has_password, \
    c.created_at, c.updated_at, c.last_access_at, c.first_access_at, c.version";

impl ClientRow {
    pub(crate) fn into_client(self) -> Result<Client, RepositoryError> {
        let id = ClientId::from_uuid(self.id);
        Ok(Client {
            id,
            app_id: AppId::from_uuid(self.app_id),
            name: FullName::parse(&self.name).map_err(|error| corrupt(id, "name", error))?,
            name_altered: self.name_altered,
            email: Email::parse(&self.email).map_err(|error| corrupt(id, "email", error))?,
            phone: checked_from_row(
                id,
                "phone",
                self.phone,
                self.phone_verified,
                self.phone_invalid_reason,
                |raw| Phone::parse(raw).map_err(|error| error.code()),
            ),
            document: checked_from_row(
                id,
                "document",
                self.document,
                self.document_verified,
                self.document_invalid_reason,
                |raw| Document::parse(raw).map_err(|error| error.code()),
            ),
            possible_duplicate_document: self.possible_duplicate_document,
            has_chargeback: self.has_chargeback,
            status: ClientStatus::parse(&self.status)
                .ok_or_else(|| corrupt(id, "status", &self.status))?,
            origin_platform: Platform::from_str(&self.origin_platform)
                .map_err(|error| corrupt(id, "origin_platform", error))?,
            has_password: self.has_password,
            created_at: self.created_at,
            updated_at: self.updated_at,
            last_access_at: self.last_access_at,
            first_access_at: self.first_access_at,
            version: self.version,
        })
    }
}

fn corrupt(id: ClientId, column: &str, error: impl std::fmt::Display) -> RepositoryError {
    RepositoryError::Other(format!(
        "stored client {id} has an invalid {column}: {error}"
    ))
}

/// Rebuilds a `Checked` value, parsing a value stored as verified again. When that
/// parse fails, as it can after validation rules change, the value is returned as
/// unverified with the parser's error code and a warning is logged. The read
/// itself does not fail.
fn checked_from_row<T>(
    id: ClientId,
    column: &str,
    raw: Option<String>,
    verified: bool,
    invalid_reason: Option<String>,
    parse: impl Fn(&str) -> Result<T, &'static str>,
) -> Option<Checked<T>> {
    let raw = raw?;
    if !verified {
        return Some(Checked::Unverified {
            raw,
            reason: invalid_reason.unwrap_or_default(),
        });
    }
    Some(match parse(&raw) {
        Ok(value) => Checked::Valid(value),
        Err(code) => {
            tracing::warn!(
                client.id = %id,
                column,
                code,
                "stored verified value no longer passes validation; returning it as unverified"
            );
            Checked::Unverified {
                raw,
                reason: code.to_owned(),
            }
        }
    })
}

/// The stored columns of a `Checked` value: the text, whether it is verified, and
/// the validation error code when it is not.
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

/// The columns both an insert and an update write. An update writes nothing else
/// but the access times, so it never changes the id, the app, the origin, the
/// creation time or the password hash.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = clients, check_for_backend(diesel::pg::Pg), treat_none_as_null = true)]
struct ClientColumns<'a> {
    name: &'a str,
    name_altered: bool,
    email: &'a str,
    phone: Option<&'a str>,
    phone_verified: bool,
    phone_invalid_reason: Option<&'a str>,
    document: Option<&'a str>,
    document_verified: bool,
    document_kind: Option<&'a str>,
    document_invalid_reason: Option<&'a str>,
    possible_duplicate_document: bool,
    has_chargeback: bool,
    status: &'a str,
    updated_at: OffsetDateTime,
    version: i64,
}

impl<'a> ClientColumns<'a> {
    fn of(client: &'a Client) -> Self {
        let phone = checked_columns(client.phone.as_ref(), Phone::as_str);
        let document = checked_columns(client.document.as_ref(), Document::as_str);
        Self {
            name: client.name.as_str(),
            name_altered: client.name_altered,
            email: client.email.as_str(),
            phone: phone.value,
            phone_verified: phone.verified,
            phone_invalid_reason: phone.invalid_reason,
            document: document.value,
            document_verified: document.verified,
            document_kind: document_kind(client.document.as_ref()),
            document_invalid_reason: document.invalid_reason,
            possible_duplicate_document: client.possible_duplicate_document,
            has_chargeback: client.has_chargeback,
            status: client.status.as_str(),
            updated_at: client.updated_at,
            version: client.version,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = clients, check_for_backend(diesel::pg::Pg))]
struct NewClientRow<'a> {
    id: Uuid,
    app_id: Uuid,
    #[diesel(embed)]
    contact: ClientColumns<'a>,
    origin_platform: &'a str,
    password_hash: Option<&'a str>,
    created_at: OffsetDateTime,
    last_access_at: Option<OffsetDateTime>,
    first_access_at: Option<OffsetDateTime>,
}

diesel::define_sql_function! {
    /// PostgreSQL's `GREATEST` of two timestamps; NULL arguments are ignored.
    fn greatest(a: Nullable<Timestamptz>, b: Nullable<Timestamptz>) -> Nullable<Timestamptz>;
}

diesel::define_sql_function! {
    /// PostgreSQL's `COALESCE` of two timestamps.
    fn coalesce(a: Nullable<Timestamptz>, b: Nullable<Timestamptz>) -> Nullable<Timestamptz>;
}

#[async_trait]
impl ClientRepository for PgStore {
    async fn create_client(
        &self,
        client: &Client,
        password_hash: Option<&str>,
        grants: &[Grant],
        audit: &[AuditEntry],
        notifications: &[Notification],
        first_access_token: Option<&AccountToken>,
    ) -> Result<(), RepositoryError> {
        let row = NewClientRow {
            id: client.id.as_uuid(),
            app_id: client.app_id.as_uuid(),
            contact: ClientColumns::of(client),
            origin_platform: client.origin_platform.as_str(),
            password_hash,
            created_at: client.created_at,
            last_access_at: client.last_access_at,
            first_access_at: client.first_access_at,
        };
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            diesel::insert_into(clients::table)
                .values(&row)
                .execute(conn)
                .await?;
            grants::insert_grants(conn, grants).await?;
            audit::insert_entries(conn, audit).await?;
            if let Some(token) = first_access_token {
                account::insert_token(conn, token).await?;
            }
            notifications::enqueue_all(conn, notifications).await?;
            Ok::<_, TxError>(())
        })
        .await?;
        Ok(())
    }

    async fn find_client(
        &self,
        app: AppId,
        id: ClientId,
    ) -> Result<Option<Client>, RepositoryError> {
        let mut conn = self.conn().await?;
        let row = clients::table
            .filter(clients::app_id.eq(app.as_uuid()))
            .filter(clients::id.eq(id.as_uuid()))
            .select(ClientRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(repository_error)?;
        row.map(ClientRow::into_client).transpose()
    }

    async fn client_detail(
        &self,
        app: AppId,
        id: ClientId,
    ) -> Result<Option<ClientDetail>, RepositoryError> {
        detail::client_detail(self, app, id).await
    }

    /// Access times only move forward here: the stored last access is kept when it
    /// is newer, and a stored first access is never replaced, so an edit based on a
    /// slightly older read cannot undo a login recorded in between.
    async fn update_client(
        &self,
        client: &Client,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> Result<(), RepositoryError> {
        let changes = ClientColumns::of(client);
        let mut conn = self.conn().await?;
        conn.transaction(async |conn| {
            let target = clients::table
                .filter(clients::app_id.eq(client.app_id.as_uuid()))
                .filter(clients::id.eq(client.id.as_uuid()));
            let updated = diesel::update(target.filter(clients::version.eq(expected_version)))
                .set((
                    &changes,
                    clients::last_access_at
                        .eq(greatest(clients::last_access_at, client.last_access_at)),
                    clients::first_access_at
                        .eq(coalesce(clients::first_access_at, client.first_access_at)),
                ))
                .execute(conn)
                .await?;
            if updated == 0 {
                let found: bool = select(exists(target)).get_result(conn).await?;
                let error = if found {
                    RepositoryError::Conflict
                } else {
                    RepositoryError::NotFound
                };
                return Err(TxError(error));
            }
            audit::insert_entries(conn, std::slice::from_ref(audit)).await?;
            Ok(())
        })
        .await?;
        Ok(())
    }

    async fn search_clients(
        &self,
        app: AppId,
        query: &ClientQuery,
    ) -> Result<ClientPage, RepositoryError> {
        search::search_clients(self, app, query).await
    }

    async fn document_in_use(
        &self,
        app: AppId,
        document: &str,
        except: Option<ClientId>,
    ) -> Result<bool, RepositoryError> {
        let mut holders = clients::table
            .filter(clients::app_id.eq(app.as_uuid()))
            .filter(clients::document.eq(document))
            .into_boxed();
        if let Some(except) = except {
            holders = holders.filter(clients::id.ne(except.as_uuid()));
        }
        let mut conn = self.conn().await?;
        select(exists(holders))
            .get_result(&mut conn)
            .await
            .map_err(repository_error)
    }
}
