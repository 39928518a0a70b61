#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! Clientela's set-password pages against the running binary: a client opens
//! the link of an e-mail, fills in the form and gets the outcome page.

mod app_api_support;
mod common;

use app_api_support::{AppEnv, PASSWORD, SLUG};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) Navegador de Teste";

/// A page as the browser got it.
struct Page {
    status: StatusCode,
    headers: HeaderMap,
    html: String,
}

impl Page {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }
}

async fn read(response: reqwest::Response) -> Page {
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        html: response.text().await.unwrap(),
    }
}

async fn open(env: &AppEnv, url: &str) -> Page {
    let response = env
        .http
        .get(url)
        .header(reqwest::header::USER_AGENT, BROWSER)
        .send()
        .await
        .unwrap();
    read(response).await
}

/// Posts the form of `page` (a path under the server) as a browser does.
async fn submit(env: &AppEnv, page: &str, token: &str, password: &str, confirmation: &str) -> Page {
    let response = env
        .http
        .post(format!("{}/p/{SLUG}/{page}", env.base_url))
        .header(reqwest::header::USER_AGENT, BROWSER)
        .form(&[
            ("token", token),
            ("password", password),
            ("password_confirmation", confirmation),
        ])
        .send()
        .await
        .unwrap();
    read(response).await
}

#[tokio::test]
async fn set_password_page_flow() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", None).await;
    let mail = env
        .wait_for_mails("ana@example.com", "Bem-vindo", 1)
        .await
        .remove(0);
    let token = mail.token();

    let form = open(&env, &mail.link()).await;
    let mismatch = submit(
        &env,
        "definir-senha",
        &token,
        "nova senha 456",
        "nova senha 457",
    )
    .await;
    let short = submit(&env, "definir-senha", &token, "curta", "curta").await;
    let saved = submit(
        &env,
        "definir-senha",
        &token,
        "nova senha 456",
        "nova senha 456",
    )
    .await;
    let reopened = open(&env, &mail.link()).await;

    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.header("content-type"), "text/html; charset=utf-8");
    assert!(form.html.contains("Crie sua senha"), "{}", form.html);
    assert!(form.html.contains("Loja de Teste"));
    assert!(
        form.html
            .contains(&format!("action=\"/p/{SLUG}/definir-senha\""))
    );
    assert!(form.html.contains(&format!("value=\"{token}\"")));
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        mismatch.html.contains("As senhas não conferem"),
        "{}",
        mismatch.html
    );
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.html.contains("Senha curta demais"), "{}", short.html);
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.html.contains("Senha criada"));
    assert_eq!(reopened.status, StatusCode::BAD_REQUEST);
    assert!(reopened.html.contains("Link inválido"), "{}", reopened.html);
    assert_eq!(
        env.login("ana@example.com", "nova senha 456").await.status,
        StatusCode::OK
    );
    let detail = env.detail(&id).await;
    assert_eq!(detail["access_log"][1]["kind"], "first_access");
    assert_eq!(detail["access_log"][1]["user_agent"], BROWSER);
}

#[tokio::test]
async fn reset_page_flow() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;
    let requested = env
        .app(
            Method::POST,
            "/password-reset",
            None,
            Some(serde_json::json!({ "email": "ana@example.com" })),
        )
        .await;
    assert_eq!(requested.status, StatusCode::ACCEPTED);
    let mail = env
        .wait_for_mails("ana@example.com", "Redefinição de senha", 1)
        .await
        .remove(0);

    let form = open(&env, &mail.link()).await;
    let wrong_page = submit(
        &env,
        "definir-senha",
        &mail.token(),
        "nova senha 456",
        "nova senha 456",
    )
    .await;
    let saved = submit(
        &env,
        "redefinir-senha",
        &mail.token(),
        "nova senha 456",
        "nova senha 456",
    )
    .await;

    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("Redefina sua senha"), "{}", form.html);
    assert_eq!(wrong_page.status, StatusCode::BAD_REQUEST);
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.html.contains("Senha redefinida"));
    assert_eq!(
        env.login("ana@example.com", "nova senha 456").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn pages_send_protective_headers() {
    let env = AppEnv::start().await;

    let page = open(
        &env,
        &format!("{}/p/{SLUG}/redefinir-senha?token=abc", env.base_url),
    )
    .await;

    assert_eq!(page.header("cache-control"), "no-store");
    assert_eq!(page.header("referrer-policy"), "no-referrer");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("x-frame-options"), "DENY");
    let policy = page.header("content-security-policy");
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(policy.contains("form-action 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(!page.html.contains("<script"), "{}", page.html);
    assert!(!page.html.contains("http"), "{}", page.html);
}

#[tokio::test]
async fn void_links_get_error_pages() {
    let env = AppEnv::start().await;

    let malformed = open(
        &env,
        &format!("{}/p/{SLUG}/definir-senha?token=abc", env.base_url),
    )
    .await;
    let missing = open(&env, &format!("{}/p/{SLUG}/definir-senha", env.base_url)).await;
    let unknown = open(
        &env,
        &format!(
            "{}/p/{SLUG}/redefinir-senha?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            env.base_url
        ),
    )
    .await;
    let no_app = open(
        &env,
        &format!(
            "{}/p/loja-inexistente/definir-senha?token=abc",
            env.base_url
        ),
    )
    .await;
    let empty_post = submit(&env, "definir-senha", "", "", "").await;

    for page in [&malformed, &missing, &unknown, &empty_post] {
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.html.contains("Link inválido"), "{}", page.html);
        assert!(page.html.contains("Peça um novo link"), "{}", page.html);
    }
    assert_eq!(no_app.status, StatusCode::NOT_FOUND);
    assert!(
        no_app.html.contains("Página não encontrada"),
        "{}",
        no_app.html
    );
}

#[tokio::test]
async fn page_escapes_app_name() {
    let env = AppEnv::start().await;
    let output = common::run_cli(
        env.database.url(),
        &[
            "apps",
            "create",
            "loja-c",
            "--name",
            "<b>Loja</b> & \"Cia\"",
        ],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let page = open(
        &env,
        &format!("{}/p/loja-c/definir-senha?token=abc", env.base_url),
    )
    .await;

    assert!(!page.html.contains("<b>Loja</b>"), "{}", page.html);
    assert!(
        page.html.contains("&#60;b&#62;Loja") || page.html.contains("&lt;b&gt;Loja"),
        "{}",
        page.html
    );
}
