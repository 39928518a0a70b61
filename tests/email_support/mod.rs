//! Helpers of the e-mail end-to-end tests: `clientela serve` and `clientela
//! worker` processes with e-mail settings, a real SMTP server on a loopback port
//! (`clientela_test_smtp`), and readers of the messages it received.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each test binary uses part of these helpers; a failed unwrap fails the test"
)]

use std::future::Future;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clientela_test_smtp::ReceivedMail;
use mailparse::{MailHeaderMap, ParsedMail};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::common::{Reply, binary, send};

/// How long a process may take to start.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Poll interval of the tests' workers, short so that retries show quickly.
pub const POLL_MS: &str = "100";

/// Retry scale of the tests: the schedule of 1 min, 5 min, 30 min, 2 h and 6 h
/// becomes 60 ms, 300 ms, 1.8 s, 7.2 s and 21.6 s.
pub const RETRY_SCALE: &str = "0.001";

/// Builds the e-mail settings of a test process: `SMTP_URL` when given, the
/// tests' poll interval and retry scale, and `mail_dir` for the `.eml` files
/// written without SMTP.
pub fn mail_env(smtp_url: Option<&str>, mail_dir: &Path) -> Vec<(String, String)> {
    let mut env = vec![
        ("CLIENTELA_OUTBOX_POLL_MS".to_owned(), POLL_MS.to_owned()),
        (
            "CLIENTELA_OUTBOX_RETRY_SCALE".to_owned(),
            RETRY_SCALE.to_owned(),
        ),
        (
            "CLIENTELA_MAIL_DIR".to_owned(),
            mail_dir.display().to_string(),
        ),
    ];
    if let Some(url) = smtp_url {
        env.push(("SMTP_URL".to_owned(), url.to_owned()));
    }
    env
}

/// A running `clientela serve` or `clientela worker`, killed when dropped.
pub struct Process {
    child: Child,
    /// Base URL `http://IP:PORT` of a server, empty for a worker.
    pub base_url: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `clientela serve` on a free loopback port and waits until it
    /// listens.
    pub async fn serve(database_url: &str, env: &[(String, String)]) -> Self {
        Self::start(
            database_url,
            &["serve", "--listen", "127.0.0.1:0"],
            env,
            "listening on ",
        )
        .await
    }

    /// Starts `clientela serve --no-worker`, which sends no e-mail itself.
    pub async fn serve_without_worker(database_url: &str, env: &[(String, String)]) -> Self {
        Self::start(
            database_url,
            &["serve", "--listen", "127.0.0.1:0", "--no-worker"],
            env,
            "listening on ",
        )
        .await
    }

    /// Starts `clientela worker` and waits until its loop runs.
    pub async fn worker(database_url: &str, env: &[(String, String)]) -> Self {
        Self::start(database_url, &["worker"], env, "outbox worker started").await
    }

