#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! The members-app API against the running binary: login, throttling,
//! sessions, the client's products, and what each entry leaves in the client's
//! access log.

mod app_api_support;
mod common;

use std::time::{Duration, Instant};

use app_api_support::{AppEnv, PASSWORD, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn parse_time(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().unwrap(), &Rfc3339).unwrap()
}

#[tokio::test]
async fn login_returns_session_and_logs() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;
    let before = OffsetDateTime::now_utc() - time::Duration::seconds(1);

    let reply = env.login(" Ana@Example.com ", PASSWORD).await;

    assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
    let token = reply.body["token"].as_str().unwrap();
    assert_eq!(token.len(), 43);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let expires_at = parse_time(&reply.body["expires_at"]);
    let days = (expires_at - OffsetDateTime::now_utc()).whole_days();
    assert!((29..=30).contains(&days), "session lasts {days} days");
    assert_eq!(reply.body["client"]["id"], json!(id));
    assert_eq!(reply.body["client"]["email"], "ana@example.com");

    let detail = env.detail(&id).await;
    let entry = &detail["access_log"][0];
    assert_eq!(entry["kind"], "login");
    assert_eq!(entry["ip"], "127.0.0.1");
    assert_eq!(entry["user_agent"], USER_AGENT);
    let last_access = parse_time(&detail["last_access_at"]);
    assert!(last_access >= before, "last access {last_access} is old");
}

#[tokio::test]
async fn failed_logins_answer_alike() {
    let env = AppEnv::start().await;
    let with_password = env.create_client("ana@example.com", Some(PASSWORD)).await;
    let without_password = env.create_client("bia@example.com", None).await;

    let unknown = env.login("nobody@example.com", PASSWORD).await;
    let wrong = env.login("ana@example.com", "senha errada 1").await;
    let no_password = env.login("bia@example.com", PASSWORD).await;
    let malformed = env.login("not an e-mail", PASSWORD).await;

    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.code(), "invalid_credentials");
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(no_password.status, unknown.status);
    assert_eq!(no_password.body, unknown.body);
    assert_eq!(malformed.body, unknown.body);
    assert_eq!(env.access_kinds(&with_password).await, ["login_failed"]);
    assert_eq!(env.access_kinds(&without_password).await, ["login_failed"]);
}

/// Returns the median time of `attempts` failed logins, one per e-mail.
async fn median_failure(env: &AppEnv, emails: &[String], password: &str) -> Duration {
    let mut times = Vec::new();
    for email in emails {
        let started = Instant::now();
        let reply = env.login(email, password).await;
        times.push(started.elapsed());
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:#}", reply.body);
    }
    times.sort();
    times[times.len() / 2]
}

#[tokio::test]
async fn unknown_email_costs_a_hash() {
    let env = AppEnv::start().await;
    let mut known = Vec::new();
    for i in 0..5 {
        let email = format!("cliente{i}@example.com");
        env.create_client(&email, Some(PASSWORD)).await;
        known.push(email);
    }
    let unknown: Vec<String> = (0..5).map(|i| format!("nobody{i}@example.com")).collect();
    // The first unknown e-mail also makes the dummy hash; it is not measured.
    env.login("warm-up@example.com", PASSWORD).await;

    let wrong_password = median_failure(&env, &known, "senha errada 1").await;
    let unknown_email = median_failure(&env, &unknown, PASSWORD).await;

    // Without the dummy verification an unknown e-mail would be rejected many
    // times faster. The bound leaves room for a busy machine.
    assert!(
        unknown_email * 3 >= wrong_password,
        "unknown e-mail {unknown_email:?}, wrong password {wrong_password:?}"
    );
}

#[tokio::test]
async fn repeated_failures_are_throttled() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;

    for attempt in 1..=5 {
        let reply = env.login("ana@example.com", "senha errada 1").await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {:#}",
            reply.body
        );
    }
    let locked = env.login("ana@example.com", PASSWORD).await;
    let other = env.login("bia@example.com", PASSWORD).await;

    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:#}",
        locked.body
    );
    assert_eq!(locked.code(), "too_many_attempts");
    let retry_after: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (1..=900).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    assert!(
        locked.body["message"].as_str().unwrap().contains("minutos"),
        "{:#}",
        locked.body
    );
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    let kinds = env.access_kinds(&id).await;
    assert_eq!(kinds.len(), 6);
    assert!(kinds.iter().all(|kind| kind == "login_failed"), "{kinds:?}");
}

