//! `Renderer`: subjects, bodies and links of every notification kind.

mod support;

use clientela_domain::notification::{AppMailSettings, NotificationContent};
use clientela_domain::ports::{MessageRenderer, RenderError, RenderedMessage};
use clientela_smtp::{ConfigError, DEFAULT_FROM_ADDRESS, Renderer};
use support::{PUBLIC_BASE_URL, app_settings, notification};

fn renderer() -> Renderer {
    Renderer::new(PUBLIC_BASE_URL, DEFAULT_FROM_ADDRESS).expect("valid renderer")
}

fn render(content: NotificationContent, app: &AppMailSettings) -> RenderedMessage {
    renderer()
        .render(&notification(content), app)
        .expect("renders")
}

fn with_members_url(url: &str) -> AppMailSettings {
    AppMailSettings {
        members_url: Some(url.to_owned()),
        ..app_settings()
    }
}

fn welcome(token: Option<&str>) -> NotificationContent {
    NotificationContent::Welcome {
        client_name: "Ana Souza".to_owned(),
        set_password_token: token.map(str::to_owned),
    }
}

fn first_access() -> NotificationContent {
    NotificationContent::FirstAccess {
        client_name: "Ana Souza".to_owned(),
        token: "tok-first".to_owned(),
    }
}

fn password_reset() -> NotificationContent {
    NotificationContent::PasswordReset {
        client_name: "Ana Souza".to_owned(),
        token: "tok-reset".to_owned(),
    }
}

fn access_granted() -> NotificationContent {
    NotificationContent::AccessGranted {
        client_name: "Ana Souza".to_owned(),
        product_name: "Harmonia Avançada".to_owned(),
    }
}

fn all_kinds() -> Vec<NotificationContent> {
    vec![
        welcome(Some("tok-welcome")),
        welcome(None),
        first_access(),
        password_reset(),
        access_granted(),
    ]
}

/// Asserts that both bodies contain `needle`.
fn assert_both_contain(message: &RenderedMessage, needle: &str) {
    assert!(
        message.text_body.contains(needle),
        "text lacks {needle:?}:\n{}",
        message.text_body
    );
    assert!(
        message.html_body.contains(needle),
        "HTML lacks {needle:?}:\n{}",
        message.html_body
    );
}

#[test]
fn welcome_with_token_links_to_set_password_page() {
    let message = render(welcome(Some("tok-welcome")), &app_settings());

    assert_eq!(message.subject, "Bem-vindo(a) ao Curso de Violão");
    assert_both_contain(&message, "Olá, Ana Souza!");
    assert_both_contain(
        &message,
        "https://clientela.example.com/p/curso-de-violao/definir-senha?token=tok-welcome",
    );
    assert_both_contain(&message, "crie sua senha");
}

#[test]
fn welcome_without_token_has_no_password_link() {
    let message = render(welcome(None), &app_settings());

    assert_eq!(message.subject, "Bem-vindo(a) ao Curso de Violão");
    assert_both_contain(
        &message,
        "Entre na área de membros com este e-mail e a sua senha.",
    );
    assert!(
        !message.text_body.contains("https://"),
        "{}",
        message.text_body
    );
    assert!(
        !message.html_body.contains("href="),
        "{}",
        message.html_body
    );
}

#[test]
fn welcome_without_token_links_to_members_app() {
    let app = with_members_url("https://membros.violao.example.com");

    let message = render(welcome(None), &app);

    assert_both_contain(&message, "https://membros.violao.example.com/");
    assert!(message.html_body.contains(">Acessar a área de membros</a>"));
    assert!(!message.text_body.contains("definir-senha"));
}

#[test]
fn first_access_links_to_set_password_page() {
    let message = render(first_access(), &app_settings());

    assert_eq!(message.subject, "Primeiro acesso – Curso de Violão");
    assert_both_contain(&message, "Olá, Ana Souza!");
    assert_both_contain(
        &message,
        "https://clientela.example.com/p/curso-de-violao/definir-senha?token=tok-first",
    );
    assert_both_contain(
        &message,
        "primeiro acesso à área de membros Curso de Violão",
    );
}

#[test]
fn password_reset_links_to_reset_page() {
    let message = render(password_reset(), &app_settings());

    assert_eq!(message.subject, "Redefinição de senha – Curso de Violão");
    assert_both_contain(
        &message,
        "https://clientela.example.com/p/curso-de-violao/redefinir-senha?token=tok-reset",
    );
    assert_both_contain(&message, "sua senha atual continua valendo");
}

#[test]
fn access_granted_names_product() {
    let message = render(access_granted(), &app_settings());

    assert_eq!(
        message.subject,
        "Seu acesso a Harmonia Avançada foi liberado"
    );
    assert_both_contain(&message, "Harmonia Avançada");
    assert_both_contain(&message, "Entre com este e-mail e a sua senha.");
    assert!(
        !message.html_body.contains("href="),
        "{}",
        message.html_body
    );
}

#[test]
fn access_granted_links_to_members_app() {
    let app = with_members_url("https://membros.violao.example.com/area/");

    let message = render(access_granted(), &app);

    assert_both_contain(&message, "https://membros.violao.example.com/area/");
    assert!(message.html_body.contains(">Acessar agora</a>"));
}

#[test]
fn token_links_use_members_app() {
    let app = with_members_url("https://membros.violao.example.com/area");

    let first = render(first_access(), &app);
    let reset = render(password_reset(), &app);

    assert_both_contain(
        &first,
        "https://membros.violao.example.com/area/definir-senha?token=tok-first",
    );
    assert_both_contain(
        &reset,
        "https://membros.violao.example.com/area/redefinir-senha?token=tok-reset",
    );
    assert!(!first.text_body.contains("clientela.example.com"));
    assert!(!reset.text_body.contains("clientela.example.com"));
}

