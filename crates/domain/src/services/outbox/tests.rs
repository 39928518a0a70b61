use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use futures::executor::block_on;
use time::OffsetDateTime;

use super::*;
use crate::ids::ClientId;
use crate::notification::NotificationContent;
use crate::notification::ports::{
    MockAppMailSettingsRepository, MockMessageRenderer, MockNotificationQueue, RenderError,
    RenderedMessage,
};
use crate::ports::MockMailer;
use crate::services::test_support::{NOW, clock};
use crate::values::Email;

/// A call that recorded an attempt's outcome in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mark {
    Sent {
        app: AppId,
        id: NotificationId,
        at: OffsetDateTime,
    },
    Failed {
        app: AppId,
        id: NotificationId,
        error: String,
        retry_at: Option<OffsetDateTime>,
    },
}

type Marks = Arc<Mutex<Vec<Mark>>>;
type Sent = Arc<Mutex<Vec<OutgoingEmail>>>;

/// A queue whose claim returns `claimed` once and which records every mark.
fn queue(claimed: Vec<Notification>) -> (MockNotificationQueue, Marks) {
    let marks: Marks = Arc::default();
    let mut queue = MockNotificationQueue::new();
    queue
        .expect_claim_due()
        .times(1)
        .returning(move |_, _, _| Ok(claimed.clone()));

    let sent_marks = Arc::clone(&marks);
    queue.expect_mark_sent().returning(move |app, id, at| {
        lock(&sent_marks).push(Mark::Sent { app, id, at });
        Ok(())
    });
    let failed_marks = Arc::clone(&marks);
    queue
        .expect_mark_failed()
        .returning(move |app, id, error, retry_at| {
            lock(&failed_marks).push(Mark::Failed {
                app,
                id,
                error: error.to_owned(),
                retry_at,
            });
            Ok(())
        });
    (queue, marks)
}

