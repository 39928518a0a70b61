//! Business rules as pure functions of their inputs.

pub mod access;
pub mod transaction_state;

#[cfg(test)]
mod properties;
