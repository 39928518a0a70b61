#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! Tests of the real router over a real PostgreSQL database (`TEST_DATABASE_URL`).

mod account_errors;
mod auth;
mod clients;
mod error_table;
mod health;
mod openapi;
mod rejections;
mod support;
