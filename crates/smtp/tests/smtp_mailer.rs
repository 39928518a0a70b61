//! `SmtpMailer` against a real SMTP server listening on 127.0.0.1.

mod support;

use std::time::{Duration, Instant};

use clientela_domain::notification::{AppMailSettings, DEFAULT_MESSAGE_ID_DOMAIN};
use clientela_domain::ports::{MailError, Mailer, MessageRenderer, OutgoingEmail};
use clientela_smtp::{ConfigError, DEFAULT_FROM_ADDRESS, Renderer, SmtpMailer};
use clientela_test_smtp::{RecipientPolicy, TestSmtpServer, silent_server_url, stopped_server_url};
use mailparse::{MailHeaderMap, ParsedMail};
use support::{PUBLIC_BASE_URL, app_settings, notification, password_reset};
use url::Url;

const TIMEOUT: Duration = Duration::from_secs(5);

/// Builds a password-reset e-mail as the outbox does, with the real renderer.
fn password_reset_email(token: &str) -> OutgoingEmail {
    let renderer = Renderer::new(PUBLIC_BASE_URL, DEFAULT_FROM_ADDRESS).expect("valid renderer");
    let notification = notification(password_reset(token));
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

fn mailer(url: &str) -> SmtpMailer {
    SmtpMailer::from_url(url, TIMEOUT).expect("valid SMTP_URL")
}

fn header(mail: &ParsedMail<'_>, name: &str) -> String {
    mail.headers
        .get_first_value(name)
        .unwrap_or_else(|| panic!("header {name} is missing"))
}

/// Returns the first `https://…` URL in a text.
fn first_link(text: &str) -> Url {
    let start = text.find("https://").expect("text has a link");
    let end = text[start..]
        .find(char::is_whitespace)
        .map_or(text.len(), |offset| start + offset);
    Url::parse(&text[start..end]).expect("link parses")
}

#[tokio::test]
async fn delivers_multipart_message() {
    let server = TestSmtpServer::start(RecipientPolicy::Accept);
    let email = password_reset_email("tok_Ab12-x");

    mailer(&server.url())
        .send(&email)
        .await
        .expect("server accepts the message");

    let received = server.received();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.recipients, ["joao.avila@example.com"]);
    assert_eq!(mail.sender, "nao-responda@clientela.local");

    // Headers carry non-ASCII text as RFC 2047 encoded words, and the bodies
    // use a 7-bit transfer encoding, so the message is ASCII on the wire.
    assert!(mail.data.is_ascii(), "message has raw 8-bit bytes");
    let raw = String::from_utf8_lossy(&mail.data).to_lowercase();
    assert!(
        raw.contains("\r\nsubject: =?utf-8?"),
        "subject is not encoded"
    );

    let parsed = mailparse::parse_mail(&mail.data).expect("message parses");
    assert_eq!(
        header(&parsed, "Subject"),
        "Redefinição de senha – Curso de Violão"
    );
    assert_eq!(header(&parsed, "Message-ID"), email.message_id);
    assert_eq!(
        header(&parsed, "From"),
        "Curso de Violão <nao-responda@clientela.local>"
    );
    assert_eq!(header(&parsed, "To"), "joao.avila@example.com");
    assert_eq!(header(&parsed, "Auto-Submitted"), "auto-generated");
    assert!(parsed.headers.get_first_value("Date").is_some());
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    assert_eq!(parsed.subparts.len(), 2);

    let text = &parsed.subparts[0];
    assert_eq!(text.ctype.mimetype, "text/plain");
    assert_eq!(text.ctype.charset, "utf-8");
    let text_body = text.get_body().expect("text body decodes");
    assert_eq!(text_body.replace("\r\n", "\n"), email.text_body);
    assert!(text_body.contains("Olá, João D'Ávila!"), "{text_body}");

    let html = &parsed.subparts[1];
    assert_eq!(html.ctype.mimetype, "text/html");
    let html_body = html.get_body().expect("HTML body decodes");
    assert_eq!(html_body.replace("\r\n", "\n"), email.html_body);
    assert!(html_body.contains("Olá, João D&#39;Ávila!"), "{html_body}");
}

