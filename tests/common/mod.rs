//! Helpers of the end-to-end tests: they run the built `clientela` binary against a
//! fresh PostgreSQL database (`TEST_DATABASE_URL`) and talk HTTP to it.
//!
//! The binary is `CLIENTELA_BIN` when set, else `clientela` in the directory of
//! this build's binaries (`target/debug/` by default), so `cargo build -p
//! clientela` must run first.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each test binary uses part of these helpers; a failed unwrap fails the test"
)]

pub mod webhooks;

use std::path::PathBuf;
use std::process::{ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clientela_postgres::testing::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long the server may take to print its address.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Path of the `clientela` binary under test.
pub fn binary() -> PathBuf {
    let path = match std::env::var_os("CLIENTELA_BIN") {
        Some(path) => PathBuf::from(path),
        None => {
            // Test binaries live in target/<profile>/deps/.
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
            profile_dir.join(format!("clientela{}", std::env::consts::EXE_SUFFIX))
        }
    };
    assert!(
        path.is_file(),
        "the clientela binary was not found at {}: run `cargo build -p clientela` first, \
         or set CLIENTELA_BIN to the binary's path",
        path.display()
    );
    path
}

/// Runs `clientela` with `args` against `database_url` and waits for it.
pub async fn run_cli(database_url: &str, args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("CLIENTELA_LOG_FORMAT")
        .env("RUST_LOG", "info")
        .output()
        .await
        .unwrap()
}

/// Creates an app with `clientela apps create` and returns its API key.
pub async fn create_app(database_url: &str, slug: &str) -> String {
    let output = run_cli(
        database_url,
        &["apps", "create", slug, "--name", "Loja de Teste"],
    )
    .await;
    assert!(
        output.status.success(),
        "apps create failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    stdout.trim_end().to_owned()
}

/// A running `clientela serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub base_url: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the server on a free loopback port and waits for its address line.
    pub async fn start(database_url: &str) -> Self {
        let mut child = Command::new(binary())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env_remove("CLIENTELA_LOG_FORMAT")
            .env("RUST_LOG", "info")
            // The server's e-mail worker writes .eml files to a scratch folder and
            // never reaches an SMTP server of the developer's environment.
            .env_remove("SMTP_URL")
            .env(
                "CLIENTELA_MAIL_DIR",
                std::env::temp_dir().join("clientela-e2e-mail"),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let stderr = Arc::new(Mutex::new(Vec::new()));

        let base_url = tokio::time::timeout(STARTUP_TIMEOUT, async {
            while let Some(line) = lines.next_line().await.unwrap() {
                stderr.lock().unwrap().push(line.clone());
                if let Some(url) = line.strip_prefix("listening on ") {
                    return url.to_owned();
                }
            }
            panic!(
                "the server exited before listening: {:#?}",
                stderr.lock().unwrap()
            );
        })
        .await
        .unwrap_or_else(|_| {
            panic!("the server did not print its address within {STARTUP_TIMEOUT:?}")
        });

        // Keeps reading stderr so the server never blocks on a full pipe.
        let collected = Arc::clone(&stderr);
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                collected.lock().unwrap().push(line);
            }
        });

        Self {
            child,
            base_url,
            stderr,
        }
    }

    /// Returns the lines the server wrote to stderr so far.
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the server to exit.
    pub async fn terminate(mut self) -> (ExitStatus, Vec<String>) {
        let pid = self.child.id().unwrap().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap();
        assert!(sent.success(), "kill -TERM {pid} failed");
        let status = tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .expect("the server did not stop within 15 s of SIGTERM")
            .unwrap();
        // Gives the reader task a moment to collect the last lines.
        tokio::time::sleep(Duration::from_millis(100)).await;
        (status, self.stderr_lines())
    }
}

/// A response with its body parsed as JSON (`Value::Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
}

/// A fresh database with one app, a running server, and an HTTP client holding
/// the app's key. Fields drop in order: the server stops before the database goes.
pub struct Env {
    pub server: Server,
    pub key: String,
    pub http: reqwest::Client,
    pub database: TestDatabase,
}

impl Env {
    pub async fn start() -> Self {
        let database = TestDatabase::new().await;
        let key = create_app(database.url(), "loja-a").await;
        let server = Server::start(database.url()).await;
        Self {
            server,
            key,
            http: reqwest::Client::new(),
            database,
        }
    }

    /// Sends a request with this app's key.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.call_with_key(Some(&self.key), method, path, body)
            .await
    }

    /// Sends a request with the given key, or with no `Authorization` header.
    pub async fn call_with_key(
        &self,
        key: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        send(&self.http, &self.server.base_url, key, method, path, body).await
    }

    /// Creates a client, asserting 201, and returns it.
    pub async fn create_client(&self, body: Value) -> Value {
        let reply = self.call(Method::POST, "/api/v1/clients", Some(body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body
    }

    /// Returns the ids of the clients a search finds.
    pub async fn search_ids(&self, query: &str) -> Vec<String> {
        let reply = self
            .call(Method::GET, &format!("/api/v1/clients?{query}"), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {:#}", reply.body);
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|client| client["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// Sends one request to `base_url`.
pub async fn send(
    http: &reqwest::Client,
    base_url: &str,
    key: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = http.request(method, format!("{base_url}{path}"));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("response is not JSON ({error}): {text}"))
    };
    Reply { status, body }
}
