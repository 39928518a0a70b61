//! E-mail end to end: the built `clientela` binary, a fresh database and a real
//! SMTP server on a loopback port. Each test starts its own processes.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

mod common;
mod email_support;

use std::collections::HashSet;
use std::time::Duration;

use clientela_postgres::testing::TestDatabase;
use clientela_test_smtp::{ReceivedMail, RecipientPolicy, TestSmtpServer, unused_loopback_address};
use email_support::{Admin, Email, Process, mail_env, wait_for};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::create_app;

/// Maximum wait for an e-mail that should arrive.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a test keeps watching after the expected e-mails arrived, to catch
/// a second copy.
const SETTLE: Duration = Duration::from_millis(1500);

/// Waits until the server has received `count` messages and returns them parsed.
async fn wait_for_messages(server: &TestSmtpServer, count: usize) -> Vec<Email> {
    wait_for(DELIVERY_TIMEOUT, &format!("{count} e-mail(s)"), || async {
        let received = server.received();
        (received.len() >= count).then(|| received.iter().map(Email::parse).collect())
    })
    .await
}

fn subjects(emails: &[Email]) -> Vec<String> {
    let mut subjects: Vec<String> = emails.iter().map(|email| email.subject.clone()).collect();
    subjects.sort();
    subjects
}

