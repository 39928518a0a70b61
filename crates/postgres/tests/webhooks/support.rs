//! Fixtures of the webhook tests: a store on a fresh database, deliveries built
//! from the shared sample payloads the way the HTTP layer builds them, and
//! queries that read back what an ingest wrote.

use std::path::PathBuf;

use clientela_domain::error::RepositoryError;
use clientela_domain::ids::AppId;
use clientela_domain::ports::{AppRepository, WebhookRepository};
use clientela_domain::sale::SaleEvent;
use clientela_domain::tenant::App;
use clientela_domain::webhook::{Delivery, IngestReport};
use clientela_hotmart::{HOTTOK_HEADER, HotmartAdapter};
use clientela_kiwify::{KiwifyAdapter, compute_signature};
use clientela_platform::{Credential, PlatformAdapter, RawRequest, verify};
use clientela_postgres::PgStore;
use clientela_postgres::testing::TestDatabase;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

/// The fictional hottok of the Hotmart sample payloads.
pub const HOTTOK: &str = "FICTICIOhottokEXEMPLO0000000000000001";
/// The fictional webhook token the Kiwify sample payloads are signed with.
pub const KIWIFY_TOKEN: &str = "k7q2mx9wz4p";

/// A test database and a store on it. The store is declared first so it is
/// dropped before the database.
pub struct Fixture {
    pub store: PgStore,
    pub database: TestDatabase,
}

impl Fixture {
    /// Creates a database and a store with enough connections for ten
    /// concurrent ingests.
    pub async fn new() -> Self {
        let database = TestDatabase::new().await;
        let store = PgStore::connect(database.url(), 12)
            .await
            .expect("connect to the test database");
        Self { store, database }
    }

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
            created_at: OffsetDateTime::now_utc(),
        };
        self.store.create_app(&app).await.expect("create app");
        app
    }

    pub async fn ingest(&self, delivery: &Delivery, events: &[SaleEvent]) -> IngestReport {
        self.store
            .ingest(delivery, events)
            .await
            .unwrap_or_else(|error| panic!("ingest failed: {error}"))
    }

    pub async fn try_ingest(
        &self,
        delivery: &Delivery,
        events: &[SaleEvent],
    ) -> Result<IngestReport, RepositoryError> {
        self.store.ingest(delivery, events).await
    }

    /// Counts the app's rows of `table`, which must have an `app_id` column.
    pub async fn count(&self, app: &App, table: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            count: i64,
        }
        let mut conn = self.raw_connection().await;
        let row: Count = diesel::sql_query(format!(
            "SELECT count(*) AS count FROM {table} WHERE app_id = $1"
        ))
        .bind::<SqlUuid, _>(app.id.as_uuid())
        .get_result(&mut conn)
        .await
        .unwrap_or_else(|error| panic!("count {table}: {error}"));
        row.count
    }

    pub async fn client(&self, app: &App, email: &str) -> Option<ClientFacts> {
        let mut conn = self.raw_connection().await;
        diesel::sql_query(
            "SELECT id, name, name_altered, phone, phone_verified, phone_invalid_reason, document, \
                 document_verified, possible_duplicate_document, has_chargeback, origin_platform, \
                 password_hash IS NOT NULL AS has_password, version \
             FROM clients WHERE app_id = $1 AND email = $2",
        )
        .bind::<SqlUuid, _>(app.id.as_uuid())
        .bind::<Text, _>(email)
        .get_result(&mut conn)
        .await
        .ok()
    }

    pub async fn transaction_status(&self, app: &App, external_id: &str) -> Option<String> {
        #[derive(QueryableByName)]
        struct Status {
            #[diesel(sql_type = Text)]
            status: String,
        }
        let mut conn = self.raw_connection().await;
        diesel::sql_query("SELECT status FROM transactions WHERE app_id = $1 AND external_id = $2")
            .bind::<SqlUuid, _>(app.id.as_uuid())
            .bind::<Text, _>(external_id)
            .get_result::<Status>(&mut conn)
            .await
            .ok()
            .map(|row| row.status)
    }

    /// Returns the app's grants, oldest first.
    pub async fn grants(&self, app: &App) -> Vec<GrantFacts> {
        let mut conn = self.raw_connection().await;
        diesel::sql_query(
            "SELECT g.id, g.client_id, g.product_id, g.source, t.external_id AS transaction, \
                 g.expires_at, g.revoked_at, g.revoke_reason \
             FROM grants g LEFT JOIN transactions t ON t.id = g.transaction_id \
             WHERE g.app_id = $1 ORDER BY t.occurred_at, g.granted_at, g.id",
        )
        .bind::<SqlUuid, _>(app.id.as_uuid())
        .load(&mut conn)
        .await
        .expect("read grants")
    }

    /// Returns the app's grants that give access at `at`.
    pub async fn active_grants(&self, app: &App, at: OffsetDateTime) -> Vec<GrantFacts> {
        self.grants(app)
            .await
            .into_iter()
            .filter(|grant| grant.is_active_at(at))
            .collect()
    }

    /// Returns the app's notifications as (kind, dedupe key), oldest first.
    pub async fn notifications(&self, app: &App) -> Vec<(String, String)> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            kind: String,
            #[diesel(sql_type = Text)]
            dedupe_key: String,
        }
        let mut conn = self.raw_connection().await;
        let rows: Vec<Row> = diesel::sql_query(
            "SELECT kind, dedupe_key FROM notifications WHERE app_id = $1 \
             ORDER BY created_at, kind DESC, id",
        )
        .bind::<SqlUuid, _>(app.id.as_uuid())
        .load(&mut conn)
        .await
        .expect("read notifications");
        rows.into_iter()
            .map(|row| (row.kind, row.dedupe_key))
            .collect()
    }

    pub async fn notification_kinds(&self, app: &App) -> Vec<String> {
        self.notifications(app)
            .await
            .into_iter()
            .map(|(kind, _)| kind)
            .collect()
    }

    /// Returns the statuses in a transaction's history, in order of their
    /// platform time.
    pub async fn history(&self, app: &App, external_id: &str) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            status: String,
        }
        let mut conn = self.raw_connection().await;
        let rows: Vec<Row> = diesel::sql_query(
            "SELECT h.status FROM transaction_status_history h \
             JOIN transactions t ON t.id = h.transaction_id \
             WHERE h.app_id = $1 AND t.external_id = $2 ORDER BY h.occurred_at, h.id",
        )
        .bind::<SqlUuid, _>(app.id.as_uuid())
        .bind::<Text, _>(external_id)
        .load(&mut conn)
        .await
        .expect("read history");
        rows.into_iter().map(|row| row.status).collect()
    }
}

