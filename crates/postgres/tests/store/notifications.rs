use std::collections::HashSet;
use std::time::Duration as StdDuration;

use clientela_domain::account::{AccountToken, TokenPurpose};
use clientela_domain::client::Client;
use clientela_domain::error::RepositoryError;
use clientela_domain::notification::{
    Notification, NotificationContent, NotificationId, NotificationKind, NotificationStatus,
};
use clientela_domain::ports::{ClientRepository, GrantRepository, NotificationQueue};
use clientela_domain::tenant::App;
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};
use time::OffsetDateTime;

use crate::support::{Fixture, audit_entry, client, manual_grant, minutes, now};

/// The stored columns a test checks directly.
#[derive(Debug, QueryableByName)]
struct StoredRow {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Nullable<Text>)]
    last_error: Option<String>,
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    next_attempt_at: OffsetDateTime,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    sent_at: Option<OffsetDateTime>,
}

async fn stored(fixture: &Fixture, id: NotificationId) -> StoredRow {
    let mut conn = fixture.raw_connection().await;
    diesel::sql_query(
        "SELECT status, attempts, last_error, payload, next_attempt_at, sent_at \
         FROM notifications WHERE id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(id.as_uuid())
    .get_result(&mut conn)
    .await
    .expect("notification row")
}

async fn count_notifications(fixture: &Fixture) -> i64 {
    count_rows(fixture, "notifications").await
}

async fn count_rows(fixture: &Fixture, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let mut conn = fixture.raw_connection().await;
    let count: Count = diesel::sql_query(format!("SELECT count(*) AS count FROM {table}"))
        .get_result(&mut conn)
        .await
        .expect("count");
    count.count
}

fn welcome(client: &Client, token: Option<&str>, created_at: OffsetDateTime) -> Notification {
    Notification::new(
        client.app_id,
        client.id,
        client.email.clone(),
        NotificationContent::Welcome {
            client_name: client.name.as_str().to_owned(),
            set_password_token: token.map(str::to_owned),
        },
        format!("welcome:{}", client.id),
        created_at,
    )
}

fn access_granted(client: &Client, key: &str, created_at: OffsetDateTime) -> Notification {
    Notification::new(
        client.app_id,
        client.id,
        client.email.clone(),
        NotificationContent::AccessGranted {
            client_name: client.name.as_str().to_owned(),
            product_name: "Curso de Violão".to_owned(),
        },
        format!("access_granted:{key}"),
        created_at,
    )
}

/// Creates an app with one stored client.
async fn app_with_client(fixture: &Fixture, slug: &str) -> (App, Client) {
    let app = fixture.app(slug).await;
    let ana = client(&app, "Ana Souza", &format!("ana@{slug}.example.com"));
    fixture.client(&ana).await;
    (app, ana)
}

#[tokio::test(flavor = "multi_thread")]
async fn enqueue_skips_repeated_dedupe_key() {
    let fixture = Fixture::new().await;
    let (_, ana) = app_with_client(&fixture, "escola").await;
    let first = welcome(&ana, None, now());
    let repeat = welcome(&ana, None, now());

    assert_eq!(fixture.store.enqueue(&first).await, Ok(true));
    assert_eq!(fixture.store.enqueue(&repeat).await, Ok(false));

    assert_eq!(count_notifications(&fixture).await, 1);
    let row = stored(&fixture, first.id).await;
    assert_eq!(row.status, "queued");
    assert_eq!(row.attempts, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn enqueue_for_client_of_other_app() {
    let fixture = Fixture::new().await;
    let (_, ana) = app_with_client(&fixture, "escola").await;
    let other = fixture.app("outra").await;
    let mut misplaced = welcome(&ana, None, now());
    misplaced.app_id = other.id;

    assert_eq!(
        fixture.store.enqueue(&misplaced).await,
        Err(RepositoryError::NotFound)
    );
    assert_eq!(count_notifications(&fixture).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_client_queues_in_its_transaction() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    let (plain, token) = AccountToken::issue(app.id, ana.id, TokenPurpose::FirstAccess, now());
    let queued = welcome(&ana, Some(plain.as_str()), now());

    fixture
        .store
        .create_client(
            &ana,
            None,
            &[],
            &[audit_entry(&ana, "client.create")],
            std::slice::from_ref(&queued),
            Some(&token),
        )
        .await
        .expect("create");
    assert_eq!(stored(&fixture, queued.id).await.status, "queued");
    assert_eq!(count_rows(&fixture, "account_tokens").await, 1);

    // The same e-mail again fails on the client insert, and the transaction
    // takes its notification and token with it.
    let twin = client(&app, "Outra Ana", "ana@example.com");
    let (twin_plain, twin_token) =
        AccountToken::issue(app.id, twin.id, TokenPurpose::FirstAccess, now());
    let twin_welcome = welcome(&twin, Some(twin_plain.as_str()), now());
    let result = fixture
        .store
        .create_client(&twin, None, &[], &[], &[twin_welcome], Some(&twin_token))
        .await;
    assert_eq!(result, Err(RepositoryError::EmailTaken));
    assert_eq!(count_notifications(&fixture).await, 1);
    assert_eq!(count_rows(&fixture, "account_tokens").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn insert_grant_queues_in_its_transaction() {
    let fixture = Fixture::new().await;
    let (app, ana) = app_with_client(&fixture, "escola").await;
    let course = fixture.product(&app, "Curso de Violão").await;
    let grant = manual_grant(&ana, course.id);
    let queued = access_granted(&ana, &grant.id.to_string(), now());

    fixture
        .store
        .insert_grant(
            &grant,
            &audit_entry(&ana, "grant.create"),
            std::slice::from_ref(&queued),
        )
        .await
        .expect("grant");
    assert_eq!(stored(&fixture, queued.id).await.status, "queued");

    // A second active manual grant of the product is rejected, and its
    // notification is not stored.
    let second = manual_grant(&ana, course.id);
    let second_queued = access_granted(&ana, &second.id.to_string(), now());
    let result = fixture
        .store
        .insert_grant(
            &second,
            &audit_entry(&ana, "grant.create"),
            &[second_queued],
        )
        .await;
    assert_eq!(result, Err(RepositoryError::GrantExists));
    assert_eq!(count_notifications(&fixture).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn claim_takes_due_oldest_first() {
    let fixture = Fixture::new().await;
    let (_, ana) = app_with_client(&fixture, "escola").await;
    let now = now();
    let older = access_granted(&ana, "older", now - minutes(10));
    let newer = access_granted(&ana, "newer", now - minutes(5));
    let mut later = access_granted(&ana, "later", now - minutes(20));
    later.next_attempt_at = now + minutes(5);
    let mut sent = access_granted(&ana, "sent", now - minutes(30));
    sent.status = NotificationStatus::Sent;
    sent.sent_at = Some(now - minutes(29));
    for notification in [&newer, &later, &sent, &older] {
        assert_eq!(fixture.store.enqueue(notification).await, Ok(true));
    }

    let lease = now + minutes(15);
    let claimed = fixture
        .store
        .claim_due(now, lease, 10)
        .await
        .expect("claim");

    let ids: Vec<NotificationId> = claimed.iter().map(|n| n.id).collect();
    assert_eq!(ids, [older.id, newer.id]);
    assert_eq!(claimed[0].attempts, 1);
    assert_eq!(claimed[0].next_attempt_at, lease);
    assert_eq!(claimed[0].content, older.content);
    assert_eq!(claimed[0].recipient, ana.email);
    assert_eq!(claimed[0].dedupe_key, "access_granted:older");
    assert_eq!(claimed[0].kind(), NotificationKind::AccessGranted);
    assert_eq!(stored(&fixture, older.id).await.attempts, 1);
    assert_eq!(stored(&fixture, later.id).await.attempts, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn claim_respects_limit() {
    let fixture = Fixture::new().await;
    let (_, ana) = app_with_client(&fixture, "escola").await;
    let now = now();
    for index in 0..5 {
        let notification = access_granted(&ana, &index.to_string(), now - minutes(index));
        fixture.store.enqueue(&notification).await.expect("enqueue");
    }

    let first = fixture
        .store
        .claim_due(now, now + minutes(15), 3)
        .await
        .expect("claim");
    let second = fixture
        .store
        .claim_due(now, now + minutes(15), 3)
        .await
        .expect("claim");

    assert_eq!(first.len(), 3);
    assert_eq!(second.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn claimed_notification_returns_after_lease() {
    let fixture = Fixture::new().await;
    let (_, ana) = app_with_client(&fixture, "escola").await;
    let now = now();
    let queued = welcome(&ana, None, now);
    fixture.store.enqueue(&queued).await.expect("enqueue");
    let lease = now + minutes(15);

    let first = fixture
        .store
        .claim_due(now, lease, 10)
        .await
        .expect("claim");
    let during_lease = fixture
        .store
        .claim_due(now + minutes(14), now + minutes(29), 10)
        .await
        .expect("claim during lease");
    let after_lease = fixture
        .store
        .claim_due(lease, lease + minutes(15), 10)
        .await
        .expect("claim after lease");

    assert_eq!(first.len(), 1);
    assert!(during_lease.is_empty(), "{during_lease:?}");
    assert_eq!(after_lease.len(), 1);
    assert_eq!(after_lease[0].attempts, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_claimers_never_share_a_row() {
    const NOTIFICATIONS: usize = 300;
    const WORKERS: usize = 8;

    let fixture = Fixture::new().await;
    let (_, ana) = app_with_client(&fixture, "escola").await;
    let now = now();
    let mut expected = HashSet::new();
    for index in 0..NOTIFICATIONS {
        let notification = access_granted(&ana, &index.to_string(), now - minutes(1));
        fixture.store.enqueue(&notification).await.expect("enqueue");
        expected.insert(notification.id);
    }

    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let store = fixture.store.clone();
        workers.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            loop {
                let batch = store
                    .claim_due(now, now + minutes(15), 7)
                    .await
                    .expect("claim");
                if batch.is_empty() {
                    return claimed;
                }
                claimed.extend(batch.into_iter().map(|notification| notification.id));
                tokio::task::yield_now().await;
            }
        }));
    }

    let mut seen = HashSet::new();
    let mut total = 0;
    let mut busy_workers = 0;
    for worker in workers {
        let claimed = worker.await.expect("worker task");
        busy_workers += usize::from(!claimed.is_empty());
        total += claimed.len();
        seen.extend(claimed);
    }
    assert_eq!(total, NOTIFICATIONS, "a notification was claimed twice");
    assert_eq!(seen, expected);
    assert!(busy_workers > 1, "only one worker claimed anything");
    let mut conn = fixture.raw_connection().await;
    conn.batch_execute(
        "DO $$ BEGIN \
           IF EXISTS (SELECT 1 FROM notifications WHERE attempts <> 1) THEN \
             RAISE EXCEPTION 'a notification was claimed more than once'; \
           END IF; \
         END $$",
    )
    .await
    .expect("every notification claimed once");
}

#[tokio::test(flavor = "multi_thread")]
async fn mark_sent_records_delivery_and_drops_token() {
    let fixture = Fixture::new().await;
    let (app, ana) = app_with_client(&fixture, "escola").await;
    let now = now();
    let queued = welcome(&ana, Some("tok-secret"), now);
    fixture.store.enqueue(&queued).await.expect("enqueue");
    assert_eq!(
        stored(&fixture, queued.id).await.payload["set_password_token"],
        "tok-secret"
    );
    fixture
        .store
        .claim_due(now, now + minutes(15), 10)
        .await
        .expect("claim");

    let sent_at = now + minutes(1);
    fixture
        .store
        .mark_sent(app.id, queued.id, sent_at)
        .await
        .expect("mark sent");

    let row = stored(&fixture, queued.id).await;
    assert_eq!(row.status, "sent");
    assert_eq!(row.sent_at, Some(sent_at));
    assert_eq!(row.attempts, 1);
    assert_eq!(
        row.payload,
        serde_json::json!({ "client_name": "Ana Souza" })
    );
    let later = fixture
        .store
        .claim_due(now + minutes(60), now + minutes(75), 10)
        .await
        .expect("claim");
    assert!(
        later.is_empty(),
        "a sent notification was claimed: {later:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mark_failed_schedules_retry_or_gives_up() {
    let fixture = Fixture::new().await;
    let (app, ana) = app_with_client(&fixture, "escola").await;
    let now = now();
    let retried = welcome(&ana, Some("tok-retried"), now);
    let abandoned = access_granted(&ana, "abandoned", now);
    fixture.store.enqueue(&retried).await.expect("enqueue");
    fixture.store.enqueue(&abandoned).await.expect("enqueue");
    fixture
        .store
        .claim_due(now, now + minutes(15), 10)
        .await
        .expect("claim");

    let retry_at = now + minutes(1);
    fixture
        .store
        .mark_failed(app.id, retried.id, "connection refused", Some(retry_at))
        .await
        .expect("mark retry");
    fixture
        .store
        .mark_failed(app.id, abandoned.id, "550 no such mailbox", None)
        .await
        .expect("mark failed");

    let row = stored(&fixture, retried.id).await;
    assert_eq!(row.status, "queued");
    assert_eq!(row.next_attempt_at, retry_at);
    assert_eq!(row.last_error.as_deref(), Some("connection refused"));
    assert_eq!(row.payload["set_password_token"], "tok-retried");
    let row = stored(&fixture, abandoned.id).await;
    assert_eq!(row.status, "failed");
    assert_eq!(row.last_error.as_deref(), Some("550 no such mailbox"));

    let due = fixture
        .store
        .claim_due(retry_at, retry_at + minutes(15), 10)
        .await
        .expect("claim retry");
    let ids: Vec<NotificationId> = due.iter().map(|n| n.id).collect();
    assert_eq!(ids, [retried.id]);
    assert_eq!(due[0].attempts, 2);
    assert_eq!(due[0].last_error.as_deref(), Some("connection refused"));
}

#[tokio::test(flavor = "multi_thread")]
async fn late_outcome_does_not_overwrite() {
    let fixture = Fixture::new().await;
    let (app, ana) = app_with_client(&fixture, "escola").await;
    let now = now();
    let queued = welcome(&ana, None, now);
    fixture.store.enqueue(&queued).await.expect("enqueue");
    fixture
        .store
        .claim_due(now, now + minutes(15), 10)
        .await
        .expect("claim");
    fixture
        .store
        .mark_sent(app.id, queued.id, now + minutes(1))
        .await
        .expect("mark sent");

    // A worker whose lease ran out reports a failure after the delivery.
    fixture
        .store
        .mark_failed(app.id, queued.id, "timed out", Some(now + minutes(2)))
        .await
        .expect("late mark");

    let row = stored(&fixture, queued.id).await;
    assert_eq!(row.status, "sent");
    assert_eq!(row.last_error, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn marks_are_scoped_to_app() {
    let fixture = Fixture::new().await;
    let (_, ana) = app_with_client(&fixture, "escola").await;
    let other = fixture.app("outra").await;
    let now = now();
    let queued = welcome(&ana, None, now);
    fixture.store.enqueue(&queued).await.expect("enqueue");
    fixture
        .store
        .claim_due(now, now + minutes(15), 10)
        .await
        .expect("claim");

    fixture
        .store
        .mark_sent(other.id, queued.id, now)
        .await
        .expect("mark with other app");

    assert_eq!(stored(&fixture, queued.id).await.status, "queued");
}

#[tokio::test(flavor = "multi_thread")]
async fn unreadable_notification_is_failed() {
    let fixture = Fixture::new().await;
    let (app, ana) = app_with_client(&fixture, "escola").await;
    let readable = welcome(&ana, None, now() - minutes(1));
    fixture.store.enqueue(&readable).await.expect("enqueue");
    let mut conn = fixture.raw_connection().await;
    conn.batch_execute(&format!(
        "INSERT INTO notifications (id, app_id, client_id, kind, recipient, payload, dedupe_key, \
             created_at, next_attempt_at) \
         VALUES ('00000000-0000-7000-8000-0000000000aa', '{}', '{}', 'password_reset', \
             'ana@example.com', '{{\"client_name\": \"Ana\"}}', 'broken', \
             now() - interval '2 minutes', now() - interval '2 minutes')",
        app.id, ana.id
    ))
    .await
    .expect("insert unreadable row");

    let claimed = fixture
        .store
        .claim_due(now(), now() + minutes(15), 10)
        .await
        .expect("claim succeeds despite the unreadable row");

    let ids: Vec<NotificationId> = claimed.iter().map(|n| n.id).collect();
    assert_eq!(ids, [readable.id]);
    let broken = stored(
        &fixture,
        "00000000-0000-7000-8000-0000000000aa"
            .parse()
            .expect("valid id"),
    )
    .await;
    assert_eq!(broken.status, "failed");
    let error = broken.last_error.expect("last error");
    assert!(error.contains("payload does not fit"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn detail_shows_delivery_state() {
    let fixture = Fixture::new().await;
    let (app, ana) = app_with_client(&fixture, "escola").await;
    let now = now();
    let queued = welcome(&ana, None, now);
    fixture.store.enqueue(&queued).await.expect("enqueue");
    fixture
        .store
        .claim_due(now, now + minutes(15), 10)
        .await
        .expect("claim");
    fixture
        .store
        .mark_failed(app.id, queued.id, "connection refused", Some(now))
        .await
        .expect("mark retry");

    let detail = fixture
        .store
        .client_detail(app.id, ana.id)
        .await
        .expect("detail")
        .expect("client exists");

    assert_eq!(detail.notifications.len(), 1);
    let view = &detail.notifications[0];
    assert_eq!(view.kind, "welcome");
    assert_eq!(view.recipient, ana.email.as_str());
    assert_eq!(view.status, "queued");
    assert_eq!(view.attempts, 1);
    assert_eq!(view.last_error.as_deref(), Some("connection refused"));
    assert_eq!(view.sent_at, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn listener_wakes_on_committed_insert() {
    let fixture = Fixture::new().await;
    let (_, ana) = app_with_client(&fixture, "escola").await;
    let mut listener = fixture
        .store
        .listen_for_queued_notifications()
        .await
        .expect("listen");

    let quiet = tokio::time::timeout(StdDuration::from_millis(300), listener.wait()).await;
    assert!(quiet.is_err(), "woken before anything was queued");

    // A rolled-back insert sends no signal.
    let mut conn = fixture.raw_connection().await;
    let rolled_back = welcome(&ana, None, now());
    let result = conn
        .transaction::<(), diesel::result::Error, _>(async |conn| {
            diesel::sql_query(format!(
                "INSERT INTO notifications (id, app_id, client_id, kind, recipient, dedupe_key) \
                 VALUES ('{}', '{}', '{}', 'welcome', 'ana@example.com', 'rolled-back')",
                rolled_back.id, ana.app_id, ana.id
            ))
            .execute(conn)
            .await?;
            Err(diesel::result::Error::RollbackTransaction)
        })
        .await;
    assert!(result.is_err());
    let after_rollback = tokio::time::timeout(StdDuration::from_millis(300), listener.wait()).await;
    assert!(after_rollback.is_err(), "woken by a rolled-back insert");

    fixture
        .store
        .enqueue(&welcome(&ana, None, now()))
        .await
        .expect("enqueue");
    tokio::time::timeout(StdDuration::from_secs(5), listener.wait())
        .await
        .expect("woken within 5 s of the commit")
        .expect("listener works");
}
