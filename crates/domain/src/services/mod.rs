//! Use cases: what producers and processes do, driven through the ports.

mod apps;
mod clients;
mod products;
#[cfg(test)]
mod test_support;

pub use apps::{API_KEY_LENGTH, API_KEY_PREFIX, APP_NAME_MAX_CHARS, AppService, IssuedKey};
pub use clients::{
    ClientChanges, ClientService, GrantInput, NewClientInput, PASSWORD_MAX_CHARS,
    PASSWORD_MIN_CHARS, SearchInput,
};
pub use products::ProductService;
