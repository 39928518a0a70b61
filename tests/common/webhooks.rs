//! Helpers of the webhook end-to-end tests: the shared sample payloads, the
//! apps' platform credentials, authenticated posts to the webhook endpoint, and
//! the admin API's view of what a delivery changed.
//!
//! The samples are read from `shared/fixtures/webhooks`, which sits beside the
//! workspace root (as in CI).

use std::collections::HashMap;
use std::path::PathBuf;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{Env, Reply, run_cli};

/// The hottok of the Hotmart samples.
pub const HOTTOK: &str = "FICTICIOhottokEXEMPLO0000000000000001";
/// The webhook token the Kiwify samples are signed with.
pub const KIWIFY_TOKEN: &str = "k7q2mx9wz4p";

/// Directory of the shared webhook samples.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/webhooks")
}

/// Reads a sample's exact bytes, such as `hotmart/purchase_approved_card.json`.
pub fn fixture(relative: &str) -> Vec<u8> {
    let path = fixtures_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "could not read the sample {} ({error}); the shared/ folder must sit beside the \
             workspace root",
            path.display()
        )
    })
}

/// Reads a JSON sample as a value, to build variants of it.
pub fn fixture_json(relative: &str) -> Value {
    serde_json::from_slice(&fixture(relative)).unwrap()
}

/// Lists the payload files of one platform's folder (everything but `.md`),
/// sorted by name.
pub fn fixture_files(platform: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir().join(platform))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| !name.ends_with(".md"))
        .collect();
    names.sort();
    names
}

/// Reads the expected signature of each Kiwify sample from `kiwify/SIGNATURES.md`,
/// keyed by file name.
pub fn kiwify_signatures() -> HashMap<String, String> {
    let text = String::from_utf8(fixture("kiwify/SIGNATURES.md")).unwrap();
    assert!(
        text.contains(&format!("`{KIWIFY_TOKEN}`")),
        "SIGNATURES.md no longer names the token {KIWIFY_TOKEN}"
    );
    let signatures: HashMap<String, String> = text
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | file | event | status | `signature` | bytes |
            let file = cells.get(1)?;
            let signature = cells.get(4)?.trim_matches('`');
            (file.ends_with(".json") && signature.len() == 40)
                .then(|| ((*file).to_owned(), signature.to_owned()))
        })
        .collect();
    assert!(
        !signatures.is_empty(),
        "no signature found in SIGNATURES.md"
    );
    signatures
}