#[test]
fn html_escapes_client_data() {
    let hostile = "<script>alert('x')</script> & \"Ana\"";
    let app = AppMailSettings {
        name: "<b>Curso</b>".to_owned(),
        ..app_settings()
    };
    let contents = [
        NotificationContent::Welcome {
            client_name: hostile.to_owned(),
            set_password_token: Some("t".to_owned()),
        },
        NotificationContent::FirstAccess {
            client_name: hostile.to_owned(),
            token: "t".to_owned(),
        },
        NotificationContent::PasswordReset {
            client_name: hostile.to_owned(),
            token: "t".to_owned(),
        },
        NotificationContent::AccessGranted {
            client_name: hostile.to_owned(),
            product_name: "<img src=x onerror=alert(1)>".to_owned(),
        },
    ];

    for content in contents {
        let kind = content.kind();
        let message = render(content, &app);

        assert!(!message.html_body.contains("<script>"), "{kind:?}");
        assert!(!message.html_body.contains("<b>Curso"), "{kind:?}");
        assert!(!message.html_body.contains("<img"), "{kind:?}");
        assert!(
            message.html_body.contains(
                "&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;Ana&#34;"
            ),
            "{kind:?}:\n{}",
            message.html_body
        );
        assert!(
            message.html_body.contains("&#60;b&#62;Curso&#60;/b&#62;"),
            "{kind:?}"
        );
        // Plain text is not HTML: the name is shown as typed.
        assert!(message.text_body.contains(hostile), "{kind:?}");
    }
}

#[test]
fn html_loads_no_external_assets() {
    let app = with_members_url("https://membros.violao.example.com");
    for content in all_kinds() {
        let kind = content.kind();
        let message = render(content, &app);
        let html = message.html_body.to_lowercase();

        for marker in ["<img", "<link", "<script", "src=", "url(", "@import"] {
            assert!(!html.contains(marker), "{kind:?} contains {marker}");
        }
        assert!(html.starts_with("<!doctype html>"), "{kind:?}");
        assert!(html.contains("<html lang=\"pt-br\">"), "{kind:?}");
        assert!(html.contains("<meta charset=\"utf-8\">"), "{kind:?}");
    }
}

#[test]
fn every_kind_has_footer() {
    for content in all_kinds() {
        let kind = content.kind();
        let message = render(content, &app_settings());

        assert!(
            message
                .text_body
                .contains("\n-- \nVocê recebeu este e-mail"),
            "{kind:?}:\n{}",
            message.text_body
        );
        assert!(
            message.html_body.contains("Esta mensagem é automática"),
            "{kind:?}"
        );
    }
}

#[test]
fn sender_uses_app_name_and_default_address() {
    let message = render(password_reset(), &app_settings());

    assert_eq!(
        message.from,
        "Curso de Violão <nao-responda@clientela.local>"
    );
}

#[test]
fn sender_uses_app_address() {
    let app = AppMailSettings {
        from_address: Some("contato@violao.example.com".to_owned()),
        ..app_settings()
    };

    let message = render(password_reset(), &app);

    assert_eq!(message.from, "Curso de Violão <contato@violao.example.com>");
}

#[test]
fn line_breaks_leave_headers() {
    let app = AppMailSettings {
        name: "Curso\r\nBcc: intruso@example.com".to_owned(),
        ..app_settings()
    };

    let message = render(password_reset(), &app);

    assert_eq!(
        message.subject,
        "Redefinição de senha – Curso Bcc: intruso@example.com"
    );
    assert!(!message.from.contains('\n'), "{}", message.from);
    assert!(!message.from.contains('\r'), "{}", message.from);
}

#[test]
fn invalid_app_sender_is_rejected() {
    let app = AppMailSettings {
        from_address: Some("contato@".to_owned()),
        ..app_settings()
    };

    let result = renderer().render(&notification(password_reset()), &app);

    match result {
        Err(RenderError::InvalidSettings { app: id, detail }) => {
            assert_eq!(id, app.app_id);
            assert!(detail.contains("contato@"), "{detail}");
        }
        other => panic!("expected invalid settings, got {other:?}"),
    }
}

#[test]
fn invalid_members_url_is_rejected() {
    for members_url in [
        "membros.example.com",
        "ftp://membros.example.com",
        "javascript:alert(1)",
    ] {
        let app = with_members_url(members_url);

        let result = renderer().render(&notification(password_reset()), &app);

        assert!(
            matches!(result, Err(RenderError::InvalidSettings { .. })),
            "{members_url:?} gave {result:?}"
        );
    }
}

#[test]
fn renderer_rejects_invalid_configuration() {
    let bad_url = Renderer::new("clientela.example.com", DEFAULT_FROM_ADDRESS);
    let bad_from = Renderer::new(PUBLIC_BASE_URL, "nao-responda");

    assert!(
        matches!(bad_url, Err(ConfigError::InvalidPublicBaseUrl { .. })),
        "{bad_url:?}"
    );
    assert!(
        matches!(bad_from, Err(ConfigError::InvalidFromAddress { .. })),
        "{bad_from:?}"
    );
}

#[test]
fn public_base_url_path_is_kept() {
    let renderer =
        Renderer::new("http://127.0.0.1:8080/clientela/", DEFAULT_FROM_ADDRESS).expect("valid");

    let message = renderer
        .render(&notification(password_reset()), &app_settings())
        .expect("renders");

    assert_both_contain(
        &message,
        "http://127.0.0.1:8080/clientela/p/curso-de-violao/redefinir-senha?token=tok-reset",
    );
}
