//! Client routes: the JSON contract, validation messages, grants, edits and search.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::support::TestApp;

fn assert_rfc3339_utc(value: &Value, field: &str) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string: {value}"));
    assert!(text.ends_with('Z'), "{field} is not in UTC: {text}");
    assert!(
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok(),
        "{field} is not RFC 3339: {text}"
    );
}

#[tokio::test]
async fn create_returns_normalised_client() {
    let app = TestApp::new().await;

    let response = app
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(json!({
                "name": "  Ana   Souza ",
                "email": "  Ana.Souza@EXAMPLE.com ",
                "phone": "(11) 98765-4321",
                "document": "031.458.762-44",
                "password": "senha-segura-1",
            })),
        )
        .await;

    assert_eq!(response.status, StatusCode::CREATED, "{:#}", response.body);
    let client = &response.body;
    let id = client["id"].as_str().unwrap();
    assert_eq!(
        response.headers[header::LOCATION],
        format!("/api/v1/clients/{id}")
    );
    assert_eq!(client["name"], "Ana Souza");
    assert_eq!(client["email"], "ana.souza@example.com");
    assert_eq!(client["phone"], "+5511987654321");
    assert_eq!(client["phone_verified"], true);
    assert_eq!(client["document"], "03145876244");
    assert_eq!(client["document_formatted"], "031.458.762-44");
    assert_eq!(client["document_kind"], "cpf");
    assert_eq!(client["document_verified"], true);
    assert_eq!(client["possible_duplicate_document"], false);
    assert_eq!(client["has_chargeback"], false);
    assert_eq!(client["status"], "active");
    assert_eq!(client["origin_platform"], "manual");
    assert_rfc3339_utc(&client["created_at"], "created_at");
    assert_rfc3339_utc(&client["updated_at"], "updated_at");
    assert_eq!(client["last_access_at"], Value::Null);
    assert_eq!(client["grants"], json!([]));
    assert_eq!(client["transactions"], json!([]));
    assert!(client.get("password").is_none());
    assert!(!client.to_string().contains("senha-segura-1"));
}

#[tokio::test]
async fn detail_has_every_section() {
    let app = TestApp::new().await;
    let created = app
        .create_client(json!({ "name": "Ana Souza", "email": "ana@example.com" }))
        .await;
    let id = created["id"].as_str().unwrap();

    let response = app
        .call(Method::GET, &format!("/api/v1/clients/{id}"), None)
        .await;

    assert_eq!(response.status, StatusCode::OK);
    for section in [
        "grants",
        "transactions",
        "access_log",
        "notifications",
        "audit",
    ] {
        assert!(
            response.body[section].is_array(),
            "{section} missing: {:#}",
            response.body
        );
    }
    let audit = response.body["audit"].as_array().unwrap();
    let create = audit
        .iter()
        .find(|entry| entry["action"] == "client.create")
        .unwrap_or_else(|| panic!("no client.create entry: {audit:#?}"));
    assert_eq!(create["actor"]["type"], "api_key");
    assert!(create["actor"]["id"].is_string());
    assert_rfc3339_utc(&create["at"], "audit at");
}

#[tokio::test]
async fn invalid_fields_are_named_in_portuguese() {
    let app = TestApp::new().await;

    let response = app
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(json!({
                "name": "   ",
                "email": "ana@@example",
                "phone": "(11) 1234",
                "document": "031.458.762-45",
                "password": "curta",
            })),
        )
        .await;

    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.code(), "validation_failed");
    assert_eq!(
        response.body["message"],
        "Dados inválidos: confira os campos indicados."
    );
    let fields = response.fields();
    let message_of = |field: &str| {
        fields
            .iter()
            .find(|(name, _, _)| name == field)
            .map(|(_, _, message)| message.clone())
            .unwrap_or_else(|| panic!("no error for {field}: {fields:?}"))
    };
    assert_eq!(message_of("name"), "Nome é obrigatório.");
    assert!(
        message_of("email").starts_with("E-mail inválido"),
        "{}",
        message_of("email")
    );
    assert!(
        message_of("phone").starts_with("Telefone inválido"),
        "{}",
        message_of("phone")
    );
    assert_eq!(
        message_of("document"),
        "CPF/CNPJ inválido: os dígitos verificadores não conferem."
    );
    assert_eq!(
        message_of("password"),
        "Senha curta demais: o mínimo é 8 caracteres."
    );
}

