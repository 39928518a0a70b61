use clientela_domain::error::RepositoryError;
use clientela_domain::ids::AppId;
use clientela_domain::ports::{AppMailSettingsRepository, AppRepository};
use clientela_domain::tenant::AppSettingsChanges;

use crate::support::Fixture;

fn set(value: &str) -> Option<Option<String>> {
    Some(Some(value.to_owned()))
}

#[tokio::test(flavor = "multi_thread")]
async fn new_app_has_no_mail_settings() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;

    let settings = fixture
        .store
        .app_mail_settings(app.id)
        .await
        .expect("read")
        .expect("app exists");

    assert_eq!(settings.app_id, app.id);
    assert_eq!(settings.slug, "escola");
    assert_eq!(settings.name, app.name);
    assert_eq!(settings.members_url, None);
    assert_eq!(settings.from_address, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_settings_of_unknown_app() {
    let fixture = Fixture::new().await;
    let settings = fixture.store.app_mail_settings(AppId::generate()).await;
    assert_eq!(settings, Ok(None));
}

#[tokio::test(flavor = "multi_thread")]
async fn update_sets_clears_and_keeps() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;

    let updated = fixture
        .store
        .update_app_settings(
            app.id,
            &AppSettingsChanges {
                members_url: set("https://membros.example.com/"),
                mail_from: set("contato@example.com"),
                time_zone: Some("America/Manaus".to_owned()),
            },
        )
        .await
        .expect("update");
    assert_eq!(
        updated.members_url.as_deref(),
        Some("https://membros.example.com/")
    );
    assert_eq!(updated.mail_from.as_deref(), Some("contato@example.com"));
    assert_eq!(updated.app.time_zone, "America/Manaus");
    assert_eq!(updated.app.slug, "escola");

    // Clears the URL and leaves the sender and the time zone as they are.
    let cleared = fixture
        .store
        .update_app_settings(
            app.id,
            &AppSettingsChanges {
                members_url: Some(None),
                ..AppSettingsChanges::default()
            },
        )
        .await
        .expect("clear");
    assert_eq!(cleared.members_url, None);
    assert_eq!(cleared.mail_from.as_deref(), Some("contato@example.com"));
    assert_eq!(cleared.app.time_zone, "America/Manaus");

    let read = fixture
        .store
        .app_mail_settings(app.id)
        .await
        .expect("read")
        .expect("app exists");
    assert_eq!(read.members_url, None);
    assert_eq!(read.from_address.as_deref(), Some("contato@example.com"));
    let found = fixture
        .store
        .find_app_by_slug("escola")
        .await
        .expect("find")
        .expect("app exists");
    assert_eq!(found.time_zone, "America/Manaus");
}

#[tokio::test(flavor = "multi_thread")]
async fn update_touches_only_its_app() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let other = fixture.app("outra").await;

    fixture
        .store
        .update_app_settings(
            app.id,
            &AppSettingsChanges {
                mail_from: set("contato@example.com"),
                ..AppSettingsChanges::default()
            },
        )
        .await
        .expect("update");

    let untouched = fixture
        .store
        .app_mail_settings(other.id)
        .await
        .expect("read")
        .expect("app exists");
    assert_eq!(untouched.from_address, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn update_of_unknown_app() {
    let fixture = Fixture::new().await;
    let result = fixture
        .store
        .update_app_settings(
            AppId::generate(),
            &AppSettingsChanges {
                time_zone: Some("America/Manaus".to_owned()),
                ..AppSettingsChanges::default()
            },
        )
        .await;
    assert_eq!(result, Err(RepositoryError::NotFound));
}

#[tokio::test(flavor = "multi_thread")]
async fn database_rejects_unusable_settings() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let cases = [
        ("members_url", "javascript:alert(1)"),
        ("members_url", "https://user:secret@membros.example.com/"),
        ("members_url", "https://membros.example.com/#topo"),
        ("mail_from", "contato"),
        ("mail_from", "Contato <contato@example.com>"),
    ];
    for (column, value) in cases {
        let changes = match column {
            "members_url" => AppSettingsChanges {
                members_url: set(value),
                ..AppSettingsChanges::default()
            },
            _ => AppSettingsChanges {
                mail_from: set(value),
                ..AppSettingsChanges::default()
            },
        };
        let result = fixture.store.update_app_settings(app.id, &changes).await;
        assert!(
            matches!(&result, Err(RepositoryError::Other(detail)) if detail.contains("apps_")),
            "{column} = {value:?}: {result:?}"
        );
    }
}