#[tokio::test(flavor = "multi_thread")]
async fn welcome_and_access_granted_arrive() {
    let database = TestDatabase::new().await;
    let key = create_app(database.url(), "loja-a").await;
    let smtp = TestSmtpServer::start(RecipientPolicy::Accept);
    let mail_dir = tempfile::tempdir().unwrap();
    let server = Process::serve(
        database.url(),
        &mail_env(Some(&smtp.url()), mail_dir.path()),
    )
    .await;
    let admin = Admin::new(&server, &key);

    let client = admin
        .create_client(json!({ "name": "Ana Souza", "email": "Ana.Souza@Example.com" }))
        .await;

    let welcome = wait_for_messages(&smtp, 1).await.remove(0);
    assert_eq!(welcome.recipients, ["ana.souza@example.com"]);
    assert!(
        welcome.to.contains("ana.souza@example.com"),
        "{}",
        welcome.to
    );
    assert_eq!(welcome.subject, "Bem-vindo(a) ao Loja de Teste");
    assert!(
        welcome.from.contains("Loja de Teste"),
        "sender: {}",
        welcome.from
    );
    assert!(
        welcome.text_body.contains("Olá, Ana Souza!"),
        "{}",
        welcome.text_body
    );
    assert!(
        welcome.text_body.contains("crie sua senha"),
        "{}",
        welcome.text_body
    );
    let page = format!("{}/p/loja-a/definir-senha?token=", server.base_url);
    let link = welcome
        .link_starting_with(&page)
        .unwrap_or_else(|| panic!("no link to {page} in: {}", welcome.text_body));
    assert!(welcome.html_body.contains(&link), "{}", welcome.html_body);

    // The link's token is stored: the set-password page accepts it.
    let form = reqwest::get(&link).await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    assert!(html.contains("<form"), "{html}");

    let sent = wait_for(DELIVERY_TIMEOUT, "the welcome marked sent", || async {
        let welcome = admin.notification(&client, "welcome").await;
        (welcome["status"] == "sent").then_some(welcome)
    })
    .await;
    assert_eq!(sent["recipient"], "ana.souza@example.com");
    assert_eq!(sent["attempts"], 1);
    assert!(sent["sent_at"].is_string(), "{sent:#}");
    assert!(sent["last_error"].is_null(), "{sent:#}");

    let product = admin.create_product("Curso de Violão").await;
    admin.grant(&client, &product).await;

    let emails = wait_for_messages(&smtp, 2).await;
    let granted = &emails[1];
    assert_eq!(granted.recipients, ["ana.souza@example.com"]);
    assert_eq!(granted.subject, "Seu acesso a Curso de Violão foi liberado");
    assert!(
        granted.text_body.contains("Curso de Violão"),
        "{}",
        granted.text_body
    );

    tokio::time::sleep(SETTLE).await;
    assert_eq!(smtp.received().len(), 2, "an e-mail was sent twice");
    let granted_view = wait_for(DELIVERY_TIMEOUT, "access_granted marked sent", || async {
        let view = admin.notification(&client, "access_granted").await;
        (view["status"] == "sent").then_some(view)
    })
    .await;
    assert_eq!(granted_view["attempts"], 1);

    // Each send is logged with its kind and app, and never with the link's
    // token.
    let token = link.rsplit('=').next().unwrap();
    let (status, logs) = server.terminate().await;
    assert!(status.success(), "{status}: {logs:#?}");
    let sends: Vec<&String> = logs
        .iter()
        .filter(|line| line.contains("e-mail sent"))
        .collect();
    assert_eq!(sends.len(), 2, "{logs:#?}");
    assert!(
        sends
            .iter()
            .any(|line| line.contains("notification.kind=\"welcome\"")),
        "{sends:#?}"
    );
    assert!(
        sends
            .iter()
            .all(|line| line.contains("app.id=") && line.contains("notification.id=")),
        "{sends:#?}"
    );
    assert!(
        logs.iter().all(|line| !line.contains(token)),
        "a log line contains the token"
    );
    assert!(
        logs.iter()
            .any(|line| line.contains("outbox worker stopped")),
        "{logs:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn client_with_password_gets_no_link() {
    let database = TestDatabase::new().await;
    let key = create_app(database.url(), "loja-a").await;
    let smtp = TestSmtpServer::start(RecipientPolicy::Accept);
    let mail_dir = tempfile::tempdir().unwrap();
    let server = Process::serve(
        database.url(),
        &mail_env(Some(&smtp.url()), mail_dir.path()),
    )
    .await;
    let admin = Admin::new(&server, &key);
    let product = admin.create_product("E-book de Receitas").await;

    admin
        .create_client(json!({
            "name": "Bruno Lima",
            "email": "bruno@example.com",
            "password": "senha-forte-123",
            "product_ids": [product],
        }))
        .await;

    let emails = wait_for_messages(&smtp, 2).await;
    tokio::time::sleep(SETTLE).await;
    assert_eq!(smtp.received().len(), 2, "{:#?}", subjects(&emails));
    assert_eq!(
        subjects(&emails),
        [
            "Bem-vindo(a) ao Loja de Teste",
            "Seu acesso a E-book de Receitas foi liberado"
        ]
    );
    let welcome = emails
        .iter()
        .find(|email| email.subject.starts_with("Bem-vindo"))
        .unwrap();
    assert!(
        !welcome.text_body.contains("definir-senha"),
        "{}",
        welcome.text_body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_outage_delays_without_loss() {
    let database = TestDatabase::new().await;
    let key = create_app(database.url(), "loja-a").await;
    let smtp_address = unused_loopback_address();
    let mail_dir = tempfile::tempdir().unwrap();
    let server = Process::serve(
        database.url(),
        &mail_env(Some(&format!("smtp://{smtp_address}")), mail_dir.path()),
    )
    .await;
    let admin = Admin::new(&server, &key);

    // The SMTP server is down: the actions still succeed.
    let client = admin
        .create_client(json!({ "name": "Carla Dias", "email": "carla@example.com" }))
        .await;
    let product = admin.create_product("Mentoria").await;
    admin.grant(&client, &product).await;

    // Both messages stay queued, and each failed attempt shows in the detail.
    let views = wait_for(DELIVERY_TIMEOUT, "two failed attempts of each", || async {
        let views = admin.notifications(&client).await;
        let retried = views.len() == 2
            && views
                .iter()
                .all(|view| view["attempts"].as_i64().unwrap_or(0) >= 2);
        retried.then_some(views)
    })
    .await;
    for view in &views {
        assert_eq!(view["status"], "queued", "{view:#}");
        let error = view["last_error"].as_str().unwrap_or_default();
        assert!(!error.is_empty(), "{view:#}");
        assert!(view["sent_at"].is_null(), "{view:#}");
    }
    assert!(
        server.count_lines(&["e-mail attempt failed; retrying later"]) >= 4,
        "{:#?}",
        server.stderr_lines()
    );

    // The server comes back on the same address.
    let smtp = TestSmtpServer::start_on(smtp_address, RecipientPolicy::Accept);

    let emails = wait_for_messages(&smtp, 2).await;
    wait_for(DELIVERY_TIMEOUT, "both marked sent", || async {
        let views = admin.notifications(&client).await;
        views
            .iter()
            .all(|view| view["status"] == "sent")
            .then_some(())
    })
    .await;
    tokio::time::sleep(SETTLE).await;

    assert_eq!(smtp.received().len(), 2, "{:#?}", subjects(&emails));
    assert_eq!(
        subjects(&emails),
        [
            "Bem-vindo(a) ao Loja de Teste",
            "Seu acesso a Mentoria foi liberado"
        ]
    );
    for view in admin.notifications(&client).await {
        assert!(view["attempts"].as_i64().unwrap() >= 3, "{view:#}");
        assert!(view["sent_at"].is_string(), "{view:#}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn worker_command_sends_queued_mail() {
    let database = TestDatabase::new().await;
    let key = create_app(database.url(), "loja-a").await;
    let smtp_address = unused_loopback_address();
    let smtp_url = format!("smtp://{smtp_address}");
    let mail_dir = tempfile::tempdir().unwrap();
    let server = Process::serve(database.url(), &mail_env(Some(&smtp_url), mail_dir.path())).await;
    let admin = Admin::new(&server, &key);

    let client = admin
        .create_client(json!({ "name": "Davi Rocha", "email": "davi@example.com" }))
        .await;
    wait_for(DELIVERY_TIMEOUT, "a failed attempt", || async {
        let view = admin.notification(&client, "welcome").await;
        (view["attempts"].as_i64().unwrap_or(0) >= 1 && view["last_error"].is_string())
            .then_some(())
    })
    .await;
    let (status, logs) = server.terminate().await;
    assert!(status.success(), "{status}: {logs:#?}");

    // With the API stopped and the mail server back, the worker alone sends it.
    let smtp = TestSmtpServer::start_on(smtp_address, RecipientPolicy::Accept);
    let worker = Process::worker(database.url(), &mail_env(Some(&smtp_url), mail_dir.path())).await;

    let emails = wait_for_messages(&smtp, 1).await;
    assert_eq!(emails[0].recipients, ["davi@example.com"]);
    assert_eq!(emails[0].subject, "Bem-vindo(a) ao Loja de Teste");
    let link = emails[0].link_starting_with("http://127.0.0.1:8080/p/loja-a/definir-senha?token=");
    assert!(link.is_some(), "{}", emails[0].text_body);

    wait_for(DELIVERY_TIMEOUT, "the worker's send log", || async {
        (worker.count_lines(&["e-mail sent", "notification.kind=\"welcome\""]) == 1).then_some(())
    })
    .await;
    let (status, logs) = worker.terminate().await;
    assert!(status.success(), "{status}: {logs:#?}");
    assert!(
        logs.iter()
            .any(|line| line.contains("outbox worker stopped")),
        "{logs:#?}"
    );
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_without_worker_leaves_mail_to_the_worker() {
    let database = TestDatabase::new().await;
    let key = create_app(database.url(), "loja-a").await;
    let smtp = TestSmtpServer::start(RecipientPolicy::Accept);
    let mail_dir = tempfile::tempdir().unwrap();
    let env = mail_env(Some(&smtp.url()), mail_dir.path());
    let server = Process::serve_without_worker(database.url(), &env).await;
    let admin = Admin::new(&server, &key);

    let client = admin
        .create_client(json!({ "name": "Lia Prates", "email": "lia@example.com" }))
        .await;
    // A worker polls every few milliseconds in these tests; the server alone
    // must leave the welcome e-mail untouched.
    tokio::time::sleep(SETTLE).await;
    let view = admin.notification(&client, "welcome").await;
    assert_eq!(view["status"], "queued", "{view:#}");
    assert_eq!(view["attempts"], 0, "{view:#}");
    assert!(smtp.received().is_empty());

    let worker = Process::worker(database.url(), &env).await;
    let emails = wait_for_messages(&smtp, 1).await;
    assert_eq!(emails[0].recipients, ["lia@example.com"]);
    let (status, logs) = worker.terminate().await;
    assert!(status.success(), "{status}: {logs:#?}");
    let (status, logs) = server.terminate().await;
    assert!(status.success(), "{status}: {logs:#?}");
    assert!(
        !logs.iter().any(|line| line.contains("e-mail sent")),
        "{logs:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_workers_never_send_twice() {
    const CLIENTS: usize = 40;

    let database = TestDatabase::new().await;
    let key = create_app(database.url(), "loja-a").await;
    let smtp = TestSmtpServer::start(RecipientPolicy::Accept);
    let mail_dir = tempfile::tempdir().unwrap();
    let env = mail_env(Some(&smtp.url()), mail_dir.path());
    let server = Process::serve(database.url(), &env).await;
    let worker = Process::worker(database.url(), &env).await;
    let admin = Admin::new(&server, &key);

    for index in 0..CLIENTS {
        admin
            .create_client(json!({
                "name": format!("Cliente {index}"),
                "email": format!("cliente{index}@example.com"),
            }))
            .await;
    }

    let emails = wait_for_messages(&smtp, CLIENTS).await;
    tokio::time::sleep(SETTLE).await;

    assert_eq!(smtp.received().len(), CLIENTS, "an e-mail was sent twice");
    let recipients: HashSet<&str> = emails
        .iter()
        .flat_map(|email| email.recipients.iter().map(String::as_str))
        .collect();
    assert_eq!(recipients.len(), CLIENTS);
    let message_ids: HashSet<&str> = emails
        .iter()
        .map(|email| email.message_id.as_str())
        .collect();
    assert_eq!(message_ids.len(), CLIENTS);

    let (server_status, server_logs) = server.terminate().await;
    let (worker_status, worker_logs) = worker.terminate().await;
    assert!(server_status.success(), "{server_logs:#?}");
    assert!(worker_status.success(), "{worker_logs:#?}");
    let sent_by = |logs: &[String]| {
        logs.iter()
            .filter(|line| line.contains("e-mail sent"))
            .count()
    };
    assert_eq!(
        sent_by(&server_logs) + sent_by(&worker_logs),
        CLIENTS,
        "serve sent {}, worker sent {}",
        sent_by(&server_logs),
        sent_by(&worker_logs)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_smtp_writes_eml_files() {
    let database = TestDatabase::new().await;
    let key = create_app(database.url(), "loja-a").await;
    let mail_dir = tempfile::tempdir().unwrap();
    let server = Process::serve(database.url(), &mail_env(None, mail_dir.path())).await;
    let admin = Admin::new(&server, &key);

    admin
        .create_client(json!({ "name": "Elisa Prado", "email": "elisa@example.com" }))
        .await;

    let path = wait_for(DELIVERY_TIMEOUT, "an .eml file", || async {
        std::fs::read_dir(mail_dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|path| path.extension().is_some_and(|extension| extension == "eml"))
    })
    .await;
    let written = Email::parse(&ReceivedMail {
        sender: String::new(),
        recipients: Vec::new(),
        data: std::fs::read(&path).unwrap(),
    });
    assert_eq!(written.subject, "Bem-vindo(a) ao Loja de Teste");
    assert!(written.to.contains("elisa@example.com"), "{}", written.to);
    assert!(
        written.text_body.contains("Olá, Elisa Prado!"),
        "{}",
        written.text_body
    );

    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    wait_for(DELIVERY_TIMEOUT, "the log line with the file", || async {
        (server.count_lines(&["wrote e-mail to file", &name]) == 1).then_some(())
    })
    .await;
}
