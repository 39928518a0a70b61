use std::collections::HashSet;

use clientela_domain::client::{Client, ClientStatus};
use clientela_domain::error::RepositoryError;
use clientela_domain::grant::{GrantSource, Revocation, RevokeReason};
use clientela_domain::ids::{ClientId, ProductId};
use clientela_domain::ports::{ClientRepository, GrantRepository};
use clientela_domain::search::{
    ClientQuery, ClientSort, Cursor, ProductFilter, ProductFilterMode, SearchText, fold_for_search,
};
use clientela_domain::tenant::{Actor, App};
use clientela_domain::values::{FullName, Platform};
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;

use crate::support::{Fixture, audit_entry, client, document, manual_grant, minutes, now, phone};

/// Stores a paid transaction of the app's platform `hotmart`.
async fn insert_transaction(
    fixture: &Fixture,
    client: &Client,
    external_id: &str,
    product: Option<ProductId>,
) {
    let mut conn = fixture.raw_connection().await;
    diesel::sql_query(
        "INSERT INTO transactions (id, app_id, client_id, platform, external_id, product_id, \
         amount_cents, payment_method, status, occurred_at) \
         VALUES (gen_random_uuid(), $1, $2, 'hotmart', $3, $4, 19700, 'pix', 'paid', now())",
    )
    .bind::<SqlUuid, _>(client.app_id.as_uuid())
    .bind::<SqlUuid, _>(client.id.as_uuid())
    .bind::<Text, _>(external_id)
    .bind::<Nullable<SqlUuid>, _>(product.map(|id| id.as_uuid()))
    .execute(&mut conn)
    .await
    .expect("insert transaction");
}

fn text_query(text: &str) -> ClientQuery {
    ClientQuery {
        text: SearchText::parse(text),
        sort: ClientSort::NameAsc,
        limit: 50,
        ..ClientQuery::default()
    }
}

async fn names(fixture: &Fixture, app: &App, query: &ClientQuery) -> Vec<String> {
    let page = fixture
        .store
        .search_clients(app.id, query)
        .await
        .expect("search");
    page.items
        .into_iter()
        .map(|client| client.name.as_str().to_owned())
        .collect()
}

async fn found_by(fixture: &Fixture, app: &App, text: &str) -> Vec<String> {
    names(fixture, app, &text_query(text)).await
}

/// Clients of app A, and an "Ana Souza" in app B who must never appear.
async fn text_fixture() -> (Fixture, App, App) {
    let fixture = Fixture::new().await;
    let app = fixture.app("app-a").await;
    let other = fixture.app("app-b").await;

    let mut ana = client(&app, "Ana Souza", "ana.souza@example.com");
    ana.phone = phone("+55 11 98765-4321");
    fixture.client(&ana).await;
    fixture
        .client(&client(&app, "Mariana Souza Lima", "mari@example.com"))
        .await;
    let mut jose = client(&app, "José Conceição", "jose@example.com");
    jose.document = document("031.458.762-44");
    fixture.client(&jose).await;
    let pedro = client(&app, "Pedro D’Ávila", "pedro@example.com");
    fixture.client(&pedro).await;
    insert_transaction(&fixture, &pedro, "HP0123456789", None).await;
    fixture
        .client(&client(&app, "Ana Paula Ferreira", "apf@example.com"))
        .await;
    fixture
        .client(&client(&app, "Bruno 100% Silva_x", "bruno@example.com"))
        .await;

    fixture
        .client(&client(&other, "Ana Souza", "ana.souza@example.com"))
        .await;
    (fixture, app, other)
}

