//! Sessions: creation with the login entry, lookup, refresh and revocation.

use clientela_domain::account::{SESSION_TTL, Session};
use clientela_domain::client::AccessKind;
use clientela_domain::ports::SessionRepository;
use time::Duration;

use crate::support::{Fixture, event, now};

#[tokio::test]
async fn session_round_trip_with_login() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let at = now();
    let (token, session) = Session::start(app.id, client.id, at);

    fixture
        .store
        .create_session(&session, &event(&client, AccessKind::Login, at))
        .await
        .expect("session stored");

    let found = fixture
        .store
        .find_session(app.id, token.hash())
        .await
        .expect("lookup")
        .expect("session found");
    assert_eq!(found, session);
    assert_eq!(fixture.access_kinds(&client).await, ["login"]);
    let stored = fixture.reload(&client).await;
    assert_eq!(stored.last_access_at, Some(at));
    assert_eq!(stored.first_access_at, Some(at));
}

#[tokio::test]
async fn session_lookup_stays_in_app() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let other = fixture.app("loja-b").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let (token, session) = Session::start(app.id, client.id, now());
    fixture
        .store
        .create_session(&session, &event(&client, AccessKind::Login, now()))
        .await
        .expect("session stored");

    let found = fixture
        .store
        .find_session(other.id, token.hash())
        .await
        .expect("lookup");
    let revoked = fixture
        .store
        .revoke_session(other.id, token.hash(), now())
        .await
        .expect("revoke");

    assert!(found.is_none());
    assert!(!revoked);
}

#[tokio::test]
async fn revoke_session_once() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let (token, session) = Session::start(app.id, client.id, now());
    fixture
        .store
        .create_session(&session, &event(&client, AccessKind::Login, now()))
        .await
        .expect("session stored");
    let at = now();

    let first = fixture
        .store
        .revoke_session(app.id, token.hash(), at)
        .await
        .expect("revoke");
    let second = fixture
        .store
        .revoke_session(app.id, token.hash(), now())
        .await
        .expect("revoke again");

    assert!(first);
    assert!(!second);
    let stored = fixture
        .store
        .find_session(app.id, token.hash())
        .await
        .expect("lookup")
        .expect("session kept");
    assert_eq!(stored.revoked_at, Some(at));
}

#[tokio::test]
async fn refresh_moves_expiry_and_logs() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let started = now() - Duration::days(2);
    let (token, session) = Session::start(app.id, client.id, started);
    fixture
        .store
        .create_session(&session, &event(&client, AccessKind::Login, started))
        .await
        .expect("session stored");
    let at = now();

    let refreshed = fixture
        .store
        .refresh_session(
            app.id,
            session.id,
            at + SESSION_TTL,
            &event(&client, AccessKind::SessionRefresh, at),
        )
        .await
        .expect("refresh");

    assert!(refreshed);
    let stored = fixture
        .store
        .find_session(app.id, token.hash())
        .await
        .expect("lookup")
        .expect("session found");
    assert_eq!(stored.expires_at, at + SESSION_TTL);
    assert_eq!(stored.last_used_at, at);
    assert_eq!(
        fixture.access_kinds(&client).await,
        ["session_refresh", "login"]
    );
    let client = fixture.reload(&client).await;
    assert_eq!(client.last_access_at, Some(at));
    assert_eq!(client.first_access_at, Some(started));
}

#[tokio::test]
async fn revoked_session_is_not_refreshed() {
    let fixture = Fixture::new().await;
    let app = fixture.app("loja-a").await;
    let client = fixture.client(&app, "ana@example.com", true).await;
    let (token, session) = Session::start(app.id, client.id, now());
    fixture
        .store
        .create_session(&session, &event(&client, AccessKind::Login, now()))
        .await
        .expect("session stored");
    fixture
        .store
        .revoke_session(app.id, token.hash(), now())
        .await
        .expect("revoke");

    let refreshed = fixture
        .store
        .refresh_session(
            app.id,
            session.id,
            now() + SESSION_TTL,
            &event(&client, AccessKind::SessionRefresh, now()),
        )
        .await
        .expect("refresh");

    assert!(!refreshed);
    assert_eq!(fixture.access_kinds(&client).await, ["login"]);
}
