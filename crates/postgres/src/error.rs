//! Errors of the PostgreSQL adapter, and their mapping to the domain's
//! `RepositoryError`. Messages carry PostgreSQL's error message and the names of
//! constraints, never the `DETAIL` text, which can contain row values.

use clientela_domain::error::RepositoryError;
use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;

/// Failures of the pool, the migrations and the queries outside the repository
/// traits.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The pool settings were rejected.
    #[error("invalid database pool settings: {0}")]
    PoolSetup(String),
    /// No connection could be had: the server is down or unreachable, every pooled
    /// connection stayed busy past the wait timeout, or a connection timed out.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Opening a single connection failed, for example because of a malformed URL
    /// or a rejected login.
    #[error("could not connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database query failed: {0}")]
    Query(#[from] DieselError),
    #[error("database migration failed: {0}")]
    Migration(String),
    /// A search cursor does not fit the query: it was made for another sort order,
    /// or its key cannot be read.
    #[error("invalid search cursor: {0}")]
    InvalidCursor(String),
}

impl From<PoolError> for PgError {
    fn from(error: PoolError) -> Self {
        match error {
            PoolError::NoRuntimeSpecified => Self::PoolSetup(error.to_string()),
            other => Self::Unavailable(other.to_string()),
        }
    }
}

impl From<PgError> for RepositoryError {
    fn from(error: PgError) -> Self {
        match error {
            PgError::Query(error) => repository_error(error),
            PgError::Unavailable(detail) => Self::Unavailable(detail),
            PgError::Connection(error) => Self::Unavailable(error.to_string()),
            other => Self::Other(other.to_string()),
        }
    }
}

/// A `RepositoryError` raised inside a database transaction. Diesel's transaction
/// API needs an error type that converts from its own errors, which the foreign
/// `RepositoryError` cannot do.
#[derive(Debug)]
pub(crate) struct TxError(pub(crate) RepositoryError);

impl From<DieselError> for TxError {
    fn from(error: DieselError) -> Self {
        Self(repository_error(error))
    }
}

impl From<TxError> for RepositoryError {
    fn from(error: TxError) -> Self {
        error.0
    }
}

/// Maps a query error to the domain's error: the unique constraints the domain
/// names to their variants, a missing row to `NotFound`, connection, resource and
/// timeout failures to `Unavailable`, and everything else to `Other`.
pub(crate) fn repository_error(error: DieselError) -> RepositoryError {
    let DieselError::DatabaseError(kind, info) = &error else {
        return match error {
            DieselError::NotFound => RepositoryError::NotFound,
            DieselError::BrokenTransactionManager => {
                RepositoryError::Unavailable(error.to_string())
            }
            other => RepositoryError::Other(other.to_string()),
        };
    };

    if matches!(kind, DatabaseErrorKind::UniqueViolation) {
        match info.constraint_name() {
            Some("clients_app_id_email_key") => return RepositoryError::EmailTaken,
            Some("apps_slug_key") => return RepositoryError::SlugTaken,
            Some("grants_one_active_manual_idx") => return RepositoryError::GrantExists,
            _ => {}
        }
    }
    if is_unavailable(kind, info.as_ref()) {
        return RepositoryError::Unavailable(describe(info.as_ref()));
    }
    RepositoryError::Other(describe(info.as_ref()))
}

/// Returns the name of the violated foreign key when `error` is a foreign key
/// violation.
pub(crate) fn foreign_key_violation(error: &DieselError) -> Option<&str> {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
            info.constraint_name()
        }
        _ => None,
    }
}

/// Returns true when retrying later may succeed. That is the case when the
/// connection broke, the server is short of resources or shutting down, or the
/// statement timed out (SQLSTATE classes 08, 53 and 57). It is also the case when
/// the transaction lost a serialization or deadlock race (class 40).
fn is_unavailable(
    kind: &DatabaseErrorKind,
    info: &(dyn DatabaseErrorInformation + Send + Sync),
) -> bool {
    if matches!(
        kind,
        DatabaseErrorKind::ClosedConnection
            | DatabaseErrorKind::UnableToSendCommand
            | DatabaseErrorKind::SerializationFailure
    ) {
        return true;
    }
    info.sqlstate()
        .is_some_and(|state| matches!(&state.as_str()[..2], "08" | "40" | "53" | "57"))
}

fn describe(info: &(dyn DatabaseErrorInformation + Send + Sync)) -> String {
    let mut text = info.message().to_owned();
    if let Some(state) = info.sqlstate() {
        text.push_str(&format!(" (SQLSTATE {state})"));
    }
    if let Some(constraint) = info.constraint_name() {
        text.push_str(&format!(" (constraint {constraint})"));
    }
    text
}
