//! Typed identifiers, so a client id cannot be passed where a product id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Creates a new, time-ordered (UUIDv7) identifier.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID, as read from storage or a request path.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// An app (tenant): one producer's members area.
    AppId
);
uuid_id!(
    /// A client of one app.
    ClientId
);
uuid_id!(
    /// A product of one app's catalogue.
    ProductId
);
uuid_id!(
    /// One grant of one product to one client.
    GrantId
);
uuid_id!(
    /// One transaction (one charge) recorded from a platform.
    TransactionId
);
uuid_id!(
    /// An admin API key.
    ApiKeyId
);
uuid_id!(
    /// A client's session in the members app.
    SessionId
);
uuid_id!(
    /// A single-use token of a first-access or password-reset link.
    AccountTokenId
);
