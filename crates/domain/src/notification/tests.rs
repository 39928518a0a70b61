use serde_json::json;
use time::macros::datetime;
use uuid::Uuid;

use super::*;

fn contents() -> Vec<NotificationContent> {
    vec![
        NotificationContent::Welcome {
            client_name: "Ana Souza".to_owned(),
            set_password_token: Some("tok-welcome".to_owned()),
        },
        NotificationContent::Welcome {
            client_name: "João D'Ávila".to_owned(),
            set_password_token: None,
        },
        NotificationContent::FirstAccess {
            client_name: "Ana Souza".to_owned(),
            token: "tok-first".to_owned(),
        },
        NotificationContent::PasswordReset {
            client_name: "Ana Souza".to_owned(),
            token: "tok-reset".to_owned(),
        },
        NotificationContent::AccessGranted {
            client_name: "Ana Souza".to_owned(),
            product_name: "Curso de Violão".to_owned(),
        },
    ]
}

#[test]
fn kind_codes_round_trip() {
    for kind in NotificationKind::ALL {
        assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(NotificationKind::parse("newsletter"), None);
}

#[test]
fn kind_codes_match_serde_names() {
    for kind in NotificationKind::ALL {
        let serialized = serde_json::to_value(kind).expect("kind serializes");
        assert_eq!(serialized, json!(kind.as_str()));
    }
}

#[test]
fn status_codes_round_trip() {
    for status in [
        NotificationStatus::Queued,
        NotificationStatus::Sent,
        NotificationStatus::Failed,
    ] {
        assert_eq!(NotificationStatus::parse(status.as_str()), Some(status));
    }
    assert_eq!(NotificationStatus::parse("sending"), None);
}

#[test]
fn payload_round_trips_every_kind() {
    for content in contents() {
        let restored = NotificationContent::from_stored(content.kind(), content.payload())
            .expect("stored payload parses");
        assert_eq!(restored, content);
    }
}

#[test]
fn payload_has_no_kind_field() {
    for content in contents() {
        let payload = content.payload();
        assert!(payload.is_object(), "{payload}");
        assert!(payload.get("kind").is_none(), "{payload}");
    }
}

#[test]
fn welcome_payload_omits_missing_token() {
    let content = NotificationContent::Welcome {
        client_name: "Ana".to_owned(),
        set_password_token: None,
    };
    assert_eq!(content.payload(), json!({ "client_name": "Ana" }));
}

#[test]
fn from_stored_rejects_missing_field() {
    let payload = json!({ "client_name": "Ana" });
    let result = NotificationContent::from_stored(NotificationKind::PasswordReset, payload);
    assert!(result.is_err());
}

#[test]
fn from_stored_rejects_payload_of_other_kind() {
    let payload = json!({ "client_name": "Ana", "token": "t" });
    let result = NotificationContent::from_stored(NotificationKind::AccessGranted, payload);
    assert!(result.is_err());
}

#[test]
fn client_name_of_every_kind() {
    let names: Vec<String> = contents()
        .iter()
        .map(|content| content.client_name().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "Ana Souza",
            "João D'Ávila",
            "Ana Souza",
            "Ana Souza",
            "Ana Souza"
        ]
    );
}

fn notification() -> Notification {
    Notification::new(
        AppId::generate(),
        ClientId::generate(),
        Email::parse("ana@example.com").expect("valid e-mail"),
        NotificationContent::FirstAccess {
            client_name: "Ana".to_owned(),
            token: "t".to_owned(),
        },
        "first_access:1",
        datetime!(2026-03-10 15:30 UTC),
    )
}

#[test]
fn new_notification_is_queued_and_due() {
    let notification = notification();
    assert_eq!(notification.status, NotificationStatus::Queued);
    assert_eq!(notification.attempts, 0);
    assert_eq!(notification.next_attempt_at, notification.created_at);
    assert_eq!(notification.last_error, None);
    assert_eq!(notification.sent_at, None);
    assert_eq!(notification.kind(), NotificationKind::FirstAccess);
}

#[test]
fn message_id_depends_only_on_id() {
    let mut notification = notification();
    notification.id = NotificationId::from_uuid(
        Uuid::parse_str("0195f1a2-0000-7000-8000-000000000001").expect("valid uuid"),
    );
    let first = notification.message_id(DEFAULT_MESSAGE_ID_DOMAIN);
    notification.attempts = 3;
    let second = notification.message_id(DEFAULT_MESSAGE_ID_DOMAIN);
    assert_eq!(first, "<0195f1a2-0000-7000-8000-000000000001@clientela>");
    assert_eq!(first, second);
    assert_eq!(
        notification.message_id("mail.example.com"),
        "<0195f1a2-0000-7000-8000-000000000001@mail.example.com>"
    );
}

#[test]
fn notification_id_parses_its_display() {
    let id = NotificationId::generate();
    let parsed: NotificationId = id.to_string().parse().expect("id parses");
    assert_eq!(parsed, id);
    assert!("not-a-uuid".parse::<NotificationId>().is_err());
}
