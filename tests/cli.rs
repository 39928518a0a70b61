#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! The command-line tool: output streams, messages and exit codes.

mod common;

use clientela_postgres::testing::TestDatabase;
use common::{Server, binary, create_app, run_cli, send};
use reqwest::{Method, StatusCode};
use tokio::process::Command;

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[tokio::test]
async fn apps_create_prints_only_the_key() {
    let database = TestDatabase::new().await;

    let output = run_cli(
        database.url(),
        &["apps", "create", "loja-a", "--name", "Loja A"],
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout: {stdout:?}");
    assert!(lines[0].starts_with("ctl_"), "stdout: {stdout:?}");
    assert!(!lines[0].contains(' '), "stdout: {stdout:?}");
    let stderr = stderr_of(&output);
    assert!(stderr.contains("Guarde-a agora"), "stderr: {stderr}");
    assert!(
        !stderr.contains(lines[0]),
        "the key leaked to stderr: {stderr}"
    );
}

#[tokio::test]
async fn keys_create_prints_a_working_key() {
    let database = TestDatabase::new().await;
    let first = create_app(database.url(), "loja-a").await;

    let output = run_cli(database.url(), &["keys", "create", "loja-a"]).await;
    let second = stdout_of(&output).trim_end().to_owned();
    let server = Server::start(database.url()).await;
    let http = reqwest::Client::new();
    let with_first = send(
        &http,
        &server.base_url,
        Some(&first),
        Method::GET,
        "/api/v1/products",
        None,
    )
    .await;
    let with_second = send(
        &http,
        &server.base_url,
        Some(&second),
        Method::GET,
        "/api/v1/products",
        None,
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stdout_of(&output).lines().count(), 1);
    assert_ne!(first, second);
    assert_eq!(with_first.status, StatusCode::OK);
    assert_eq!(with_second.status, StatusCode::OK);
}

#[tokio::test]
async fn keys_create_unknown_app_fails() {
    let database = TestDatabase::new().await;

    let output = run_cli(database.url(), &["keys", "create", "nao-existe"]).await;

    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout_of(&output), "");
    assert!(
        stderr_of(&output).contains("Nenhum app tem este slug."),
        "{}",
        stderr_of(&output)
    );
}

#[tokio::test]
async fn invalid_or_taken_slug_fails_in_portuguese() {
    let database = TestDatabase::new().await;
    create_app(database.url(), "loja-a").await;

    let invalid = run_cli(
        database.url(),
        &["apps", "create", "Loja A", "--name", "Loja"],
    )
    .await;
    let taken_slug = run_cli(
        database.url(),
        &["apps", "create", "loja-a", "--name", "Outra"],
    )
    .await;

    assert_eq!(invalid.status.code(), Some(2));
    assert!(
        stderr_of(&invalid).contains("Slug inválido"),
        "{}",
        stderr_of(&invalid)
    );
    assert_eq!(stdout_of(&invalid), "");
    assert_eq!(taken_slug.status.code(), Some(1));
    assert!(
        stderr_of(&taken_slug).contains("Já existe um app com este slug"),
        "{}",
        stderr_of(&taken_slug)
    );
    assert_eq!(stdout_of(&taken_slug), "");
}

#[tokio::test]
async fn missing_database_url_is_a_usage_error() {
    let output = Command::new(binary())
        .args(["migrate"])
        .env_remove("DATABASE_URL")
        .output()
        .await
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("DATABASE_URL não está definida"),
        "{stderr}"
    );
}

#[tokio::test]
async fn bad_arguments_are_usage_errors() {
    let unknown = Command::new(binary())
        .args(["voar"])
        .output()
        .await
        .unwrap();
    let bad_listen = Command::new(binary())
        .args(["serve", "--listen", "localhost"])
        .env("DATABASE_URL", "postgres://127.0.0.1:1/nada")
        .output()
        .await
        .unwrap();
    let bad_format = Command::new(binary())
        .args(["migrate"])
        .env("DATABASE_URL", "postgres://127.0.0.1:1/nada")
        .env("CLIENTELA_LOG_FORMAT", "xml")
        .output()
        .await
        .unwrap();
    let help = Command::new(binary())
        .args(["--help"])
        .output()
        .await
        .unwrap();

    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(bad_listen.status.code(), Some(2));
    assert_eq!(bad_format.status.code(), Some(2));
    assert!(stderr_of(&bad_format).contains("CLIENTELA_LOG_FORMAT"));
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout_of(&help).contains("Central de clientes"));
}

#[tokio::test]
async fn unreachable_database_is_a_runtime_failure() {
    let output = Command::new(binary())
        .args(["apps", "create", "loja-a", "--name", "Loja A"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nada")
        .output()
        .await
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr_of(&output).contains("não foi possível conectar ao banco de dados"),
        "{}",
        stderr_of(&output)
    );
    assert_eq!(stdout_of(&output), "");
}

#[tokio::test]
async fn migrate_prints_the_applied_migrations() {
    let database = TestDatabase::new().await;
    let reverted = clientela_postgres::revert_all(database.url())
        .await
        .unwrap();

    let applied = run_cli(database.url(), &["migrate"]).await;
    let again = run_cli(database.url(), &["migrate"]).await;

    assert_eq!(applied.status.code(), Some(0), "{}", stderr_of(&applied));
    let mut names: Vec<String> = stdout_of(&applied).lines().map(str::to_owned).collect();
    let mut expected = reverted.clone();
    names.sort();
    expected.sort();
    assert!(!expected.is_empty());
    assert_eq!(names, expected);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout_of(&again), "");
    assert!(stderr_of(&again).contains("Nenhuma migração pendente"));
}

#[tokio::test]
async fn serve_stops_gracefully_on_sigterm() {
    let database = TestDatabase::new().await;
    let server = Server::start(database.url()).await;
    let address_lines: Vec<String> = server
        .stderr_lines()
        .into_iter()
        .filter(|line| line.starts_with("listening on "))
        .collect();

    let (status, lines) = server.terminate().await;

    assert_eq!(address_lines.len(), 1, "{address_lines:?}");
    assert!(address_lines[0].starts_with("listening on http://127.0.0.1:"));
    assert!(!address_lines[0].ends_with(":0"), "{address_lines:?}");
    assert!(status.success(), "exit status {status}: {lines:#?}");
    assert!(
        lines.iter().any(|line| line.contains("server started")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|line| line.contains("server stopped")),
        "{lines:#?}"
    );
}

#[tokio::test]
async fn json_log_format_writes_json_lines() {
    let database = TestDatabase::new().await;

    let output = Command::new(binary())
        .args(["apps", "create", "loja-a", "--name", "Loja A"])
        .env("DATABASE_URL", database.url())
        .env("CLIENTELA_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .output()
        .await
        .unwrap();

    assert_eq!(output.status.code(), Some(0));
    let stderr = stderr_of(&output);
    let log_line = stderr
        .lines()
        .find(|line| line.contains("app created"))
        .unwrap_or_else(|| panic!("no log line: {stderr}"));
    let parsed: serde_json::Value = serde_json::from_str(log_line).unwrap();
    assert_eq!(parsed["level"], "INFO");
    assert_eq!(parsed["fields"]["slug"], "loja-a");
}
