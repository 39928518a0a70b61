//! Use cases: what producers and processes do, driven through the ports.

mod apps;
mod clients;
mod products;

pub use apps::{AppService, IssuedKey};
pub use clients::{ClientChanges, ClientService, GrantInput, NewClientInput, SearchInput};
pub use products::ProductService;