#[tokio::test(flavor = "multi_thread")]
async fn search_by_name_words() {
    let (fixture, app, _) = text_fixture().await;

    assert_eq!(
        found_by(&fixture, &app, "ana").await,
        ["Ana Paula Ferreira", "Ana Souza", "Mariana Souza Lima"]
    );
    assert_eq!(
        found_by(&fixture, &app, "souza").await,
        ["Ana Souza", "Mariana Souza Lima"]
    );
    assert_eq!(
        found_by(&fixture, &app, "ANA SOUZA").await,
        ["Ana Souza", "Mariana Souza Lima"]
    );
    assert_eq!(
        found_by(&fixture, &app, "souza ana").await,
        ["Ana Souza", "Mariana Souza Lima"]
    );
    assert_eq!(found_by(&fixture, &app, "xyz").await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn search_ignores_accents_and_apostrophes() {
    let (fixture, app, _) = text_fixture().await;

    assert_eq!(
        found_by(&fixture, &app, "jose conceicao").await,
        ["José Conceição"]
    );
    assert_eq!(found_by(&fixture, &app, "JOSÉ").await, ["José Conceição"]);
    assert_eq!(found_by(&fixture, &app, "d'avila").await, ["Pedro D’Ávila"]);
    assert_eq!(found_by(&fixture, &app, "D’Ávila").await, ["Pedro D’Ávila"]);
    assert_eq!(found_by(&fixture, &app, "davila").await, ["Pedro D’Ávila"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn search_wildcards_are_literal() {
    let (fixture, app, _) = text_fixture().await;

    assert_eq!(
        found_by(&fixture, &app, "100%").await,
        ["Bruno 100% Silva_x"]
    );
    assert_eq!(
        found_by(&fixture, &app, "a_x").await,
        ["Bruno 100% Silva_x"]
    );
    assert_eq!(found_by(&fixture, &app, "%").await, ["Bruno 100% Silva_x"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn search_by_document_prefix() {
    let (fixture, app, _) = text_fixture().await;

    assert_eq!(
        found_by(&fixture, &app, "03145876244").await,
        ["José Conceição"]
    );
    assert_eq!(
        found_by(&fixture, &app, "031.458.762-44").await,
        ["José Conceição"]
    );
    assert_eq!(
        found_by(&fixture, &app, "031.458").await,
        ["José Conceição"]
    );
    assert_eq!(found_by(&fixture, &app, "1458").await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn search_by_phone_forms() {
    let (fixture, app, _) = text_fixture().await;

    assert_eq!(found_by(&fixture, &app, "11987654321").await, ["Ana Souza"]);
    assert_eq!(
        found_by(&fixture, &app, "5511987654321").await,
        ["Ana Souza"]
    );
    assert_eq!(
        found_by(&fixture, &app, "+55 (11) 98765").await,
        ["Ana Souza"]
    );
    assert_eq!(
        found_by(&fixture, &app, "(11) 98765-4321").await,
        ["Ana Souza"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn search_by_email_fragment() {
    let (fixture, app, _) = text_fixture().await;

    assert_eq!(found_by(&fixture, &app, "souza@exa").await, ["Ana Souza"]);
    assert_eq!(
        found_by(&fixture, &app, "PEDRO@EXAMPLE.COM").await,
        ["Pedro D’Ávila"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn search_by_transaction_id() {
    let (fixture, app, other) = text_fixture().await;

    assert_eq!(
        found_by(&fixture, &app, "HP0123456789").await,
        ["Pedro D’Ávila"]
    );
    assert_eq!(
        found_by(&fixture, &other, "HP0123456789").await,
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn search_stays_in_its_app() {
    let (fixture, app, other) = text_fixture().await;

    let in_b = fixture
        .store
        .search_clients(other.id, &text_query("ana"))
        .await
        .expect("search");
    assert_eq!(in_b.items.len(), 1);
    assert_eq!(in_b.items[0].app_id, other.id);

    let everything_in_a = names(
        &fixture,
        &app,
        &ClientQuery {
            limit: 50,
            ..ClientQuery::default()
        },
    )
    .await;
    assert_eq!(everything_in_a.len(), 6);
}

/// Three clients that differ in every filtered attribute, oldest first, and two
/// products. `has_access` is granted to the first, was revoked from the second and
/// expired for the third. `bought` only appears in a transaction of the second.
struct FilterFixture {
    fixture: Fixture,
    app: App,
    clients: [Client; 3],
    has_access: ProductId,
    bought: ProductId,
}

async fn filter_fixture() -> FilterFixture {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let now = now();

    let mut first = client(&app, "Primeira Cliente", "primeira@example.com");
    first.origin_platform = Platform::Hotmart;
    first.created_at = now - minutes(3 * 24 * 60);
    first.last_access_at = Some(now - minutes(60));
    let mut second = client(&app, "Segunda Cliente", "segunda@example.com");
    second.origin_platform = Platform::Kiwify;
    second.status = ClientStatus::Inactive;
    second.has_chargeback = true;
    second.created_at = now - minutes(2 * 24 * 60);
    let mut third = client(&app, "Terceira Cliente", "terceira@example.com");
    third.created_at = now - minutes(24 * 60);
    third.last_access_at = Some(now - minutes(10 * 24 * 60));
    for client in [&first, &second, &third] {
        fixture.client(client).await;
    }

    let has_access = fixture.product(&app, "Curso").await.id;
    let bought = fixture.product(&app, "E-book").await.id;
    let audit = audit_entry(&first, "grant.create");
    fixture
        .store
        .insert_grant(&manual_grant(&first, has_access), &audit, &[])
        .await
        .expect("grant first");
    let revoked = manual_grant(&second, has_access);
    fixture
        .store
        .insert_grant(&revoked, &audit, &[])
        .await
        .expect("grant second");
    let revocation = Revocation {
        at: now,
        reason: RevokeReason::Chargeback,
        by: Actor::System,
    };
    fixture
        .store
        .revoke_grants(app.id, &[revoked.id], &revocation, &audit)
        .await
        .expect("revoke");
    let mut expired = manual_grant(&third, has_access);
    expired.source = GrantSource::Import;
    expired.expires_at = Some(now - minutes(1));
    fixture
        .store
        .insert_grant(&expired, &audit, &[])
        .await
        .expect("grant third");
    insert_transaction(&fixture, &second, "KW-1", Some(bought)).await;

    FilterFixture {
        fixture,
        app,
        clients: [first, second, third],
        has_access,
        bought,
    }
}

impl FilterFixture {
    /// Names matching the query, oldest first.
    async fn names(&self, query: ClientQuery) -> Vec<String> {
        let query = ClientQuery {
            sort: ClientSort::CreatedAsc,
            limit: 50,
            ..query
        };
        names(&self.fixture, &self.app, &query).await
    }

    fn at(&self, minutes_ago: i64) -> time::OffsetDateTime {
        now() - minutes(minutes_ago)
    }
}

const FIRST: &str = "Primeira Cliente";
const SECOND: &str = "Segunda Cliente";
const THIRD: &str = "Terceira Cliente";

#[tokio::test(flavor = "multi_thread")]
async fn filter_by_platform_and_status() {
    let f = filter_fixture().await;

    let hotmart = f
        .names(ClientQuery {
            platform: Some(Platform::Hotmart),
            ..Default::default()
        })
        .await;
    assert_eq!(hotmart, [FIRST]);
    let inactive = f
        .names(ClientQuery {
            status: Some(ClientStatus::Inactive),
            ..Default::default()
        })
        .await;
    assert_eq!(inactive, [SECOND]);
    let active = f
        .names(ClientQuery {
            status: Some(ClientStatus::Active),
            ..Default::default()
        })
        .await;
    assert_eq!(active, [FIRST, THIRD]);
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_by_created_range() {
    let f = filter_fixture().await;

    let range = f
        .names(ClientQuery {
            created_from: Some(f.clients[1].created_at),
            created_before: Some(f.clients[2].created_at),
            ..Default::default()
        })
        .await;
    assert_eq!(range, [SECOND], "from is inclusive, before is exclusive");
    let recent = f
        .names(ClientQuery {
            created_from: Some(f.at(36 * 60)),
            ..Default::default()
        })
        .await;
    assert_eq!(recent, [THIRD]);
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_by_last_access() {
    let f = filter_fixture().await;

    let idle = f
        .names(ClientQuery {
            last_access_before: Some(f.at(2 * 24 * 60)),
            ..Default::default()
        })
        .await;
    assert_eq!(idle, [SECOND, THIRD], "never accessed counts as idle");
    let never = f
        .names(ClientQuery {
            never_accessed: Some(true),
            ..Default::default()
        })
        .await;
    assert_eq!(never, [SECOND]);
    let accessed = f
        .names(ClientQuery {
            never_accessed: Some(false),
            ..Default::default()
        })
        .await;
    assert_eq!(accessed, [FIRST, THIRD]);
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_by_chargeback() {
    let f = filter_fixture().await;

    let flagged = f
        .names(ClientQuery {
            has_chargeback: Some(true),
            ..Default::default()
        })
        .await;
    assert_eq!(flagged, [SECOND]);
    let clean = f
        .names(ClientQuery {
            has_chargeback: Some(false),
            ..Default::default()
        })
        .await;
    assert_eq!(clean, [FIRST, THIRD]);
    let combined = f
        .names(ClientQuery {
            has_chargeback: Some(true),
            platform: Some(Platform::Hotmart),
            ..Default::default()
        })
        .await;
    assert!(combined.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_by_product() {
    let f = filter_fixture().await;
    let filter = |product_id, mode| ClientQuery {
        product: Some(ProductFilter { product_id, mode }),
        ..Default::default()
    };

    let access = f
        .names(filter(f.has_access, ProductFilterMode::HasAccess))
        .await;
    assert_eq!(access, [FIRST], "revoked and expired grants give no access");
    let ever = f
        .names(filter(f.has_access, ProductFilterMode::EverBought))
        .await;
    assert_eq!(ever, [FIRST, SECOND, THIRD]);
    let bought = f
        .names(filter(f.bought, ProductFilterMode::EverBought))
        .await;
    assert_eq!(bought, [SECOND], "a transaction alone counts as bought");
    let bought_access = f
        .names(filter(f.bought, ProductFilterMode::HasAccess))
        .await;
    assert!(bought_access.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn sort_orders() {
    let f = filter_fixture().await;
    let sorted = |sort| ClientQuery {
        sort,
        limit: 50,
        ..ClientQuery::default()
    };

    let newest = names(&f.fixture, &f.app, &sorted(ClientSort::CreatedDesc)).await;
    assert_eq!(newest, [THIRD, SECOND, FIRST]);
    let oldest = names(&f.fixture, &f.app, &sorted(ClientSort::CreatedAsc)).await;
    assert_eq!(oldest, [FIRST, SECOND, THIRD]);
    let by_name = names(&f.fixture, &f.app, &sorted(ClientSort::NameAsc)).await;
    assert_eq!(by_name, [FIRST, SECOND, THIRD]);
}

#[tokio::test(flavor = "multi_thread")]
async fn page_limit_and_next_cursor() {
    let f = filter_fixture().await;

    let first_page = f
        .fixture
        .store
        .search_clients(
            f.app.id,
            &ClientQuery {
                limit: 2,
                ..ClientQuery::default()
            },
        )
        .await
        .expect("search");
    assert_eq!(first_page.items.len(), 2);
    let next = first_page.next.expect("a next page");
    assert_eq!(next.id, first_page.items[1].id);

    let last_page = f
        .fixture
        .store
        .search_clients(
            f.app.id,
            &ClientQuery {
                limit: 2,
                after: Some(next),
                ..ClientQuery::default()
            },
        )
        .await
        .expect("search");
    assert_eq!(last_page.items.len(), 1);
    assert_eq!(last_page.next, None);

    let default_size = f
        .fixture
        .store
        .search_clients(f.app.id, &ClientQuery::default())
        .await
        .expect("search with limit 0");
    assert_eq!(
        default_size.items.len(),
        3,
        "a limit of 0 means the default page size"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cursor_of_other_sort_rejected() {
    let f = filter_fixture().await;
    let cursor = Cursor {
        sort: ClientSort::CreatedDesc,
        key: "2026-01-01T00:00:00Z".to_owned(),
        id: ClientId::generate(),
    };
    let result = f
        .fixture
        .store
        .search_clients(
            f.app.id,
            &ClientQuery {
                sort: ClientSort::NameAsc,
                after: Some(cursor.clone()),
                ..ClientQuery::default()
            },
        )
        .await;
    assert!(
        matches!(result, Err(RepositoryError::Other(_))),
        "got {result:?}"
    );

    let unreadable = Cursor {
        key: "yesterday".to_owned(),
        ..cursor
    };
    let result = f
        .fixture
        .store
        .search_clients(
            f.app.id,
            &ClientQuery {
                after: Some(unreadable),
                ..ClientQuery::default()
            },
        )
        .await;
    assert!(
        matches!(result, Err(RepositoryError::Other(_))),
        "got {result:?}"
    );
}

/// Returns the sort key of a client in `sort`, as the database orders it.
fn sort_key(client: &Client, sort: ClientSort) -> (String, uuid::Uuid) {
    let key = match sort {
        ClientSort::CreatedDesc | ClientSort::CreatedAsc => {
            format!("{:020}", client.created_at.unix_timestamp_nanos())
        }
        ClientSort::NameAsc => fold_for_search(client.name.as_str()),
    };
    (key, client.id.as_uuid())
}

#[tokio::test(flavor = "multi_thread")]
async fn pagination_with_concurrent_inserts() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let base = now() - minutes(10_000);
    let mut originals = Vec::new();
    for index in 0..23_i64 {
        // Groups of three share a creation time and pairs share a name, so the
        // id decides between them.
        let name = format!("Cliente {:02}", index / 2);
        let mut original = client(&app, &name, &format!("c{index}@example.com"));
        original.created_at = base + minutes(index / 3 * 10);
        fixture.client(&original).await;
        originals.push(original);
    }

    for sort in [
        ClientSort::CreatedDesc,
        ClientSort::CreatedAsc,
        ClientSort::NameAsc,
    ] {
        let mut seen = Vec::new();
        let mut after = None;
        let mut inserted = 0;
        loop {
            let query = ClientQuery {
                sort,
                limit: 5,
                after: after.clone(),
                ..ClientQuery::default()
            };
            let page = fixture
                .store
                .search_clients(app.id, &query)
                .await
                .expect("page");
            seen.extend(page.items);

            // New clients arrive between page fetches: one newer than everyone,
            // one in the middle of the range with a name in the middle too.
            let mut newer = client(
                &app,
                "Cliente Novo",
                &format!("novo-{sort:?}-{inserted}@example.com"),
            );
            newer.created_at = now();
            fixture.client(&newer).await;
            let mut middle = client(
                &app,
                "Cliente 05",
                &format!("meio-{sort:?}-{inserted}@example.com"),
            );
            middle.created_at = base + minutes(35);
            fixture.client(&middle).await;
            inserted += 1;

            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
            assert!(inserted < 100, "pagination did not end");
        }

        let ids: Vec<ClientId> = seen.iter().map(|client| client.id).collect();
        let unique: HashSet<ClientId> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{sort:?}: a client was repeated");

        let original_ids: HashSet<ClientId> = originals.iter().map(|client| client.id).collect();
        let seen_originals: Vec<&Client> = seen
            .iter()
            .filter(|client| original_ids.contains(&client.id))
            .collect();
        assert_eq!(
            seen_originals.len(),
            originals.len(),
            "{sort:?}: a client was skipped"
        );

        let keys: Vec<_> = seen.iter().map(|client| sort_key(client, sort)).collect();
        let mut expected = keys.clone();
        expected.sort();
        if sort == ClientSort::CreatedDesc {
            expected.reverse();
        }
        assert_eq!(keys, expected, "{sort:?}: pages are out of order");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn explain_returns_the_plan() {
    let (fixture, app, _) = text_fixture().await;
    let query = ClientQuery {
        product: Some(ProductFilter {
            product_id: ProductId::generate(),
            mode: ProductFilterMode::EverBought,
        }),
        last_access_before: Some(now()),
        ..text_query("ana 031")
    };

    let plan = fixture
        .store
        .explain_search(app.id, &query)
        .await
        .expect("explain");
    let root = &plan[0]["Plan"];
    assert!(root.is_object(), "unexpected explain output: {plan}");
    assert!(
        root["Actual Rows"].is_number(),
        "EXPLAIN ANALYZE reports actual rows: {plan}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn name_change_moves_in_name_sort() {
    let fixture = Fixture::new().await;
    let app = fixture.app("escola").await;
    let zelia = client(&app, "Zélia", "zelia@example.com");
    fixture.client(&zelia).await;
    fixture
        .client(&client(&app, "Bruna", "bruna@example.com"))
        .await;

    let mut renamed = zelia.clone();
    renamed.name = FullName::parse("Álvaro").expect("name");
    renamed.version = 1;
    fixture
        .store
        .update_client(&renamed, 0, &audit_entry(&renamed, "client.update"))
        .await
        .expect("rename");

    let sorted = names(
        &fixture,
        &app,
        &ClientQuery {
            sort: ClientSort::NameAsc,
            limit: 10,
            ..ClientQuery::default()
        },
    )
    .await;
    assert_eq!(sorted, ["Álvaro", "Bruna"]);
}
