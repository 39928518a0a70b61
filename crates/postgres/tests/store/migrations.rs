use clientela_domain::search::fold_for_search;
use clientela_postgres::{MIGRATIONS, migrate, revert_all};
use diesel::QueryableByName;
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sql_types::{Nullable, Text};
use diesel_async::RunQueryDsl;

use crate::support::Fixture;

#[derive(QueryableByName)]
struct Regclass {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

async fn table_exists(fixture: &Fixture, table: &str) -> bool {
    let mut conn = fixture.raw_connection().await;
    let row: Regclass = diesel::sql_query("SELECT to_regclass($1)::text AS name")
        .bind::<Text, _>(table)
        .get_result(&mut conn)
        .await
        .expect("query to_regclass");
    row.name.is_some()
}

#[tokio::test(flavor = "multi_thread")]
async fn migrations_revert_and_reapply() {
    let fixture = Fixture::new().await;
    let url = fixture.database.url().to_owned();
    let all: Vec<String> = MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .expect("list embedded migrations")
        .iter()
        .map(|migration| migration.name().to_string())
        .collect();
    assert!(
        all.len() >= 6,
        "expected at least 6 migrations, found {all:?}"
    );

    let reverted = revert_all(&url).await.expect("revert all");
    let mut newest_first = all.clone();
    newest_first.reverse();
    assert_eq!(reverted, newest_first);
    assert!(!table_exists(&fixture, "clients").await);
    assert!(!table_exists(&fixture, "apps").await);

    let applied = migrate(&url).await.expect("migrate after revert");
    assert_eq!(applied, all);
    assert!(table_exists(&fixture, "clients").await);
    assert!(table_exists(&fixture, "audit_log").await);

    let again = migrate(&url).await.expect("migrate twice");
    assert!(again.is_empty(), "second run applied {again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_rejects_an_unreachable_server() {
    let result = migrate("postgres://postgres@127.0.0.1:1/none").await;
    assert!(result.is_err());
}

#[derive(QueryableByName)]
struct Folded {
    #[diesel(sql_type = Text)]
    folded: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn database_folding_matches_domain() {
    let fixture = Fixture::new().await;
    let mut conn = fixture.raw_connection().await;
    let names = [
        "José Conceição",
        "D’Ávila",
        "d'Ávila",
        "O‘Neil `x´",
        "ÂNGELA GONÇALVES",
        "Ümit Çelik",
        "Ἀθηνᾶ Ωμέγα",
        "Ana 😀 Souza",
        "São João",
    ];
    for name in names {
        let row: Folded = diesel::sql_query("SELECT clientela_fold($1) AS folded")
            .bind::<Text, _>(name)
            .get_result(&mut conn)
            .await
            .expect("fold in the database");
        assert_eq!(row.folded, fold_for_search(name), "folding of {name:?}");
    }
}
