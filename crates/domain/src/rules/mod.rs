//! Business rules as pure functions of their inputs.

pub mod access;
pub mod customer_data;
pub mod sale_notifications;
pub mod subscription;
pub mod transaction_state;

#[cfg(test)]
mod properties;
