//! The domain of Clientela: clients, products, grants and transactions of each app,
//! their rules, and the ports that adapters implement.
//!
//! This crate depends on no runtime, database, web or mail library. Adapters
//! implement the traits in [`ports`]; the use cases in [`services`] drive them.

pub mod account;
pub mod audit;
pub mod client;
pub mod error;
pub mod grant;
pub mod ids;
pub mod notification;
pub mod ports;
pub mod product;
pub mod rules;
pub mod sale;
pub mod search;
pub mod services;
pub mod tenant;
pub mod transaction;
pub mod values;
pub mod webhook;
