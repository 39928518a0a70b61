//! Fixtures shared by the tests: a store on a fresh database, and domain values
//! built directly.

use clientela_domain::audit::AuditEntry;
use clientela_domain::client::{Client, ClientStatus};
use clientela_domain::grant::{Grant, GrantSource};
use clientela_domain::ids::{AppId, ClientId, GrantId, ProductId};
use clientela_domain::ports::{AppRepository, ClientRepository, ProductRepository};
use clientela_domain::product::{NewProduct, Product};
use clientela_domain::tenant::{Actor, App};
use clientela_domain::values::{Checked, Document, Email, FullName, Phone, Platform};
use clientela_postgres::PgStore;
use clientela_postgres::testing::TestDatabase;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use time::{Duration, OffsetDateTime};

/// A test database and a store on it. The store is declared first so it is
/// dropped before the database.
pub struct Fixture {
    pub store: PgStore,
    pub database: TestDatabase,
}

impl Fixture {
    pub async fn new() -> Self {
        let database = TestDatabase::new().await;
        let store = PgStore::connect(database.url(), 4)
            .await
            .expect("connect to the test database");
        Self { store, database }
    }

    /// A separate connection for setting up rows no repository method writes.
    pub async fn raw_connection(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(self.database.url())
            .await
            .expect("open a raw connection")
    }

    pub async fn app(&self, slug: &str) -> App {
        let app = App {
            id: AppId::generate(),
            slug: slug.to_owned(),
            name: format!("App {slug}"),
            time_zone: "America/Sao_Paulo".to_owned(),
            created_at: now(),
        };
        self.store.create_app(&app).await.expect("create app");
        app
    }

    pub async fn product(&self, app: &App, name: &str) -> Product {
        self.store
            .create_product(&NewProduct {
                id: ProductId::generate(),
                app_id: app.id,
                name: name.to_owned(),
                created_at: now(),
            })
            .await
            .expect("create product")
    }

    /// Stores a client with no grants and no password.
    pub async fn client(&self, client: &Client) {
        self.store
            .create_client(client, None, &[], &[], &[], None)
            .await
            .expect("create client");
    }
}

/// Returns the current time, cut to the microseconds PostgreSQL stores.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .expect("a valid nanosecond")
}

/// Builds an active, manually created client with only a name and an e-mail.
pub fn client(app: &App, name: &str, email: &str) -> Client {
    let now = now();
    Client {
        id: ClientId::generate(),
        app_id: app.id,
        name: FullName::parse(name).expect("valid name"),
        name_altered: false,
        email: Email::parse(email).expect("valid e-mail"),
        phone: None,
        document: None,
        possible_duplicate_document: false,
        has_chargeback: false,
        status: ClientStatus::Active,
        origin_platform: Platform::Manual,
        has_password: false,
        created_at: now,
        updated_at: now,
        last_access_at: None,
        first_access_at: None,
        version: 0,
    }
}

pub fn phone(raw: &str) -> Option<Checked<Phone>> {
    Some(Checked::Valid(Phone::parse(raw).expect("valid phone")))
}

pub fn document(raw: &str) -> Option<Checked<Document>> {
    Some(Checked::Valid(
        Document::parse(raw).expect("valid document"),
    ))
}

pub fn manual_grant(client: &Client, product: ProductId) -> Grant {
    Grant {
        id: GrantId::generate(),
        app_id: client.app_id,
        client_id: client.id,
        product_id: product,
        source: GrantSource::Manual,
        transaction_id: None,
        granted_by: Actor::Cli,
        granted_at: now(),
        expires_at: None,
        revocation: None,
    }
}

pub fn audit_entry(client: &Client, action: &str) -> AuditEntry {
    AuditEntry {
        app_id: client.app_id,
        client_id: Some(client.id),
        actor: Actor::Cli,
        action: action.to_owned(),
        before: None,
        after: Some(serde_json::json!({ "email": client.email.as_str() })),
        at: now(),
    }
}

pub fn minutes(count: i64) -> Duration {
    Duration::minutes(count)
}