/// Builds a mailer that returns `results` in order and records every e-mail.
fn mailer(results: Vec<Result<(), MailError>>) -> (MockMailer, Sent) {
    let sent: Sent = Arc::default();
    let results = Mutex::new(VecDeque::from(results));
    let recorded = Arc::clone(&sent);
    let mut mailer = MockMailer::new();
    mailer.expect_send().returning(move |email| {
        lock(&recorded).push(email.clone());
        lock(&results)
            .pop_front()
            .unwrap_or_else(|| Err(MailError::Transient("unexpected extra send".to_owned())))
    });
    (mailer, sent)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn app_settings(app: AppId) -> AppMailSettings {
    AppMailSettings {
        app_id: app,
        slug: "curso-de-violao".to_owned(),
        name: "Curso de Violão".to_owned(),
        members_url: None,
        from_address: None,
    }
}

/// Settings found for every app.
fn settings_repository() -> MockAppMailSettingsRepository {
    let mut settings = MockAppMailSettingsRepository::new();
    settings
        .expect_app_mail_settings()
        .returning(|app| Ok(Some(app_settings(app))));
    settings
}

fn rendered() -> RenderedMessage {
    RenderedMessage {
        from: "Curso de Violão <nao-responda@clientela.local>".to_owned(),
        subject: "Redefinição de senha".to_owned(),
        text_body: "Olá, Ana".to_owned(),
        html_body: "<p>Olá, Ana</p>".to_owned(),
    }
}

fn renderer() -> MockMessageRenderer {
    let mut renderer = MockMessageRenderer::new();
    renderer.expect_render().returning(|_, _| Ok(rendered()));
    renderer
}

/// Builds a notification as claimed, whose `attempts` counts the current attempt.
fn claimed(app: AppId, attempts: u32) -> Notification {
    let mut notification = Notification::new(
        app,
        ClientId::generate(),
        Email::parse("ana.souza@example.com").expect("valid e-mail"),
        NotificationContent::PasswordReset {
            client_name: "Ana Souza".to_owned(),
            token: "tok".to_owned(),
        },
        "password_reset:1",
        NOW - Duration::hours(1),
    );
    notification.attempts = attempts;
    notification.next_attempt_at = NOW + CLAIM_LEASE;
    notification
}

fn service(
    queue: MockNotificationQueue,
    settings: MockAppMailSettingsRepository,
    renderer: MockMessageRenderer,
    mailer: MockMailer,
) -> OutboxService {
    OutboxService::new(
        Arc::new(queue),
        Arc::new(settings),
        Arc::new(renderer),
        Arc::new(mailer),
        Arc::new(clock()),
    )
}

#[test]
fn sends_claimed_notification() {
    let app = AppId::generate();
    let notification = claimed(app, 1);
    let (queue, marks) = queue(vec![notification.clone()]);
    let (mailer, sent) = mailer(vec![Ok(())]);
    let outbox = service(queue, settings_repository(), renderer(), mailer);

    let report = block_on(outbox.run_once(10)).expect("run succeeds");

    let sent = lock(&sent).clone();
    assert_eq!(sent.len(), 1);
    let email = &sent[0];
    assert_eq!(email.message_id, format!("<{}@clientela>", notification.id));
    assert_eq!(email.to, "ana.souza@example.com");
    assert_eq!(email.from, rendered().from);
    assert_eq!(email.subject, rendered().subject);
    assert_eq!(email.text_body, rendered().text_body);
    assert_eq!(email.html_body, rendered().html_body);
    assert_eq!(
        *lock(&marks),
        [Mark::Sent {
            app,
            id: notification.id,
            at: NOW
        }]
    );
    assert_eq!(report.claimed, 1);
    assert_eq!(report.sent, 1);
    assert_eq!(
        report.deliveries,
        [SentNotification {
            app_id: app,
            notification_id: notification.id,
            kind: NotificationKind::PasswordReset,
            attempt: 1,
        }]
    );
    assert_eq!(report.retrying, 0);
    assert_eq!(report.failed, 0);
    assert!(report.failures.is_empty());
}

#[test]
fn claims_with_lease_and_batch_size() {
    let mut queue = MockNotificationQueue::new();
    queue
        .expect_claim_due()
        .withf(|now, lease_until, limit| {
            *now == NOW && *lease_until == NOW + CLAIM_LEASE && *limit == 25
        })
        .times(1)
        .returning(|_, _, _| Ok(Vec::new()));
    let (mailer, _) = mailer(Vec::new());
    let outbox = service(queue, settings_repository(), renderer(), mailer);

    let report = block_on(outbox.run_once(25)).expect("run succeeds");

    assert_eq!(report, OutboxReport::default());
}

#[test]
fn zero_batch_claims_nothing() {
    let mut queue = MockNotificationQueue::new();
    queue.expect_claim_due().never();
    let (mailer, _) = mailer(Vec::new());
    let outbox = service(queue, settings_repository(), renderer(), mailer);

    let report = block_on(outbox.run_once(0)).expect("run succeeds");

    assert_eq!(report, OutboxReport::default());
}

#[test]
fn transient_failure_retries_after_first_delay() {
    let app = AppId::generate();
    let notification = claimed(app, 1);
    let (queue, marks) = queue(vec![notification.clone()]);
    let (mailer, _) = mailer(vec![Err(MailError::Transient(
        "connection refused".to_owned(),
    ))]);
    let outbox = service(queue, settings_repository(), renderer(), mailer);

    let report = block_on(outbox.run_once(10)).expect("run succeeds");

    assert_eq!(
        *lock(&marks),
        [Mark::Failed {
            app,
            id: notification.id,
            error: "sending failed: connection refused".to_owned(),
            retry_at: Some(NOW + Duration::minutes(1)),
        }]
    );
    assert_eq!(report.retrying, 1);
    assert_eq!(report.failed, 0);
    assert_eq!(
        report.failures,
        [DeliveryFailure {
            app_id: app,
            notification_id: notification.id,
            kind: NotificationKind::PasswordReset,
            attempt: 1,
            error: "sending failed: connection refused".to_owned(),
            retry_at: Some(NOW + Duration::minutes(1)),
        }]
    );
}

#[test]
fn backoff_follows_schedule_then_gives_up() {
    let expected = [
        (1, Some(Duration::minutes(1))),
        (2, Some(Duration::minutes(5))),
        (3, Some(Duration::minutes(30))),
        (4, Some(Duration::hours(2))),
        (5, Some(Duration::hours(6))),
        (6, None),
        (7, None),
    ];
    for (attempts, delay) in expected {
        let notification = claimed(AppId::generate(), attempts);
        let (queue, marks) = queue(vec![notification]);
        let (mailer, _) = mailer(vec![Err(MailError::Transient("timed out".to_owned()))]);
        let outbox = service(queue, settings_repository(), renderer(), mailer);

        let report = block_on(outbox.run_once(1)).expect("run succeeds");

        let retry_at = match lock(&marks).as_slice() {
            [Mark::Failed { retry_at, .. }] => *retry_at,
            other => panic!("attempt {attempts}: unexpected marks {other:?}"),
        };
        assert_eq!(
            retry_at,
            delay.map(|delay| NOW + delay),
            "attempt {attempts}"
        );
        assert_eq!(
            report.failed,
            usize::from(delay.is_none()),
            "attempt {attempts}"
        );
    }
}

#[test]
fn custom_retry_delays_replace_schedule() {
    let delays = vec![Duration::milliseconds(60), Duration::milliseconds(300)];
    let expected = [
        (1, Some(Duration::milliseconds(60))),
        (2, Some(Duration::milliseconds(300))),
        (3, None),
    ];
    for (attempts, delay) in expected {
        let (queue, marks) = queue(vec![claimed(AppId::generate(), attempts)]);
        let (mailer, _) = mailer(vec![Err(MailError::Transient("timed out".to_owned()))]);
        let outbox = service(queue, settings_repository(), renderer(), mailer)
            .with_retry_delays(delays.clone());

        let report = block_on(outbox.run_once(1)).expect("run succeeds");

        let retry_at = match lock(&marks).as_slice() {
            [Mark::Failed { retry_at, .. }] => *retry_at,
            other => panic!("attempt {attempts}: unexpected marks {other:?}"),
        };
        assert_eq!(
            retry_at,
            delay.map(|delay| NOW + delay),
            "attempt {attempts}"
        );
        assert_eq!(
            report.failed,
            usize::from(delay.is_none()),
            "attempt {attempts}"
        );
    }
}

#[test]
fn empty_retry_delays_allow_one_attempt() {
    let (queue, marks) = queue(vec![claimed(AppId::generate(), 1)]);
    let (mailer, _) = mailer(vec![Err(MailError::Transient("timed out".to_owned()))]);
    let outbox =
        service(queue, settings_repository(), renderer(), mailer).with_retry_delays(Vec::new());

    let report = block_on(outbox.run_once(1)).expect("run succeeds");

    assert!(
        matches!(
            lock(&marks).as_slice(),
            [Mark::Failed { retry_at: None, .. }]
        ),
        "{:?}",
        lock(&marks)
    );
    assert_eq!(report.failed, 1);
}

#[test]
fn retry_delay_matches_max_attempts() {
    assert_eq!(MAX_ATTEMPTS, 6);
    assert_eq!(retry_delay(0), Some(Duration::minutes(1)));
    assert_eq!(retry_delay(MAX_ATTEMPTS - 1), Some(Duration::hours(6)));
    assert_eq!(retry_delay(MAX_ATTEMPTS), None);
    assert_eq!(retry_delay(u32::MAX), None);
}

#[test]
fn rejection_fails_at_once() {
    let app = AppId::generate();
    let notification = claimed(app, 1);
    let (queue, marks) = queue(vec![notification.clone()]);
    let (mailer, _) = mailer(vec![Err(MailError::Rejected(
        "550 mailbox unavailable".to_owned(),
    ))]);
    let outbox = service(queue, settings_repository(), renderer(), mailer);

    let report = block_on(outbox.run_once(10)).expect("run succeeds");

    assert_eq!(
        *lock(&marks),
        [Mark::Failed {
            app,
            id: notification.id,
            error: "message rejected: 550 mailbox unavailable".to_owned(),
            retry_at: None,
        }]
    );
    assert_eq!(report.failed, 1);
    assert_eq!(report.retrying, 0);
}

#[test]
fn render_error_fails_without_sending() {
    let app = AppId::generate();
    let notification = claimed(app, 1);
    let (queue, marks) = queue(vec![notification]);
    let mut renderer = MockMessageRenderer::new();
    renderer.expect_render().returning(|_, settings| {
        Err(RenderError::InvalidSettings {
            app: settings.app_id,
            detail: "members URL is not absolute".to_owned(),
        })
    });
    let mut mailer = MockMailer::new();
    mailer.expect_send().never();
    let outbox = service(queue, settings_repository(), renderer, mailer);

    let report = block_on(outbox.run_once(10)).expect("run succeeds");

    match lock(&marks).as_slice() {
        [
            Mark::Failed {
                error, retry_at, ..
            },
        ] => {
            assert!(error.contains("members URL is not absolute"), "{error}");
            assert_eq!(*retry_at, None);
        }
        other => panic!("unexpected marks {other:?}"),
    }
    assert_eq!(report.failed, 1);
}

#[test]
fn missing_app_fails_without_sending() {
    let app = AppId::generate();
    let (queue, marks) = queue(vec![claimed(app, 1)]);
    let mut settings = MockAppMailSettingsRepository::new();
    settings.expect_app_mail_settings().returning(|_| Ok(None));
    let mut mailer = MockMailer::new();
    mailer.expect_send().never();
    let outbox = service(queue, settings, renderer(), mailer);

    block_on(outbox.run_once(10)).expect("run succeeds");

    match lock(&marks).as_slice() {
        [
            Mark::Failed {
                error, retry_at, ..
            },
        ] => {
            assert_eq!(*error, format!("app {app} not found"));
            assert_eq!(*retry_at, None);
        }
        other => panic!("unexpected marks {other:?}"),
    }
}

#[test]
fn settings_outage_is_retried() {
    let (queue, marks) = queue(vec![claimed(AppId::generate(), 2)]);
    let mut settings = MockAppMailSettingsRepository::new();
    settings
        .expect_app_mail_settings()
        .returning(|_| Err(RepositoryError::Unavailable("pool timed out".to_owned())));
    let mut mailer = MockMailer::new();
    mailer.expect_send().never();
    let outbox = service(queue, settings, renderer(), mailer);

    block_on(outbox.run_once(10)).expect("run succeeds");

    match lock(&marks).as_slice() {
        [Mark::Failed { retry_at, .. }] => {
            assert_eq!(*retry_at, Some(NOW + Duration::minutes(5)));
        }
        other => panic!("unexpected marks {other:?}"),
    }
}

#[test]
fn settings_read_once_per_app() {
    let app = AppId::generate();
    let other_app = AppId::generate();
    let (queue, marks) = queue(vec![
        claimed(app, 1),
        claimed(app, 1),
        claimed(other_app, 1),
    ]);
    let mut settings = MockAppMailSettingsRepository::new();
    settings
        .expect_app_mail_settings()
        .withf(move |requested| *requested == app)
        .times(1)
        .returning(|app| Ok(Some(app_settings(app))));
    settings
        .expect_app_mail_settings()
        .withf(move |requested| *requested == other_app)
        .times(1)
        .returning(|app| Ok(Some(app_settings(app))));
    let (mailer, sent) = mailer(vec![Ok(()), Ok(()), Ok(())]);
    let outbox = service(queue, settings, renderer(), mailer);

    let report = block_on(outbox.run_once(10)).expect("run succeeds");

    assert_eq!(report.sent, 3);
    assert_eq!(lock(&sent).len(), 3);
    assert_eq!(lock(&marks).len(), 3);
}

#[test]
fn renderer_receives_notification_and_settings() {
    let app = AppId::generate();
    let notification = claimed(app, 1);
    let expected_id = notification.id;
    let (queue, _) = queue(vec![notification]);
    let mut renderer = MockMessageRenderer::new();
    renderer
        .expect_render()
        .withf(move |notification, settings| {
            notification.id == expected_id && settings.app_id == app
        })
        .times(1)
        .returning(|_, _| Ok(rendered()));
    let (mailer, _) = mailer(vec![Ok(())]);
    let outbox = service(queue, settings_repository(), renderer, mailer);

    let report = block_on(outbox.run_once(10)).expect("run succeeds");

    assert_eq!(report.sent, 1);
}

#[test]
fn one_failure_does_not_stop_batch() {
    let app = AppId::generate();
    let first = claimed(app, 1);
    let second = claimed(app, 1);
    let (queue, marks) = queue(vec![first.clone(), second.clone()]);
    let (mailer, _) = mailer(vec![
        Err(MailError::Rejected("550 no such user".to_owned())),
        Ok(()),
    ]);
    let outbox = service(queue, settings_repository(), renderer(), mailer);

    let report = block_on(outbox.run_once(10)).expect("run succeeds");

    let marks = lock(&marks).clone();
    assert!(matches!(&marks[0], Mark::Failed { id, .. } if *id == first.id));
    assert!(matches!(&marks[1], Mark::Sent { id, .. } if *id == second.id));
    assert_eq!(report.failed, 1);
    assert_eq!(report.sent, 1);
}

#[test]
fn retried_send_keeps_message_id() {
    let app = AppId::generate();
    let first_try = claimed(app, 1);
    let mut second_try = first_try.clone();
    second_try.attempts = 2;
    let mut sent_ids = Vec::new();
    for notification in [first_try, second_try] {
        let (queue, _) = queue(vec![notification]);
        let (mailer, sent) = mailer(vec![Err(MailError::Transient("timed out".to_owned()))]);
        let outbox = service(queue, settings_repository(), renderer(), mailer);
        block_on(outbox.run_once(1)).expect("run succeeds");
        sent_ids.push(lock(&sent)[0].message_id.clone());
    }
    assert_eq!(sent_ids[0], sent_ids[1]);
}

#[test]
fn configured_message_id_domain() {
    let notification = claimed(AppId::generate(), 1);
    let (queue, _) = queue(vec![notification.clone()]);
    let (mailer, sent) = mailer(vec![Ok(())]);
    let outbox = service(queue, settings_repository(), renderer(), mailer)
        .with_message_id_domain("mail.curso.com.br")
        .expect("valid domain");

    block_on(outbox.run_once(1)).expect("run succeeds");

    assert_eq!(
        lock(&sent)[0].message_id,
        format!("<{}@mail.curso.com.br>", notification.id)
    );
}

#[test]
fn invalid_message_id_domain_rejected() {
    for domain in [
        "",
        "a b",
        "exa>mple.com",
        "example..com",
        ".example.com",
        "exemplo.çom",
    ] {
        let mut queue = MockNotificationQueue::new();
        queue.expect_claim_due().never();
        let outbox = service(queue, settings_repository(), renderer(), MockMailer::new());
        let result = outbox.with_message_id_domain(domain);
        assert!(
            matches!(&result, Err(OutboxError::InvalidMessageIdDomain(rejected)) if rejected == domain),
            "{domain:?} was accepted"
        );
    }
}

#[test]
fn long_error_is_truncated() {
    let (queue, marks) = queue(vec![claimed(AppId::generate(), 1)]);
    let long_reply = "é".repeat(2 * LAST_ERROR_MAX_CHARS);
    let (mailer, _) = mailer(vec![Err(MailError::Transient(long_reply))]);
    let outbox = service(queue, settings_repository(), renderer(), mailer);

    let report = block_on(outbox.run_once(1)).expect("run succeeds");

    match lock(&marks).as_slice() {
        [Mark::Failed { error, .. }] => {
            assert_eq!(error.chars().count(), LAST_ERROR_MAX_CHARS);
            assert!(error.starts_with("sending failed: é"), "{error}");
        }
        other => panic!("unexpected marks {other:?}"),
    }
    assert_eq!(
        report.failures[0].error.chars().count(),
        LAST_ERROR_MAX_CHARS
    );
}

#[test]
fn claim_failure_stops_run() {
    let mut queue = MockNotificationQueue::new();
    queue.expect_claim_due().returning(|_, _, _| {
        Err(RepositoryError::Unavailable(
            "connection refused".to_owned(),
        ))
    });
    let mut mailer = MockMailer::new();
    mailer.expect_send().never();
    let outbox = service(queue, settings_repository(), renderer(), mailer);

    let result = block_on(outbox.run_once(10));

    assert_eq!(
        result,
        Err(OutboxError::Queue(RepositoryError::Unavailable(
            "connection refused".to_owned()
        )))
    );
}

#[test]
fn mark_failure_stops_run() {
    let mut queue = MockNotificationQueue::new();
    let claimed_pair = vec![claimed(AppId::generate(), 1), claimed(AppId::generate(), 1)];
    queue
        .expect_claim_due()
        .returning(move |_, _, _| Ok(claimed_pair.clone()));
    queue
        .expect_mark_sent()
        .times(1)
        .returning(|_, _, _| Err(RepositoryError::Other("disk full".to_owned())));
    let (mailer, sent) = mailer(vec![Ok(()), Ok(())]);
    let outbox = service(queue, settings_repository(), renderer(), mailer);

    let result = block_on(outbox.run_once(10));

    assert!(matches!(result, Err(OutboxError::Queue(_))), "{result:?}");
    assert_eq!(
        lock(&sent).len(),
        1,
        "the second notification must wait for its lease"
    );
}
