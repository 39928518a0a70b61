use clientela_domain::grant::{Revocation, RevokeReason};
use clientela_domain::ports::{ClientRepository, GrantRepository};
use clientela_domain::tenant::Actor;
use clientela_domain::values::{PaymentMethodKind, TransactionStatusKind};
use diesel_async::SimpleAsyncConnection;

use crate::support::{Fixture, audit_entry, client, manual_grant, minutes, now};

#[tokio::test(flavor = "multi_thread")]
async fn detail_lists_everything_newest_first() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let other = fixture.app("outra").await;
    let course = fixture.product(&app, "Curso de Violão").await;
    let ebook = fixture.product(&app, "E-book de Receitas").await;
    let ana = client(&app, "Ana Souza", "ana@example.com");
    fixture.client(&ana).await;
    let bia = client(&app, "Bia", "bia@example.com");
    fixture.client(&bia).await;

    let audit = audit_entry(&ana, "grant.create");
    let mut old_grant = manual_grant(&ana, course.id);
    old_grant.granted_at = now() - minutes(60);
    fixture
        .store
        .insert_grant(&old_grant, &audit, &[])
        .await
        .expect("old grant");
    let revocation = Revocation {
        at: now(),
        reason: RevokeReason::Manual,
        by: Actor::Cli,
    };
    fixture
        .store
        .revoke_grants(
            app.id,
            &[old_grant.id],
            &revocation,
            &audit_entry(&ana, "grant.revoke"),
        )
        .await
        .expect("revoke");
    let new_grant = manual_grant(&ana, ebook.id);
    fixture
        .store
        .insert_grant(&new_grant, &audit, &[])
        .await
        .expect("new grant");
    fixture
        .store
        .insert_grant(
            &manual_grant(&bia, ebook.id),
            &audit_entry(&bia, "grant.create"),
            &[],
        )
        .await
        .expect("grant of another client");

    let mut conn = fixture.raw_connection().await;
    let (app_id, ana_id, course_id) = (app.id, ana.id, course.id);
    conn.batch_execute(&format!(
        "INSERT INTO transactions (id, app_id, client_id, platform, external_id, product_id, \
             amount_cents, currency, payment_method, payment_method_raw, status, status_raw, occurred_at)
         VALUES ('00000000-0000-7000-8000-000000000001', '{app_id}', '{ana_id}', 'hotmart', 'HP-OLD', \
             '{course_id}', 19700, 'BRL', 'boleto', 'BILLET', 'refunded', 'REFUNDED', now() - interval '2 days'),
                ('00000000-0000-7000-8000-000000000002', '{app_id}', '{ana_id}', 'kiwify', 'KW-NEW', \
             NULL, 4990, 'BRL', 'pix', NULL, 'paid', NULL, now() - interval '1 day');
         INSERT INTO transaction_status_history (app_id, transaction_id, status, status_raw, occurred_at, event_ref)
         VALUES ('{app_id}', '00000000-0000-7000-8000-000000000001', 'paid', 'APPROVED', now() - interval '3 days', 'evt-1'),
                ('{app_id}', '00000000-0000-7000-8000-000000000001', 'refunded', 'REFUNDED', now() - interval '2 days', 'evt-2');
         INSERT INTO access_log (app_id, client_id, kind, at, ip, user_agent)
         VALUES ('{app_id}', '{ana_id}', 'login_failed', now() - interval '2 hours', '203.0.113.9', 'Firefox'),
                ('{app_id}', '{ana_id}', 'login', now() - interval '1 hour', '203.0.113.9', 'Firefox');
         INSERT INTO notifications (id, app_id, client_id, kind, recipient, status, attempts, dedupe_key, created_at, sent_at)
         VALUES (gen_random_uuid(), '{app_id}', '{ana_id}', 'welcome', 'ana@example.com', 'sent', 1, 'welcome-{ana_id}', \
             now() - interval '3 days', now() - interval '3 days');"
    ))
    .await
    .expect("insert history rows");

    let detail = fixture
        .store
        .client_detail(app.id, ana.id)
        .await
        .expect("detail")
        .expect("client exists");

    assert_eq!(detail.client, ana);

    let grant_products: Vec<&str> = detail
        .grants
        .iter()
        .map(|view| view.product_name.as_str())
        .collect();
    assert_eq!(grant_products, ["E-book de Receitas", "Curso de Violão"]);
    assert_eq!(detail.grants[0].grant, new_grant);
    assert_eq!(detail.grants[1].grant.revocation, Some(revocation));

    let external_ids: Vec<&str> = detail
        .transactions
        .iter()
        .map(|t| t.external_id.as_str())
        .collect();
    assert_eq!(external_ids, ["KW-NEW", "HP-OLD"]);
    let refunded = &detail.transactions[1];
    assert_eq!(refunded.status.kind, TransactionStatusKind::Refunded);
    assert_eq!(refunded.payment_method.kind, PaymentMethodKind::Boleto);
    assert_eq!(refunded.payment_method.raw.as_deref(), Some("BILLET"));
    assert_eq!(refunded.amount.cents, 19700);
    assert_eq!(refunded.product_id, Some(course.id));
    let history: Vec<TransactionStatusKind> = refunded
        .history
        .iter()
        .map(|change| change.status.kind)
        .collect();
    assert_eq!(
        history,
        [TransactionStatusKind::Paid, TransactionStatusKind::Refunded]
    );
    assert_eq!(refunded.history[0].event_ref.as_deref(), Some("evt-1"));
    assert!(detail.transactions[0].history.is_empty());

    let kinds: Vec<&str> = detail
        .access_log
        .iter()
        .map(|entry| entry.kind.as_str())
        .collect();
    assert_eq!(kinds, ["login", "login_failed"]);
    assert_eq!(detail.access_log[0].ip.as_deref(), Some("203.0.113.9"));

    assert_eq!(detail.notifications.len(), 1);
    assert_eq!(detail.notifications[0].status, "sent");

    let actions: Vec<&str> = detail
        .audit
        .iter()
        .map(|entry| entry.action.as_str())
        .collect();
    assert_eq!(actions, ["grant.revoke", "grant.create", "grant.create"]);

    let missing = fixture
        .store
        .client_detail(other.id, ana.id)
        .await
        .expect("detail");
    assert_eq!(missing, None);
}
