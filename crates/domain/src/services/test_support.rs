//! Fixtures shared by the use-case tests.

use time::OffsetDateTime;
use time::macros::datetime;

use crate::client::{Client, ClientStatus};
use crate::ids::{ApiKeyId, AppId, ClientId, ProductId};
use crate::ports::MockClock;
use crate::product::Product;
use crate::tenant::{Actor, App};
use crate::values::{Email, FullName, Platform};

/// The instant every test clock returns.
pub(crate) const NOW: OffsetDateTime = datetime!(2026-03-10 15:30 UTC);

/// A clock that always returns [`NOW`].
pub(crate) fn clock() -> MockClock {
    let mut clock = MockClock::new();
    clock.expect_now().return_const(NOW);
    clock
}

pub(crate) fn app() -> App {
    App {
        id: AppId::generate(),
        slug: "curso-de-violao".to_owned(),
        name: "Curso de Violão".to_owned(),
        time_zone: "America/Sao_Paulo".to_owned(),
        created_at: datetime!(2025-01-01 12:00 UTC),
    }
}

pub(crate) fn actor() -> Actor {
    Actor::ApiKey(ApiKeyId::generate())
}

pub(crate) fn product(app: &App, name: &str) -> Product {
    Product {
        id: ProductId::generate(),
        app_id: app.id,
        name: name.to_owned(),
        created_at: datetime!(2025-02-01 12:00 UTC),
    }
}

/// A stored client of `app`, created by hand a month before [`NOW`].
pub(crate) fn stored_client(app: &App) -> Client {
    let created_at = datetime!(2026-02-10 12:00 UTC);
    Client {
        id: ClientId::generate(),
        app_id: app.id,
        name: FullName::parse("Ana Souza").expect("valid name"),
        name_altered: false,
        email: Email::parse("ana.souza@example.com").expect("valid e-mail"),
        phone: None,
        document: None,
        possible_duplicate_document: false,
        has_chargeback: false,
        status: ClientStatus::Active,
        origin_platform: Platform::Manual,
        has_password: true,
        created_at,
        updated_at: created_at,
        last_access_at: None,
        first_access_at: None,
        version: 3,
    }
}