#[tokio::test]
async fn repeated_digit_cpf_is_rejected() {
    let app = TestApp::new().await;

    let response = app
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(
                json!({ "name": "Ana", "email": "ana@example.com", "document": "111.111.111-11" }),
            ),
        )
        .await;

    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.fields(),
        vec![(
            "document".to_owned(),
            "repeated_digits".to_owned(),
            "CPF/CNPJ inválido: todos os dígitos são iguais.".to_owned()
        )]
    );
}

#[tokio::test]
async fn blank_optional_fields_count_as_absent() {
    let app = TestApp::new().await;

    let client = app
        .create_client(json!({
            "name": "Ana", "email": "ana@example.com", "phone": "", "document": " ", "password": ""
        }))
        .await;

    assert_eq!(client["phone"], Value::Null);
    assert_eq!(client["phone_verified"], false);
    assert_eq!(client["document"], Value::Null);
    assert_eq!(client["document_formatted"], Value::Null);
}

#[tokio::test]
async fn taken_email_is_conflict() {
    let app = TestApp::new().await;
    app.create_client(json!({ "name": "Ana", "email": "ana@example.com" }))
        .await;

    let response = app
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(json!({ "name": "Outra Ana", "email": " ANA@example.com" })),
        )
        .await;

    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(response.code(), "email_taken");
    assert_eq!(response.fields()[0].0, "email");
}

#[tokio::test]
async fn unknown_product_in_body_is_unprocessable() {
    let app = TestApp::new().await;
    let missing = uuid::Uuid::now_v7();

    let response = app
        .call(
            Method::POST,
            "/api/v1/clients",
            Some(json!({ "name": "Ana", "email": "ana@example.com", "product_ids": [missing] })),
        )
        .await;

    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:#}",
        response.body
    );
    assert_eq!(response.code(), "product_not_found");
    assert_eq!(response.fields()[0].0, "product_ids");
}

#[tokio::test]
async fn create_grants_listed_products() {
    let app = TestApp::new().await;
    let product = app.create_product("Curso de Fotografia").await;

    let client = app
        .create_client(
            json!({ "name": "Ana", "email": "ana@example.com", "product_ids": [product] }),
        )
        .await;

    let grants = client["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0]["product_id"], product.as_str());
    assert_eq!(grants[0]["product_name"], "Curso de Fotografia");
    assert_eq!(grants[0]["source"], "manual");
    assert_eq!(grants[0]["active"], true);
}

#[tokio::test]
async fn grant_and_revoke_stay_in_history() {
    let app = TestApp::new().await;
    let product = app.create_product("Curso de Fotografia").await;
    let client = app
        .create_client(json!({ "name": "Ana", "email": "ana@example.com" }))
        .await;
    let id = client["id"].as_str().unwrap();
    let grants_uri = format!("/api/v1/clients/{id}/grants");

    let granted = app
        .call(
            Method::POST,
            &grants_uri,
            Some(json!({ "product_id": product })),
        )
        .await;
    let again = app
        .call(
            Method::POST,
            &grants_uri,
            Some(json!({ "product_id": product })),
        )
        .await;
    let revoked = app
        .call(Method::DELETE, &format!("{grants_uri}/{product}"), None)
        .await;
    let revoked_again = app
        .call(Method::DELETE, &format!("{grants_uri}/{product}"), None)
        .await;
    let detail = app
        .call(Method::GET, &format!("/api/v1/clients/{id}"), None)
        .await;

    assert_eq!(granted.status, StatusCode::CREATED, "{:#}", granted.body);
    assert_eq!(granted.body["product_name"], "Curso de Fotografia");
    assert_eq!(granted.body["active"], true);
    assert_rfc3339_utc(&granted.body["granted_at"], "granted_at");
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "grant_exists");
    assert_eq!(revoked.status, StatusCode::OK, "{:#}", revoked.body);
    let revoked_items = revoked.body["items"].as_array().unwrap();
    assert_eq!(revoked_items.len(), 1);
    assert_eq!(revoked_items[0]["revoke_reason"], "manual");
    assert_eq!(revoked_items[0]["active"], false);
    assert_rfc3339_utc(&revoked_items[0]["revoked_at"], "revoked_at");
    assert_eq!(revoked_again.status, StatusCode::NOT_FOUND);
    assert_eq!(revoked_again.code(), "grant_not_found");
    let history = detail.body["grants"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["revoke_reason"], "manual");
    assert_eq!(history[0]["granted_at"], granted.body["granted_at"]);
}

