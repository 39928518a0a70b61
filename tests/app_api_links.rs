#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! First-access and password-reset links against the running binary, from the
//! request to the e-mail the client receives and the password set with its
//! token, and the admin's password actions.

mod app_api_support;
mod common;

use std::time::Duration;

use app_api_support::{AppEnv, PASSWORD, SLUG};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const FIRST_ACCESS: &str = "Primeiro acesso";
const RESET: &str = "Redefinição de senha";
const WELCOME: &str = "Bem-vindo";
const NEW_PASSWORD: &str = "nova senha 456";

async fn request_link(env: &AppEnv, path: &str, email: &str) -> Value {
    let reply = env
        .app(Method::POST, path, None, Some(json!({ "email": email })))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:#}", reply.body);
    reply.body
}

async fn confirm(
    env: &AppEnv,
    path: &str,
    token: &str,
    password: &str,
) -> app_api_support::AppReply {
    env.app(
        Method::POST,
        path,
        None,
        Some(json!({ "token": token, "password": password })),
    )
    .await
}

/// Makes every notification older than the one-minute cooldown, so a new
/// request for the same client is not suppressed.
async fn end_cooldown(env: &AppEnv) {
    env.sql("UPDATE notifications SET created_at = created_at - interval '2 minutes'")
        .await;
}

#[tokio::test]
async fn first_access_sets_password() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", None).await;
    // The welcome of a client without a password carries a link too; the test
    // waits for it so the requested link is the newest.
    env.wait_for_mails("ana@example.com", WELCOME, 1).await;
    end_cooldown(&env).await;

    let accepted = request_link(&env, "/first-access", "ana@example.com").await;
    let mail = env
        .wait_for_mails("ana@example.com", FIRST_ACCESS, 1)
        .await
        .remove(0);
    let link = mail.link();
    let set = confirm(&env, "/first-access/confirm", &mail.token(), NEW_PASSWORD).await;
    let login = env.login("ana@example.com", NEW_PASSWORD).await;

    assert_eq!(accepted["status"], "accepted");
    assert!(
        link.contains(&format!("/p/{SLUG}/definir-senha?token=")),
        "{link}"
    );
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{:#}", set.body);
    assert_eq!(login.status, StatusCode::OK, "{:#}", login.body);
    assert_eq!(env.access_kinds(&id).await, ["login", "first_access"]);
    assert!(env.detail(&id).await["last_access_at"].is_string());
}

#[tokio::test]
async fn welcome_link_sets_password() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", None).await;
    let welcome = env
        .wait_for_mails("ana@example.com", WELCOME, 1)
        .await
        .remove(0);

    let set = confirm(
        &env,
        "/first-access/confirm",
        &welcome.token(),
        NEW_PASSWORD,
    )
    .await;

    assert_eq!(set.status, StatusCode::NO_CONTENT, "{:#}", set.body);
    assert_eq!(env.access_kinds(&id).await, ["first_access"]);
}

#[tokio::test]
async fn link_requests_never_reveal_email() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;

    let known = request_link(&env, "/password-reset", "ana@example.com").await;
    let unknown = request_link(&env, "/password-reset", "nobody@example.com").await;
    let unknown_first = request_link(&env, "/first-access", "nobody@example.com").await;
    env.wait_for_mails("ana@example.com", RESET, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(known, unknown);
    assert_eq!(known, unknown_first);
    assert!(env.mails("nobody@example.com", "").is_empty());
}

#[tokio::test]
async fn link_request_validates_email() {
    let env = AppEnv::start().await;

    let reply = env
        .app(
            Method::POST,
            "/password-reset",
            None,
            Some(json!({ "email": "ana@" })),
        )
        .await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["fields"][0]["field"], "email");
    assert_eq!(reply.body["fields"][0]["code"], "invalid_email");
}

