//! Fixtures of the account adapter tests: a store on a fresh database, an app,
//! and clients stored through the client repository.

use clientela_domain::account::{AccessEvent, AccessOrigin};
use clientela_domain::client::{AccessKind, Client, ClientDetail, ClientStatus};
use clientela_domain::ids::{AppId, ClientId};
use clientela_domain::ports::{AppRepository, ClientRepository};
use clientela_domain::tenant::App;
use clientela_domain::values::{Email, FullName, Platform};
use clientela_postgres::PgStore;
use clientela_postgres::testing::TestDatabase;
use time::OffsetDateTime;

/// The password hash stored for clients that have one; the adapter stores it
/// as given.
pub const STORED_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";

/// A test database and a store on it. The store is declared first so it is
/// dropped before the database.
pub struct Fixture {
    pub store: PgStore,
    _database: TestDatabase,
}

impl Fixture {
    pub async fn new() -> Self {
        let database = TestDatabase::new().await;
        let store = PgStore::connect(database.url(), 4)
            .await
            .expect("connect to the test database");
        Self {
            store,
            _database: database,
        }
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

    /// Stores an active client, with [`STORED_HASH`] as password hash when
    /// `with_password` is set.
    pub async fn client(&self, app: &App, email: &str, with_password: bool) -> Client {
        let now = now();
        let client = Client {
            id: ClientId::generate(),
            app_id: app.id,
            name: FullName::parse("Ana Souza").expect("valid name"),
            name_altered: false,
            email: Email::parse(email).expect("valid e-mail"),
            phone: None,
            document: None,
            possible_duplicate_document: false,
            has_chargeback: false,
            status: ClientStatus::Active,
            origin_platform: Platform::Hotmart,
            has_password: with_password,
            created_at: now,
            updated_at: now,
            last_access_at: None,
            first_access_at: None,
            version: 0,
        };
        let hash = with_password.then_some(STORED_HASH);
        self.store
            .create_client(&client, hash, &[], &[], &[], None)
            .await
            .expect("create client");
        client
    }

    pub async fn reload(&self, client: &Client) -> Client {
        self.store
            .find_client(client.app_id, client.id)
            .await
            .expect("read client")
            .expect("client exists")
    }

    pub async fn detail(&self, client: &Client) -> ClientDetail {
        self.store
            .client_detail(client.app_id, client.id)
            .await
            .expect("read detail")
            .expect("client exists")
    }

    /// Returns the kinds of the client's access-log entries, newest first.
    pub async fn access_kinds(&self, client: &Client) -> Vec<String> {
        self.detail(client)
            .await
            .access_log
            .into_iter()
            .map(|entry| entry.kind)
            .collect()
    }
}

/// Returns the current time, cut to the microseconds PostgreSQL stores.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .expect("a valid nanosecond")
}

/// Builds an access event of `client` at `at`, from a fixed address and browser.
pub fn event(client: &Client, kind: AccessKind, at: OffsetDateTime) -> AccessEvent {
    let origin = AccessOrigin::new(
        Some("198.51.100.4".parse().expect("valid address")),
        Some("Mozilla/5.0 (Teste)"),
    );
    AccessEvent::new(client, kind, at, &origin)
}
