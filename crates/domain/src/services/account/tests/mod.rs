//! Tests of the account use cases, with every port mocked. A mock without an
//! expectation for a call fails the test when the call happens.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use crate::account::{AccessOrigin, AccountError, LoginRecord};
use crate::client::{Client, ClientStatus};
use crate::ports::{
    MockAccountRepository, MockClientRepository, MockGrantRepository, MockLoginThrottle,
    MockPasswordHasher, MockProductRepository, MockSessionRepository,
};
use crate::services::test_support::{app, clock, stored_client};
use crate::tenant::App;

use super::{AccountPorts, AccountService};

mod admin;
mod links;
mod login;
mod session;

/// The password every test client has.
const PASSWORD: &str = "senha certa 123";
/// The stored hash of [`PASSWORD`] in these tests.
const STORED_HASH: &str = "$argon2id$stored";
/// The hash the mocked hasher returns for any new password.
const NEW_HASH: &str = "$argon2id$new";
/// The IP address of [`origin`].
const IP: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 9);
const USER_AGENT: &str = "Mozilla/5.0 (Teste)";

/// The mocked ports of one test; set expectations, then build the service.
#[derive(Default)]
struct Ports {
    accounts: MockAccountRepository,
    sessions: MockSessionRepository,
    throttle: MockLoginThrottle,
    clients: MockClientRepository,
    grants: MockGrantRepository,
    products: MockProductRepository,
    passwords: MockPasswordHasher,
}

impl Ports {
    fn service(self) -> AccountService {
        AccountService::new(AccountPorts {
            accounts: Arc::new(self.accounts),
            sessions: Arc::new(self.sessions),
            throttle: Arc::new(self.throttle),
            clients: Arc::new(self.clients),
            grants: Arc::new(self.grants),
            products: Arc::new(self.products),
            passwords: Arc::new(self.passwords),
            clock: Arc::new(clock()),
        })
    }

    /// Makes `find_client` return `client`.
    fn with_client(mut self, client: &Client) -> Self {
        let found = client.clone();
        self.clients
            .expect_find_client()
            .returning(move |_, _| Ok(Some(found.clone())));
        self
    }

    /// Makes the hasher return [`NEW_HASH`] for any password.
    fn hashing(mut self) -> Self {
        self.passwords
            .expect_hash()
            .returning(|_| Ok(NEW_HASH.to_owned()));
        self
    }
}

/// Returns the origin of every test request.
fn origin() -> AccessOrigin {
    AccessOrigin::new(Some(IpAddr::V4(IP)), Some(USER_AGENT))
}

/// Returns an app and an active client of it who has a password.
fn app_and_client() -> (App, Client) {
    let app = app();
    let client = stored_client(&app);
    (app, client)
}

fn inactive(client: &Client) -> Client {
    Client {
        status: ClientStatus::Inactive,
        ..client.clone()
    }
}

fn without_password(client: &Client) -> Client {
    Client {
        has_password: false,
        ..client.clone()
    }
}

/// Returns the login record of `client`, with [`STORED_HASH`] when they have a
/// password.
fn login_record(client: &Client) -> LoginRecord {
    LoginRecord {
        client: client.clone(),
        password_hash: client.has_password.then(|| STORED_HASH.to_owned()),
    }
}

/// The values a mock's expectation received.
type Recorded<T> = Arc<Mutex<Vec<T>>>;

/// Returns a sink for a mock's expectation and the handle the test reads.
fn recorder<T>() -> (Recorded<T>, Recorded<T>) {
    let recorded = Arc::new(Mutex::new(Vec::new()));
    (Arc::clone(&recorded), recorded)
}

fn taken<T: Clone>(recorded: &Recorded<T>) -> Vec<T> {
    recorded.lock().expect("lock").clone()
}

/// Collects the `(field, code)` pairs of a validation error.
fn field_errors(error: AccountError) -> Vec<(String, &'static str)> {
    match error {
        AccountError::Validation(errors) => {
            errors.0.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}
