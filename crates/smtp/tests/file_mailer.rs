//! `FileMailer` and `build_mailer` on a temporary directory.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clientela_domain::notification::DEFAULT_MESSAGE_ID_DOMAIN;
use clientela_domain::ports::{MailError, Mailer, MessageRenderer, OutgoingEmail};
use clientela_smtp::{ConfigError, DEFAULT_FROM_ADDRESS, FileMailer, Renderer, build_mailer};
use mailparse::MailHeaderMap;
use support::{PUBLIC_BASE_URL, app_settings, notification, password_reset};

fn email() -> OutgoingEmail {
    let renderer = Renderer::new(PUBLIC_BASE_URL, DEFAULT_FROM_ADDRESS).expect("valid renderer");
    let notification = notification(password_reset("tok"));
    let rendered = renderer
        .render(&notification, &app_settings())
        .expect("renders");
    OutgoingEmail {
        message_id: notification.message_id(DEFAULT_MESSAGE_ID_DOMAIN),
        from: rendered.from,
        to: notification.recipient.to_string(),
        subject: rendered.subject,
        text_body: rendered.text_body,
        html_body: rendered.html_body,
    }
}

/// Lists every entry of a directory, hidden ones included.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("directory is readable")
        .map(|entry| entry.expect("entry is readable").path())
        .collect();
    paths.sort();
    paths
}

#[tokio::test]
async fn writes_parseable_eml() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let email = email();

    FileMailer::new(dir.path())
        .send(&email)
        .await
        .expect("message is written");

    let files = entries(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0]
        .file_name()
        .and_then(|name| name.to_str())
        .expect("UTF-8 name");
    let id = email.message_id.trim_matches(['<', '>']).replace('@', "_");
    assert!(name.ends_with(&format!("_{id}.eml")), "{name}");

    let bytes = std::fs::read(&files[0]).expect("file is readable");
    let parsed = mailparse::parse_mail(&bytes).expect("message parses");
    let header = |name: &str| parsed.headers.get_first_value(name);
    assert_eq!(
        header("Subject").as_deref(),
        Some("Redefinição de senha – Curso de Violão")
    );
    assert_eq!(header("Message-ID"), Some(email.message_id.clone()));
    assert_eq!(header("To").as_deref(), Some("joao.avila@example.com"));
    assert_eq!(
        header("From").as_deref(),
        Some("Curso de Violão <nao-responda@clientela.local>")
    );
    assert!(header("Date").is_some());
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    let text_body = parsed.subparts[0].get_body().expect("text body decodes");
    assert_eq!(text_body.replace("\r\n", "\n"), email.text_body);
    let html_body = parsed.subparts[1].get_body().expect("HTML body decodes");
    assert_eq!(html_body.replace("\r\n", "\n"), email.html_body);
}

#[tokio::test]
async fn creates_missing_directory() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let nested = dir.path().join(".data").join("mail");

    let path = FileMailer::new(&nested)
        .write(&email())
        .await
        .expect("message is written");

    assert_eq!(path.parent(), Some(nested.as_path()));
    assert_eq!(entries(&nested), [path]);
}

#[tokio::test]
async fn each_send_writes_own_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mailer = FileMailer::new(dir.path());

    mailer
        .send(&email())
        .await
        .expect("first message is written");
    mailer
        .send(&email())
        .await
        .expect("second message is written");

    assert_eq!(entries(dir.path()).len(), 2);
}

#[tokio::test]
async fn unusable_directory_is_transient() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let blocker = dir.path().join("mail");
    std::fs::write(&blocker, b"a file where the directory should be").expect("file is written");

    let result = FileMailer::new(&blocker).send(&email()).await;

    match result {
        Err(MailError::Transient(detail)) => {
            assert!(detail.contains("create mail directory"), "{detail}")
        }
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_address_writes_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut email = email();
    email.from = "nobody".to_owned();

    let result = FileMailer::new(dir.path()).send(&email).await;

    assert!(matches!(result, Err(MailError::Rejected(_))), "{result:?}");
    assert!(entries(dir.path()).is_empty());
}

#[tokio::test]
async fn build_mailer_without_url_writes_files() {
    let dir = tempfile::tempdir().expect("temporary directory");
    for smtp_url in [None, Some(""), Some("  ")] {
        let mail_dir = dir.path().join(format!("{}", entries(dir.path()).len()));
        let mailer =
            build_mailer(smtp_url, &mail_dir, Duration::from_secs(5)).expect("file mailer builds");

        mailer.send(&email()).await.expect("message is written");

        assert_eq!(entries(&mail_dir).len(), 1, "{smtp_url:?}");
    }
}

#[test]
fn build_mailer_checks_smtp_url() {
    let dir = tempfile::tempdir().expect("temporary directory");

    let valid = build_mailer(
        Some("smtp://127.0.0.1:2525"),
        dir.path(),
        Duration::from_secs(5),
    );
    let invalid = build_mailer(Some("ftp://x"), dir.path(), Duration::from_secs(5));

    assert!(valid.is_ok());
    assert!(
        matches!(invalid, Err(ConfigError::InvalidSmtpUrl { .. })),
        "ftp:// was accepted"
    );
    assert!(entries(dir.path()).is_empty());
}