#[tokio::test]
async fn grant_requires_a_product() {
    let app = TestApp::new().await;
    let client = app
        .create_client(json!({ "name": "Ana", "email": "ana@example.com" }))
        .await;
    let uri = format!("/api/v1/clients/{}/grants", client["id"].as_str().unwrap());

    let missing = app.call(Method::POST, &uri, Some(json!({}))).await;
    let bad_expiry = app
        .call(
            Method::POST,
            &uri,
            Some(json!({ "product_id": uuid::Uuid::now_v7(), "expires_at": "31/12/2026" })),
        )
        .await;

    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.fields()[0].0, "product_id");
    assert_eq!(missing.fields()[0].1, "required");
    assert_eq!(bad_expiry.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_expiry.fields()[0].0, "expires_at");
    assert!(
        bad_expiry.fields()[0]
            .2
            .starts_with("Data de expiração inválida")
    );
}

#[tokio::test]
async fn grant_to_unknown_client_is_not_found() {
    let app = TestApp::new().await;
    let product = app.create_product("Curso").await;

    let response = app
        .call(
            Method::POST,
            &format!("/api/v1/clients/{}/grants", uuid::Uuid::now_v7()),
            Some(json!({ "product_id": product })),
        )
        .await;

    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.code(), "client_not_found");
}