    async fn start(
        database_url: &str,
        args: &[&str],
        env: &[(String, String)],
        ready_marker: &str,
    ) -> Self {
        let mut command = Command::new(binary());
        command
            .args(args)
            .env("DATABASE_URL", database_url)
            .env_remove("CLIENTELA_LOG_FORMAT")
            .env_remove("SMTP_URL")
            .env_remove("CLIENTELA_PUBLIC_URL")
            .env_remove("CLIENTELA_MAIL_FROM")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let stderr = Arc::new(Mutex::new(Vec::new()));

        let ready_line = tokio::time::timeout(STARTUP_TIMEOUT, async {
            while let Some(line) = lines.next_line().await.unwrap() {
                stderr.lock().unwrap().push(line.clone());
                if line.contains(ready_marker) {
                    return line;
                }
            }
            panic!(
                "clientela {args:?} exited before it was ready: {:#?}",
                stderr.lock().unwrap()
            );
        })
        .await
        .unwrap_or_else(|_| panic!("clientela {args:?} was not ready within {STARTUP_TIMEOUT:?}"));
        let base_url = ready_line
            .strip_prefix("listening on ")
            .unwrap_or_default()
            .to_owned();

        // Keeps reading stderr so the process never blocks on a full pipe.
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

    /// Returns the lines the process wrote to stderr so far.
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Counts the stderr lines that contain every one of `parts`.
    pub fn count_lines(&self, parts: &[&str]) -> usize {
        self.stderr_lines()
            .iter()
            .filter(|line| parts.iter().all(|part| line.contains(part)))
            .count()
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub async fn terminate(mut self) -> (ExitStatus, Vec<String>) {
        let pid = self.child.id().unwrap().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap();
        assert!(sent.success(), "kill -TERM {pid} failed");
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the process did not stop within 30 s of SIGTERM")
            .unwrap();
        // Gives the reader task a moment to collect the last lines.
        tokio::time::sleep(Duration::from_millis(100)).await;
        (status, self.stderr_lines())
    }
}

/// An HTTP client of one app's admin API on a running server.
pub struct Admin {
    pub http: reqwest::Client,
    pub base_url: String,
    pub key: String,
}

impl Admin {
    pub fn new(server: &Process, key: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base_url: server.base_url.clone(),
            key: key.to_owned(),
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        send(
            &self.http,
            &self.base_url,
            Some(&self.key),
            method,
            path,
            body,
        )
        .await
    }

    /// Creates a client, asserting 201, and returns its id.
    pub async fn create_client(&self, body: Value) -> String {
        let reply = self.call(Method::POST, "/api/v1/clients", Some(body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body["id"].as_str().unwrap().to_owned()
    }

    /// Creates a product, asserting 201, and returns its id.
    pub async fn create_product(&self, name: &str) -> String {
        let reply = self
            .call(
                Method::POST,
                "/api/v1/products",
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body["id"].as_str().unwrap().to_owned()
    }

    /// Grants a product to a client, asserting 201.
    pub async fn grant(&self, client: &str, product: &str) {
        let reply = self
            .call(
                Method::POST,
                &format!("/api/v1/clients/{client}/grants"),
                Some(json!({ "product_id": product })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    }

    /// Returns the `notifications` of a client's detail, newest first.
    pub async fn notifications(&self, client: &str) -> Vec<Value> {
        let reply = self
            .call(Method::GET, &format!("/api/v1/clients/{client}"), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        reply.body["notifications"].as_array().unwrap().clone()
    }

    /// Returns the client's notification of `kind`, asserting there is one.
    pub async fn notification(&self, client: &str, kind: &str) -> Value {
        let found: Vec<Value> = self
            .notifications(client)
            .await
            .into_iter()
            .filter(|notification| notification["kind"] == kind)
            .collect();
        assert_eq!(found.len(), 1, "{kind} notifications: {found:#?}");
        found[0].clone()
    }
}

/// Calls `check` every 50 ms until it returns `Some`, and panics with `what`
/// after `timeout`.
pub async fn wait_for<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A received message, parsed.
#[derive(Debug, Clone)]
pub struct Email {
    /// Envelope recipients (RCPT TO).
    pub recipients: Vec<String>,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub text_body: String,
    pub html_body: String,
}

impl Email {
    pub fn parse(mail: &ReceivedMail) -> Self {
        let parsed = mailparse::parse_mail(&mail.data).unwrap();
        let header = |name: &str| parsed.headers.get_first_value(name).unwrap_or_default();
        Self {
            recipients: mail.recipients.clone(),
            from: header("From"),
            to: header("To"),
            subject: header("Subject"),
            message_id: header("Message-ID"),
            text_body: part_body(&parsed, "text/plain"),
            html_body: part_body(&parsed, "text/html"),
        }
    }

    /// Returns the first link in the text body that starts with `prefix`.
    pub fn link_starting_with(&self, prefix: &str) -> Option<String> {
        let start = self.text_body.find(prefix)?;
        let rest = &self.text_body[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        Some(rest[..end].to_owned())
    }
}

/// Returns the decoded body of the first part of `mime_type`.
fn part_body(mail: &ParsedMail<'_>, mime_type: &str) -> String {
    if mail.ctype.mimetype == mime_type {
        return mail.get_body().unwrap();
    }
    mail.subparts
        .iter()
        .map(|part| part_body(part, mime_type))
        .find(|body| !body.is_empty())
        .unwrap_or_default()
}
