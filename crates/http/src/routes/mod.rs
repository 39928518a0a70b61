//! Route handlers, each documented with `#[utoipa::path]` so the OpenAPI document
//! is generated from the same code that serves the routes.

pub mod clients;
pub mod health;
pub mod openapi;
pub mod product_links;
pub mod products;
pub mod webhook_events;
pub mod webhooks;