#[tokio::test]
async fn delivered_link_carries_token() {
    let server = TestSmtpServer::start(RecipientPolicy::Accept);
    let email = password_reset_email("tok+/=Ab");

    mailer(&server.url())
        .send(&email)
        .await
        .expect("server accepts the message");

    let received = server.received();
    let parsed = mailparse::parse_mail(&received[0].data).expect("message parses");
    let text_body = parsed.subparts[0].get_body().expect("text body decodes");
    let link = first_link(&text_body);
    assert_eq!(link.host_str(), Some("clientela.example.com"));
    assert_eq!(link.path(), "/p/curso-de-violao/redefinir-senha");
    let tokens: Vec<String> = link
        .query_pairs()
        .filter(|(key, _)| key == "token")
        .map(|(_, value)| value.into_owned())
        .collect();
    assert_eq!(tokens, ["tok+/=Ab"]);

    let html_body = parsed.subparts[1].get_body().expect("HTML body decodes");
    assert!(
        html_body.contains(&format!("href=\"{link}\"")),
        "HTML lacks {link}: {html_body}"
    );
}

#[tokio::test]
async fn long_accented_subject_survives() {
    let server = TestSmtpServer::start(RecipientPolicy::Accept);
    let mut email = password_reset_email("t");
    email.subject = "Ação, coração e pão: ".repeat(6) + "fim";
    email.from = "\"Escola \\\"Música\\\": Nível 1\" <contato@escola.example.com>".to_owned();

    mailer(&server.url())
        .send(&email)
        .await
        .expect("server accepts the message");

    let received = server.received();
    let parsed = mailparse::parse_mail(&received[0].data).expect("message parses");
    assert_eq!(header(&parsed, "Subject"), email.subject);
    let from = mailparse::addrparse_header(
        parsed
            .headers
            .get_first_header("From")
            .expect("From header"),
    )
    .expect("From parses");
    match &from[0] {
        mailparse::MailAddr::Single(single) => {
            assert_eq!(
                single.display_name.as_deref(),
                Some("Escola \"Música\": Nível 1")
            );
            assert_eq!(single.addr, "contato@escola.example.com");
        }
        group => panic!("unexpected group {group:?}"),
    }
    assert_eq!(received[0].sender, "contato@escola.example.com");
}

#[tokio::test]
async fn app_name_with_specials_reaches_from() {
    let server = TestSmtpServer::start(RecipientPolicy::Accept);
    let renderer = Renderer::new(PUBLIC_BASE_URL, DEFAULT_FROM_ADDRESS).expect("valid renderer");
    let app = AppMailSettings {
        name: "Escola \"Música\" \\ Nível: 1, <turma>".to_owned(),
        ..app_settings()
    };
    let notification = notification(password_reset("t"));
    let rendered = renderer.render(&notification, &app).expect("renders");
    let email = OutgoingEmail {
        message_id: notification.message_id(DEFAULT_MESSAGE_ID_DOMAIN),
        from: rendered.from,
        to: notification.recipient.to_string(),
        subject: rendered.subject,
        text_body: rendered.text_body,
        html_body: rendered.html_body,
    };

    mailer(&server.url())
        .send(&email)
        .await
        .expect("server accepts the message");

    let received = server.received();
    let parsed = mailparse::parse_mail(&received[0].data).expect("message parses");
    let from = mailparse::addrparse_header(
        parsed
            .headers
            .get_first_header("From")
            .expect("From header"),
    )
    .expect("From parses");
    match &from[0] {
        mailparse::MailAddr::Single(single) => {
            assert_eq!(single.display_name.as_deref(), Some(app.name.as_str()));
            assert_eq!(single.addr, DEFAULT_FROM_ADDRESS);
        }
        group => panic!("unexpected group {group:?}"),
    }
}

