use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use time::macros::datetime;

use super::*;
use crate::grant::{GrantSource, Revocation, RevokeReason};
use crate::ids::GrantId;
use crate::tenant::Actor;

const NOW: OffsetDateTime = datetime!(2026-03-10 15:30 UTC);

#[test]
fn generated_token_parses_back() {
    let token = SecretToken::generate();

    assert_eq!(token.as_str().len(), 43);
    assert_eq!(SecretToken::parse(token.as_str()), Some(token.clone()));
    assert_ne!(SecretToken::generate(), token);
}

#[test]
fn token_parse_rejects_other_shapes() {
    let token = SecretToken::generate();

    assert_eq!(SecretToken::parse(""), None);
    assert_eq!(SecretToken::parse(&token.as_str()[1..]), None);
    assert_eq!(SecretToken::parse(&format!("{}a", token.as_str())), None);
    assert_eq!(SecretToken::parse(&"+".repeat(43)), None);
}

#[test]
fn token_hash_is_sha256_of_text() {
    let token = SecretToken::generate();
    let expected: [u8; 32] = Sha256::digest(token.as_str().as_bytes()).into();

    assert_eq!(token.hash(), expected);
}

#[test]
fn token_debug_hides_value() {
    let token = SecretToken::generate();

    assert!(!format!("{token:?}").contains(token.as_str()));
}

#[test]
fn email_throttle_key_ignores_case_and_spaces() {
    assert_eq!(
        ThrottleKey::email(" Ana@Example.com "),
        ThrottleKey::email("ana@example.com")
    );
    assert_ne!(
        ThrottleKey::email("ana@example.com"),
        ThrottleKey::email("bia@example.com")
    );
}

#[test]
fn ip_throttle_key_groups_ipv6_by_64() {
    let first: IpAddr = "2001:db8:1:2::1".parse().expect("valid address");
    let same_network: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("valid address");
    let other_network: IpAddr = "2001:db8:1:3::1".parse().expect("valid address");

    assert_eq!(ThrottleKey::ip(first), ThrottleKey::ip(same_network));
    assert_ne!(ThrottleKey::ip(first), ThrottleKey::ip(other_network));
}

#[test]
fn ip_throttle_key_unmaps_ipv4() {
    let v4 = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
    let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 7).to_ipv6_mapped());

    assert_eq!(ThrottleKey::ip(v4), ThrottleKey::ip(mapped));
    assert_ne!(
        ThrottleKey::ip(v4),
        ThrottleKey::ip(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 8)))
    );
}

#[test]
fn throttle_keys_of_kinds_differ() {
    let ip = IpAddr::V6(Ipv6Addr::LOCALHOST);
    let key = ThrottleKey::ip(ip);

    assert_eq!(key.kind, ThrottleKeyKind::Ip);
    assert_ne!(key.digest, ThrottleKey::email("::/64").digest);
}

#[test]
fn origin_cuts_long_user_agent() {
    let long = "é".repeat(USER_AGENT_MAX_CHARS + 10);

    let origin = AccessOrigin::new(None, Some(&long));

    let kept = origin.user_agent.expect("user agent kept");
    assert_eq!(kept.chars().count(), USER_AGENT_MAX_CHARS);
}

#[test]
fn origin_drops_blank_user_agent() {
    assert_eq!(AccessOrigin::new(None, Some("  ")).user_agent, None);
}

#[test]
fn session_lifetime() {
    let (token, session) = Session::start(AppId::generate(), ClientId::generate(), NOW);

    assert_eq!(session.token_hash, token.hash());
    assert_eq!(session.expires_at, NOW + SESSION_TTL);
    assert!(session.is_active_at(NOW + SESSION_TTL - Duration::seconds(1)));
    assert!(!session.is_active_at(NOW + SESSION_TTL));
    assert!(!session.needs_refresh_at(NOW + Duration::hours(23)));
    assert!(session.needs_refresh_at(NOW + SESSION_REFRESH_INTERVAL));
}

#[test]
fn revoked_session_is_inactive() {
    let (_, mut session) = Session::start(AppId::generate(), ClientId::generate(), NOW);
    session.revoked_at = Some(NOW);

    assert!(!session.is_active_at(NOW));
}

