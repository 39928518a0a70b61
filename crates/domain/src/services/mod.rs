//! Use cases: what producers and processes do, driven through the ports.

mod account;
mod apps;
mod clients;
mod outbox;
mod product_links;
mod products;
#[cfg(test)]
mod test_support;

pub use account::{AccountPorts, AccountService};
pub use apps::{
    API_KEY_LENGTH, API_KEY_PREFIX, APP_NAME_MAX_CHARS, AppService, IssuedKey,
    MEMBERS_URL_MAX_CHARS,
};
pub use clients::{
    ClientChanges, ClientService, GrantInput, NewClientInput, PASSWORD_MAX_CHARS,
    PASSWORD_MIN_CHARS, SearchInput,
};
pub use outbox::{
    CLAIM_LEASE, DeliveryFailure, LAST_ERROR_MAX_CHARS, MAX_ATTEMPTS, OutboxError, OutboxReport,
    OutboxService, RETRY_DELAYS, SentNotification, retry_delay,
};
pub use product_links::{EXTERNAL_ID_MAX_CHARS, ProductLinkService};
pub use products::ProductService;
