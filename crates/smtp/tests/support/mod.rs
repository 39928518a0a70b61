//! Fixtures shared by the tests. The SMTP server the tests send to is
//! `clientela_test_smtp::TestSmtpServer`.

#![allow(dead_code)] // Each test file uses a different part of this module.

use clientela_domain::ids::{AppId, ClientId};
use clientela_domain::notification::{AppMailSettings, Notification, NotificationContent};
use clientela_domain::values::Email;
use time::OffsetDateTime;

/// Public base URL the renderer is built with in the tests.
pub const PUBLIC_BASE_URL: &str = "https://clientela.example.com";

pub fn app_settings() -> AppMailSettings {
    AppMailSettings {
        app_id: AppId::generate(),
        slug: "curso-de-violao".to_owned(),
        name: "Curso de Violão".to_owned(),
        members_url: None,
        from_address: None,
    }
}

pub fn notification(content: NotificationContent) -> Notification {
    Notification::new(
        AppId::generate(),
        ClientId::generate(),
        Email::parse("joao.avila@example.com").expect("valid e-mail"),
        content,
        "test",
        OffsetDateTime::now_utc(),
    )
}

pub fn password_reset(token: &str) -> NotificationContent {
    NotificationContent::PasswordReset {
        client_name: "João D'Ávila".to_owned(),
        token: token.to_owned(),
    }
}