#[test]
fn token_validity_by_purpose() {
    let app = AppId::generate();
    let client = ClientId::generate();

    let (_, first) = AccountToken::issue(app, client, TokenPurpose::FirstAccess, NOW);
    let (_, reset) = AccountToken::issue(app, client, TokenPurpose::PasswordReset, NOW);

    assert_eq!(first.expires_at, NOW + Duration::days(7));
    assert_eq!(reset.expires_at, NOW + Duration::hours(1));
    assert!(reset.is_usable_at(NOW + Duration::minutes(59)));
    assert!(!reset.is_usable_at(NOW + Duration::hours(1)));
}

#[test]
fn used_or_invalidated_token_is_unusable() {
    let (_, token) = AccountToken::issue(
        AppId::generate(),
        ClientId::generate(),
        TokenPurpose::PasswordReset,
        NOW,
    );
    let used = AccountToken {
        used_at: Some(NOW),
        ..token.clone()
    };
    let invalidated = AccountToken {
        invalidated_at: Some(NOW),
        ..token
    };

    assert!(!used.is_usable_at(NOW));
    assert!(!invalidated.is_usable_at(NOW));
}

#[test]
fn purpose_round_trips_and_logs() {
    for purpose in [TokenPurpose::FirstAccess, TokenPurpose::PasswordReset] {
        assert_eq!(TokenPurpose::parse(purpose.as_str()), Some(purpose));
    }
    assert_eq!(
        TokenPurpose::FirstAccess.access_kind(),
        AccessKind::FirstAccess
    );
    assert_eq!(
        TokenPurpose::PasswordReset.access_kind(),
        AccessKind::PasswordReset
    );
    assert_eq!(TokenPurpose::parse("login"), None);
}

#[test]
fn only_failed_login_is_unsuccessful() {
    assert!(!is_successful_entry(AccessKind::LoginFailed));
    for kind in [
        AccessKind::Login,
        AccessKind::FirstAccess,
        AccessKind::PasswordReset,
        AccessKind::SessionRefresh,
    ] {
        assert!(is_successful_entry(kind), "{kind:?}");
    }
}

fn grant(product: ProductId, expires_at: Option<OffsetDateTime>) -> Grant {
    Grant {
        id: GrantId::generate(),
        app_id: AppId::generate(),
        client_id: ClientId::generate(),
        product_id: product,
        source: GrantSource::Manual,
        transaction_id: None,
        granted_by: Actor::Cli,
        granted_at: NOW - Duration::days(10),
        expires_at,
        revocation: None,
    }
}

#[test]
fn expiries_keep_latest_or_open_end() {
    let dated = ProductId::generate();
    let open = ProductId::generate();
    let grants = vec![
        grant(dated, Some(NOW + Duration::days(5))),
        grant(dated, Some(NOW + Duration::days(9))),
        grant(open, Some(NOW + Duration::days(5))),
        grant(open, None),
    ];

    let expiries = access_expiries(&grants, NOW);

    assert_eq!(expiries.get(&dated), Some(&Some(NOW + Duration::days(9))));
    assert_eq!(expiries.get(&open), Some(&None));
}

#[test]
fn expiries_skip_expired_and_revoked() {
    let expired = ProductId::generate();
    let revoked = ProductId::generate();
    let mut revoked_grant = grant(revoked, None);
    revoked_grant.revocation = Some(Revocation {
        at: NOW - Duration::days(1),
        reason: RevokeReason::Refund,
        by: Actor::System,
    });
    let grants = vec![grant(expired, Some(NOW - Duration::days(1))), revoked_grant];

    assert!(access_expiries(&grants, NOW).is_empty());
}

#[test]
fn expired_grant_ignored_beside_active() {
    let product = ProductId::generate();
    let grants = vec![
        grant(product, Some(NOW - Duration::days(1))),
        grant(product, Some(NOW + Duration::days(3))),
    ];

    assert_eq!(
        access_expiries(&grants, NOW).get(&product),
        Some(&Some(NOW + Duration::days(3)))
    );
}
