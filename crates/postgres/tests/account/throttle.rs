//! Failed-login counters: counting, lockout, windows, clearing and keys.

use std::net::{IpAddr, Ipv4Addr};

use clientela_domain::account::{ThrottleKey, ThrottlePolicy};
use clientela_domain::ports::LoginThrottle;
use time::Duration;

use crate::support::{Fixture, now};

const POLICY: ThrottlePolicy = ThrottlePolicy {
    max_failures: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(10),
};

fn email_key() -> ThrottleKey {
    ThrottleKey::email("ana@example.com")
}

#[tokio::test]
async fn fifth_failure_locks_key() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let key = email_key();
    let start = now();

    for minute in 0..4 {
        let at = start + Duration::minutes(minute);
        fixture
            .store
            .record_failure(app.id, &key, &POLICY, at)
            .await
            .expect("failure counted");
        let locked = fixture
            .store
            .locked_until(app.id, &[key], at)
            .await
            .expect("lookup");
        assert_eq!(locked, None, "locked after {} failures", minute + 1);
    }
    let fifth = start + Duration::minutes(4);
    fixture
        .store
        .record_failure(app.id, &key, &POLICY, fifth)
        .await
        .expect("failure counted");

    let locked = fixture
        .store
        .locked_until(app.id, &[key], fifth)
        .await
        .expect("lookup");
    assert_eq!(locked, Some(fifth + POLICY.lockout));
    let after = fixture
        .store
        .locked_until(app.id, &[key], fifth + POLICY.lockout)
        .await
        .expect("lookup");
    assert_eq!(after, None);
}

#[tokio::test]
async fn failures_outside_window_start_over() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let key = email_key();
    let start = now();
    for second in 0..4 {
        fixture
            .store
            .record_failure(app.id, &key, &POLICY, start + Duration::seconds(second))
            .await
            .expect("failure counted");
    }

    let late = start + POLICY.window + Duration::seconds(1);
    fixture
        .store
        .record_failure(app.id, &key, &POLICY, late)
        .await
        .expect("failure counted");

    let locked = fixture
        .store
        .locked_until(app.id, &[key], late)
        .await
        .expect("lookup");
    assert_eq!(locked, None);
}

#[tokio::test]
async fn count_restarts_after_lockout() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let key = email_key();
    let start = now();
    for second in 0..5 {
        fixture
            .store
            .record_failure(app.id, &key, &POLICY, start + Duration::seconds(second))
            .await
            .expect("failure counted");
    }
    let after_lockout = start + Duration::seconds(4) + POLICY.lockout;

    fixture
        .store
        .record_failure(app.id, &key, &POLICY, after_lockout)
        .await
        .expect("failure counted");

    let locked = fixture
        .store
        .locked_until(app.id, &[key], after_lockout)
        .await
        .expect("lookup");
    assert_eq!(locked, None);
}

#[tokio::test]
async fn clear_forgets_failures() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let key = email_key();
    let start = now();
    for second in 0..4 {
        fixture
            .store
            .record_failure(app.id, &key, &POLICY, start + Duration::seconds(second))
            .await
            .expect("failure counted");
    }

    fixture.store.clear(app.id, &key).await.expect("cleared");
    let at = start + Duration::seconds(5);
    fixture
        .store
        .record_failure(app.id, &key, &POLICY, at)
        .await
        .expect("failure counted");

    let locked = fixture
        .store
        .locked_until(app.id, &[key], at)
        .await
        .expect("lookup");
    assert_eq!(locked, None);
}

#[tokio::test]
async fn lock_applies_to_its_key_and_app() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let other_app = fixture.app("loja-b").await;
    let key = email_key();
    let ip_key = ThrottleKey::ip(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 4)));
    let other_email = ThrottleKey::email("bia@example.com");
    let at = now();
    for _ in 0..5 {
        fixture
            .store
            .record_failure(app.id, &key, &POLICY, at)
            .await
            .expect("failure counted");
    }

    let with_ip = fixture
        .store
        .locked_until(app.id, &[other_email, ip_key, key], at)
        .await
        .expect("lookup");
    let other_keys = fixture
        .store
        .locked_until(app.id, &[other_email, ip_key], at)
        .await
        .expect("lookup");
    let other_app_lock = fixture
        .store
        .locked_until(other_app.id, &[key], at)
        .await
        .expect("lookup");

    assert_eq!(with_ip, Some(at + POLICY.lockout));
    assert_eq!(other_keys, None);
    assert_eq!(other_app_lock, None);
}

#[tokio::test]
async fn concurrent_failures_all_count() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let key = email_key();
    let at = now();

    let store = &fixture.store;
    let results = tokio::join!(
        store.record_failure(app.id, &key, &POLICY, at),
        store.record_failure(app.id, &key, &POLICY, at),
        store.record_failure(app.id, &key, &POLICY, at),
        store.record_failure(app.id, &key, &POLICY, at),
        store.record_failure(app.id, &key, &POLICY, at),
    );
    for result in [results.0, results.1, results.2, results.3, results.4] {
        result.expect("failure counted");
    }

    let locked = fixture
        .store
        .locked_until(app.id, &[key], at)
        .await
        .expect("lookup");
    assert_eq!(locked, Some(at + POLICY.lockout));
}
