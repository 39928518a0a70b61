//! Value types with validating constructors: an invalid value cannot be built, so it
//! cannot reach the rules.

mod document;
mod email;
mod money;
mod name;
mod payment;
mod phone;
mod platform;
mod status;

pub use document::{Document, DocumentError, DocumentKind};
pub use email::{Email, EmailError};
pub use money::{Currency, CurrencyError, Money};
pub use name::{FullName, FullNameError, NAME_MAX_CHARS};
pub use payment::{PaymentMethod, PaymentMethodKind};
pub use phone::{Phone, PhoneError};
pub use platform::{Platform, UnknownPlatform};
pub use status::{TransactionStatus, TransactionStatusKind};

/// A value from a platform event that failed validation but is kept as received,
/// because a sale is never dropped over bad contact data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Checked<T> {
    /// The value passed validation.
    Valid(T),
    /// The value failed validation; `raw` is what arrived and `reason` is the
    /// validation error's code.
    Unverified { raw: String, reason: String },
}