#[tokio::test]
async fn network_is_throttled_across_emails() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;

    for i in 0..20 {
        let reply = env.login(&format!("nobody{i}@example.com"), PASSWORD).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let reply = env.login("ana@example.com", PASSWORD).await;

    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:#}",
        reply.body
    );
}

#[tokio::test]
async fn success_clears_email_failures() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;
    for _ in 0..4 {
        env.login("ana@example.com", "senha errada 1").await;
    }
    env.session("ana@example.com", PASSWORD).await;

    for _ in 0..4 {
        env.login("ana@example.com", "senha errada 1").await;
    }
    let reply = env.login("ana@example.com", PASSWORD).await;

    assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
}

#[tokio::test]
async fn inactive_client_is_refused() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;
    let session = env.session("ana@example.com", PASSWORD).await;
    let deactivated = env
        .admin(
            Method::PATCH,
            &format!("/api/v1/clients/{id}"),
            Some(json!({ "status": "inactive" })),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{:#}", deactivated.body);

    let right = env.login("ana@example.com", PASSWORD).await;
    let wrong = env.login("ana@example.com", "senha errada 1").await;
    let me = env.app(Method::GET, "/me", Some(&session), None).await;

    assert_eq!(right.status, StatusCode::FORBIDDEN, "{:#}", right.body);
    assert_eq!(right.code(), "account_disabled");
    assert!(
        right.body["message"]
            .as_str()
            .unwrap()
            .contains("desativado")
    );
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "invalid_credentials");
    assert_eq!(me.status, StatusCode::FORBIDDEN);
    assert_eq!(me.code(), "account_disabled");
}

/// Creates a product with the admin API and returns its id.
async fn product(env: &AppEnv, name: &str) -> String {
    let reply = env
        .admin(
            Method::POST,
            "/api/v1/products",
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn grant(env: &AppEnv, client: &str, product: &str, expires_at: Option<&str>) {
    let mut body = json!({ "product_id": product });
    if let Some(expires_at) = expires_at {
        body["expires_at"] = json!(expires_at);
    }
    let reply = env
        .admin(
            Method::POST,
            &format!("/api/v1/clients/{client}/grants"),
            Some(body),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
}

#[tokio::test]
async fn me_lists_current_products() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;
    let lifetime = product(&env, "Violão Básico").await;
    let dated = product(&env, "Harmonia").await;
    let expired = product(&env, "Teoria Musical").await;
    let removed = product(&env, "Canto").await;
    grant(&env, &id, &lifetime, None).await;
    grant(&env, &id, &dated, Some("2099-12-31T23:59:59Z")).await;
    grant(&env, &id, &expired, Some("2099-12-31T23:59:59Z")).await;
    grant(&env, &id, &removed, None).await;
    env.sql(&format!(
        "UPDATE grants SET expires_at = now() - interval '1 day' WHERE product_id = '{expired}'"
    ))
    .await;
    let revoked = env
        .admin(
            Method::DELETE,
            &format!("/api/v1/clients/{id}/grants/{removed}"),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{:#}", revoked.body);
    let session = env.session("ana@example.com", PASSWORD).await;

    let me = env.app(Method::GET, "/me", Some(&session), None).await;

    assert_eq!(me.status, StatusCode::OK, "{:#}", me.body);
    assert_eq!(me.header("cache-control"), Some("no-store"));
    assert_eq!(me.body["client"]["id"], json!(id));
    assert_eq!(
        me.body["products"],
        json!([
            { "id": dated, "name": "Harmonia", "access_expires_at": "2099-12-31T23:59:59Z" },
            { "id": lifetime, "name": "Violão Básico", "access_expires_at": null },
        ])
    );
}

#[tokio::test]
async fn logout_ends_session() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;
    let session = env.session("ana@example.com", PASSWORD).await;
    let other = env.session("ana@example.com", PASSWORD).await;

    let logout = env.app(Method::POST, "/logout", Some(&session), None).await;
    let me = env.app(Method::GET, "/me", Some(&session), None).await;
    let again = env.app(Method::POST, "/logout", Some(&session), None).await;
    let other_me = env.app(Method::GET, "/me", Some(&other), None).await;

    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.code(), "invalid_session");
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(other_me.status, StatusCode::OK);
}

#[tokio::test]
async fn session_is_required() {
    let env = AppEnv::start().await;

    let missing = env.app(Method::GET, "/me", None, None).await;
    let garbage = env.app(Method::GET, "/me", Some("not-a-token"), None).await;
    let unknown = env
        .app(
            Method::GET,
            "/me",
            Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            None,
        )
        .await;

    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.code(), "missing_session");
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
    assert_eq!(garbage.code(), "invalid_session");
    assert_eq!(unknown.code(), "invalid_session");
}

#[tokio::test]
async fn expired_session_is_refused() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;
    let session = env.session("ana@example.com", PASSWORD).await;
    env.sql(
        "UPDATE sessions SET created_at = now() - interval '31 days', \
         last_used_at = now() - interval '31 days', expires_at = now() - interval '1 day'",
    )
    .await;

    let me = env.app(Method::GET, "/me", Some(&session), None).await;

    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.code(), "invalid_session");
}

