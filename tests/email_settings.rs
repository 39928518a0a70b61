//! `clientela apps configure` end to end: the settings it stores, what the
//! operator reads, and their effect on the e-mails a real SMTP server receives.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

mod common;
mod email_support;

use std::process::Output;
use std::time::Duration;

use clientela_postgres::testing::TestDatabase;
use clientela_test_smtp::{RecipientPolicy, TestSmtpServer};
use email_support::{Admin, Email, Process, mail_env, wait_for};
use serde_json::json;

use crate::common::{create_app, run_cli};

/// Exit code of a usage error.
const EXIT_USAGE: i32 = 2;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_prints_stored_settings() {
    let database = TestDatabase::new().await;
    create_app(database.url(), "loja-a").await;

    let output = run_cli(
        database.url(),
        &[
            "apps",
            "configure",
            "loja-a",
            "--members-url",
            " https://membros.exemplo.com.br/area ",
            "--mail-from",
            "Contato@Exemplo.com.br",
            "--time-zone",
            "America/Manaus",
        ],
    )
    .await;

    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(output.stdout.is_empty());
    assert!(
        text.contains("Configurações do app \"loja-a\" salvas:"),
        "{text}"
    );
    assert!(
        text.contains("Área de membros: https://membros.exemplo.com.br/area"),
        "{text}"
    );
    assert!(
        text.contains("Remetente dos e-mails: contato@exemplo.com.br"),
        "{text}"
    );
    assert!(text.contains("Fuso horário: America/Manaus"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_changes_only_given_settings() {
    let database = TestDatabase::new().await;
    create_app(database.url(), "loja-a").await;
    let first = run_cli(
        database.url(),
        &[
            "apps",
            "configure",
            "loja-a",
            "--members-url",
            "https://membros.exemplo.com.br",
            "--mail-from",
            "contato@exemplo.com.br",
        ],
    )
    .await;
    assert!(first.status.success(), "{}", stderr(&first));

    let cleared = run_cli(
        database.url(),
        &["apps", "configure", "loja-a", "--members-url", ""],
    )
    .await;

    let text = stderr(&cleared);
    assert!(cleared.status.success(), "{text}");
    assert!(
        text.contains("Área de membros: não definida; os links dos e-mails apontam para as páginas do Clientela"),
        "{text}"
    );
    assert!(
        text.contains("Remetente dos e-mails: contato@exemplo.com.br"),
        "{text}"
    );
    assert!(text.contains("Fuso horário: America/Sao_Paulo"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_rejects_invalid_values() {
    let database = TestDatabase::new().await;
    create_app(database.url(), "loja-a").await;

    let output = run_cli(
        database.url(),
        &[
            "apps",
            "configure",
            "loja-a",
            "--members-url",
            "membros.exemplo.com.br",
            "--mail-from",
            "contato",
            "--time-zone",
            "America/Atlantida",
        ],
    )
    .await;

    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(EXIT_USAGE), "{text}");
    assert!(
        text.contains("Endereço da área de membros inválido"),
        "{text}"
    );
    assert!(text.contains("Remetente dos e-mails inválido"), "{text}");
    assert!(text.contains("Fuso horário inválido"), "{text}");

    // Nothing was stored.
    let unchanged = run_cli(
        database.url(),
        &[
            "apps",
            "configure",
            "loja-a",
            "--time-zone",
            "America/Recife",
        ],
    )
    .await;
    let text = stderr(&unchanged);
    assert!(text.contains("Área de membros: não definida"), "{text}");
    assert!(
        text.contains("Remetente dos e-mails: o padrão do servidor"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_needs_a_setting() {
    let database = TestDatabase::new().await;
    create_app(database.url(), "loja-a").await;

    let output = run_cli(database.url(), &["apps", "configure", "loja-a"]).await;

    assert_eq!(
        output.status.code(),
        Some(EXIT_USAGE),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("--members-url"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn configure_unknown_app() {
    let database = TestDatabase::new().await;

    let output = run_cli(
        database.url(),
        &[
            "apps",
            "configure",
            "loja-x",
            "--time-zone",
            "America/Recife",
        ],
    )
    .await;

    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(EXIT_USAGE), "{text}");
    assert!(text.contains("Nenhum app tem este slug."), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_shape_sent_welcome() {
    let database = TestDatabase::new().await;
    let key = create_app(database.url(), "loja-a").await;
    let configured = run_cli(
        database.url(),
        &[
            "apps",
            "configure",
            "loja-a",
            "--members-url",
            "https://membros.exemplo.com.br/area",
            "--mail-from",
            "contato@exemplo.com.br",
        ],
    )
    .await;
    assert!(configured.status.success(), "{}", stderr(&configured));
    let smtp = TestSmtpServer::start(RecipientPolicy::Accept);
    let mail_dir = tempfile::tempdir().unwrap();
    let server = Process::serve(
        database.url(),
        &mail_env(Some(&smtp.url()), mail_dir.path()),
    )
    .await;
    let admin = Admin::new(&server, &key);

    admin
        .create_client(json!({ "name": "Fábio Nunes", "email": "fabio@example.com" }))
        .await;

    let welcome = wait_for(Duration::from_secs(20), "the welcome", || async {
        smtp.received().first().map(Email::parse)
    })
    .await;
    assert!(
        welcome.from.contains("contato@exemplo.com.br"),
        "{}",
        welcome.from
    );
    assert!(
        welcome
            .link_starting_with("https://membros.exemplo.com.br/area/definir-senha?token=")
            .is_some(),
        "{}",
        welcome.text_body
    );
    assert!(
        !welcome.text_body.contains(&server.base_url),
        "{}",
        welcome.text_body
    );
}