#[tokio::test]
async fn reset_replaces_password_once() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;
    let session = env.session("ana@example.com", PASSWORD).await;

    request_link(&env, "/password-reset", "ana@example.com").await;
    let mail = env
        .wait_for_mails("ana@example.com", RESET, 1)
        .await
        .remove(0);
    let token = mail.token();
    let first = confirm(&env, "/password-reset/confirm", &token, NEW_PASSWORD).await;
    let reuse = confirm(&env, "/password-reset/confirm", &token, "outra senha 789").await;

    assert!(
        mail.link()
            .contains(&format!("/p/{SLUG}/redefinir-senha?token=")),
        "{}",
        mail.link()
    );
    assert_eq!(first.status, StatusCode::NO_CONTENT, "{:#}", first.body);
    assert_eq!(reuse.status, StatusCode::BAD_REQUEST);
    assert_eq!(reuse.code(), "invalid_token");
    assert_eq!(
        env.login("ana@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        env.login("ana@example.com", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    let old_session = env.app(Method::GET, "/me", Some(&session), None).await;
    assert_eq!(old_session.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        env.access_kinds(&id).await,
        ["login", "login_failed", "password_reset", "login"]
    );
}

#[tokio::test]
async fn expired_reset_link_is_refused() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;
    request_link(&env, "/password-reset", "ana@example.com").await;
    let mail = env
        .wait_for_mails("ana@example.com", RESET, 1)
        .await
        .remove(0);
    env.sql(
        "UPDATE account_tokens SET created_at = now() - interval '2 hours', \
         expires_at = now() - interval '1 hour'",
    )
    .await;

    let reply = confirm(&env, "/password-reset/confirm", &mail.token(), NEW_PASSWORD).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_token");
    assert_eq!(
        env.login("ana@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn newer_link_voids_older() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;
    request_link(&env, "/password-reset", "ana@example.com").await;
    let older = env.wait_for_mails("ana@example.com", RESET, 1).await[0].token();
    end_cooldown(&env).await;

    request_link(&env, "/password-reset", "ana@example.com").await;
    let newer = env.wait_for_mails("ana@example.com", RESET, 2).await[1].token();
    let with_older = confirm(&env, "/password-reset/confirm", &older, NEW_PASSWORD).await;
    let with_newer = confirm(&env, "/password-reset/confirm", &newer, NEW_PASSWORD).await;

    assert_ne!(older, newer);
    assert_eq!(with_older.code(), "invalid_token");
    assert_eq!(
        with_newer.status,
        StatusCode::NO_CONTENT,
        "{:#}",
        with_newer.body
    );
}

#[tokio::test]
async fn double_request_sends_one_email() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;

    request_link(&env, "/password-reset", "ana@example.com").await;
    request_link(&env, "/password-reset", "ana@example.com").await;
    env.wait_for_mails("ana@example.com", RESET, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(env.mails("ana@example.com", RESET).len(), 1);
    let detail = env.detail(&id).await;
    let resets = detail["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|notification| notification["kind"] == "password_reset")
        .count();
    assert_eq!(resets, 1);
}

#[tokio::test]
async fn link_of_other_purpose_is_refused() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;
    request_link(&env, "/password-reset", "ana@example.com").await;
    let token = env.wait_for_mails("ana@example.com", RESET, 1).await[0].token();

    let reply = confirm(&env, "/first-access/confirm", &token, NEW_PASSWORD).await;

    assert_eq!(reply.code(), "invalid_token");
}

#[tokio::test]
async fn short_password_keeps_link_usable() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;
    request_link(&env, "/password-reset", "ana@example.com").await;
    let token = env.wait_for_mails("ana@example.com", RESET, 1).await[0].token();

    let short = confirm(&env, "/password-reset/confirm", &token, "curta").await;
    let good = confirm(&env, "/password-reset/confirm", &token, NEW_PASSWORD).await;

    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.body["fields"][0]["code"], "too_short");
    assert_eq!(
        short.body["fields"][0]["message"],
        "Senha curta demais: o mínimo é 8 caracteres."
    );
    assert_eq!(good.status, StatusCode::NO_CONTENT, "{:#}", good.body);
}

