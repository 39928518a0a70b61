use std::sync::{Arc, Mutex};

use futures::executor::block_on;

use super::*;
use crate::ports::MockAppRepository;
use crate::services::test_support::{app, clock};
use crate::tenant::App;

fn service(apps: MockAppRepository) -> AppService {
    AppService::new(Arc::new(apps), Arc::new(clock()))
}

fn field_errors(error: DomainError) -> Vec<(String, &'static str)> {
    match error {
        DomainError::Validation(errors) => {
            errors.0.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Expects the app to be found by its slug and updated once. Keeps the changes,
/// and has the update return the settings they describe.
fn expect_update(
    apps: &mut MockAppRepository,
    app: &App,
) -> Arc<Mutex<Option<AppSettingsChanges>>> {
    let found = app.clone();
    apps.expect_find_app_by_slug()
        .withf(|slug| slug == "curso-de-violao")
        .times(1)
        .returning(move |_| Ok(Some(found.clone())));

    let stored = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&stored);
    let updated = app.clone();
    let app_id = app.id;
    apps.expect_update_app_settings()
        .withf(move |id, _| *id == app_id)
        .times(1)
        .returning(move |_, changes| {
            *sink.lock().expect("lock") = Some(changes.clone());
            let mut app = updated.clone();
            if let Some(time_zone) = &changes.time_zone {
                app.time_zone.clone_from(time_zone);
            }
            Ok(AppSettings {
                app,
                members_url: changes.members_url.clone().flatten(),
                mail_from: changes.mail_from.clone().flatten(),
            })
        });
    stored
}

fn changes(
    members_url: Option<&str>,
    mail_from: Option<&str>,
    time_zone: Option<&str>,
) -> AppSettingsChanges {
    AppSettingsChanges {
        members_url: members_url.map(|url| Some(url.to_owned())),
        mail_from: mail_from.map(|address| Some(address.to_owned())),
        time_zone: time_zone.map(str::to_owned),
    }
}

#[test]
fn configure_stores_normalised_settings() {
    let app = app();
    let mut apps = MockAppRepository::new();
    let stored = expect_update(&mut apps, &app);

    let settings = block_on(service(apps).configure(
        "curso-de-violao",
        changes(
            Some(" https://membros.example.com "),
            Some("Contato@Curso.com.br"),
            Some("America/Manaus"),
        ),
    ))
    .expect("configured");

    let stored = stored.lock().expect("lock").clone().expect("updated");
    assert_eq!(
        stored,
        AppSettingsChanges {
            members_url: Some(Some("https://membros.example.com/".to_owned())),
            mail_from: Some(Some("contato@curso.com.br".to_owned())),
            time_zone: Some("America/Manaus".to_owned()),
        }
    );
    assert_eq!(settings.app.id, app.id);
    assert_eq!(settings.app.time_zone, "America/Manaus");
    assert_eq!(
        settings.members_url.as_deref(),
        Some("https://membros.example.com/")
    );
}

#[test]
fn configure_blank_values_clear_settings() {
    let app = app();
    let mut apps = MockAppRepository::new();
    let stored = expect_update(&mut apps, &app);

    block_on(service(apps).configure("curso-de-violao", changes(Some(""), Some("  "), None)))
        .expect("configured");

    let stored = stored.lock().expect("lock").clone().expect("updated");
    assert_eq!(
        stored,
        AppSettingsChanges {
            members_url: Some(None),
            mail_from: Some(None),
            time_zone: None,
        }
    );
}

#[test]
fn configure_leaves_unnamed_settings_alone() {
    let app = app();
    let mut apps = MockAppRepository::new();
    let stored = expect_update(&mut apps, &app);

    block_on(service(apps).configure(
        "curso-de-violao",
        changes(None, None, Some("America/Recife")),
    ))
    .expect("configured");

    let stored = stored.lock().expect("lock").clone().expect("updated");
    assert_eq!(stored.members_url, None);
    assert_eq!(stored.mail_from, None);
    assert_eq!(stored.time_zone.as_deref(), Some("America/Recife"));
}

#[test]
fn configure_reports_every_invalid_setting() {
    // No expectations: validation fails before any call.
    let error = block_on(service(MockAppRepository::new()).configure(
        "curso-de-violao",
        changes(
            Some("ftp://membros.example.com"),
            Some("contato@"),
            Some("America/Atlantida"),
        ),
    ))
    .expect_err("invalid settings");

    assert_eq!(
        field_errors(error),
        [
            ("members_url".to_owned(), "invalid_url"),
            ("mail_from".to_owned(), "invalid_email"),
            ("time_zone".to_owned(), "invalid_time_zone"),
        ]
    );
}

#[test]
fn members_url_rules() {
    let cases = [
        ("https://membros.example.com/area?utm=email", true),
        ("http://127.0.0.1:3000", true),
        ("membros.example.com", false),
        ("https://membros.example.com/#inicio", false),
        ("https://usuario:senha@membros.example.com", false),
        ("javascript:alert(1)", false),
        ("mailto:ana@example.com", false),
    ];
    for (url, valid) in cases {
        let mut errors = ValidationErrors::default();
        let parsed = members_url(&mut errors, url);
        assert_eq!(parsed.is_some(), valid, "{url}");
        assert_eq!(errors.is_empty(), valid, "{url}");
    }
}

#[test]
fn members_url_too_long() {
    let url = format!("https://example.com/{}", "a".repeat(MEMBERS_URL_MAX_CHARS));
    let mut errors = ValidationErrors::default();
    assert_eq!(members_url(&mut errors, &url), None);
    assert_eq!(errors.0[0].code, "too_long");
}

#[test]
fn blank_time_zone_is_invalid() {
    let error = block_on(
        service(MockAppRepository::new())
            .configure("curso-de-violao", changes(None, None, Some(" "))),
    )
    .expect_err("blank time zone");
    assert_eq!(
        field_errors(error),
        [("time_zone".to_owned(), "invalid_time_zone")]
    );
}

#[test]
fn configure_without_changes() {
    let error = block_on(
        service(MockAppRepository::new())
            .configure("curso-de-violao", AppSettingsChanges::default()),
    )
    .expect_err("nothing to change");
    assert_eq!(field_errors(error), [("settings".to_owned(), "required")]);
}

#[test]
fn configure_unknown_slug() {
    let mut apps = MockAppRepository::new();
    apps.expect_find_app_by_slug()
        .times(1)
        .returning(|_| Ok(None));

    let error = block_on(service(apps).configure("loja-x", changes(None, None, Some("UTC"))))
        .expect_err("unknown slug");

    assert_eq!(field_errors(error), [("slug".to_owned(), "not_found")]);
}