#[tokio::test]
async fn day_old_session_refreshes() {
    let env = AppEnv::start().await;
    let id = env.create_client("ana@example.com", Some(PASSWORD)).await;
    let session = env.session("ana@example.com", PASSWORD).await;
    env.sql(
        "UPDATE sessions SET created_at = now() - interval '2 days', \
         last_used_at = now() - interval '2 days', expires_at = now() + interval '28 days'; \
         UPDATE clients SET last_access_at = now() - interval '2 days'",
    )
    .await;
    let before = OffsetDateTime::now_utc() - time::Duration::seconds(1);

    let first = env.app(Method::GET, "/me", Some(&session), None).await;
    let second = env.app(Method::GET, "/me", Some(&session), None).await;

    assert_eq!(first.status, StatusCode::OK, "{:#}", first.body);
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(env.access_kinds(&id).await, ["session_refresh", "login"]);
    let detail = env.detail(&id).await;
    assert!(parse_time(&detail["last_access_at"]) >= before);
    assert_eq!(detail["access_log"][0]["user_agent"], USER_AGENT);
}

#[tokio::test]
async fn unknown_app_is_not_found() {
    let env = AppEnv::start().await;

    let reply = env
        .http
        .post(format!("{}/app/v1/loja-inexistente/login", env.base_url))
        .json(&json!({ "email": "ana@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let status = reply.status();
    let body: Value = reply.json().await.unwrap();

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "app_not_found");
}

#[tokio::test]
async fn session_of_other_app_is_refused() {
    let env = AppEnv::start().await;
    env.create_client("ana@example.com", Some(PASSWORD)).await;
    common::create_app(env.database.url(), "loja-b").await;
    let session = env.session("ana@example.com", PASSWORD).await;

    let reply = env
        .http
        .get(format!("{}/app/v1/loja-b/me", env.base_url))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap();

    let status = reply.status();
    let body: Value = reply.json().await.unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "invalid_session");
}

#[tokio::test]
async fn login_body_is_validated() {
    let env = AppEnv::start().await;

    let missing = env
        .app(
            Method::POST,
            "/login",
            None,
            Some(json!({ "email": "ana@example.com" })),
        )
        .await;

    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.body["fields"][0]["field"], "password");
    assert_eq!(missing.body["fields"][0]["code"], "required");
}

#[tokio::test]
async fn openapi_lists_app_routes() {
    let env = AppEnv::start().await;

    let doc = env.admin(Method::GET, "/openapi.json", None).await;

    let paths = doc.body["paths"].as_object().unwrap();
    for path in [
        "/app/v1/{app_slug}/login",
        "/app/v1/{app_slug}/logout",
        "/app/v1/{app_slug}/me",
        "/app/v1/{app_slug}/first-access",
        "/app/v1/{app_slug}/first-access/confirm",
        "/app/v1/{app_slug}/password-reset",
        "/app/v1/{app_slug}/password-reset/confirm",
        "/p/{app_slug}/definir-senha",
        "/p/{app_slug}/redefinir-senha",
        "/api/v1/clients/{id}/password-reset",
        "/api/v1/clients/{id}/password",
        "/api/v1/clients/{id}/welcome",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    assert!(doc.body["components"]["securitySchemes"]["session"].is_object());
}