#[tokio::test]
async fn patch_changes_contact_data_and_status() {
    let app = TestApp::new().await;
    let client = app
        .create_client(json!({
            "name": "Ana", "email": "ana@example.com",
            "phone": "11987654321", "document": "03145876244"
        }))
        .await;
    let uri = format!("/api/v1/clients/{}", client["id"].as_str().unwrap());

    let response = app
        .call(
            Method::PATCH,
            &uri,
            Some(json!({ "name": "Ana Souza", "phone": null, "document": null, "status": "inactive" })),
        )
        .await;
    let detail = app.call(Method::GET, &uri, None).await;

    assert_eq!(response.status, StatusCode::OK, "{:#}", response.body);
    assert_eq!(response.body["name"], "Ana Souza");
    assert_eq!(response.body["email"], "ana@example.com");
    assert_eq!(response.body["phone"], Value::Null);
    assert_eq!(response.body["document"], Value::Null);
    assert_eq!(response.body["status"], "inactive");
    assert_eq!(detail.body["status"], "inactive");
    let actions: Vec<&str> = detail.body["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert!(actions.contains(&"client.update"), "{actions:?}");
}

#[tokio::test]
async fn patch_rejects_null_and_bad_values() {
    let app = TestApp::new().await;
    let client = app
        .create_client(json!({ "name": "Ana", "email": "ana@example.com" }))
        .await;
    let uri = format!("/api/v1/clients/{}", client["id"].as_str().unwrap());

    let null_name = app
        .call(Method::PATCH, &uri, Some(json!({ "name": null })))
        .await;
    let bad_status = app
        .call(Method::PATCH, &uri, Some(json!({ "status": "ativo" })))
        .await;
    let bad_email = app
        .call(Method::PATCH, &uri, Some(json!({ "email": "sem-arroba" })))
        .await;

    assert_eq!(null_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(null_name.fields()[0].2, "Nome é obrigatório.");
    assert_eq!(bad_status.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_status.fields()[0].0, "status");
    assert!(bad_status.fields()[0].2.starts_with("Status inválido"));
    assert_eq!(bad_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_email.fields()[0].0, "email");
}

#[tokio::test]
async fn patch_to_taken_email_is_a_conflict() {
    let app = TestApp::new().await;
    app.create_client(json!({ "name": "Ana", "email": "ana@example.com" }))
        .await;
    let bia = app
        .create_client(json!({ "name": "Bia", "email": "bia@example.com" }))
        .await;
    let uri = format!("/api/v1/clients/{}", bia["id"].as_str().unwrap());

    let response = app
        .call(
            Method::PATCH,
            &uri,
            Some(json!({ "email": "ana@example.com" })),
        )
        .await;

    assert_eq!(response.status, StatusCode::CONFLICT);
    assert_eq!(response.code(), "email_taken");
}

#[tokio::test]
async fn search_filters_and_pages() {
    let app = TestApp::new().await;
    for (name, email) in [
        ("José Conceição", "jose@example.com"),
        ("Ana Souza", "ana@example.com"),
        ("Bia Lima", "bia@example.com"),
    ] {
        app.create_client(json!({ "name": name, "email": email }))
            .await;
    }

    let by_name = app
        .call(Method::GET, "/api/v1/clients?q=jose%20conceicao", None)
        .await;
    let first = app
        .call(Method::GET, "/api/v1/clients?sort=name_asc&limit=2", None)
        .await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .call(
            Method::GET,
            &format!("/api/v1/clients?sort=name_asc&limit=2&cursor={cursor}"),
            None,
        )
        .await;
    let inactive = app
        .call(Method::GET, "/api/v1/clients?status=inactive", None)
        .await;

    assert_eq!(by_name.status, StatusCode::OK, "{:#}", by_name.body);
    let names = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|client| client["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&by_name.body), vec!["José Conceição"]);
    assert_eq!(names(&first.body), vec!["Ana Souza", "Bia Lima"]);
    assert_eq!(names(&second.body), vec!["José Conceição"]);
    assert_eq!(second.body["next_cursor"], Value::Null);
    assert_eq!(names(&inactive.body), Vec::<String>::new());
}

#[tokio::test]
async fn search_reports_bad_parameters_by_name() {
    let app = TestApp::new().await;

    let response = app
        .call(
            Method::GET,
            "/api/v1/clients?platform=shopify&created_from=31-01-2026&limit=1000&foo=1",
            None,
        )
        .await;
    let bad_cursor = app
        .call(Method::GET, "/api/v1/clients?cursor=xyz", None)
        .await;

    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<(String, String)> = response
        .fields()
        .into_iter()
        .map(|(field, code, _)| (field, code))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("platform".to_owned(), "invalid_choice".to_owned()),
            ("created_from".to_owned(), "invalid_date".to_owned()),
            ("limit".to_owned(), "invalid_value".to_owned()),
            ("foo".to_owned(), "unknown_parameter".to_owned()),
        ]
    );
    assert!(response.fields()[1].2.contains("AAAA-MM-DD"));
    assert_eq!(
        bad_cursor.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:#}",
        bad_cursor.body
    );
    assert_eq!(bad_cursor.fields()[0].0, "cursor");
    assert!(bad_cursor.fields()[0].2.starts_with("Cursor inválido"));
}

#[tokio::test]
async fn products_are_listed() {
    let app = TestApp::new().await;
    let id = app.create_product("  Curso de Fotografia ").await;

    let response = app.call(Method::GET, "/api/v1/products", None).await;
    let blank = app
        .call(
            Method::POST,
            "/api/v1/products",
            Some(json!({ "name": " " })),
        )
        .await;

    assert_eq!(response.status, StatusCode::OK);
    let items = response.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["name"], "Curso de Fotografia");
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blank.fields()[0].2, "Nome é obrigatório.");
}
