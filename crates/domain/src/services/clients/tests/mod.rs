//! Tests of the client use cases, with every port mocked. A mock without an
//! expectation for a call fails the test when the call happens.

use std::sync::Arc;

use crate::client::{Client, ClientDetail};
use crate::error::DomainError;
use crate::ports::{
    MockClientRepository, MockGrantRepository, MockPasswordHasher, MockProductRepository,
};
use crate::services::test_support::clock;

use super::ClientService;

mod create;
mod grants;
mod search;
mod update;

/// The mocked ports of one test; set expectations, then build the service.
#[derive(Default)]
struct Ports {
    clients: MockClientRepository,
    grants: MockGrantRepository,
    products: MockProductRepository,
    passwords: MockPasswordHasher,
}

impl Ports {
    fn service(self) -> ClientService {
        ClientService::new(
            Arc::new(self.clients),
            Arc::new(self.grants),
            Arc::new(self.products),
            Arc::new(self.passwords),
            Arc::new(clock()),
        )
    }
}

/// Collects the `(field, code)` pairs of a validation error.
fn field_errors(error: DomainError) -> Vec<(String, &'static str)> {
    match error {
        DomainError::Validation(errors) => {
            errors.0.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn fields(pairs: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    pairs
        .iter()
        .map(|(field, code)| ((*field).to_owned(), *code))
        .collect()
}

/// Wraps a client in a page with no grants, transactions or logs.
fn bare_detail(client: Client) -> ClientDetail {
    ClientDetail {
        client,
        grants: Vec::new(),
        transactions: Vec::new(),
        access_log: Vec::new(),
        notifications: Vec::new(),
        audit: Vec::new(),
    }
}
