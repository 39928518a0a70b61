//! Helpers of the members-app end-to-end tests. They run a `clientela serve`
//! that sends its e-mails to a test SMTP server, call it as the members app and
//! as the admin, read the links of the e-mails received, and run SQL that moves
//! stored times into the past.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each test binary uses part of these helpers; a failed unwrap fails the test"
)]

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clientela_postgres::testing::TestDatabase;
use clientela_test_smtp::{RecipientPolicy, TestSmtpServer};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use mailparse::MailHeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::common::{Reply, binary, create_app, send};

/// Slug of the app every test uses.
pub const SLUG: &str = "loja-a";
/// User agent of the members-app calls.
pub const USER_AGENT: &str = "AppDeMembros/2.1 (teste)";
/// Password of the clients created with one.
pub const PASSWORD: &str = "senha certa 123";

/// How long the server may take to print its address, and an e-mail to arrive.
const WAIT: Duration = Duration::from_secs(30);

/// A fresh database with one app, a test SMTP server, and `clientela serve`
/// sending to it. Fields drop in order: the server stops before the database
/// goes.
pub struct AppEnv {
    child: Child,
    pub base_url: String,
    pub key: String,
    pub http: reqwest::Client,
    pub smtp: TestSmtpServer,
    stderr: Arc<Mutex<Vec<String>>>,
    pub database: TestDatabase,
}

impl AppEnv {
    pub async fn start() -> Self {
        let database = TestDatabase::new().await;
        let key = create_app(database.url(), SLUG).await;
        let smtp = TestSmtpServer::start(RecipientPolicy::Accept);

        let mut child = Command::new(binary())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", database.url())
            .env("SMTP_URL", smtp.url())
            .env("CLIENTELA_OUTBOX_POLL_MS", "200")
            .env_remove("CLIENTELA_PUBLIC_URL")
            .env_remove("CLIENTELA_LOG_FORMAT")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let base_url = tokio::time::timeout(WAIT, async {
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
        .unwrap_or_else(|_| panic!("the server did not print its address within {WAIT:?}"));
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
            key,
            http: reqwest::Client::new(),
            smtp,
            stderr,
            database,
        }
    }

    /// Returns the lines the server wrote to stderr so far.
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends an admin API request with the app's key.
    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
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

    /// Sends a members-app request to `/app/v1/loja-a{path}`, with the session
    /// token when given.
    pub async fn app(
        &self,
        method: Method,
        path: &str,
        session: Option<&str>,
        body: Option<Value>,
    ) -> AppReply {
        let url = format!("{}/app/v1/{SLUG}{path}", self.base_url);
        let mut request = self
            .http
            .request(method, url)
            .header(reqwest::header::USER_AGENT, USER_AGENT);
        if let Some(session) = session {
            request = request.bearer_auth(session);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        AppReply::read(request.send().await.unwrap()).await
    }

    /// Logs in and returns the reply.
    pub async fn login(&self, email: &str, password: &str) -> AppReply {
        let body = json!({ "email": email, "password": password });
        self.app(Method::POST, "/login", None, Some(body)).await
    }

    /// Logs in, asserting success, and returns the session token.
    pub async fn session(&self, email: &str, password: &str) -> String {
        let reply = self.login(email, password).await;
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        reply.body["token"].as_str().unwrap().to_owned()
    }

    /// Creates a client with the admin API and returns their id. With a
    /// password, the client can log in at once.
    pub async fn create_client(&self, email: &str, password: Option<&str>) -> String {
        let mut body = json!({ "name": "Ana Souza", "email": email });
        if let Some(password) = password {
            body["password"] = json!(password);
        }
        let reply = self
            .admin(Method::POST, "/api/v1/clients", Some(body))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        reply.body["id"].as_str().unwrap().to_owned()
    }

    /// Returns the client's detail from the admin API.
    pub async fn detail(&self, id: &str) -> Value {
        let reply = self
            .admin(Method::GET, &format!("/api/v1/clients/{id}"), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        reply.body
    }

    /// Returns the kinds of the client's access-log entries, newest first.
    pub async fn access_kinds(&self, id: &str) -> Vec<String> {
        self.detail(id).await["access_log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["kind"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Returns the e-mails received for `to` whose subject starts with
    /// `subject`, oldest first.
    pub fn mails(&self, to: &str, subject: &str) -> Vec<Mail> {
        self.smtp
            .received()
            .iter()
            .filter(|mail| mail.recipients.iter().any(|recipient| recipient == to))
            .map(|mail| Mail::parse(&mail.data))
            .filter(|mail| mail.subject.starts_with(subject))
            .collect()
    }

    /// Waits until `count` e-mails for `to` with this subject have arrived and
    /// returns them, oldest first.
    pub async fn wait_for_mails(&self, to: &str, subject: &str, count: usize) -> Vec<Mail> {
        let waited = tokio::time::timeout(WAIT, async {
            loop {
                let mails = self.mails(to, subject);
                if mails.len() >= count {
                    return mails;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        waited.unwrap_or_else(|_| {
            panic!(
                "{count} e-mail(s) \"{subject}\" to {to} did not arrive within {WAIT:?}; got {}; \
                 server log: {:#?}",
                self.mails(to, subject).len(),
                self.stderr_lines()
            )
        })
    }

    /// Runs SQL on the test database, for moving stored times into the past.
    pub async fn sql(&self, statement: &str) {
        let mut conn = AsyncPgConnection::establish(self.database.url())
            .await
            .unwrap();
        conn.batch_execute(statement).await.unwrap();
    }
}

/// A members-app response: status, headers and the JSON body (`Value::Null`
/// when empty).
#[derive(Debug)]
pub struct AppReply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl AppReply {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|error| panic!("response is not JSON ({error}): {text}"))
        };
        Self {
            status,
            headers,
            body,
        }
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// A received e-mail: its subject and the link of its plain-text part.
#[derive(Debug, Clone)]
pub struct Mail {
    pub subject: String,
    pub text: String,
}

impl Mail {
    fn parse(data: &[u8]) -> Self {
        let parsed = mailparse::parse_mail(data).unwrap();
        let subject = parsed
            .headers
            .get_first_value("Subject")
            .unwrap_or_default();
        let text = std::iter::once(&parsed)
            .chain(parsed.subparts.iter())
            .find(|part| part.ctype.mimetype == "text/plain")
            .map(|part| part.get_body().unwrap())
            .unwrap_or_default();
        Self { subject, text }
    }

    /// Returns the first link with a token in the text.
    pub fn link(&self) -> String {
        self.text
            .split_whitespace()
            .find(|word| word.starts_with("http") && word.contains("token="))
            .unwrap_or_else(|| panic!("no link with a token in the e-mail: {}", self.text))
            .to_owned()
    }

    /// Returns the token of the e-mail's link.
    pub fn token(&self) -> String {
        let link = self.link();
        let (_, token) = link.split_once("token=").unwrap();
        token.to_owned()
    }
}