#[tokio::test]
async fn rejected_recipient_is_rejected() {
    let server = TestSmtpServer::start(RecipientPolicy::RejectPermanently);

    let result = mailer(&server.url()).send(&password_reset_email("t")).await;

    match result {
        Err(MailError::Rejected(detail)) => assert!(detail.contains("550"), "{detail}"),
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn temporary_refusal_is_transient() {
    let server = TestSmtpServer::start(RecipientPolicy::RejectTemporarily);

    let result = mailer(&server.url()).send(&password_reset_email("t")).await;

    match result {
        Err(MailError::Transient(detail)) => assert!(detail.contains("451"), "{detail}"),
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

#[tokio::test]
async fn url_credentials_authenticate() {
    let server = TestSmtpServer::start_with_auth("mailer", "s3cr@t:ã");
    let address = server.url().replace("smtp://", "");
    let url = format!("smtp://mailer:s3cr%40t%3A%C3%A3@{address}");

    mailer(&url)
        .send(&password_reset_email("t"))
        .await
        .expect("server accepts the message");

    assert_eq!(server.authenticated_users(), ["mailer"]);
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn wrong_password_is_transient() {
    let server = TestSmtpServer::start_with_auth("mailer", "right");
    let address = server.url().replace("smtp://", "");
    let url = format!("smtp://mailer:wrong@{address}");

    let result = mailer(&url).send(&password_reset_email("t")).await;

    match result {
        Err(MailError::Transient(detail)) => assert!(detail.contains("535"), "{detail}"),
        other => panic!("expected a transient failure, got {other:?}"),
    }
    assert!(server.authenticated_users().is_empty());
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn stopped_server_is_transient() {
    let result = mailer(&stopped_server_url())
        .send(&password_reset_email("t"))
        .await;

    assert!(
        matches!(result, Err(MailError::Transient(_))),
        "expected a transient failure, got {result:?}"
    );
}

#[tokio::test]
async fn silent_server_times_out() {
    let url = silent_server_url(Duration::from_secs(10));
    let mailer = SmtpMailer::from_url(&url, Duration::from_millis(500)).expect("valid SMTP_URL");

    let started = Instant::now();
    let result = mailer.send(&password_reset_email("t")).await;

    match result {
        Err(MailError::Transient(detail)) => assert!(detail.contains("timed out"), "{detail}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn tls_required_without_starttls_is_transient() {
    let server = TestSmtpServer::start(RecipientPolicy::Accept);
    let url = format!("{}?tls=required", server.url());

    let result = mailer(&url).send(&password_reset_email("t")).await;

    assert!(
        matches!(result, Err(MailError::Transient(_))),
        "expected a transient failure, got {result:?}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn invalid_recipient_is_rejected_before_connecting() {
    let server = TestSmtpServer::start(RecipientPolicy::Accept);
    let mut email = password_reset_email("t");
    email.to = "not an address".to_owned();

    let result = mailer(&server.url()).send(&email).await;

    match result {
        Err(MailError::Rejected(detail)) => {
            assert!(detail.contains("invalid recipient address"), "{detail}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn malformed_message_id_is_rejected() {
    let server = TestSmtpServer::start(RecipientPolicy::Accept);
    let mut email = password_reset_email("t");
    email.message_id = "<id@clientela>\r\nBcc: x@example.com".to_owned();

    let result = mailer(&server.url()).send(&email).await;

    assert!(
        matches!(result, Err(MailError::Rejected(_))),
        "expected a rejection, got {result:?}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn check_connection_reports_server_state() {
    let server = TestSmtpServer::start(RecipientPolicy::Accept);

    mailer(&server.url())
        .check_connection()
        .await
        .expect("running server answers");
    let stopped = mailer(&stopped_server_url()).check_connection().await;

    assert!(
        matches!(stopped, Err(MailError::Transient(_))),
        "expected a transient failure, got {stopped:?}"
    );
}

#[test]
fn smtp_url_forms_are_accepted() {
    for url in [
        "smtp://127.0.0.1:2525",
        "smtp://mail.example.com:587?tls=required",
        "smtp://mail.example.com:587?tls=opportunistic",
        "smtps://mailer:s%40cret@mail.example.com:465",
    ] {
        assert!(
            SmtpMailer::from_url(url, TIMEOUT).is_ok(),
            "{url} was rejected"
        );
    }
}

#[test]
fn invalid_smtp_url_is_rejected() {
    for url in [
        "http://mail.example.com",
        "smtp://mail.example.com?tls=always",
        "mail.example.com:25",
        "",
    ] {
        let result = SmtpMailer::from_url(url, TIMEOUT);
        assert!(
            matches!(result, Err(ConfigError::InvalidSmtpUrl { .. })),
            "{url:?} gave {result:?}"
        );
    }
}

#[test]
fn config_error_hides_password() {
    let error = SmtpMailer::from_url("imap://mailer:hunter2@mail.example.com", TIMEOUT)
        .expect_err("imap is not an SMTP scheme");
    let message = error.to_string();
    assert!(!message.contains("hunter2"), "{message}");
    assert!(message.contains("mail.example.com"), "{message}");
}

#[test]
fn debug_hides_password() {
    let mailer = SmtpMailer::from_url("smtps://mailer:hunter2@mail.example.com", TIMEOUT)
        .expect("valid SMTP_URL");
    let debug = format!("{mailer:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert_eq!(mailer.server(), "smtps://mailer:***@mail.example.com");
}

#[test]
fn zero_timeout_is_rejected() {
    let result = SmtpMailer::from_url("smtp://127.0.0.1:2525", Duration::ZERO);
    assert!(
        matches!(result, Err(ConfigError::ZeroTimeout)),
        "{result:?}"
    );
}