#[tokio::test]
async fn admin_password_voids_links_and_sessions() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;
    let session = env.session("ana@example.com", PASSWORD).await;
    request_link(&env, "/password-reset", "ana@example.com").await;
    let token = env.wait_for_mails("ana@example.com", RESET, 1).await[0].token();

    let set = env
        .admin(
            Method::PUT,
            &format!("/api/v1/clients/{id}/password"),
            Some(json!({ "password": "senha do admin" })),
        )
        .await;
    let with_link = confirm(&env, "/password-reset/confirm", &token, NEW_PASSWORD).await;
    let me = env.app(Method::GET, "/me", Some(&session), None).await;
    let login = env.login("ana@example.com", "senha do admin").await;

    assert_eq!(set.status, StatusCode::NO_CONTENT, "{:#}", set.body);
    assert_eq!(with_link.code(), "invalid_token");
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login.status, StatusCode::OK, "{:#}", login.body);
    let detail = env.detail(&id).await;
    let audit = detail["audit"].to_string();
    assert!(audit.contains("client.password_set"), "{audit}");
    assert!(!audit.contains("senha do admin"), "{audit}");
}

#[tokio::test]
async fn admin_password_is_validated() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;

    let short = env
        .admin(
            Method::PUT,
            &format!("/api/v1/clients/{id}/password"),
            Some(json!({ "password": "curta" })),
        )
        .await;
    let unknown = env
        .admin(
            Method::PUT,
            "/api/v1/clients/0190b6a0-0000-7000-8000-000000000000/password",
            Some(json!({ "password": "senha do admin" })),
        )
        .await;

    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.body["fields"][0]["field"], "password");
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.code(), "client_not_found");
}

#[tokio::test]
async fn admin_reset_request_sends_link() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;

    let reply = env
        .admin(
            Method::POST,
            &format!("/api/v1/clients/{id}/password-reset"),
            None,
        )
        .await;
    let token = env.wait_for_mails("ana@example.com", RESET, 1).await[0].token();
    let set = confirm(&env, "/password-reset/confirm", &token, NEW_PASSWORD).await;

    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:#}", reply.body);
    assert_eq!(reply.body, json!({ "status": "queued" }));
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{:#}", set.body);
    let audit = env.detail(&id).await["audit"].to_string();
    assert!(audit.contains("client.password_link_requested"), "{audit}");
}

#[tokio::test]
async fn admin_actions_refuse_inactive_client() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;
    env.admin(
        Method::PATCH,
        &format!("/api/v1/clients/{id}"),
        Some(json!({ "status": "inactive" })),
    )
    .await;

    let reset = env
        .admin(
            Method::POST,
            &format!("/api/v1/clients/{id}/password-reset"),
            None,
        )
        .await;
    let welcome = env
        .admin(Method::POST, &format!("/api/v1/clients/{id}/welcome"), None)
        .await;
    let client_request = request_link(&env, "/password-reset", "ana@example.com").await;

    assert_eq!(reset.status, StatusCode::CONFLICT);
    assert_eq!(reset.code(), "client_inactive");
    assert_eq!(welcome.code(), "client_inactive");
    assert_eq!(client_request["status"], "accepted");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(env.mails("ana@example.com", RESET).is_empty());
}

#[tokio::test]
async fn welcome_resend_queues_once() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", None).await;
    let first = env
        .wait_for_mails("ana@example.com", WELCOME, 1)
        .await
        .remove(0);
    end_cooldown(&env).await;

    let click = env
        .admin(Method::POST, &format!("/api/v1/clients/{id}/welcome"), None)
        .await;
    let double_click = env
        .admin(Method::POST, &format!("/api/v1/clients/{id}/welcome"), None)
        .await;
    let mails = env.wait_for_mails("ana@example.com", WELCOME, 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert_eq!(click.status, StatusCode::ACCEPTED, "{:#}", click.body);
    assert_eq!(click.body, json!({ "status": "queued" }));
    assert_eq!(double_click.body, json!({ "status": "queued" }));
    assert_eq!(env.mails("ana@example.com", WELCOME).len(), 2);
    let resent = mails[1].token();
    let with_first = confirm(&env, "/first-access/confirm", &first.token(), NEW_PASSWORD).await;
    let with_resent = confirm(&env, "/first-access/confirm", &resent, NEW_PASSWORD).await;
    assert_eq!(with_first.code(), "invalid_token");
    assert_eq!(
        with_resent.status,
        StatusCode::NO_CONTENT,
        "{:#}",
        with_resent.body
    );
}

#[tokio::test]
async fn admin_actions_need_api_key() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;

    let reply = common::send(
        &env.http,
        &env.base_url,
        None,
        Method::POST,
        &format!("/api/v1/clients/{id}/welcome"),
        None,
    )
    .await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}
