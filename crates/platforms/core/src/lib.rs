//! The contract between Clientela and the sales platforms' webhook adapters.
//!
//! One delivery goes through these steps:
//! 1. The HTTP layer builds a [`RawRequest`] from the headers, query string and
//!    body bytes, and looks the adapter up in the [`Registry`].
//! 2. [`verify`] runs the adapter's own authentication on the raw bytes, before any
//!    parsing, and returns a [`VerifiedRequest`], which nothing else can construct.
//! 3. [`PlatformAdapter::dedupe_key`] names the delivery, so a repeat is recognised.
//! 4. [`PlatformAdapter::parse`] turns it into the domain's [`SaleEvent`]s.
//!
//! [`WebhookDriver`] runs these steps, stores the result and replays stored
//! deliveries.
//!
//! Adding a platform is one crate implementing [`PlatformAdapter`] and one
//! [`Registry::register`] call in the composition root.

mod credential;
pub mod driver;
mod error;
mod registry;
mod request;

use clientela_domain::values::Platform;

pub use clientela_domain::sale::SaleEvent;
pub use credential::{Credential, constant_time_eq};
pub use driver::{
    CREDENTIAL_MAX_CHARS, CredentialProblem, Receipt, Replay, WebhookDriver, WebhookError,
};
pub use error::{AuthError, ParseError};
pub use registry::{DuplicatePlatform, Registry};
pub use request::{RawRequest, VerifiedRequest, parse_form, parse_json, verify};

/// A sales platform's webhook adapter: how it authenticates, names and parses a
/// delivery. Implementations hold no per-app state; the app's credential is passed
/// in.
pub trait PlatformAdapter: Send + Sync {
    fn platform(&self) -> Platform;

    /// Checks the platform's own authentication on the raw request, before anything
    /// in it is trusted or parsed. Secrets are compared in constant time.
    fn authenticate(&self, raw: &RawRequest, credential: &Credential) -> Result<(), AuthError>;

    /// Returns a key that is the same for every delivery of one event, so a repeat
    /// can be recognised and skipped.
    fn dedupe_key(&self, request: &VerifiedRequest) -> Result<String, ParseError>;

    /// Parses the delivery into the domain's events. An event type the adapter does
    /// not know is a [`SaleEvent::Unrecognized`], not an error.
    fn parse(&self, request: &VerifiedRequest) -> Result<Vec<SaleEvent>, ParseError>;
}