/// A client's stored columns.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClientFacts {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Bool)]
    pub name_altered: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub phone: Option<String>,
    #[diesel(sql_type = Bool)]
    pub phone_verified: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub phone_invalid_reason: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub document: Option<String>,
    #[diesel(sql_type = Bool)]
    pub document_verified: bool,
    #[diesel(sql_type = Bool)]
    pub possible_duplicate_document: bool,
    #[diesel(sql_type = Bool)]
    pub has_chargeback: bool,
    #[diesel(sql_type = Text)]
    pub origin_platform: String,
    #[diesel(sql_type = Bool)]
    pub has_password: bool,
    #[diesel(sql_type = BigInt)]
    pub version: i64,
}

/// A grant's stored columns, with its transaction's platform id.
#[derive(Debug, Clone, QueryableByName)]
pub struct GrantFacts {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub client_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub product_id: Uuid,
    #[diesel(sql_type = Text)]
    pub source: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub transaction: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub expires_at: Option<OffsetDateTime>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub revoked_at: Option<OffsetDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    pub revoke_reason: Option<String>,
}

impl GrantFacts {
    pub fn is_active_at(&self, at: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expiry| expiry > at)
    }
}

/// Returns the folder of the shared sample payloads, beside the workspace root.
fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/webhooks")
}

/// Reads a sample payload, such as `hotmart/purchase_approved_card.json`.
pub fn fixture_bytes(path: &str) -> Vec<u8> {
    let path = fixtures_dir().join(path);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

pub fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture_bytes(path)).expect("sample payload is JSON")
}

pub fn to_body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("serializable")
}

/// Builds a delivery from a raw request as the HTTP layer does: authenticate
/// with the adapter, name it, parse it, and keep the request without secrets.
fn delivery_of(
    adapter: &dyn PlatformAdapter,
    token: &str,
    app: AppId,
    raw: &RawRequest,
    received_at: OffsetDateTime,
) -> (Delivery, Vec<SaleEvent>) {
    let credential = Credential::new(token).expect("non-empty token");
    let verified = verify(adapter, raw, &credential).expect("authentic delivery");
    let key = adapter.dedupe_key(&verified).expect("dedupe key");
    let events = adapter.parse(&verified).expect("parsable delivery");
    let delivery = Delivery::new(
        app,
        adapter.platform(),
        key,
        received_at,
        raw.headers(),
        raw.query().map(str::to_owned),
        raw.body(),
    )
    .expect("valid dedupe key");
    (delivery, events)
}

/// Builds a Hotmart 2.0.0 delivery of `body`, with the hottok header.
pub fn hotmart(app: &App, body: &[u8], received_at: OffsetDateTime) -> (Delivery, Vec<SaleEvent>) {
    let raw = RawRequest::new(body.to_vec())
        .with_header(HOTTOK_HEADER, HOTTOK)
        .with_header("Content-Type", "application/json");
    delivery_of(&HotmartAdapter, HOTTOK, app.id, &raw, received_at)
}

/// Builds a Kiwify delivery of `body`, signed in the query string.
pub fn kiwify(app: &App, body: &[u8], received_at: OffsetDateTime) -> (Delivery, Vec<SaleEvent>) {
    let signature = compute_signature(KIWIFY_TOKEN, body);
    let raw = RawRequest::new(body.to_vec())
        .with_header("Content-Type", "application/json")
        .with_query(format!("signature={signature}"));
    delivery_of(&KiwifyAdapter, KIWIFY_TOKEN, app.id, &raw, received_at)
}

/// Reads a Hotmart sample payload and gives it another envelope id, so it is a
/// new delivery.
pub fn hotmart_json(path: &str, envelope_id: &str) -> Value {
    let mut value = fixture_json(path);
    value["id"] = Value::from(envelope_id);
    value
}

/// Returns the current time, cut to the microseconds PostgreSQL stores.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .expect("a valid nanosecond")
}
