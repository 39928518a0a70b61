//! Errors of the domain's ports and use cases.

use crate::ids::ProductId;

/// Failures a repository adapter reports. Implementations map their storage errors
/// to these variants; nothing of the storage library leaks through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepositoryError {
    /// Another client of the app already has this e-mail.
    #[error("e-mail already belongs to another client of this app")]
    EmailTaken,
    /// Another app already has this slug.
    #[error("app slug is already taken")]
    SlugTaken,
    /// A referenced product does not exist in this app.
    #[error("product {0} not found in this app")]
    ProductNotFound(ProductId),
    /// The client already has an active grant of this kind for the product.
    #[error("an active grant of this product already exists")]
    GrantExists,
    /// The record changed since it was read (optimistic concurrency check failed).
    #[error("record was changed by another request")]
    Conflict,
    /// The record does not exist in this app.
    #[error("record not found")]
    NotFound,
    /// The storage cannot be reached now; retrying later may succeed.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Any other storage failure.
    #[error("storage failure: {0}")]
    Other(String),
}

/// One invalid input field, with a stable code and an English detail for logs.
/// The HTTP layer turns the code into a message in Portuguese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, detail: impl ToString) -> Self {
        Self {
            field: field.into(),
            code,
            detail: detail.to_string(),
        }
    }
}

/// Every invalid field of one request, so a form can show them all at once.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{} ({})", e.field, e.code)).collect::<Vec<_>>().join(", "))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Returns `Err(self)` when any field was invalid.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// Failures of the client, product and grant use cases.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error("client not found")]
    ClientNotFound,
    #[error("product {0} not found")]
    ProductNotFound(ProductId),
    #[error("e-mail already belongs to another client of this app")]
    EmailTaken,
    #[error("the client already has active manual access to this product")]
    GrantExists,
    #[error("the client has no active access to this product")]
    GrantNotFound,
    #[error("the client was changed by another request; reload and try again")]
    Conflict,
    #[error("app slug is already taken")]
    SlugTaken,
    #[error("the platform product is already linked to this product")]
    ProductLinkExists,
    #[error("the platform product is not linked to this product")]
    ProductLinkNotFound,
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    #[error("unexpected failure: {0}")]
    Unexpected(String),
}

impl From<RepositoryError> for DomainError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::EmailTaken => Self::EmailTaken,
            RepositoryError::SlugTaken => Self::SlugTaken,
            RepositoryError::ProductNotFound(id) => Self::ProductNotFound(id),
            RepositoryError::GrantExists => Self::GrantExists,
            RepositoryError::Conflict => Self::Conflict,
            RepositoryError::NotFound => Self::ClientNotFound,
            RepositoryError::Unavailable(detail) => Self::Unavailable(detail),
            RepositoryError::Other(detail) => Self::Unexpected(detail),
        }
    }
}
