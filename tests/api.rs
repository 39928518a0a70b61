#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap fails the test and shows the error"
)]

//! Tenancy, pagination under concurrent writes, probes and the OpenAPI document,
//! against the running binary.

mod common;

use std::collections::HashSet;

use common::{Env, create_app, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn another_app_cannot_read_the_client() {
    let env = Env::start().await;
    let client = env
        .create_client(json!({ "name": "Ana Souza", "email": "ana@example.com" }))
        .await;
    let id = client["id"].as_str().unwrap();
    let other_key = create_app(env.database.url(), "loja-b").await;

    let read = env
        .call_with_key(
            Some(&other_key),
            Method::GET,
            &format!("/api/v1/clients/{id}"),
            None,
        )
        .await;
    let search = env
        .call_with_key(Some(&other_key), Method::GET, "/api/v1/clients?q=ana", None)
        .await;

    assert_eq!(read.status, StatusCode::NOT_FOUND);
    assert_eq!(read.code(), "client_not_found");
    assert_eq!(search.status, StatusCode::OK);
    assert_eq!(search.body["items"], json!([]));
}

/// Follows `next_cursor` from the first page to the last, returning the ids seen
/// page by page.
async fn collect_pages(env: &Env, query: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/clients?{query}&cursor={cursor}"),
            None => format!("/api/v1/clients?{query}"),
        };
        let reply = env.call(Method::GET, &path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
        let ids: Vec<String> = reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|client| client["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(ids.len() <= 2, "page larger than the limit: {ids:?}");
        pages.push(ids);
        match &reply.body["next_cursor"] {
            Value::String(next) => cursor = Some(next.clone()),
            Value::Null => return pages,
            other => panic!("next_cursor is neither a string nor null: {other}"),
        }
        assert!(pages.len() < 100, "pagination does not end");
    }
}

#[tokio::test]
async fn pages_never_skip_or_repeat_during_inserts() {
    let env = Env::start().await;
    let mut existing = HashSet::new();
    for i in 0..7 {
        let client = env
            .create_client(
                json!({ "name": format!("Cliente {i}"), "email": format!("c{i}@example.com") }),
            )
            .await;
        existing.insert(client["id"].as_str().unwrap().to_owned());
    }

    for query in [
        "limit=2",
        "limit=2&sort=created_asc",
        "limit=2&sort=name_asc",
    ] {
        let http = env.http.clone();
        let base_url = env.server.base_url.clone();
        let key = env.key.clone();
        let prefix = query.replace(['=', '&'], "-");
        let writer = tokio::spawn(async move {
            for i in 0..6 {
                let body = json!({
                    "name": format!("Novo {prefix} {i}"),
                    "email": format!("novo-{prefix}-{i}@example.com"),
                });
                let reply = send(
                    &http,
                    &base_url,
                    Some(&key),
                    Method::POST,
                    "/api/v1/clients",
                    Some(body),
                )
                .await;
                assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
            }
        });

        let pages = collect_pages(&env, query).await;
        writer.await.unwrap();

        let seen: Vec<&String> = pages.iter().flatten().collect();
        let unique: HashSet<&String> = seen.iter().copied().collect();
        assert_eq!(
            seen.len(),
            unique.len(),
            "{query}: a client repeated across pages: {pages:?}"
        );
        for id in &existing {
            assert!(
                unique.contains(id),
                "{query}: client {id} skipped: {pages:?}"
            );
        }
        existing.extend(unique.into_iter().cloned());
    }
}

#[tokio::test]
async fn probes_answer() {
    let env = Env::start().await;

    let health = env.call_with_key(None, Method::GET, "/healthz", None).await;
    let ready = env.call_with_key(None, Method::GET, "/readyz", None).await;

    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, json!({ "status": "ok" }));
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, json!({ "status": "ok" }));
}

#[tokio::test]
async fn openapi_document_is_served() {
    let env = Env::start().await;

    let root = env
        .call_with_key(None, Method::GET, "/openapi.json", None)
        .await;
    let versioned = env
        .call_with_key(None, Method::GET, "/api/v1/openapi.json", None)
        .await;

    assert_eq!(root.status, StatusCode::OK);
    assert_eq!(root.body, versioned.body);
    assert!(root.body["paths"]["/api/v1/clients/{id}"]["patch"].is_object());
}

#[tokio::test]
async fn requests_are_logged_without_query_strings() {
    let env = Env::start().await;

    let reply = env
        .call(Method::GET, "/api/v1/clients?q=03145876244", None)
        .await;
    let (status, lines) = env_terminate(env).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert!(status.success(), "{lines:#?}");
    let request_line = lines
        .iter()
        .find(|line| line.contains("request finished") && line.contains("/api/v1/clients"))
        .unwrap_or_else(|| panic!("no request log line: {lines:#?}"));
    assert!(request_line.contains("GET"), "{request_line}");
    assert!(request_line.contains("status=200"), "{request_line}");
    assert!(request_line.contains("latency_ms="), "{request_line}");
    assert!(
        !lines.iter().any(|line| line.contains("03145876244")),
        "{lines:#?}"
    );
    assert!(
        !lines.iter().any(|line| line.contains("ctl_")),
        "{lines:#?}"
    );
}

async fn env_terminate(env: Env) -> (std::process::ExitStatus, Vec<String>) {
    let Env {
        server, database, ..
    } = env;
    let outcome = server.terminate().await;
    drop(database);
    outcome
}