/// Sets an app's webhook credential with `clientela apps set-credential`.
pub async fn set_credential(database_url: &str, slug: &str, platform: &str, token: &str) {
    let option = match platform {
        "hotmart" => "--hottok",
        _ => "--token",
    };
    let output = run_cli(
        database_url,
        &["apps", "set-credential", slug, platform, option, token],
    )
    .await;
    assert!(
        output.status.success(),
        "set-credential failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Sets the sample credentials of both platforms for an app.
pub async fn set_sample_credentials(database_url: &str, slug: &str) {
    set_credential(database_url, slug, "hotmart", HOTTOK).await;
    set_credential(database_url, slug, "kiwify", KIWIFY_TOKEN).await;
}

/// A request to the webhook endpoint.
pub struct WebhookRequest<'a> {
    pub slug: &'a str,
    pub platform: &'a str,
    /// The query string without `?`.
    pub query: Option<String>,
    pub headers: Vec<(&'static str, String)>,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl<'a> WebhookRequest<'a> {
    /// Builds a Hotmart delivery: JSON, or form data when the body is not an object,
    /// with the hottok in the `X-HOTMART-HOTTOK` header when given.
    pub fn hotmart(slug: &'a str, body: Vec<u8>, hottok: Option<&str>) -> Self {
        let content_type = if body.first() == Some(&b'{') {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        Self {
            slug,
            platform: "hotmart",
            query: None,
            headers: hottok
                .map(|token| vec![("X-HOTMART-HOTTOK", token.to_owned())])
                .unwrap_or_default(),
            content_type,
            body,
        }
    }

    /// Builds a Kiwify delivery with `?signature=` when given.
    pub fn kiwify(slug: &'a str, body: Vec<u8>, signature: Option<&str>) -> Self {
        Self {
            slug,
            platform: "kiwify",
            query: signature.map(|signature| format!("signature={signature}")),
            headers: Vec::new(),
            content_type: "application/json",
            body,
        }
    }

    /// Builds a Kiwify delivery signed with the sample token.
    pub fn kiwify_signed(slug: &'a str, body: Vec<u8>) -> Self {
        let signature = clientela_kiwify::compute_signature(KIWIFY_TOKEN, &body);
        Self::kiwify(slug, body, Some(&signature))
    }
}

/// Posts a delivery and returns the status and JSON body.
pub async fn post_webhook(
    http: &reqwest::Client,
    base_url: &str,
    request: &WebhookRequest<'_>,
) -> Reply {
    let mut url = format!("{base_url}/webhooks/{}/{}", request.slug, request.platform);
    if let Some(query) = &request.query {
        url.push('?');
        url.push_str(query);
    }
    let mut builder = http
        .post(url)
        .header("content-type", request.content_type)
        .body(request.body.clone());
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    let response = builder.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("response is not JSON ({error}): {text}"));
    Reply { status, body }
}

impl Env {
    /// Posts a delivery to this environment's server.
    pub async fn webhook(&self, request: &WebhookRequest<'_>) -> Reply {
        post_webhook(&self.http, &self.server.base_url, request).await
    }

    /// Posts a delivery and asserts it was accepted with `status`
    /// (`processed`, `ignored`, ...). Returns the delivery id.
    pub async fn webhook_accepted(&self, request: &WebhookRequest<'_>, status: &str) -> String {
        let reply = self.webhook(request).await;
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        assert_eq!(reply.body["status"], status, "{:#}", reply.body);
        reply.body["delivery_id"].as_str().unwrap().to_owned()
    }

    /// Finds the detail of the client with this e-mail, with the given API key.
    pub async fn client_detail_as(&self, key: &str, email: &str) -> Option<Value> {
        let search = self
            .call_with_key(
                Some(key),
                Method::GET,
                &format!("/api/v1/clients?q={email}"),
                None,
            )
            .await;
        assert_eq!(search.status, StatusCode::OK, "{:#}", search.body);
        let items = search.body["items"].as_array().unwrap();
        let client = items.iter().find(|client| client["email"] == email)?;
        let id = client["id"].as_str().unwrap();
        let detail = self
            .call_with_key(
                Some(key),
                Method::GET,
                &format!("/api/v1/clients/{id}"),
                None,
            )
            .await;
        assert_eq!(detail.status, StatusCode::OK, "{:#}", detail.body);
        Some(detail.body)
    }

    /// Finds the detail of the client with this e-mail in the main app.
    pub async fn client_detail(&self, email: &str) -> Option<Value> {
        self.client_detail_as(&self.key, email).await
    }

    /// Counts the clients of an app with this e-mail, through the search.
    pub async fn count_clients_as(&self, key: &str, email: &str) -> usize {
        let search = self
            .call_with_key(
                Some(key),
                Method::GET,
                &format!("/api/v1/clients?q={email}"),
                None,
            )
            .await;
        assert_eq!(search.status, StatusCode::OK, "{:#}", search.body);
        search.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|client| client["email"] == email)
            .count()
    }

    /// Lists the stored deliveries of an app; `query` is the query string.
    pub async fn webhook_events_as(&self, key: &str, query: &str) -> Vec<Value> {
        let reply = self
            .call_with_key(
                Some(key),
                Method::GET,
                &format!("/api/v1/webhook-events?{query}"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        reply.body["items"].as_array().unwrap().clone()
    }

    /// Lists the stored deliveries of the main app.
    pub async fn webhook_events(&self, query: &str) -> Vec<Value> {
        self.webhook_events_as(&self.key, query).await
    }

    /// Lists the main app's products as (id, name) pairs.
    pub async fn products(&self) -> Vec<(String, String)> {
        let reply = self.call(Method::GET, "/api/v1/products", None).await;
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|product| {
                (
                    product["id"].as_str().unwrap().to_owned(),
                    product["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

/// Finds the transaction of a client detail with this platform transaction id.
pub fn transaction<'a>(detail: &'a Value, external_id: &str) -> &'a Value {
    detail["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|transaction| transaction["external_id"] == external_id)
        .unwrap_or_else(|| panic!("no transaction {external_id}: {detail:#}"))
}

/// Returns the sorted names of the products a client detail has active grants of.
pub fn active_products(detail: &Value) -> Vec<String> {
    let mut names: Vec<String> = detail["grants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|grant| grant["active"] == true)
        .map(|grant| grant["product_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// Counts the notifications of this kind (`welcome`, `access_granted`, ...)
/// in a client detail.
pub fn notifications_of_kind(detail: &Value, kind: &str) -> usize {
    detail["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|notification| notification["kind"] == kind)
        .count()
}

/// Runs SQL on the test server's maintenance database, as its superuser.
pub async fn server_sql(sql: &str) {
    let url = std::env::var(clientela_postgres::testing::TEST_DATABASE_URL).unwrap();
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    conn.batch_execute(sql)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
}
